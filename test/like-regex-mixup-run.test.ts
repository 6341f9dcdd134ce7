import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { expectNoRows } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

/*
 * A pattern of the other kind given to a step's `{{who}}`: a SQL LIKE pattern (`%mallory`) to a
 * Logs Insights `like {{who}}`, a regular expression there, or a regular expression
 * (`.*user/mallory`) to a SQL `LIKE {{who}}`, whose wildcards are `%` and `_` only. The step finds
 * nothing, and its checks pass on no rows. The run says why in the step's warnings (and so in its
 * report, the terminal and the site); the same step with a pattern of its own kind finds the rows
 * computed from the raw records, without the warning.
 */

const { incidents } = inject("sampleData");

const arnOf = (e: Record<string, unknown>) => String((e.userIdentity as { arn?: string })?.arn);

describe.each([
  {
    title: "a SQL LIKE pattern in a Logs Insights like {{who}}",
    rule: "like-pattern-as-regex",
    step: [
      "```insights calls",
      "filter userIdentity.arn like {{who}}",
      "| stats count(*) as n by eventName",
    ],
    wrong: "%mallory",
    warning:
      'parameter "who" is "%mallory", a regular expression in this Logs Insights step (like {{who}}): % is the character % there, not SQL LIKE\'s "any text", so the filter matches only values holding a "%"; give it a regular expression (".*" for anything) [like-pattern-as-regex]',
    right: "user/mallory$",
    // By hand, the regular expression's reading of the raw records.
    matches: (arn: string) => /user\/mallory$/.test(arn),
  },
  {
    title: "a regular expression in a SQL LIKE {{who}}",
    rule: "regex-as-like-pattern",
    step: [
      "```sql calls",
      "SELECT eventname, count(*) AS n FROM cloudtrail_logs",
      "WHERE useridentity.arn LIKE {{who}}",
      "GROUP BY eventname",
    ],
    wrong: ".*user/mallory",
    warning:
      'parameter "who" is ".*user/mallory", a SQL LIKE pattern in this step (LIKE {{who}}), and a regular expression: ".*" (a regular expression\'s "any text"; LIKE reads a "." and a "*"). LIKE\'s only wildcards are % (any text) and _ (any one character), every other character is itself, so the filter matches almost nothing; give it a LIKE pattern ("%admin%" for a part of the value) [regex-as-like-pattern]',
    right: "arn:aws:iam::%user/mallory",
    // By hand, the LIKE pattern's reading of the raw records.
    matches: (arn: string) => arn.startsWith("arn:aws:iam::") && arn.endsWith("user/mallory"),
  },
])("$title", (c) => {
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
        "  who: { type: string }",
        "---",
        "",
        ...c.step,
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

  it("warns on the step, which finds nothing", async () => {
    const step = await run(c.wrong);
    expectNoRows(step);
    expect(step.warnings).toContain(c.warning);
  });

  it("finds the computed rows, without the warning, with a pattern of the step's kind", async () => {
    const step = await run(c.right);
    const { start, end } = sampleWindow(incidents);
    const names = new Set(
      inWindow(readGenerated(incidents), start, end)
        .filter((e) => c.matches(arnOf(e)))
        .map((e) => e.eventName),
    );
    expect(names.size).toBeGreaterThan(0);
    expect(step.rowCount).toBe(names.size);
    expect(step.warnings.join("\n")).not.toContain(c.rule);
  });
});
