import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

/*
 * A regular expression (`.*user/mallory`) given to a SQL step's `LIKE {{who}}`, whose wildcards
 * are `%` and `_` only: the step finds nothing, and its checks pass on no rows. The run says why
 * in the step's warnings (and so in its report, the terminal and the site); the same step with a
 * LIKE pattern finds the rows computed from the raw records, without the warning.
 */

const { incidents } = inject("sampleData");
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-regex-like-"));
  file = path.join(dir, "who.md");
  await writeFile(
    file,
    [
      "---",
      "title: Who did what",
      "params:",
      '  who: { type: string, default: "%mallory" }',
      "---",
      "",
      "```sql calls",
      "SELECT eventname, count(*) AS n FROM cloudtrail_logs",
      "WHERE useridentity.arn LIKE {{who}}",
      "GROUP BY eventname",
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

it("warns on the step when a LIKE parameter holds a regular expression", async () => {
  const step = await run(".*user/mallory");
  expect(step.rowCount).toBe(0);
  expect(step.warnings).toContain(
    'parameter "who" is ".*user/mallory", a SQL LIKE pattern in this step (LIKE {{who}}), and a regular expression: ".*" (a regular expression\'s "any text"; LIKE reads a "." and a "*"). LIKE\'s only wildcards are % (any text) and _ (any one character), every other character is itself, so the filter matches almost nothing; give it a LIKE pattern ("%admin%" for a part of the value) [regex-as-like-pattern]',
  );
});

it("finds the computed rows, without the warning, when the value is a LIKE pattern", async () => {
  const step = await run("arn:aws:iam::%user/mallory");
  const { start, end } = sampleWindow(incidents);
  const names = new Set(
    inWindow(readGenerated(incidents), start, end)
      .filter((e) => {
        const arn = String((e.userIdentity as { arn?: string })?.arn);
        return arn.startsWith("arn:aws:iam::") && arn.endsWith("user/mallory");
      })
      .map((e) => e.eventName),
  );
  expect(names.size).toBeGreaterThan(0);
  expect(step.rowCount).toBe(names.size);
  expect(step.warnings.join("\n")).not.toContain("regex-as-like-pattern");
});
