import { describe, expect, it } from "vitest";
import type { Engine, QueryRequest, QueryResult } from "../src/engine.ts";
import { RunMdError } from "../src/errors.ts";
import type { Step } from "../src/model.ts";
import { parseRunbook } from "../src/parse.ts";
import {
  chooseEngine,
  errorReport,
  exitCodeOf,
  type RunOptions,
  runOrErrorReport,
  runRunbook,
} from "../src/run.ts";

/**
 * An engine that answers from a table of canned results by step id: the runner's logic (engine
 * choice, parameters, windows, timeouts, cancellation, statuses) is what is under test here; the
 * real engines have their own tests.
 */
class TableEngine implements Engine {
  readonly dialects = ["sql", "logs-insights"] as const;
  readonly requests: QueryRequest[] = [];
  constructor(
    readonly name: string,
    private readonly answers: Record<string, Partial<QueryResult> | "hang" | "stuck" | Error>,
  ) {}
  async query(req: QueryRequest): Promise<QueryResult> {
    this.requests.push(req);
    const a = this.answers[req.stepId];
    if (a === "hang") {
      return new Promise((_, reject) => {
        if (req.signal.aborted) reject(new Error("interrupted"));
        req.signal.addEventListener("abort", () => reject(new Error("interrupted")), {
          once: true,
        });
      });
    }
    if (a === "stuck") return new Promise(() => {}); // ignores its signal
    if (a instanceof Error) throw a;
    return {
      columns: [{ name: "n", type: "bigint" }],
      rows: [],
      queryAsRun: req.query,
      stats: {},
      warnings: [],
      ...a,
    };
  }
  async close(): Promise<void> {}
}

const SOURCE = `---
title: Test runbook
id: t
window: 7d
params:
  who:
    type: string
    default: "%"
  limit:
    type: integer
    min: 1
---

# Test

## First

\`\`\`sql first
SELECT {{who}} AS n, {{limit}} AS l, {{start}} AS s
\`\`\`

\`\`\`expect
rows == 1   # one row
\`\`\`

## Second

\`\`\`logs-insights second
fields @timestamp
\`\`\`

\`\`\`expect
warn: rows == 0
\`\`\`

## Third

\`\`\`sql third engine=athena optional timeout=1s
SELECT 1
\`\`\`

\`\`\`expect
rows > 0
\`\`\`
`;

function runbook(source = SOURCE) {
  const { runbook, diagnostics } = parseRunbook(source, "runbooks/t.md");
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return runbook!;
}

function opts(over: Partial<RunOptions> = {}): RunOptions {
  return {
    toolVersion: "test",
    now: () => new Date("2026-11-24T12:00:00.500Z"),
    cliParams: { limit: "5" },
    ...over,
  };
}

function engines(answers: Record<string, Partial<QueryResult> | "hang" | "stuck" | Error>) {
  const made: Record<string, TableEngine> = {};
  return {
    made,
    getEngine: async (name: string) => {
      made[name] ??= new TableEngine(name, answers);
      return made[name]!;
    },
  };
}

describe("choosing a step's engine", () => {
  const rb = runbook();
  const [first, second, third] = rb.steps as [never, never, never];
  it("--engine wins when it runs the dialect, else engine=, else configuration, else local", () => {
    expect(chooseEngine(first, "athena")).toBe("athena");
    expect(chooseEngine(second, "athena")).toBe("local");
    expect(chooseEngine(second, "athena", { "logs-insights": "logs" })).toBe("logs");
    expect(chooseEngine(third, undefined, { sql: "local" })).toBe("athena");
    expect(chooseEngine(third, "local")).toBe("local");
    expect(chooseEngine(first, undefined, { sql: "athena" })).toBe("athena");
    expect(chooseEngine(first, undefined)).toBe("local");
  });
});

describe("an error the engine found in a step's query", () => {
  it("is placed in the runbook's file, as check places it, not in the query's text (review)", async () => {
    const at = (line: number, column: number) => ({ details: { line, column } });
    const e = engines({
      first: new RunMdError("sql-invalid", "line 1:8: unknown function x()", at(1, 8)),
      second: new RunMdError("insights-field", 'no field "eventname"', at(1, 8)),
      // A position in the query as the service got it (parameters filled in) stays as it is.
      third: new RunMdError("insights-syntax", "at line 1, column 1: as sent", {
        details: { line: 1, column: 1, sent: true },
      }),
    });
    const rb = runbook();
    const report = await runRunbook(rb, opts(), e);
    const [first, second] = rb.steps as [Step, Step];
    expect(report.steps.map((s) => s.error?.message)).toEqual([
      `runbooks/t.md:${first.queryLine}:8: unknown function x()`,
      `runbooks/t.md:${second.queryLine}:8: no field "eventname"`,
      "at line 1, column 1: as sent",
    ]);
    expect(first.queryLine).toBe(19); // the line after "```sql first"
  });
});

describe("running a runbook", () => {
  it("runs steps in order with parameters, built-ins and the window, and takes the worst status", async () => {
    const e = engines({ first: { rows: [[1]] }, second: { rows: [[1]] }, third: { rows: [[1]] } });
    const report = await runRunbook(runbook(), opts({ configParams: { who: "alice" } }), e);
    expect(Object.keys(e.made).sort()).toEqual(["athena", "local"]);
    const req = e.made.local!.requests[0]!;
    expect(req.params.who).toEqual({ type: "string", value: "alice" });
    expect(req.params.limit).toEqual({ type: "integer", value: 5 });
    expect(req.params.start).toEqual({ type: "timestamp", value: "2026-11-17T12:00:00Z" });
    expect(req.window.end.toISOString()).toBe("2026-11-24T12:00:00.000Z");
    expect(report.steps.map((s) => [s.id, s.engine, s.status])).toEqual([
      ["first", "local", "passed"],
      ["second", "local", "warned"],
      ["third", "athena", "passed"],
    ]);
    expect(report.status).toBe("warned");
    expect(exitCodeOf(report.status)).toBe(0);
    expect(report.window).toEqual({
      start: "2026-11-17T12:00:00Z",
      end: "2026-11-24T12:00:00Z",
      source: "window: 7d",
    });
    expect(report.params).toEqual({ who: "alice", limit: 5 });
    expect(report.summary.checks).toEqual({ passed: 2, warned: 1, failed: 0, errored: 0 });
  });

  it("shows a misspelt expect block with the step it does not check, at its file and line (review)", async () => {
    const source =
      "---\ntitle: T\nid: t\n---\n\n```sql a\nSELECT 1 AS n\n```\n\n```expects\nrows == 0\n```\n";
    const e = engines({ a: { rows: [[1]] } });
    const report = await runRunbook(runbook(source), opts({ cliParams: {} }), e);
    expect(report.steps.map((s) => [s.id, s.status, s.checks, s.warnings])).toEqual([
      [
        "a",
        "passed",
        [],
        [
          'runbooks/t.md:10:1 "expects" is not "expect", so this block is documentation and its checks are not checks of the step on line 6 (did you mean "expect"?)',
        ],
      ],
    ]);
  });

  it("the command line wins over configuration, which wins over defaults", async () => {
    const e = engines({});
    await runRunbook(
      runbook(),
      opts({
        configParams: { who: "config" },
        cliParams: { who: "cli", limit: "2" },
        step: "first",
      }),
      e,
    );
    expect(e.made.local!.requests[0]!.params.who!.value).toBe("cli");
  });

  it("a missing required parameter stops the run before any query, naming it", async () => {
    const e = engines({});
    await expect(runRunbook(runbook(), opts({ cliParams: {} }), e)).rejects.toThrow(
      'parameter "limit" is required by runbook t and has no value',
    );
    expect(e.made).toEqual({});
  });

  describe("a value no Logs Insights /regex/ literal can hold (red-team)", () => {
    // The second step's pattern, written as the Insights lexer still reads "like {{who}}": a
    // comment or a long run of blanks between them. The step's query starts on line 29.
    const withPattern = (pattern: string) =>
      runbook(SOURCE.replace("fields @timestamp\n", `fields @timestamp\n${pattern}\n`));
    it.each([
      ["a comment between like and the reference", "| filter x like # the user\n  {{who}}", 31],
      ["71 blanks between them", `| filter x like${" ".repeat(71)}{{who}}`, 30],
      ["a comment between =~ and the reference", "| filter x =~ # re\n{{who}}", 31],
    ])("with %s stops the run before any step", async (_, pattern, line) => {
      const e = engines({});
      await expect(
        runRunbook(withPattern(pattern), opts({ cliParams: { who: "x\\", limit: "5" } }), e),
      ).rejects.toThrow(
        `parameter "who" (from --param) is a Logs Insights regular expression in step "second" (runbooks/t.md:${line}) and ends with a lone backslash`,
      );
      expect(e.made).toEqual({});
    });

    it("names a trigger's value as the event's, not --param", async () => {
      const e = engines({});
      await expect(
        runRunbook(
          withPattern("| filter x like {{who}}"),
          opts({ cliParams: { who: "x\\", limit: "5" }, cliParamsSource: "the event" }),
          e,
        ),
      ).rejects.toThrow('parameter "who" (from the event) is a Logs Insights regular expression');
      // A type mistake in an event's value is named the same way
      await expect(
        runRunbook(
          runbook(),
          opts({ cliParams: { limit: "many" }, cliParamsSource: "the event" }),
          e,
        ),
      ).rejects.toThrow('parameter "limit" (from the event)');
      expect(e.made).toEqual({});
    });

    it("a like inside a comment does not make the next reference a regex", async () => {
      // "= # like" then "{{who}}": a value compared with =, written as a string literal
      const e = engines({});
      const report = await runRunbook(
        withPattern("| filter x = # not like\n {{who}}"),
        opts({ cliParams: { who: "x\\", limit: "5" }, step: "second" }),
        e,
      );
      expect(report.steps.map((s) => s.id)).toEqual(["second"]);
    });
  });

  it("runOrErrorReport turns a run stopped before its first step into its errored report", async () => {
    const e = engines({});
    const seen: string[] = [];
    const report = await runOrErrorReport(
      runbook(),
      opts({ cliParams: {}, engine: "local", runId: "r1", step: "first" }),
      e,
      (error) => seen.push(error.code),
    );
    expect(seen).toEqual(["missing-param"]);
    expect(report).toMatchObject({
      status: "errored",
      runId: "r1",
      engine: "local",
      // `--step` makes it an investigation, as the run itself would have been.
      kind: "investigation",
      steps: [],
      error: { code: "missing-param" },
    });
    expect(report.error?.message).toContain('parameter "limit" is required');
    expect(e.made).toEqual({});
    // A run that starts is runRunbook's own report.
    const ran = await runOrErrorReport(runbook(), opts({ step: "first" }), engines({}));
    expect(ran).toMatchObject({ kind: "investigation", steps: [{ id: "first" }] });
  });

  it("a value that breaks its constraint stops the run, naming the parameter", async () => {
    const e = engines({});
    await expect(runRunbook(runbook(), opts({ cliParams: { limit: "0" } }), e)).rejects.toThrow(
      /"limit"/,
    );
    await expect(runRunbook(runbook(), opts({ cliParams: { limit: "x" } }), e)).rejects.toThrow(
      /"limit"/,
    );
    expect(e.made).toEqual({});
  });

  it("a failed expectation fails the run (exit 1); an engine error errors it (exit 2)", async () => {
    const failed = await runRunbook(runbook(), opts({ step: "first" }), engines({}));
    expect(failed.status).toBe("failed");
    expect(exitCodeOf(failed.status)).toBe(1);
    const boom = await runRunbook(
      runbook(),
      opts({ step: "first" }),
      engines({ first: new Error("connection refused") }),
    );
    expect(boom.status).toBe("errored");
    expect(boom.steps[0]!.error).toEqual({ code: "internal", message: "connection refused" });
    expect(exitCodeOf(boom.status)).toBe(2);
  });

  it("an optional step's failure only warns; its error is still an error of the run", async () => {
    const failed = await runRunbook(
      runbook(),
      opts({ step: "third" }),
      engines({ third: { rows: [] } }),
    );
    expect(failed.steps[0]!.status).toBe("failed");
    expect(failed.status).toBe("warned");
    expect(exitCodeOf(failed.status)).toBe(0);
    // An optional step that read nothing (a query the engine refused, no data) is no pass.
    const errored = await runRunbook(
      runbook(),
      opts(),
      engines({ first: { rows: [[1]] }, third: new Error("no such table") }),
    );
    expect(errored.steps[2]!.status).toBe("errored");
    expect(errored.status).toBe("errored");
    expect(exitCodeOf(errored.status)).toBe(2);
  });

  it("a step's timeout= cancels its query and errors the step with a hint", async () => {
    const started = Date.now();
    const report = await runRunbook(runbook(), opts({ step: "third" }), engines({ third: "hang" }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.steps[0]!.status).toBe("errored");
    expect(report.steps[0]!.error?.code).toBe("timeout");
    expect(report.steps[0]!.error?.message).toContain("did not finish within 1s");
  });

  it("an engine that ignores the timeout is left behind after the grace period", async () => {
    const report = await runRunbook(
      runbook(),
      opts({ step: "third", stopGraceMs: 100 }),
      engines({ third: "stuck" }),
    );
    expect(report.steps[0]!.status).toBe("errored");
    expect(report.steps[0]!.error?.message).toContain(
      "did not finish within 1s and was cancelled on athena (the engine did not confirm that it stopped)",
    );
  });

  it("an engine that ignores Ctrl-C does not keep the run from ending cancelled", async () => {
    const controller = new AbortController();
    const p = runRunbook(
      runbook(),
      opts({ signal: controller.signal, step: "first", stopGraceMs: 100 }),
      engines({ first: "stuck" }),
    );
    setTimeout(() => controller.abort(), 50);
    const report = await p;
    expect(report.status).toBe("cancelled");
  });

  it("cancelling the run stops the running query, skips the rest, and marks the run cancelled", async () => {
    const controller = new AbortController();
    const e = engines({ first: "hang" });
    const p = runRunbook(runbook(), opts({ signal: controller.signal }), e);
    setTimeout(() => controller.abort(), 50);
    const report = await p;
    expect(report.status).toBe("cancelled");
    expect(exitCodeOf(report.status)).toBe(130);
    expect(report.steps.map((s) => s.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(e.made.local!.requests).toHaveLength(1);
    expect(e.made.local!.requests[0]!.signal.aborted).toBe(true);
  });

  it("a run aborted with a RunMdError says that reason on its cancelled step; a plain abort is the user's", async () => {
    const controller = new AbortController();
    const p = runRunbook(
      runbook(),
      opts({ signal: controller.signal, step: "first" }),
      engines({ first: "hang" }),
    );
    setTimeout(
      () =>
        controller.abort(
          new RunMdError("budget-reached", "the scan budget of analysts was reached"),
        ),
      50,
    );
    const report = await p;
    expect(report.steps[0]!.status).toBe("cancelled");
    expect(report.steps[0]!.error).toEqual({
      code: "budget-reached",
      message: "the scan budget of analysts was reached",
    });
    const plain = new AbortController();
    const q = runRunbook(
      runbook(),
      opts({ signal: plain.signal, step: "first" }),
      engines({ first: "hang" }),
    );
    setTimeout(() => plain.abort(new Error("cancelled")), 50);
    expect((await q).steps[0]!.error).toEqual({
      code: "cancelled",
      message: "cancelled by the user",
    });
  });

  it("a cancel that arrives while the engine is still opening cancels the step", async () => {
    const controller = new AbortController();
    const engine = new TableEngine("local", { first: "hang" });
    const report = await runRunbook(runbook(), opts({ signal: controller.signal, step: "first" }), {
      getEngine: async () => {
        controller.abort(); // Ctrl-C while DuckDB sets up its views
        return engine;
      },
    });
    expect(report.status).toBe("cancelled");
    expect(engine.requests[0]?.signal.aborted).toBe(true);
  });

  it("--step runs one step; an unknown step is an error listing the steps", async () => {
    const e = engines({ second: { rows: [] } });
    const report = await runRunbook(runbook(), opts({ step: "second" }), e);
    expect(report.steps.map((s) => s.id)).toEqual(["second"]);
    await expect(runRunbook(runbook(), opts({ step: "fourth" }), e)).rejects.toThrow(
      'runbook t has no step "fourth"',
    );
  });

  it("keeps the first 100 rows with the total count, and masks credentials in rows and checks", async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [
      i === 0
        ? "AKIAIOSFODNN7EXAMPLE"
        : i === 1
          ? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
          : `v${i}`,
    ]);
    const report = await runRunbook(
      runbook(SOURCE.replace("rows == 1   # one row", "no n like 'AKIA%'")),
      opts({ step: "first", mask: { accessKeyIds: "hide" } }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows } }),
    );
    const step = report.steps[0]!;
    expect(step.rows).toHaveLength(100);
    expect(step.rowCount).toBe(150);
    expect(step.truncated).toBe(true);
    expect(step.rows[0]).toEqual(["AKIA****************"]);
    expect(step.rows[1]).toEqual(["****************"]);
    // Masked before the checks ran: the offending row shows no key either.
    expect(JSON.stringify(report)).not.toContain("IOSFODNN7EXAMPLE");
    expect(JSON.stringify(report)).not.toContain("EXAMPLEKEY");
  });

  it("masks the run's parameter values in its report and outputs, and binds the real ones", async () => {
    // Reports are published (the site, S3): a key id under `hide` must not come back through
    // the parameters, though the query must still get the real value.
    const e = engines({ first: { columns: [{ name: "n", type: "varchar" }], rows: [["x"]] } });
    let started: Record<string, unknown> = {};
    const report = await runRunbook(
      runbook(),
      opts({
        step: "first",
        cliParams: { who: "AKIAIOSFODNN7EXAMPLE", limit: "5" },
        mask: { accessKeyIds: "hide" },
      }),
      {
        ...e,
        reporter: {
          onRunStart: (info) => {
            started = info.params;
          },
        },
      },
    );
    expect(e.made.local!.requests.map((r) => r.params.who?.value)).toEqual([
      "AKIAIOSFODNN7EXAMPLE",
    ]);
    expect(report.params).toEqual({ who: "AKIA****************", limit: 5 });
    expect(started).toEqual(report.params);
  });

  it("checks the values the engine gave, and masks only what the report shows (round-two red-team)", async () => {
    // Five keys, one prefix: hidden, they would all read AKIA**** and look like one.
    const keys = ["AKIAIOSFODNN7EXAMPL1", "AKIAIOSFODNN7EXAMPL2", "AKIAIOSFODNN7EXAMPL3"];
    const report = await runRunbook(
      runbook(
        SOURCE.replace(
          "rows == 1   # one row",
          "distinct(k) <= 1\nno k in ('AKIAIOSFODNN7EXAMPL3')\nmax(k) == 0",
        ),
      ),
      opts({ step: "first", mask: { accessKeyIds: "hide" } }),
      engines({ first: { columns: [{ name: "k", type: "varchar" }], rows: keys.map((k) => [k]) } }),
    );
    const [distinct, none, max] = report.steps[0]!.checks;
    expect(distinct).toMatchObject({ status: "failed", actual: 3 });
    expect(none).toMatchObject({ status: "failed", actual: 1, offendingCount: 1 });
    expect(none!.offendingRows).toEqual([{ k: "AKIA****************" }]);
    expect(max!.status).toBe("errored");
    expect(max!.message).toContain("AKIA****************");
    // The report shows no key from the data, not even in a check's message or value (the third
    // is in the runbook's own check text, which the author wrote).
    const shown = JSON.stringify(report, (key, v) => (key === "check" ? undefined : v));
    for (const k of keys) expect(shown).not.toContain(k.slice(4));
  });

  it("refuses a runbook without steps: nothing would run, and that is no pass (round-two red-team)", async () => {
    const stepless = runbook("---\ntitle: T\n---\n\n```SQL-athena q\nSELECT 1\n```\n");
    expect(stepless.steps).toEqual([]);
    await expect(runRunbook(stepless, opts({ cliParams: {} }), engines({}))).rejects.toMatchObject({
      code: "no-steps",
    });
  });

  it("makes a step whose window had unreadable files an error, whatever its checks say (round-two red-team)", async () => {
    const unread = Array.from(
      { length: 7 },
      (_, i) => `AWSLogs/x/CloudTrail/us-east-1/2026/11/21/f${i}.json.gz`,
    );
    const report = await runRunbook(
      runbook(),
      opts({ step: "first" }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows: [["x"]], unread } }),
    );
    const step = report.steps[0]!;
    expect(step.checks.map((c) => c.status)).toEqual(["passed"]);
    expect(step.status).toBe("errored");
    expect(report.status).toBe("errored");
    expect(step.error?.code).toBe("unread-files");
    expect(step.error?.message).toContain("7 files of the step's window could not be read");
    expect(step.error?.message).toContain("f0.json.gz, ");
    expect(step.error?.message).toContain("and 2 more");
  });

  it("does not take a window whose unread files may hold events as empty, even for allow_empty (a red-team pass)", async () => {
    const empty = runbook(SOURCE.replace("```sql first", "```sql first allow_empty"));
    const unread = ["exports/cut.jsonl"];
    const report = await runRunbook(
      empty,
      opts({ step: "first" }),
      engines({
        first: { columns: [{ name: "n", type: "varchar" }], rows: [], noEvents: "none", unread },
      }),
    );
    expect(report.steps[0]!.status).toBe("errored");
    expect(report.steps[0]!.error?.code).toBe("unread-files");
    // Without unread files, allow_empty keeps an empty window from being an error.
    const quiet = await runRunbook(
      empty,
      opts({ step: "first" }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows: [], noEvents: "none" } }),
    );
    expect(quiet.steps[0]!.error).toBeUndefined();
  });

  it("makes a window without CloudTrail events, or without any at its end, an error of the step, unless allow_empty", async () => {
    const varchar = [{ name: "n", type: "varchar" }];
    for (const answer of [{ noEvents: "no log file" }, { staleEnd: "none after 2026-11-23" }]) {
      const report = await runRunbook(
        runbook(),
        opts({ step: "first" }),
        engines({ first: { columns: varchar, rows: [["x"]], ...answer } }),
      );
      // rows == 1 holds of the one row, but over a window without events: no data, no pass.
      const step = report.steps[0]!;
      expect([step.status, step.error?.code, step.checks, report.status]).toEqual([
        "errored",
        "no-data",
        [],
        "errored",
      ]);
      expect(exitCodeOf(report.status)).toBe(2);
    }
    // allow_empty says an empty window is expected: the checks are judged and it warns.
    const empty = runbook(SOURCE.replace("```sql first", "```sql first allow_empty"));
    const quiet = await runRunbook(
      empty,
      opts({ step: "first" }),
      engines({ first: { columns: varchar, rows: [["x"]], staleEnd: "none after 2026-11-23" } }),
    );
    expect(quiet.steps[0]!.status).toBe("passed");
    expect(quiet.steps[0]!.warnings.at(-1)).toMatch(
      /no CloudTrail events at the end of .*\(allow_empty\)$/,
    );
  });

  it("does not judge expectations on a result cut at the engine's own row limit", async () => {
    const rows = [["x"]];
    const capped = await runRunbook(
      runbook(),
      opts({ step: "first" }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows, capped: 10_000 } }),
    );
    expect(capped.steps[0]!.status).toBe("errored");
    expect(capped.steps[0]!.error?.code).toBe("result-capped");
    expect(capped.steps[0]!.error?.message).toContain("10,000 rows");
    // A step without expectations only shows its rows: nothing is judged.
    const plain = runbook(SOURCE.replace("```expect\nrows == 1   # one row\n```", ""));
    const shown = await runRunbook(
      plain,
      opts({ step: "first" }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows, capped: 10_000 } }),
    );
    expect(shown.steps[0]!.checks).toEqual([]);
    expect(shown.steps[0]!.status).toBe("passed");
  });

  it("shows access key ids by default, and still hides secret keys", async () => {
    const rows = [["AKIAIOSFODNN7EXAMPLE"], ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]];
    const report = await runRunbook(
      runbook(SOURCE.replace("rows == 1   # one row", "rows == 2")),
      opts({ step: "first" }),
      engines({ first: { columns: [{ name: "n", type: "varchar" }], rows } }),
    );
    expect(report.steps[0]!.rows).toEqual([["AKIAIOSFODNN7EXAMPLE"], ["****************"]]);
  });

  it("hides access key ids in error messages too when configured (a step's and a run's error)", async () => {
    const failing = new RunMdError("engine-error", "AccessDenied for AKIAIOSFODNN7EXAMPLE");
    const report = await runRunbook(
      runbook(),
      opts({ step: "first", mask: { accessKeyIds: "hide" } }),
      engines({ first: failing }),
    );
    expect(report.steps[0]!.error?.message).toBe("AccessDenied for AKIA****************");
    const early = errorReport(
      runbook(),
      failing,
      { toolVersion: "t", mask: { accessKeyIds: "hide" } },
      new Date(),
    );
    expect(early.error?.message).toBe("AccessDenied for AKIA****************");
    const shown = errorReport(runbook(), failing, { toolVersion: "t" }, new Date());
    expect(shown.error?.message).toContain("AKIAIOSFODNN7EXAMPLE");
  });
});

describe("a window that ends after the run", () => {
  it("says in each step that only the events delivered so far are in it, and when to run it again", async () => {
    const e = engines({ first: { rows: [[1]] }, second: { rows: [[1]] }, third: { rows: [[1]] } });
    // The run's clock: 2026-11-24T12:00:00.500Z. A window to the end of the next day (--to a
    // day still to come) ...
    const future = await runRunbook(
      runbook(),
      opts({ window: { from: "2026-11-24", to: "2026-11-26" } }),
      e,
    );
    const expected =
      "the window ends at 2026-11-26T00:00:00Z, after the step ran (2026-11-24T12:00:00Z): it holds only the events CloudTrail had delivered by then; run it again after 2026-11-26T01:00:00Z for the whole window";
    expect(future.steps.map((s) => s.warnings)).toEqual([[expected], [expected], [expected]]);
    // ... and not one ending now (the default) or before.
    const now = await runRunbook(runbook(), opts(), e);
    expect(now.steps.flatMap((s) => s.warnings)).toEqual([]);
    const past = await runRunbook(runbook(), opts({ window: { to: "2026-11-24T12:00:30Z" } }), e);
    expect(past.steps.flatMap((s) => s.warnings)).toEqual([]);
  });
});

describe("a step's own window that the run's end cannot give", () => {
  it("stops the run before any query, not at that step after the steps above it ran", async () => {
    const source = `---
title: Step windows
id: sw
---

\`\`\`sql a
SELECT 1
\`\`\`

\`\`\`sql b window=36500d
SELECT 1
\`\`\`
`;
    const e = engines({ a: { rows: [[1]] }, b: { rows: [[1]] } });
    // 36500 days before the year 99 is before the year 1, which no engine can read.
    const to = { window: { to: "0099-01-01T00:00:00Z" }, cliParams: {} };
    const run = runRunbook(runbook(source), opts(to), e);
    await expect(run).rejects.toMatchObject({
      code: "bad-window",
      message: 'step window "36500d" starts before the year 1',
    });
    expect(Object.values(e.made).flatMap((engine) => engine.requests)).toEqual([]);
  });
});

describe("a job's RUN_MD_WINDOW_START", () => {
  const source = `---
title: Job windows
id: j
window: 24h
---

\`\`\`sql day
SELECT 1
\`\`\`

\`\`\`sql hour window=1h
SELECT 1
\`\`\`

\`\`\`sql month window=30d
SELECT 1
\`\`\`
`;
  const end = new Date("2026-11-24T11:00:00Z");
  const starts = async (over: Partial<RunOptions>) => {
    const report = await runRunbook(
      runbook(source),
      opts({ windowEnd: end, cliParams: {}, ...over }),
      engines({}),
    );
    return report.steps.map((s) => [s.id, s.window?.start]);
  };

  it("reaches a step's own shorter window too, where the previous night's run ended (review)", async () => {
    // A missed night: the previous run ended 48 hours before this one's end.
    const previous = new Date("2026-11-22T11:00:00Z");
    expect(await starts({ windowStart: previous })).toEqual([
      ["day", "2026-11-22T11:00:00Z"],
      ["hour", "2026-11-22T11:00:00Z"],
      ["month", "2026-10-25T11:00:00Z"],
    ]);
    // Last night's run ended 24 hours ago: the runbook's window is as written, the hour's step
    // still starts there.
    const lastNight = new Date("2026-11-23T11:00:00Z");
    expect(await starts({ windowStart: lastNight })).toEqual([
      ["day", "2026-11-23T11:00:00Z"],
      ["hour", "2026-11-23T11:00:00Z"],
      ["month", "2026-10-25T11:00:00Z"],
    ]);
    // Without it, or for a window given by --from: each step's own length.
    expect(await starts({})).toEqual([
      ["day", "2026-11-23T11:00:00Z"],
      ["hour", "2026-11-24T10:00:00Z"],
      ["month", "2026-10-25T11:00:00Z"],
    ]);
    const from = { from: "2026-11-24T00:00:00Z" };
    expect(await starts({ windowStart: previous, window: from })).toEqual([
      ["day", "2026-11-24T00:00:00Z"],
      ["hour", "2026-11-24T10:00:00Z"],
      ["month", "2026-10-25T11:00:00Z"],
    ]);
  });
});
