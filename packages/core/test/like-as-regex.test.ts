import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";

/*
 * A SQL LIKE pattern given to a Logs Insights `like {{name}}`, which takes it as a regular
 * expression: `%` there is the character `%`, so the filter matches none of CloudTrail's values
 * and the step's checks pass on no rows. `check` warns at the reference.
 */

const runbook = (params: string[], insights: string, sql = "SELECT 1") =>
  [
    "---", //                                                    1
    "title: T", //                                               2
    "params:", //                                                3
    ...params, //                                                4 (one line)
    "---", //                                                    5
    "", //                                                       6
    "```sql s", //                                               7
    sql, //                                                      8
    "```", //                                                    9
    "", //                                                       10
    "```insights q", //                                          11
    insights, //                                                 12
    "```", //                                                    13
    "",
  ].join("\n");

const warnings = (source: string) =>
  parseRunbook(source, "x.md").diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`,
  );

describe("like-pattern-as-regex", () => {
  it("warns at a like {{name}} whose parameter's default holds a %, naming the default", () => {
    const source = runbook(
      ['  who: { type: string, default: "%user/%" }'],
      "filter userIdentity.arn like {{who}} | stats count(*) as n",
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE useridentity.arn LIKE {{who}}",
    );
    const { diagnostics, runbook: parsed } = parseRunbook(source, "x.md");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`)).toEqual([
      "12:30 warning like-pattern-as-regex",
    ]);
    expect(diagnostics[0]?.message).toContain(
      'parameter "who" is a regular expression here (Logs Insights like), and its default "%user/%" is a SQL LIKE pattern',
    );
    // A warning: the runbook still runs.
    expect(parsed).toBeDefined();
  });

  it("warns for not like and =~, and for an enum entry holding a %", () => {
    const source = runbook(
      ["  who: { type: string, enum: ['%', 'x'], default: x }"],
      "filter userIdentity.arn not like {{who}} and eventName =~ {{who}}",
    );
    expect(warnings(source)).toEqual([
      "12:34 warning like-pattern-as-regex",
      "12:59 warning like-pattern-as-regex",
    ]);
    expect(parseRunbook(source, "x.md").diagnostics[0]?.message).toContain('its enum entry "%"');
  });

  it("says nothing where the value is no regular expression, or holds no %", () => {
    // = {{who}} is a value literal, not a pattern; the SQL step's LIKE reads % as any text.
    expect(
      warnings(
        runbook(
          ['  who: { type: string, default: "%" }'],
          "filter userIdentity.arn = {{who}} | stats count(*) as n",
          "SELECT count(*) AS n FROM cloudtrail_logs WHERE useridentity.arn LIKE {{who}}",
        ),
      ),
    ).toEqual([]);
    expect(
      warnings(
        runbook(
          ['  who: { type: string, default: "user/.*" }'],
          "filter userIdentity.arn like {{who}}",
        ),
      ),
    ).toEqual([]);
  });
});
