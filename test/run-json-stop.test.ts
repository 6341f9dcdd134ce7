/**
 * `run-md run --json` when the run stops before its first step: standard output still carries
 * one JSON document (`{status: "errored", error, problems}`, docs/cli.md), so a script piping it
 * into jq reads why; the human message stays on standard error and the exit code is 2. Through
 * the built binary, as a script calls it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMd } from "./helpers.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-json-stop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = path.join(dir, "good.md");
writeFileSync(
  good,
  [
    "---",
    "title: Good",
    "id: good",
    "params:",
    "  n: { type: integer, default: 1 }",
    "---",
    "",
    "```sql q1 allow_empty",
    "SELECT count(*) AS c FROM cloudtrail_logs WHERE {{n}} > 0",
    "```",
    "",
  ].join("\n"),
);
// Line 8 does not parse: the query's FROM has no table.
const broken = path.join(dir, "broken.md");
writeFileSync(
  broken,
  [
    "---",
    "title: Broken",
    "id: broken",
    "---",
    "",
    "```sql q1",
    "SELECT count(*) FROM",
    "```",
    "",
  ].join("\n"),
);
const badConfig = path.join(dir, "bad.config.yaml");
writeFileSync(badConfig, "engines:\n  sql: nosuchengine\n");

interface Stop {
  status: string;
  error: { code: string; message: string; hint?: string };
  problems: Array<{ file: string; line: number; severity: string }>;
}

async function stopped(args: string[]): Promise<{ doc: Stop; stderr: string }> {
  const res = await runMd(["run", ...args, "--json", "--no-report", "--log-dir", dir], {
    cwd: dir,
  });
  expect(res.code).toBe(2);
  const doc = JSON.parse(res.stdout) as Stop;
  expect(doc.status).toBe("errored");
  // The same message a person reads on standard error.
  expect(res.stderr).toContain(doc.error.message);
  return { doc, stderr: res.stderr };
}

describe("run --json stopped before its first step prints one JSON object", () => {
  it("a runbook that does not parse: bad-runbook, with each problem at its file and line", async () => {
    const { doc } = await stopped([broken]);
    expect(doc.error.code).toBe("bad-runbook");
    expect(doc.error.message).toBe("1 problem in the runbook; nothing was run");
    expect(doc.problems.map((p) => [p.file, p.line, p.severity])).toEqual([[broken, 7, "error"]]);
  });

  it("a --param that does not fit its type: bad-param, naming the parameter", async () => {
    const { doc } = await stopped([good, "--param", "n=abc"]);
    expect(doc.error.code).toBe("bad-param");
    expect(doc.error.message).toMatch(/parameter "n" \(from --param\): expected an integer/);
    expect(doc.problems).toEqual([]);
  });

  it("an unknown --engine", async () => {
    const { doc } = await stopped([good, "--engine", "duck"]);
    expect(doc.error.code).toBe("unknown-engine");
  });

  it("a bad configuration", async () => {
    const { doc } = await stopped([good, "--config", badConfig]);
    expect(doc.error.code).toBe("bad-config");
    expect(doc.error.message).toContain("bad.config.yaml:2");
  });

  it("an option that does not parse (unknown, or missing its value): usage, on stdout too", async () => {
    for (const [args, words] of [
      [
        [good, "--json", "--sinse", "1d"],
        'unknown option "--sinse" for run-md run (did you mean --since?)',
      ],
      [[good, "--json", "--since"], 'option "--since <value>" of run-md run: argument missing'],
      [["--since", "--json", good], 'option "--since" of run-md run: argument is ambiguous'],
    ] as const) {
      const res = await runMd(["run", ...args], { cwd: dir });
      expect(res.code, args.join(" ")).toBe(2);
      expect(JSON.parse(res.stdout), args.join(" ")).toEqual({
        status: "errored",
        error: { code: "usage", message: expect.stringContaining(words) },
        problems: [],
      });
      // The message and the usage on standard error, as without --json.
      expect(res.stderr).toContain(`error ${words}`);
      expect(res.stderr).toContain("Usage: run-md [run]");
    }
    // Without --json, or with it after "--" (a runbook's name then): nothing on standard output.
    for (const args of [
      [good, "--sinse", "1d"],
      ["--sinse", "1d", "--", "--json"],
    ]) {
      const res = await runMd(["run", ...args], { cwd: dir });
      expect([res.code, res.stdout], args.join(" ")).toEqual([2, ""]);
    }
  });

  it("a setup problem found by the preflight (a log directory that does not exist)", async () => {
    const res = await runMd(
      ["run", good, "--json", "--no-report", "--log-dir", path.join(dir, "nope")],
      { cwd: dir },
    );
    expect(res.code).toBe(2);
    const doc = JSON.parse(res.stdout) as Stop;
    expect([doc.status, doc.error.message]).toEqual(["errored", expect.stringContaining("nope")]);
  });
});

describe("trigger --json stopped before it matched anything prints one JSON object", () => {
  it("an option that does not parse, an event file that is not there, an event that is no JSON", async () => {
    const notJson = path.join(dir, "event.txt");
    writeFileSync(notJson, "this is not an event\n");
    for (const [args, code, words] of [
      [["--json", "--dry-runn"], "usage", 'unknown option "--dry-runn" for run-md trigger'],
      [[path.join(dir, "nope.json"), "--json"], "not-found", "event file not found: "],
      [[notJson, "--json", "--runbooks", dir], "bad-event", notJson],
    ] as const) {
      const res = await runMd(["trigger", ...args], { cwd: dir });
      expect(res.code, args.join(" ")).toBe(2);
      const doc = JSON.parse(res.stdout) as Stop;
      expect([doc.status, doc.error.code], args.join(" ")).toEqual(["errored", code]);
      expect(doc.error.message).toContain(words);
      expect(res.stderr).toContain(doc.error.message);
    }
    const res = await runMd(["trigger", path.join(dir, "nope.json")], { cwd: dir });
    expect([res.code, res.stdout]).toEqual([2, ""]);
  });
});
