/**
 * What the commands print never drives the reader's terminal (or, in a CI log, forges a line):
 * the escape sequences below come from where an attacker or a careless author can put them, a
 * runbook's text, an event file, a log file's name, an audit log line, a query's value, and each
 * must reach the output as `\uXXXX` text. The runs are in-process (standard output and error are
 * captured, as a pipe), with NO_COLOR: the tool itself writes no escape sequence there, so any
 * ESC in the output came from the input.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatDiagnostic } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { handleEvent } from "../packages/cli/src/automation/handler.ts";
import type { NightlyResult } from "../scripts/nightly/job.ts";
import { parseNightlyArgs } from "../scripts/nightly/options.ts";
import { textSummary } from "../scripts/nightly/summary.ts";
import { runMdHere } from "./in-process.ts";

/** A terminal title set, a clipboard write (OSC 52), a screen clear, a C1 CSI. */
const TITLE = "\u001b]0;PWNED\u0007";
const CLIPBOARD = "\u001b]52;c;cm0gLXJmIH4=\u0007";
const CLEAR = "\u001b[2J";
const CSI = "\u009b31m";
/** Anything a terminal acts on: C0 but tab and line feed, DEL, C1, bidirectional controls. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
const { clean } = inject("sampleData");

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-escaping-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a runbook's own text on the terminal", () => {
  it("run prints its title, a step's heading, a check's label and its escalation escaped", async () => {
    const runbook = path.join(dir, "hostile.md");
    await writeFile(
      runbook,
      [
        "---",
        `title: "Evil \\x1b]0;PWNED\\x07 title"`,
        `escalation: "Call \\x1b[2J now"`,
        "---",
        "",
        `## A step ${CSI} heading`,
        "",
        "```sql one_row",
        "SELECT 1 AS n",
        "```",
        "",
        "```expect",
        `rows == 0 # clipboard ${CLIPBOARD}`,
        "```",
        "",
      ].join("\n"),
    );
    const res = await runMdHere([runbook, "--log-dir", clean, "--no-report"]);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout + res.stderr).not.toMatch(RAW);
    expect(res.stdout).toContain("Evil \\u001b]0;PWNED\\u0007 title");
    expect(res.stdout).toContain("Call \\u001b[2J now");
    // A broken runbook beside it, named by its file.
    await writeFile(path.join(dir, `broken${CSI}.md`), "---\ntitle: [\n---\n");
    const list = await runMdHere(["list", dir]);
    expect(list.stderr).toContain("broken\\u009b31m.md");
    expect(list.code, list.stderr).toBe(2);
    expect(list.stderr).not.toMatch(RAW);
    expect(list.stdout).toContain("Evil \\u001b]0;PWNED\\u0007 title");
    expect(list.stdout).not.toMatch(RAW);
  });

  it("a diagnostic quoting the runbook's text stays one line and prints escaped", () => {
    const line = formatDiagnostic({
      file: "r.md",
      line: 3,
      column: 1,
      severity: "error",
      message: `invalid id "bad${TITLE}\n✓ passed"`,
      rule: "invalid-id",
    } as Parameters<typeof formatDiagnostic>[0]);
    expect(line).toBe(
      'r.md:3:1 error invalid id "bad\\u001b]0;PWNED\\u0007\\u000a✓ passed" [invalid-id]',
    );
  });
});

describe("what the commands read, quoted in their messages", () => {
  it("trigger names a malformed event's text escaped (JSON.parse quotes the input)", async () => {
    const event = path.join(dir, "event.json");
    await writeFile(event, `${CLEAR}\u001b[H${CSI}`);
    const res = await runMdHere(["trigger", event, "--runbooks", dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("not JSON");
    expect(res.stderr).toContain("\\u001b");
    expect(res.stderr).not.toMatch(RAW);
  });

  it("collect names an unreadable file by a name that drives no terminal", async () => {
    const source = path.join(dir, "source", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01");
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, `${TITLE}.json.gz`), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    const res = await runMdHere([
      "collect",
      "--source",
      path.join(dir, "source"),
      "--store",
      path.join(dir, "store"),
      "--from",
      "2026-01-01",
      "--to",
      "2026-01-02",
    ]);
    expect(res.stderr).toContain("\\u001b]0;PWNED\\u0007.json.gz");
    expect(res.stdout + res.stderr).not.toMatch(RAW);
  });

  it("audit verify quotes a tampered line's key escaped", async () => {
    const log = path.join(dir, "audit.log");
    const entry = {
      seq: 1,
      time: "2026-01-01T00:00:00.000Z",
      actor: "a",
      groups: [],
      action: "server.start",
      target: "",
      details: {},
      prev: "",
      hash: "00",
      [TITLE]: 1,
    };
    await writeFile(log, `${JSON.stringify(entry)}\n`);
    const res = await runMdHere(["audit", "verify", log]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("\\u001b]0;PWNED\\u0007");
    expect(res.stderr).not.toMatch(RAW);
  });
});

describe("the Lambda handler's log", () => {
  it("writes each line escaped: an event's value quoted in a warning drives no terminal (aws logs tail)", async () => {
    const runbooks = path.join(dir, "lambda");
    await mkdir(runbooks, { recursive: true });
    await writeFile(
      path.join(runbooks, "count.md"),
      [
        "---",
        "title: Count",
        "params:",
        "  n: { type: integer }",
        "triggers:",
        "  - pattern: { source: [test.source] }",
        '    params: { n: "$.detail.n" }',
        "---",
        "",
        "```sql s",
        "SELECT {{n}} AS n",
        "```",
        "",
      ].join("\n"),
    );
    const event = { source: "test.source", "detail-type": "T", detail: { n: `1${CSI}` } };
    const lines: unknown[][] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args));
    try {
      const result = await handleEvent(event, {
        env: {
          RUN_MD_RUNBOOKS_DIR: runbooks,
          RUN_MD_REPORTS_DIR: path.join(dir, "lambda-reports"),
        },
      });
      // The value itself stays as the event gave it in the result.
      expect(result.problems.join("\n")).toContain(CSI);
    } finally {
      spy.mockRestore();
    }
    const warning = lines.map((l) => String(l[0])).find((l) => l.startsWith("warning "));
    expect(warning).toContain("1\\u009b31m");
    expect(lines.join("\n")).not.toMatch(RAW);
  });
});

describe("the nightly job's output", () => {
  const outcome = (actual: string): NightlyResult["outcomes"][number] =>
    ({
      runbookId: "r",
      title: "R",
      severity: "high",
      status: "failed",
      exitCode: 1,
      durationMs: 100,
      startedAt: "2026-01-01T00:00:00.000Z",
      stderr: "",
      report: {
        status: "failed",
        steps: [
          {
            id: "s",
            status: "failed",
            checks: [{ check: "rows == 0", status: "failed", actual, message: "" }],
          },
        ],
      },
    }) as unknown as NightlyResult["outcomes"][number];

  it("prints a failed check's value on the summary's one row, escaped: no rewritten row, no workflow command", () => {
    const text = textSummary({
      outcomes: [outcome(`curl\r${CLEAR}  passed  evil\n::error::forged ${CLIPBOARD}`)],
      notifications: [],
      pruned: [],
      interrupted: false,
      exitCode: 1,
    } as unknown as NightlyResult);
    expect(text).not.toMatch(RAW);
    expect(text.split("\n").filter((l) => l.startsWith("::"))).toEqual([]);
    expect(text).toContain("curl\\u000d\\u001b[2J  passed  evil\\u000a::error::forged");
  });

  it("names a runbook by an id from its front matter escaped, and quotes a failed build's log behind a bar", () => {
    const text = textSummary({
      outcomes: [{ ...outcome("1"), runbookId: `bad${TITLE}` }],
      notifications: [],
      pruned: [],
      build: { ok: false, error: `the site build failed:\n::error::forged\n${CLEAR}x` },
      interrupted: false,
      exitCode: 2,
    } as unknown as NightlyResult);
    expect(text).not.toMatch(RAW);
    expect(text).toContain("bad\\u001b]0;PWNED\\u0007");
    expect(text).toContain("  │ ::error::forged\n  │ \\u001b[2Jx");
    expect(text.split("\n").filter((l) => l.trimStart().startsWith("::"))).toEqual([]);
  });

  it("logs each progress line as one line, escaped", () => {
    const options = parseNightlyArgs(["--runbooks", dir]);
    if (options === "help") throw new Error("no options");
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof write;
    try {
      options.log(`error notifying: ${TITLE}\n::error::forged`);
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual(["error notifying: \\u001b]0;PWNED\\u0007\\u000a::error::forged\n"]);
  });
});
