/**
 * Runs that an `optional` step's failed check only warns (spec §2), for the shared build
 * (shared-site.ts), read by warned-runs.test.ts: `cancelled-optional`, cancelled after its
 * optional first step's check failed (no escalation: core `escalates`), and `cancelled-required`,
 * the same run with the first step not optional (its escalation is shown); and `warned-optional`,
 * whose run passed and whose next run warned (its optional step's check failed) with several long
 * step warnings holding markup, as the engines' new warnings read (a log directory's files not
 * read over the store's days, files read beside the store, an Athena region outside the
 * table's projection); and `failed-after-optional`, failed by its second step's check after its
 * optional first step's failed (what failed it is said first). The reports are in the runner's shape, made from a fixture run.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const CANCELLED_OPTIONAL_ID = "cancelled-optional";
export const CANCELLED_REQUIRED_ID = "cancelled-required";
export const WARNED_ID = "warned-optional";
export const FAILED_AFTER_OPTIONAL_ID = "failed-after-optional";
/** The runbooks' own escalation (the summary shows the file's, not the report's). */
export const ESCALATION = "Page the on-call about the first step's finding.";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const BASE = "reports/unauthorized-access/2026-11-21T02-00-05.000Z.json";
/** The runs' times: within the other fixtures' days, so the heat strip's last day is theirs. */
export const EARLIER_AT = "2026-11-21T02:00:05.000Z";
export const LATER_AT = "2026-11-22T02:00:04.000Z";

/** Long step warnings with markup and entities: each must be shown whole, as text. */
export const LONG_WARNINGS = {
  first: [
    `2 files of the log directory (AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/<script>alert("dir")</script>.json.gz, ...) were not read over the days the store answers (2026-11-21 to 2026-11-22): the store records none of the window's files, so whether their events are in it is unknown ${"(padding & more) ".repeat(12)}end-of-first`,
    `3 files were read from the raw files beside the store's days: <b>AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/22/a&amp;b.json.gz</b> ${"x".repeat(400)} end-of-second`,
  ],
  second: [
    `the account 111122223333's region eu-west-3 delivered files on 2026-11-21 that the table's projection (projection.region.values = us-east-1) leaves out: Athena never reads them <img src=x onerror=alert(1)> ${"&lt;tail&gt; ".repeat(30)}end-of-third`,
  ],
};

const book = (id: string, title: string, firstAttr: string) => `---
title: ${title}
id: ${id}
schedule: manual
escalation: ${ESCALATION}
---

\`\`\`sql first${firstAttr}
SELECT 1 AS one
\`\`\`

\`\`\`expect
rows == 0
\`\`\`

\`\`\`sql second
SELECT 2 AS two
\`\`\`

\`\`\`expect
rows == 1
\`\`\`
`;

type Json = Record<string, unknown>;

const dayBefore = (iso: string) => new Date(Date.parse(iso) - 86_400_000).toISOString();

function check(expr: string, line: number, passed: boolean, actual = 1): Json {
  return {
    check: expr,
    line,
    warn: false,
    status: passed ? "passed" : "failed",
    actual,
    message: `rows = ${actual}, expected ${expr.slice(5)}`,
  };
}

interface RunShape {
  id: string;
  source: string;
  optional: boolean;
  status: "passed" | "warned" | "failed" | "cancelled";
  startedAt: string;
  /** Whether the second step was cancelled (before its checks). */
  cancelled: boolean;
  firstPassed: boolean;
  /** Whether the second step's check failed (it has none when cancelled). */
  secondFailed?: boolean;
  warnings?: { first: string[]; second: string[] };
}

/** A report of the runbook `book(...)` in the runner's shape, its counts from its steps. */
async function reportOf(run: RunShape): Promise<Json> {
  const report = JSON.parse(await readFile(path.join(FIXTURES, BASE), "utf8")) as Json;
  const ran = (report.steps as Json[])[0]!;
  const first = {
    ...ran,
    id: "first",
    title: undefined,
    optional: run.optional,
    status: run.firstPassed ? "passed" : "failed",
    warnings: run.warnings?.first ?? [],
    checks: [check("rows == 0", 13, run.firstPassed)],
  };
  const second = run.cancelled
    ? { ...ran, id: "second", title: undefined, status: "cancelled", optional: false }
    : {
        ...ran,
        id: "second",
        title: undefined,
        status: run.secondFailed ? "failed" : "passed",
        optional: false,
      };
  Object.assign(second, {
    warnings: run.warnings?.second ?? [],
    checks: run.cancelled
      ? []
      : [check("rows == 1", 21, !run.secondFailed, run.secondFailed ? 0 : 1)],
  });
  if (run.cancelled) Object.assign(second, { durationMs: 0, columns: [], rows: [], rowCount: 0 });
  const steps = [first, second].map((s) => JSON.parse(JSON.stringify(s)) as Json);
  const checks = { passed: 0, warned: 0, failed: 0, errored: 0 };
  const stepCounts = { passed: 0, warned: 0, failed: 0, errored: 0, skipped: 0, cancelled: 0 };
  for (const s of steps) {
    stepCounts[s.status as keyof typeof stepCounts]++;
    for (const c of s.checks as Json[]) checks[c.status as keyof typeof checks]++;
  }
  const day = run.startedAt;
  const window = { ...(report.window as Json), start: dayBefore(day), end: day };
  return {
    ...report,
    runId: `${run.id}-${day.slice(0, 10)}`,
    status: run.status,
    startedAt: day,
    endedAt: day,
    window,
    runbook: {
      ...(report.runbook as Json),
      id: run.id,
      title: /^title: (.*)$/m.exec(run.source)?.[1],
      path: `runbooks/${run.id}.md`,
      sourceHash: createHash("sha256").update(run.source).digest("hex"),
      escalation: ESCALATION,
    },
    steps: steps.map((s) => ({ ...s, startedAt: day, window: { start: window.start, end: day } })),
    summary: { checks, steps: stepCounts },
  };
}

async function writeRun(runbooksDir: string, reportsDir: string, run: RunShape): Promise<void> {
  await writeFile(path.join(runbooksDir, `${run.id}.md`), run.source);
  await mkdir(path.join(reportsDir, run.id), { recursive: true });
  const name = `${run.startedAt.replaceAll(":", "-")}.json`;
  await writeFile(path.join(reportsDir, run.id, name), JSON.stringify(await reportOf(run)));
}

export async function writeWarned(runbooksDir: string, reportsDir: string): Promise<void> {
  // Titles after the hostile runbook's ("x </title>..."): the failed one and, after it, the
  // cancelled required one rank with the failed (site.test.ts failedIds).
  const cancelled = (id: string, optional: boolean, title: string): RunShape => ({
    id,
    source: book(id, title, optional ? " optional" : ""),
    optional,
    status: "cancelled",
    startedAt: LATER_AT,
    cancelled: true,
    firstPassed: false,
  });
  await writeRun(
    runbooksDir,
    reportsDir,
    cancelled(CANCELLED_OPTIONAL_ID, true, "Zz cancelled after an optional check failed"),
  );
  await writeRun(
    runbooksDir,
    reportsDir,
    cancelled(CANCELLED_REQUIRED_ID, false, "Zzz cancelled after a required check failed"),
  );
  const failedSource = book(
    FAILED_AFTER_OPTIONAL_ID,
    "Zz failed after an optional step",
    " optional",
  );
  await writeRun(runbooksDir, reportsDir, {
    id: FAILED_AFTER_OPTIONAL_ID,
    source: failedSource,
    optional: true,
    status: "failed",
    startedAt: LATER_AT,
    cancelled: false,
    firstPassed: false,
    secondFailed: true,
  });
  const source = book(WARNED_ID, "Zz warned by an optional step", " optional");
  const run = { id: WARNED_ID, source, optional: true, cancelled: false };
  await writeRun(runbooksDir, reportsDir, {
    ...run,
    status: "passed",
    startedAt: EARLIER_AT,
    firstPassed: true,
  });
  await writeRun(runbooksDir, reportsDir, {
    ...run,
    status: "warned",
    startedAt: LATER_AT,
    firstPassed: false,
    warnings: LONG_WARNINGS,
  });
}
