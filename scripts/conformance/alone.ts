/**
 * The corpus rows that failed on the last full run, kept in test/conformance-alone.json so the next
 * run starts them alone rather than finding each in its batch (run.ts `batches`). Only the cost
 * depends on it: a row listed that now passes, or one failing that is not listed, gets the same
 * outcome. `npm run conformance -- <cases.tsv> --write-alone` refreshes it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CaseResult } from "./run.ts";

export const ALONE_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../test/conformance-alone.json",
);

/** The listed ids (none when the file is absent). */
export function readAlone(file = ALONE_FILE): Set<string> {
  if (!existsSync(file)) return new Set();
  const { ids } = JSON.parse(readFileSync(file, "utf8")) as { ids: string[] };
  return new Set(ids);
}

/** The ids of the rows expected to give a value (or null) that did not run. */
export function failedRows(results: CaseResult[]): string[] {
  return results.filter((r) => r.case.kind !== "error" && !r.outcome.ok).map((r) => r.case.id);
}

/** Writes the list from a full run's results. */
export function writeAlone(results: CaseResult[], file = ALONE_FILE): void {
  const body = {
    comment:
      "Rows of the Trino conformance corpus that failed on the last full run: they run alone from the start (scripts/conformance/alone.ts). Refresh with npm run conformance -- <cases.tsv> --write-alone.",
    ids: failedRows(results).sort(),
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}
