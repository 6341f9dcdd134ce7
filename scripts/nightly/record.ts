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

/** The record, empty when there is none or it is no record (the reports are then the fallback). */
export async function readRunsRecord(reportsDir: string): Promise<RunsRecord> {
  let parsed: Partial<Record> | null = null;
  try {
    parsed = JSON.parse(await readFile(path.join(reportsDir, RUNS_RECORD), "utf8"));
  } catch {
    // None yet, or not a record: every runbook counts from its reports.
  }
  return { ranAt: instants(parsed?.ranAt), readTo: instants(parsed?.readTo) };
}

/**
 * Records that the job of `at` ran these runbooks, their windows read up to `readTo` (one instant
 * for all, or each runbook's; none: kept as it was); the others keep their entries.
 */
export async function recordRuns(
  reportsDir: string,
  ids: string[],
  at: Date,
  readTo?: Date | ((id: string) => Date | undefined),
): Promise<void> {
  if (ids.length === 0) return;
  const runs = await readRunsRecord(reportsDir);
  for (const id of ids) {
    runs.ranAt.set(id, at);
    const to = typeof readTo === "function" ? readTo(id) : readTo;
    if (to) runs.readTo.set(id, to);
  }
  const iso = (m: Map<string, Date>) =>
    Object.fromEntries([...m].map(([id, d]) => [id, d.toISOString()]));
  const record: Record = { version: 1, ranAt: iso(runs.ranAt), readTo: iso(runs.readTo) };
  await writeFileAtomic(path.join(reportsDir, RUNS_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
