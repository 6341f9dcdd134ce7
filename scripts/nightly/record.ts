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
}

/** The record, empty when there is none or it is no record (the reports are then the fallback). */
export async function readRunsRecord(reportsDir: string): Promise<Map<string, Date>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(reportsDir, RUNS_RECORD), "utf8"));
  } catch {
    return new Map();
  }
  const ranAt = (parsed as Partial<Record> | null)?.ranAt;
  const runs = new Map<string, Date>();
  if (typeof ranAt !== "object" || ranAt === null) return runs;
  for (const [id, iso] of Object.entries(ranAt)) {
    const at = typeof iso === "string" ? new Date(iso) : undefined;
    if (at && !Number.isNaN(at.getTime())) runs.set(id, at);
  }
  return runs;
}

/** Records that the job of `at` ran these runbooks (the others keep their entries). */
export async function recordRuns(reportsDir: string, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  const runs = await readRunsRecord(reportsDir);
  for (const id of ids) runs.set(id, at);
  const record: Record = {
    version: 1,
    ranAt: Object.fromEntries([...runs].map(([id, d]) => [id, d.toISOString()])),
  };
  await writeFileAtomic(path.join(reportsDir, RUNS_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
