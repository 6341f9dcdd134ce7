/**
 * Two runbooks whose latest report ran an earlier version of their file, for the shared build
 * (shared-site.ts): `edited-since`, which gained a step and a check since (the report's
 * `sourceHash` is the earlier text's), and `broken-since`, which has errors now (a mistyped key)
 * and can no longer run. The reports are fixture runs of `unauthorized-access` made theirs:
 * `broken-since`'s passed; `edited-since`'s failed, and its runbook then had an escalation
 * (ESCALATION_THEN) that the file has not. And `sample-run`, unchanged since its failed run,
 * which read the bundled sample data (`sampleData: true`); and `cancelled-run`, whose run was
 * cancelled before its second step.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const EDITED_ID = "edited-since";
export const BROKEN_ID = "broken-since";
export const SAMPLE_ID = "sample-run";
export const CANCELLED_ID = "cancelled-run";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const REPORT = {
  "edited-since": "reports/unauthorized-access/latest.json",
  "broken-since": "reports/unauthorized-access/2026-11-21T02-00-05.000Z.json",
};

/** What the edited runbook's run said to do when it failed: no text of the file as it is now. */
export const ESCALATION_THEN = "Nothing to do: known noise, close the alert.";

const book = (id: string, title: string, extra: string, front = "schedule: manual") => `---
title: ${title}
id: ${id}
${front}
---

\`\`\`sql first
SELECT 1 AS one
\`\`\`

\`\`\`expect
rows == 1
\`\`\`
${extra}`;

/** What ran: the runbooks before their change. */
const EARLIER = {
  [EDITED_ID]: book(EDITED_ID, "Edited since its run", ""),
  [BROKEN_ID]: book(BROKEN_ID, "Broken since its run", ""),
};

/** The files as they are now. */
const NOW = {
  [EDITED_ID]: book(
    EDITED_ID,
    "Edited since its run",
    "\n```sql added\nSELECT 2 AS two\n```\n\n```expect\nrows == 0\n```\n",
  ),
  [BROKEN_ID]: book(BROKEN_ID, "Broken since its run", "", "scedule: manual"),
};

/** `sample-run`: its failed run read the bundled sample data, and the file is as it ran. */
async function writeSampleRun(runbooksDir: string, reportsDir: string): Promise<void> {
  const source = book(SAMPLE_ID, "Run over the sample data", "");
  await writeFile(path.join(runbooksDir, `${SAMPLE_ID}.md`), source);
  const report = JSON.parse(await readFile(path.join(FIXTURES, REPORT[EDITED_ID]), "utf8"));
  report.runId = `${SAMPLE_ID}-run`;
  report.sampleData = true;
  report.runbook = {
    ...report.runbook,
    id: SAMPLE_ID,
    path: `runbooks/${SAMPLE_ID}.md`,
    sourceHash: createHash("sha256").update(source).digest("hex"),
  };
  delete report.runbook.escalation;
  await mkdir(path.join(reportsDir, SAMPLE_ID), { recursive: true });
  const name = `${report.startedAt.replaceAll(":", "-")}.json`;
  await writeFile(path.join(reportsDir, SAMPLE_ID, name), JSON.stringify(report));
}

/**
 * `cancelled-run`: its run was cancelled before its second step (the runner's shape: the step
 * is in the report, cancelled, with no checks and no error).
 */
async function writeCancelledRun(runbooksDir: string, reportsDir: string): Promise<void> {
  const second = "\n```sql second\nSELECT 2 AS two\n```\n\n```expect\nrows == 1\n```\n";
  const source = book(CANCELLED_ID, "Cancelled before its second step", second);
  await writeFile(path.join(runbooksDir, `${CANCELLED_ID}.md`), source);
  const report = JSON.parse(await readFile(path.join(FIXTURES, REPORT[BROKEN_ID]), "utf8"));
  const ran = report.steps[0];
  report.runId = `${CANCELLED_ID}-run`;
  report.status = "cancelled";
  report.runbook = {
    ...report.runbook,
    id: CANCELLED_ID,
    path: `runbooks/${CANCELLED_ID}.md`,
    sourceHash: createHash("sha256").update(source).digest("hex"),
  };
  const check = { check: "rows == 1", line: 12, warn: false, status: "passed", actual: 1 };
  report.steps = [
    { ...ran, id: "first", checks: [{ ...check, message: "rows = 1, expected == 1" }] },
    {
      ...ran,
      id: "second",
      status: "cancelled",
      durationMs: 0,
      stats: {},
      columns: [],
      rows: [],
      rowCount: 0,
      truncated: false,
      warnings: [],
      checks: [],
    },
  ];
  report.summary = {
    checks: { passed: 1, warned: 0, failed: 0, errored: 0 },
    steps: { passed: 1, warned: 0, failed: 0, errored: 0, skipped: 0, cancelled: 1 },
  };
  await mkdir(path.join(reportsDir, CANCELLED_ID), { recursive: true });
  const name = `${report.startedAt.replaceAll(":", "-")}.json`;
  await writeFile(path.join(reportsDir, CANCELLED_ID, name), JSON.stringify(report));
}

export async function writeChanged(runbooksDir: string, reportsDir: string): Promise<void> {
  await writeSampleRun(runbooksDir, reportsDir);
  await writeCancelledRun(runbooksDir, reportsDir);
  for (const id of [EDITED_ID, BROKEN_ID] as const) {
    await writeFile(path.join(runbooksDir, `${id}.md`), NOW[id]);
    const report = JSON.parse(await readFile(path.join(FIXTURES, REPORT[id]), "utf8")) as {
      runbook: Record<string, unknown>;
      startedAt: string;
      runId: string;
    };
    report.runId = `${id}-run`;
    report.runbook = {
      ...report.runbook,
      id,
      path: `runbooks/${id}.md`,
      sourceHash: createHash("sha256").update(EARLIER[id]).digest("hex"),
      escalation: ESCALATION_THEN,
    };
    await mkdir(path.join(reportsDir, id), { recursive: true });
    const name = `${report.startedAt.replaceAll(":", "-")}.json`;
    await writeFile(path.join(reportsDir, id, name), JSON.stringify(report));
  }
}
