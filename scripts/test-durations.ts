/**
 * Writes test/durations.json, the per-file durations the test sequencer (test/sequencer.ts)
 * orders a fresh clone's run by, from a vitest JSON report of a full run:
 *   npx vitest run --reporter=json --outputFile=/tmp/vitest.json
 *   npx tsx scripts/test-durations.ts /tmp/vitest.json
 * Files under a second are left out (their order does not matter); figures are rounded to 100 ms.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DURATIONS_FILE } from "../test/sequencer.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MIN_MS = 1000;

interface JsonReport {
  testResults: Array<{ name: string; startTime: number; endTime: number }>;
}

const reportPath = process.argv[2];
if (!reportPath) {
  console.error("usage: npx tsx scripts/test-durations.ts <vitest JSON report>");
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, "utf8")) as JsonReport;
const rows = report.testResults
  .map(
    (r) =>
      [path.relative(REPO, r.name), Math.round((r.endTime - r.startTime) / 100) * 100] as const,
  )
  .filter(([, ms]) => ms >= MIN_MS)
  .sort((a, b) => b[1] - a[1]);
writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
console.log(
  `${fileURLToPath(DURATIONS_FILE)}: ${rows.length} files of ${report.testResults.length}`,
);
