import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { RunMdError } from "../src/errors.ts";
import { parseRunbook } from "../src/parse.ts";
import {
  type RunReport,
  SAMPLE_DATA_NOTE,
  stepWarnings,
  windowNotReadFrom,
} from "../src/report.ts";
import { toJUnit } from "../src/report-junit.ts";
import { markdownText, toMarkdown } from "../src/report-markdown.ts";
import { reportSchemaProblem } from "../src/report-schema.ts";
import {
  isReportFileName,
  LATEST,
  listReports,
  readReport,
  reportFilePath,
  reportFileStem,
  storeReport,
  timeOfReportName,
} from "../src/report-store.ts";
import { errorReport, noStepResult } from "../src/run.ts";

export function sampleReport(over: Partial<RunReport> = {}): RunReport {
  return {
    reportVersion: 1,
    tool: { name: "run-md", version: "0.1.0" },
    runId: "7b0c5a7e-1111-4222-8333-944445555666",
    runbook: {
      id: "audit-iam",
      path: "runbooks/audit-iam.md",
      title: 'Audit IAM <changes> & "more"',
      severity: "high",
      tags: ["iam"],
      sourceHash: "a".repeat(64),
      escalation: "Page the security on-call.",
    },
    status: "failed",
    startedAt: "2026-11-24T10:00:00.000Z",
    endedAt: "2026-11-24T10:00:02.000Z",
    durationMs: 2000,
    engine: "default",
    params: { actor_pattern: "%" },
    window: { start: "2026-11-17T10:00:00Z", end: "2026-11-24T10:00:00Z", source: "window: 7d" },
    steps: [
      {
        id: "changes",
        title: "IAM changes outside automation",
        dialect: "sql",
        engine: "local",
        optional: false,
        status: "failed",
        startedAt: "2026-11-24T10:00:00.100Z",
        durationMs: 800,
        query: "SELECT 1",
        window: { start: "2026-11-17T10:00:00Z", end: "2026-11-24T10:00:00Z" },
        stats: { filesRead: 3 },
        columns: [
          { name: "actor", type: "varchar" },
          { name: "calls", type: "bigint" },
        ],
        rows: [["arn:aws:iam::1:user/mallory", 3]],
        rowCount: 1,
        truncated: false,
        warnings: [],
        checks: [
          {
            check: "rows == 0",
            label: "nobody outside automation",
            line: 20,
            warn: false,
            status: "failed",
            actual: 1,
            message: "rows = 1, expected == 0",
          },
          {
            check: "no actor like '%mallory'",
            line: 21,
            warn: false,
            status: "failed",
            actual: 1,
            message: "1 of 1 rows have actor like '%mallory'",
            offendingRows: [{ actor: "arn:aws:iam::1:user/mallory", calls: 3 }],
            offendingCount: 1,
          },
          {
            check: "warn: rows < 0",
            line: 22,
            warn: true,
            status: "warned",
            actual: 1,
            message: "x < y",
          },
        ],
      },
      {
        id: "broken",
        dialect: "sql",
        engine: "athena",
        optional: false,
        status: "errored",
        durationMs: 5,
        query: "SELECT",
        window: { start: "2026-11-17T10:00:00Z", end: "2026-11-24T10:00:00Z" },
        ...noStepResult(),
        error: { code: "sql-syntax", message: "syntax error at <end>", hint: "check the query" },
      },
    ],
    summary: {
      checks: { passed: 0, warned: 1, failed: 2, errored: 0 },
      steps: { passed: 0, warned: 0, failed: 1, errored: 1, skipped: 0, cancelled: 0 },
    },
    ...over,
  };
}

describe("the JSON report", () => {
  it("validates against its published schema", async () => {
    expect(await reportSchemaProblem(sampleReport())).toBeUndefined();
  });

  it("the report of a run stopped by a bad parameter validates too, and says why", async () => {
    const { runbook } = parseRunbook("---\ntitle: T\n---\n\n```sql s\nSELECT 1\n```\n", "rb.md");
    const r = errorReport(
      runbook!,
      new RunMdError("bad-param", 'parameter "x" is wrong'),
      { toolVersion: "1" },
      new Date("2026-11-24T00:00:00Z"),
    );
    expect(await reportSchemaProblem(r)).toBeUndefined();
    expect(r.status).toBe("errored");
    expect(r.error).toEqual({ code: "bad-param", message: 'parameter "x" is wrong' });
  });

  it("the schema rejects a report with a dropped field or an unknown status, naming the first failing path", async () => {
    const { runId: _, ...noId } = sampleReport();
    expect(await reportSchemaProblem(noId)).toBe("/ must have required property 'runId'");
    expect(await reportSchemaProblem(sampleReport({ status: "great" as never }))).toBe(
      '/status must be equal to one of the allowed values ("passed", "warned", "failed", "errored", "cancelled")',
    );
    const step = { ...sampleReport().steps[1]!, rowCount: "12" as never };
    expect(await reportSchemaProblem(sampleReport({ steps: [step] }))).toBe(
      "/steps/0/rowCount must be integer",
    );
    expect(await reportSchemaProblem({ ...sampleReport(), extra: 1 })).toBe(
      '/ must NOT have additional properties ("extra")',
    );
  });
});

describe("windowNotReadFrom: from when a run's window is not known to be read", () => {
  const [a, b] = sampleReport().steps as [RunReport["steps"][0], RunReport["steps"][0]];
  it("is the earliest of its steps' that lies in the run's window; a report older than the field has none", async () => {
    expect(windowNotReadFrom(sampleReport())).toBeUndefined();
    expect(windowNotReadFrom(undefined)).toBeUndefined();
    const report = sampleReport({
      steps: [
        { ...a, notReadFrom: "2026-11-21T23:00:00.000Z" },
        { ...b, notReadFrom: "2026-11-19T23:00:00.000Z" },
      ],
    });
    expect(windowNotReadFrom(report)).toBe("2026-11-19T23:00:00.000Z");
    // The field is part of the published schema (the store refuses reports the schema does not).
    expect(await reportSchemaProblem(report)).toBeUndefined();
  });

  it("keeps a step's notReadFrom at the window's very start (its first day not read), and none at its end", () => {
    // The run's window is 2026-11-17T10:00:00Z → 2026-11-24T10:00:00Z (half-open).
    const atStart = sampleReport({ steps: [{ ...a, notReadFrom: "2026-11-17T10:00:00.000Z" }] });
    expect(windowNotReadFrom(atStart)).toBe("2026-11-17T10:00:00.000Z");
    const atEnd = sampleReport({ steps: [{ ...a, notReadFrom: "2026-11-24T10:00:00.000Z" }] });
    expect(windowNotReadFrom(atEnd)).toBeUndefined();
  });

  it("leaves out a step's own window= reaching before the run's, and a value that is no instant", () => {
    const report = sampleReport({
      steps: [
        { ...a, notReadFrom: "2026-11-10T00:00:00.000Z" },
        { ...b, notReadFrom: "yesterday" },
      ],
    });
    expect(windowNotReadFrom(report)).toBeUndefined();
  });
});

describe("stepWarnings: what a run that found nothing still says of its steps", () => {
  const [a, b] = sampleReport().steps as [RunReport["steps"][0], RunReport["steps"][0]];
  it("names a single warning with its step, and counts the others after the first", () => {
    expect(stepWarnings(sampleReport())).toBe("");
    expect(stepWarnings(undefined)).toBe("");
    const one = sampleReport({
      steps: [a, { ...b, warnings: ["day 2026-11-20 has no log file"] }],
    });
    expect(stepWarnings(one)).toBe(`warning in ${b.id}: day 2026-11-20 has no log file`);
    const three = sampleReport({
      steps: [
        { ...a, warnings: ["w1", "w2"] },
        { ...b, warnings: ["w3"] },
      ],
    });
    expect(stepWarnings(three)).toBe(`warning in ${a.id}: w1 (and 2 more)`);
  });
});

describe("storing reports", () => {
  it("writes <id>/<timestamp>.json and latest.json, never touching earlier reports", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-reports-"));
    const first = await storeReport(dir, sampleReport());
    const second = await storeReport(
      dir,
      sampleReport({ startedAt: "2026-11-25T10:00:00.000Z", status: "passed" }),
    );
    expect(path.basename(first)).toBe("2026-11-24T10-00-00.000Z.json");
    expect(await listReports(dir, "audit-iam")).toEqual([first, second]);
    expect((await readReport(first)).status).toBe("failed");
    expect((await readReport(path.join(dir, "audit-iam", LATEST))).status).toBe("passed");
    const names = await readdir(path.join(dir, "audit-iam"));
    expect(names.filter((n) => !n.startsWith(".")).sort()).toEqual([
      "2026-11-24T10-00-00.000Z.json",
      "2026-11-25T10-00-00.000Z.json",
      "latest.json",
    ]);
    expect(await readdir(path.join(dir, "audit-iam", ".tmp"))).toEqual([]);
  });

  it("two runs started in the same millisecond get two files", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-reports-"));
    const a = await storeReport(dir, sampleReport());
    const b = await storeReport(dir, sampleReport({ runId: "ffffffff-0000" }));
    expect(a).not.toBe(b);
    expect(JSON.parse(await readFile(b, "utf8")).runId).toBe("ffffffff-0000");
  });
});

describe("JUnit XML", () => {
  it("makes a run that errored before its first step one errored test case, never a green suite (round-two red-team)", () => {
    const { runbook } = parseRunbook("---\ntitle: T\n---\n\n```sql s\nSELECT 1\n```\n", "rb.md");
    const r = errorReport(
      runbook!,
      new RunMdError("missing-param", 'parameter "user" is required', {
        hint: "Pass --param user=...",
      }),
      { toolVersion: "1" },
      new Date("2026-11-24T00:00:00Z"),
    );
    const xml = toJUnit([r]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites.testsuite;
    expect(suite["@_tests"]).toBe("1");
    expect(suite["@_errors"]).toBe("1");
    expect(suite.testcase["@_name"]).toBe("run");
    expect(suite.testcase.error["@_type"]).toBe("missing-param");
    expect(suite.testcase.error["#text"]).toContain("Pass --param user=...");
  });

  it("is well-formed, with one test case per expectation and errored steps as errors", () => {
    const xml = toJUnit([sampleReport()]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite["@_name"]).toBe("audit-iam");
    expect(suite["@_tests"]).toBe("4");
    expect(suite["@_failures"]).toBe("2");
    expect(suite["@_errors"]).toBe("1");
    const cases = suite.testcase as Array<Record<string, unknown>>;
    expect(cases.map((c) => c["@_name"])).toEqual([
      "rows == 0 # nobody outside automation",
      "no actor like '%mallory'",
      "warn: rows &lt; 0".replace("&lt;", "<"),
      "step broken",
    ]);
    expect(String((cases[1]!.failure as Record<string, string>)["#text"])).toContain(
      "user/mallory",
    );
  });

  it("a step that errored after its checks ran (part of the data read) is an error, not green", () => {
    const report = sampleReport();
    const step = report.steps[0]!;
    const partial = {
      ...step,
      status: "errored" as const,
      error: { code: "unread-files", message: "1 file could not be read: its events are missing" },
      checks: step.checks.map((c) => ({ ...c, status: "passed" as const })),
    };
    const xml = toJUnit([{ ...report, status: "errored", steps: [partial] }]);
    const suite = new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites.testsuite;
    expect(suite["@_errors"]).toBe("1");
    const cases = [suite.testcase].flat() as Array<Record<string, Record<string, string>>>;
    expect(cases[0]!["@_name"] as unknown).toBe(`step ${step.id}`);
    expect(cases[0]!.error!["@_type"]).toBe("unread-files");
  });
});

describe("JUnit of an optional step (red-team: the run exited 0, its JUnit failed the build)", () => {
  it("has its failed checks as passing cases that say so, and the run's real failures stay", () => {
    const report = sampleReport();
    const failing = report.steps.find((s) => s.checks.some((c) => c.status === "failed"))!;
    const failedHere = failing.checks.filter((c) => c.status === "failed").length;
    const parse = (r: RunReport) =>
      new XMLParser({ ignoreAttributes: false }).parse(toJUnit([r])).testsuites.testsuite;
    const before = parse(report);
    const optional = { ...failing, optional: true };
    const after = parse({
      ...report,
      steps: report.steps.map((s) => (s === failing ? optional : s)),
    });
    expect(Number(after["@_failures"])).toBe(Number(before["@_failures"]) - failedHere);
    const cases = [after.testcase].flat() as Array<Record<string, unknown>>;
    const said = cases.filter((c) =>
      String(c["system-out"] ?? "").includes("failed in an optional step: the run only warns"),
    );
    expect(said).toHaveLength(failedHere);
    for (const c of said) expect(c.failure).toBeUndefined();
    // With the offending rows a failure would show (review: they were left out).
    const withRows = failing.checks.filter((c) => c.status === "failed" && c.offendingRows?.length);
    expect(withRows.length).toBeGreaterThan(0);
    for (const c of withRows) {
      const out = said.map((x) => String(x["system-out"])).find((o) => o.includes(c.message));
      expect(out).toContain(`offending rows:\n${JSON.stringify(c.offendingRows![0])}`);
    }
  });
});

/** The sample report with its first step's own window (a day) and a warning. */
function withNotes(): RunReport {
  const report = sampleReport();
  const [step, ...rest] = report.steps;
  const own = { start: "2026-11-23T10:00:00Z", end: "2026-11-24T10:00:00Z" };
  return { ...report, steps: [{ ...step!, window: own, warnings: ["2 files <unread>"] }, ...rest] };
}

describe("a step's warnings and its own window (review: only the terminal showed them)", () => {
  it("are in the Markdown summary, under the step", () => {
    const md = toMarkdown([withNotes()]);
    expect(md).toContain(
      "- ⚠️ this step read its own window, 2026-11-23T10:00:00Z → 2026-11-24T10:00:00Z\n- ⚠️ 2 files \\<unread\\>",
    );
    // A step that read the run's window and has no warning says nothing more.
    expect(toMarkdown([sampleReport()])).not.toMatch(/own window|unread/);
  });

  it("make a JUnit case of a step without checks, which had none (review)", () => {
    const report = withNotes();
    const step = { ...report.steps[0]!, checks: [], status: "passed" as const };
    const xml = toJUnit([{ ...report, steps: [step] }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const one = doc.testsuites.testsuite.testcase;
    expect(one["@_name"]).toBe("step changes");
    expect(one["system-out"]).toContain("warning: 2 files <unread>");
    // Without warnings, a step without checks is no case, as before.
    const quiet = toJUnit([
      { ...report, steps: [{ ...step, warnings: [], window: report.window }] },
    ]);
    expect(quiet).not.toContain("<testcase");
  });

  it("are beside every check of the step in JUnit, a passed one included", () => {
    const report = withNotes();
    const step = report.steps[0]!;
    const passed = { ...step, checks: [{ ...step.checks[0]!, status: "passed" as const }] };
    const xml = toJUnit([{ ...report, steps: [passed] }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(doc.testsuites.testsuite.testcase["system-out"]).toBe(
      "warning: this step read its own window, 2026-11-23T10:00:00Z → 2026-11-24T10:00:00Z\nwarning: 2 files <unread>",
    );
  });
});

describe("the Markdown summary of a run that passed over steps that warned", () => {
  it("says the first warning and how many more under the run's heading, before its steps", () => {
    const noted = withNotes();
    const [first, second] = noted.steps;
    const passedStep = (st: typeof first) => ({
      ...st!,
      status: "passed" as const,
      checks: st!.checks.map((c) => ({ ...c, status: "passed" as const })),
    });
    const report = {
      ...noted,
      status: "passed" as const,
      steps: [
        passedStep(first),
        { ...passedStep(second), error: undefined, warnings: ["day <x>"] },
      ],
    };
    const md = toMarkdown([report]);
    const heading = md.split("\n### ")[0]!;
    // The warnings the run's steps hold, in order, as the report stores them.
    expect(first!.warnings).toEqual(["2 files <unread>"]);
    expect(heading).toContain("## ✅ Audit IAM");
    expect(heading).toContain("**⚠️ warning in changes: 2 files \\<unread\\> (and 1 more)**");
    // A run without warnings says nothing of them.
    const clean = { ...report, steps: report.steps.map((st) => ({ ...st, warnings: [] })) };
    expect(toMarkdown([clean]).split("\n### ")[0]).not.toContain("⚠️");
  });
});

describe("a run over the bundled sample data (s61 left-out: only the terminal, alerts and site said so)", () => {
  const sample = () => ({ ...sampleReport(), sampleData: true as const });

  it("says so under the run's heading in Markdown, before its steps, and nothing otherwise", () => {
    const heading = toMarkdown([sample()]).split("\n### ")[0]!;
    expect(heading).toContain(`**⚠️ ${markdownText(SAMPLE_DATA_NOTE)}**`);
    expect(toMarkdown([sampleReport()])).not.toContain("sample data");
  });

  it("says so beside every check of its local steps in JUnit, a passed one included", () => {
    const r = sample();
    const local = {
      ...r.steps[0]!,
      checks: [{ ...r.steps[0]!.checks[0]!, status: "passed" as const }],
    };
    const athena = { ...local, id: "remote", engine: "athena" };
    const xml = toJUnit([{ ...r, steps: [local, athena] }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const cases = new XMLParser({ ignoreAttributes: false }).parse(xml).testsuites.testsuite
      .testcase;
    expect(cases[0]["system-out"]).toBe(`warning: ${SAMPLE_DATA_NOTE}`);
    // A step on another engine read no sample data.
    expect(cases[1]["system-out"]).toBeUndefined();
    expect(toJUnit([sampleReport()])).not.toContain("sample data");
  });
});

describe("Markdown summary", () => {
  it("lists each check, its offending rows and the escalation of a failed run", () => {
    const md = toMarkdown([sampleReport()]);
    // Text is escaped as literal Markdown: no raw HTML from titles or log values.
    expect(md).toContain('## ❌ Audit IAM \\<changes\\> \\& "more" — failed');
    expect(md).toContain("`rows == 0` — nobody outside automation: rows = 1, expected == 0");
    expect(md).toContain("| arn:aws:iam::1:user/mallory | 3 |");
    expect(md).toContain("**Escalation:** Page the security on-call.");
    expect(md).toContain("> **sql-syntax**: syntax error at \\<end\\>");
  });

  it("writes control and bidi characters from the logs as \\uXXXX, as every other output does", () => {
    const report = sampleReport();
    const step = report.steps[0]!;
    const hostile = "Bad\u0001Name\u001b[31m exe.\u202egpj";
    const md = toMarkdown([
      {
        ...report,
        steps: [{ ...step, rows: [[hostile, 1]], rowCount: 1 }, ...report.steps.slice(1)],
      },
    ]);
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
    expect(md).toContain("Bad\\\\u0001Name\\\\u001b\\[31m exe.\\\\u202egpj");
  });
});

describe("the reports folder layout (one module: report-store)", () => {
  it("tells report files from the latest pointer and hidden files, and their time from the name", () => {
    expect(isReportFileName("2026-11-24T01-23-45.123Z.json")).toBe(true);
    expect(isReportFileName("2026-11-24T01-23-45.123Z-1a2b3c4d.json")).toBe(true);
    expect(isReportFileName(LATEST)).toBe(false);
    expect(isReportFileName(".tmp")).toBe(false);
    expect(isReportFileName("notes.txt")).toBe(false);
    // A note or a copy beside the reports is none: it would sort after every report.
    expect(isReportFileName("notes.json")).toBe(false);
    expect(isReportFileName("copy of 2026-11-24T01-23-45.123Z.json")).toBe(false);
    for (const name of ["Z copy", "Z-notes", "Z-notes on it", "Z.bak", "Z-1a2b3c4d5"])
      expect(isReportFileName(`2026-11-24T01-23-45.123${name}.json`), name).toBe(false);
    const stem = reportFileStem("2026-11-24T01:23:45.123Z");
    expect(timeOfReportName(`${stem}.json`)).toBe(Date.parse("2026-11-24T01:23:45.123Z"));
    expect(timeOfReportName("notes.json")).toBeNaN();
  });

  it("reads back what it stored, and refuses a file that is not a report", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-reports-"));
    const report = sampleReport();
    const file = await storeReport(dir, report);
    expect(file).toBe(reportFilePath(dir, report));
    expect(await readReport(file)).toEqual(report);
    const bad = path.join(dir, "audit-iam", "2020-01-01T00-00-00.000Z.json");
    await writeFile(bad, JSON.stringify({ runId: "x", steps: [] }));
    await expect(readReport(bad)).rejects.toThrow(
      `${bad}: not a run-md report: / must have required property 'reportVersion'`,
    );
    await writeFile(
      bad,
      JSON.stringify({ ...report, steps: [{ ...report.steps[0], checks: {} }] }),
    );
    await expect(readReport(bad)).rejects.toMatchObject({
      code: "bad-report",
      message: `${bad}: not a run-md report: /steps/0/checks must be array`,
    });
    await writeFile(bad, "{ half a report");
    await expect(readReport(bad)).rejects.toThrow(
      `${bad}: not a run-md report: not JSON (15 bytes that do not parse)`,
    );
    // What the file holds is never quoted (red-team: a credentials file linked in was published
    // in part on the site).
    await writeFile(bad, "[default]\naws_secret_access_key = abc");
    await expect(readReport(bad)).rejects.toThrow(/^[^[]*\(37 bytes that do not parse\)$/);
  });
});

describe("Markdown summary of a run stopped before its first step", () => {
  it("says why (the run's error and hint) and that no window was resolved", () => {
    const { runbook } = parseRunbook("---\ntitle: T\n---\n\n```sql s\nSELECT 1\n```\n", "rb.md");
    const r = errorReport(
      runbook!,
      new RunMdError("missing-param", 'parameter "user" is required', {
        hint: "Pass it with --param user=<string>.",
      }),
      { toolVersion: "1" },
      new Date("2026-11-24T00:00:00Z"),
    );
    const md = toMarkdown([r]);
    expect(md).toContain("## 💥 T — errored");
    expect(md).toContain("`rb.md` · severity medium · window not resolved · ");
    expect(md).toContain(
      '> **missing-param**: parameter "user" is required  \n> Pass it with --param user=\\<string\\>.',
    );
  });
});
