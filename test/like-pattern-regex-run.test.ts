import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

/*
 * A SQL LIKE pattern (`%mallory`) given to a Logs Insights step's `like {{who}}`, a regular
 * expression there: the step finds nothing, and its checks pass on no rows. The run says why in
 * the step's warnings (and so in its report, the terminal and the site); the same step with a
 * regular expression finds the rows computed from the raw records, without the warning.
 */

const { incidents } = inject("sampleData");
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-like-regex-"));
  file = path.join(dir, "who.md");
  await writeFile(
    file,
    [
      "---",
      "title: Who did what",
      "params:",
      '  who: { type: string, default: "mallory" }',
      "---",
      "",
      "```insights calls",
      "filter userIdentity.arn like {{who}}",
      "| stats count(*) as n by eventName",
      "```",
      "",
      "```expect",
      "no n > 100000",
      "```",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(who: string): Promise<RunReport["steps"][number]> {
  const { start, end } = sampleWindow(incidents);
  const res = await runMd([
    file,
    "--log-dir",
    incidents,
    "--from",
    start.toISOString(),
    "--to",
    end.toISOString(),
    "--param",
    `who=${who}`,
    "--json",
    "--no-report",
  ]);
  const reports = JSON.parse(res.stdout) as RunReport[];
  return reports[0]!.steps[0]!;
}

it("warns on the step when a regular-expression parameter holds SQL LIKE's %", async () => {
  const step = await run("%mallory");
  expect(step.rowCount).toBe(0);
  expect(step.warnings).toContain(
    'parameter "who" is "%mallory", a regular expression in this Logs Insights step (like {{who}}): % is the character % there, not SQL LIKE\'s "any text", so the filter matches only values holding a "%"; give it a regular expression (".*" for anything) [like-pattern-as-regex]',
  );
});

it("finds the computed rows, without the warning, when the value is a regular expression", async () => {
  const step = await run("user/mallory$");
  const { start, end } = sampleWindow(incidents);
  const names = new Set(
    inWindow(readGenerated(incidents), start, end)
      .filter((e) => /user\/mallory$/.test(String((e.userIdentity as { arn?: string })?.arn)))
      .map((e) => e.eventName),
  );
  expect(names.size).toBeGreaterThan(0);
  expect(step.rowCount).toBe(names.size);
  expect(step.warnings.join("\n")).not.toContain("like-pattern-as-regex");
});
