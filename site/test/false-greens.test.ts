/**
 * No green where the run did not judge: the checks of a step that errored are not passes, and a
 * newest report file that cannot be read is not hidden behind the run before it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Engine,
  parseRunbook,
  type QueryRequest,
  type QueryResult,
  type RunReport,
  runRunbook,
} from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksCountText, checksSentence, noOutcomeText } from "../src/lib/checks.ts";
import { indexRank, STATUS_LABEL, STATUS_RANK, shownStatus } from "../src/lib/format.ts";
import { readReportIndex } from "../src/lib/reports.ts";
import { checkHistory } from "../src/lib/series.ts";

const fixtureReports = path.join(import.meta.dirname, "fixtures/reports");
const OLD = "2026-11-21T02-00-05.000Z.json";
const NEW = "2026-11-22T02-00-04.000Z.json";
/** The time NEW is named after: a report's file is named after its startedAt. */
const NEW_AT = "2026-11-22T02:00:04.000Z";

async function passedReport(): Promise<RunReport> {
  const file = path.join(fixtureReports, "unauthorized-access", OLD);
  return JSON.parse(await readFile(file, "utf8")) as RunReport;
}

/** The passed fixture run, with its steps errored as when a log file was not read. */
async function erroredReport(): Promise<RunReport> {
  const report = await passedReport();
  report.runId = "errored-run";
  report.startedAt = NEW_AT;
  report.status = "errored";
  for (const step of report.steps) {
    step.status = "errored";
    step.error = { code: "unread-files", message: "1 log file was not read" };
  }
  return report;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-false-greens-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(runbookId: string, name: string, body: unknown): Promise<void> {
  await mkdir(path.join(dir, runbookId), { recursive: true });
  await writeFile(
    path.join(dir, runbookId, name),
    typeof body === "string" ? body : JSON.stringify(body),
  );
}

describe("the checks of a step that errored", () => {
  it("are not judged, never passed", () => {
    const errored = { error: { code: "result-capped", message: "capped" } };
    expect(shownStatus(errored, { status: "passed" })).toBe("unjudged");
    expect(shownStatus(errored, { status: "failed" })).toBe("failed");
    expect(shownStatus({}, { status: "passed" })).toBe("passed");
    expect(STATUS_LABEL.unjudged.label).toBe("not judged: the step errored");
    expect(STATUS_LABEL.unjudged.symbol).not.toBe(STATUS_LABEL.passed.symbol);
  });

  it("make the summary say they were not judged, not that all passed", async () => {
    const errored = await erroredReport();
    expect(checksSentence(errored.steps, 0)).toBe("4 checks not judged (a step errored).");
    expect(checksSentence(errored.steps, 0)).not.toMatch(/passed/);
    const one = await passedReport();
    one.steps[1]!.error = { code: "unread-files", message: "not read" };
    expect(checksSentence(one.steps, 0)).toBe("1 check not judged (a step errored).");
    expect(checksSentence((await passedReport()).steps, 0)).toBe("All 4 checks passed.");
    expect(checksSentence((await passedReport()).steps, 2)).toBeUndefined();
    expect(checksSentence([], 0)).toBe("The run has no checks.");
    // A step that errored before its checks were judged keeps none: they were not judged.
    const early = [{ error: { code: "engine-error" }, checks: [] }];
    expect(checksSentence(early, 0)).toBe("No check was judged (a step errored).");
  });

  it("never say all checks passed when a step errored before its checks were judged", async () => {
    // The runner keeps no checks for a step that errored (a SQL error at run time): the other
    // steps' passes are not all of the runbook's checks.
    const run = await passedReport();
    run.status = "errored";
    run.steps[1]!.status = "errored";
    run.steps[1]!.error = { code: "sql-error", message: "INVALID_CAST_ARGUMENT" };
    run.steps[1]!.checks = [];
    const passed = run.steps.flatMap((s) => s.checks ?? []).filter((c) => c.status === "passed");
    expect(passed.length).toBeGreaterThan(0);
    const sentence = checksSentence(run.steps, 0);
    expect(sentence).not.toMatch(/^All /);
    expect(sentence).toBe(
      `${passed.length} check${passed.length === 1 ? "" : "s"} passed; the checks of 1 step that errored were not judged.`,
    );
  });

  it("are left out of the check's history chart", async () => {
    await write("history", OLD, await passedReport());
    const errored = await erroredReport();
    errored.steps[1]!.checks[0]!.actual = 3;
    await write("history", NEW, errored);
    // The folder is "history": make the reports its own.
    for (const name of [OLD, NEW]) {
      const file = path.join(dir, "history", name);
      const r = JSON.parse(await readFile(file, "utf8")) as RunReport;
      r.runbook.id = "history";
      await writeFile(file, JSON.stringify(r));
    }
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["history"] });
    const entries = index.histories.get("history")!.entries;
    expect(entries.map((e) => e.runId)).toEqual(["errored-run", expect.any(String)]);
    expect(entries[0]!.checks.every((c) => c.stepErrored)).toBe(true);
    const points = checkHistory(entries, "denied_per_hour", "warn: max(calls) < 40");
    expect(points.map((p) => [p.value, p.status])).toEqual([[5, "passed"]]);
  });
});

describe("a run errored by one of its steps", () => {
  it("says on the index which step errored and why, not only that the run errored", async () => {
    // The runner's own shape: the step's error, no run-level error, the step's checks unjudged.
    const run = await passedReport();
    run.runbook.id = "step-errored";
    run.startedAt = NEW_AT;
    run.status = "errored";
    delete run.error;
    const broken = run.steps[1]!;
    broken.status = "errored";
    broken.error = { code: "sql-error", message: "INVALID_CAST_ARGUMENT: Cannot cast 'x' to INT" };
    broken.checks = [];
    await write("step-errored", NEW, run);
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["step-errored"] });
    const latest = index.histories.get("step-errored")!.entries[0]!;
    expect(latest.error).toBeUndefined();
    expect(latest.stepError).toBe(
      `error in step ${broken.title ?? broken.id}: ${broken.error.message}`,
    );
    // Two steps errored: the first, and how many more.
    run.steps[0]!.error = { code: "unread-files", message: "1 log file was not read" };
    await write("step-errored", NEW, run);
    const again = await readReportIndex(dir, { limit: 30, runbookIds: ["step-errored"] });
    expect(again.histories.get("step-errored")!.entries[0]!.stepError).toBe(
      `error in step ${run.steps[0]!.title ?? run.steps[0]!.id}: 1 log file was not read (and 1 more step errored)`,
    );
  });
});

describe("a runbook whose newest report file cannot be read", () => {
  it("is unreadable, not the previous run's status, and names the file", async () => {
    const good = await passedReport();
    await write("unauthorized-access", OLD, good);
    await write("unauthorized-access", NEW, { ...good, reportVersion: 99 });
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["unauthorized-access"] });
    const h = index.histories.get("unauthorized-access")!;
    expect(h.entries.map((e) => e.status)).toEqual(["passed"]);
    expect(path.basename(h.unreadable!.file)).toBe(NEW);
    expect(h.unreadable!.message).not.toBe("");
    expect(index.problems.map((p) => path.basename(p.file))).toEqual([NEW]);
  });

  it("is unreadable when that file is its only report", async () => {
    await write("only-bad", NEW, "{ half a report");
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["only-bad"] });
    const h = index.histories.get("only-bad")!;
    expect(h.entries).toEqual([]);
    expect(path.basename(h.unreadable!.file)).toBe(NEW);
  });

  it("counts another runbook's report in its folder as unreadable", async () => {
    const good = await passedReport();
    await write("mixed-up", OLD, { ...good, runbook: { ...good.runbook, id: "mixed-up" } });
    await write("mixed-up", NEW, good);
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["mixed-up"] });
    const h = index.histories.get("mixed-up")!;
    expect(h.entries.map((e) => e.name)).toEqual([OLD.replace(".json", "")]);
    expect(path.basename(h.unreadable!.file)).toBe(NEW);
    expect(h.unreadable!.message).toMatch(/unauthorized-access.*mixed-up/);
  });

  it("is not unreadable for a bad file older than its latest run", async () => {
    const good = await passedReport();
    await write("old-bad", OLD, "{");
    await write("old-bad", NEW, {
      ...good,
      startedAt: NEW_AT,
      runbook: { ...good.runbook, id: "old-bad" },
    });
    const index = await readReportIndex(dir, { limit: 30, runbookIds: ["old-bad"] });
    const h = index.histories.get("old-bad")!;
    expect(h.entries).toHaveLength(1);
    expect(h.unreadable).toBeUndefined();
    expect(index.problems).toHaveLength(1);
  });

  it("ranks with errored, ahead of green", () => {
    expect(STATUS_RANK.unreadable).toBe(STATUS_RANK.errored);
    expect(STATUS_RANK.unreadable!).toBeLessThan(STATUS_RANK.passed!);
    expect(STATUS_LABEL.unreadable.label).toBe("unreadable");
  });

  it("ranks a cancelled run that had failed checks with the failed ones, above warned and passed", () => {
    expect(indexRank("cancelled", 3)).toBe(indexRank("failed", 3));
    expect(indexRank("cancelled", 3)).toBeLessThan(indexRank("warned", 0));
    expect(indexRank("cancelled", 0)).toBeGreaterThan(indexRank("warned", 0));
    expect(indexRank("errored", 0)).toBeLessThan(indexRank("passed", 0));
  });

  it("ranks a runbook the parser rejects with the errored ones, whatever its last run said", () => {
    for (const status of ["none", "passed", "warned", "cancelled"])
      expect(indexRank(status, 0, false), status).toBe(indexRank("errored", 0));
    expect(indexRank("failed", 1, false)).toBe(indexRank("failed", 1));
  });
});

describe("a run cancelled before some of its steps ran", () => {
  it("never says all its checks passed: the steps that never ran had checks too", async () => {
    // The runner's own report: Ctrl-C as the first step's rows came, so the first step passed
    // and the two after it were never run (cancelled, without an error of their own).
    const source = [
      "---",
      "title: Three steps",
      "---",
      "",
      "```sql first",
      "SELECT 1",
      "```",
      "```expect",
      "rows == 1",
      "```",
      "",
      "```sql second",
      "SELECT 2",
      "```",
      "```expect",
      "rows == 0",
      "```",
      "",
      "```sql third",
      "SELECT 3",
      "```",
      "```expect",
      "rows == 0",
      "```",
      "",
    ].join("\n");
    const { runbook } = parseRunbook(source, "runbooks/three.md");
    const controller = new AbortController();
    const engine: Engine = {
      name: "local",
      dialects: ["sql"],
      async query(req: QueryRequest): Promise<QueryResult> {
        controller.abort();
        return {
          columns: [{ name: "n", type: "bigint" }],
          rows: [[1]],
          queryAsRun: req.query,
          stats: {},
          warnings: [],
        };
      },
      async close() {},
    };
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t", signal: controller.signal },
      { getEngine: async () => engine },
    );
    expect(report.status).toBe("cancelled");
    const ran = report.steps.filter((s) => s.status !== "cancelled");
    const notRun = report.steps.filter((s) => s.status === "cancelled");
    expect(ran.map((s) => s.id)).toEqual(["first"]);
    expect(notRun.map((s) => s.id)).toEqual(["second", "third"]);
    const sentence = checksSentence(report.steps, 0);
    expect(sentence).not.toMatch(/^All /);
    expect(sentence).toBe(
      "1 check passed; the checks of 2 steps that were cancelled were not judged.",
    );
    // Cancelled before any step ran: nothing was judged.
    const none = report.steps.map((s) => ({ ...s, status: "cancelled" as const, checks: [] }));
    expect(checksSentence(none, 0)).toBe("No check was judged (the run was cancelled).");
  });
});

describe("a run page's count of checks", () => {
  it("counts a pass in a step that errored (a file not read) as not judged, never as passed", async () => {
    const source = [
      "---",
      "title: Partial",
      "---",
      "",
      "```sql partial",
      "SELECT 1",
      "```",
      "```expect",
      "rows == 1",
      "rows < 5",
      "```",
      "",
    ].join("\n");
    const { runbook } = parseRunbook(source, "runbooks/partial.md");
    const engine: Engine = {
      name: "local",
      dialects: ["sql"],
      async query(req: QueryRequest): Promise<QueryResult> {
        return {
          columns: [{ name: "n", type: "bigint" }],
          rows: [[1]],
          queryAsRun: req.query,
          stats: {},
          warnings: [],
          unread: ["broken.json.gz"],
        };
      },
      async close() {},
    };
    const report = await runRunbook(
      runbook!,
      { toolVersion: "t" },
      { getEngine: async () => engine },
    );
    // What the runner's report holds: the step errored, its two checks evaluated to passed,
    // and its summary counts them as passed.
    expect(report.steps[0]?.error?.code).toBe("unread-files");
    expect(report.summary.checks.passed).toBe(2);
    expect(checksCountText(report)).toBe("2 not judged (their step errored)");
    const whole = { ...report, steps: report.steps.map(({ error: _, ...s }) => s) };
    expect(checksCountText(whole)).toBe("2 passed");
    expect(
      checksCountText({
        ...report,
        steps: [],
        summary: { ...report.summary, checks: { passed: 0, warned: 0, failed: 0, errored: 0 } },
      }),
    ).toBe("none");
  });
});

describe("a check of the runbook without an outcome in the latest run", () => {
  it("says why: no run, a step that errored, a step the run was cancelled before, or a check added since", async () => {
    // The runner's report of a run cancelled before its second step: that step is in the report,
    // cancelled, with no checks and no error (core skippedStep). Its checks said "not in this run".
    const report = await passedReport();
    const step = { ...report.steps[1]!, status: "cancelled" as const, checks: [] };
    expect(step.error).toBeUndefined();
    expect(noOutcomeText({ noRun: false, step })).toBe(
      "not judged: the run was cancelled before this step finished",
    );
    expect(noOutcomeText({ noRun: true, step: undefined })).toBe("No run yet");
    const errored = { ...step, status: "errored" as const, error: { code: "x", message: "y" } };
    expect(noOutcomeText({ noRun: false, step: errored })).toBe("not judged: the step errored");
    // The step ran and judged its checks: this one is not among them (added since the run).
    expect(noOutcomeText({ noRun: false, step: report.steps[0]! })).toBe("not in this run");
    // The step itself is not in the run (added since, or --step ran another one).
    expect(noOutcomeText({ noRun: false, step: undefined })).toBe("not in this run");
  });
});
