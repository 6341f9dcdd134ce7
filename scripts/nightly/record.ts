/**
 * When the nightly job last ran each runbook: `.nightly-runs.json` beside the reports (kept with
 * them, as the alert state is). Schedules count from it, not from any report: a run by hand or a
 * `--date` replay writes a report too, and took the next night's run away (red-team: the hours
 * after it were read by no run).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@run-md/core";

export const RUNS_RECORD = ".nightly-runs.json";

interface Record {
  version: 1;
  /** Runbook id → the time of the job that ran it last (ISO). */
  ranAt: { [id: string]: string };
  /** Runbook id → where that run's window ended (ISO): the next night's run starts there. */
  readTo?: { [id: string]: string };
}

export interface RunsRecord {
  ranAt: Map<string, Date>;
  readTo: Map<string, Date>;
  /**
   * Why the file there is no record (cut, conflict markers, another shape, unreadable): where
   * each window's reading stopped is then not known. Unset when it is a record, or there is none.
   */
  problem?: string;
}

/** Runbook id → instant, of the entries that are instants. */
function instants(o: unknown): Map<string, Date> {
  const out = new Map<string, Date>();
  if (typeof o !== "object" || o === null) return out;
  for (const [id, iso] of Object.entries(o)) {
    const at = typeof iso === "string" ? new Date(iso) : undefined;
    if (at && !Number.isNaN(at.getTime())) out.set(id, at);
  }
  return out;
}

/**
 * The record, empty when there is none or it is no record (the reports are then the fallback for
 * schedules); `problem` says why a file that is there is no record.
 */
export async function readRunsRecord(reportsDir: string): Promise<RunsRecord> {
  const file = path.join(reportsDir, RUNS_RECORD);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    // None yet: every runbook counts from its reports, and its window is its own.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return empty();
    return { ...empty(), problem: `it cannot be read (${(e as Error).message})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ...empty(), problem: "it is not JSON (cut, or a merge's conflict markers?)" };
  }
  const record = parsed as Partial<Record> | null;
  if (
    typeof record !== "object" ||
    record === null ||
    Array.isArray(record) ||
    record.version !== 1
  )
    return { ...empty(), problem: "it is not an object of version 1" };
  return { ranAt: instants(record.ranAt), readTo: instants(record.readTo) };
}

function empty(): RunsRecord {
  return { ranAt: new Map(), readTo: new Map() };
}

/**
 * Records that the job of `at` ran these runbooks, their windows read up to `readTo` (one instant
 * for all, or each runbook's; none: kept as it was); the others keep their entries. `notRead`:
 * runbooks that read nothing tonight, with where their window was to start, kept where the
 * record (read again here) has no entry of theirs: one written afresh over a damaged file
 * dropped them, and their next window started 24 hours back (red-team).
 */
export async function recordRuns(
  reportsDir: string,
  ids: string[],
  at: Date,
  readTo?: Date | ((id: string) => Date | undefined),
  notRead: ReadonlyMap<string, Date> = new Map(),
): Promise<void> {
  if (ids.length === 0 && notRead.size === 0) return;
  const runs = await readRunsRecord(reportsDir);
  for (const id of ids) {
    runs.ranAt.set(id, at);
    const to = typeof readTo === "function" ? readTo(id) : readTo;
    if (to) runs.readTo.set(id, to);
  }
  for (const [id, from] of notRead) if (!runs.readTo.has(id)) runs.readTo.set(id, from);
  const iso = (m: Map<string, Date>) =>
    Object.fromEntries([...m].map(([id, d]) => [id, d.toISOString()]));
  const record: Record = { version: 1, ranAt: iso(runs.ranAt), readTo: iso(runs.readTo) };
  await writeFileAtomic(path.join(reportsDir, RUNS_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
