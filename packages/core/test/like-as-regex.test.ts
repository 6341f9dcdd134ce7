import { type Diagnostic, parseRunbook } from "@run-md/core";
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

/*
 * The reverse: a regular expression given to SQL's LIKE, whose wildcards are `%` and `_` only
 * (every other character is itself): `LIKE '.*admin.*'` matches almost nothing, and the step's
 * checks pass on no rows. `check` warns at the literal, or at the reference whose default or
 * enum entry is one; a `.` alone, LIKE's own patterns and a pattern built by the query do not.
 */
describe("regex-as-like-pattern", () => {
  // The parameters these runbooks declare are not all used (unused-param).
  const ours = (ds: Diagnostic[]) => ds.filter((d) => d.rule === "regex-as-like-pattern");
  const sqlWarnings = (sql: string, params = ['  who: { type: string, default: "%" }']) =>
    ours(parseRunbook(runbook(params, "fields eventName", sql), "x.md").diagnostics).map(
      (d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`,
    );

  it("warns at a LIKE literal that is a regular expression, naming what in it is one", () => {
    const sql =
      "SELECT 1 FROM cloudtrail_logs WHERE useridentity.arn LIKE '.*admin.*' OR eventname NOT LIKE '^Get'";
    expect(sqlWarnings(sql)).toEqual([
      // Column of each opening quote, counted by hand.
      "8:59 warning regex-as-like-pattern",
      "8:93 warning regex-as-like-pattern",
    ]);
    const diagnostics = ours(
      parseRunbook(runbook(["  who: { type: string }"], "fields eventName", sql), "x.md")
        .diagnostics,
    );
    expect(diagnostics[0]?.message).toContain(
      'LIKE pattern ".*admin.*" is a regular expression: ".*" (a regular expression\'s "any text"; LIKE reads a "." and a "*")',
    );
    expect(diagnostics[1]?.message).toContain('"^" at its start');
  });

  it.each([
    ["user/alice$", '"$" at its end'],
    ["\\d{12}", '"\\d"'],
    ["i-[0-9a-f]%", '"[0-9a-f]" (a character class'],
    ["%(ConsoleLogin|AssumeRole)", '"(ConsoleLogin|AssumeRole)" (alternatives'],
    ["a.+", '".+"'],
  ])("warns at a literal %j", (pattern, says) => {
    const sql = `SELECT 1 FROM cloudtrail_logs WHERE eventname LIKE '${pattern}'`;
    const diagnostics = ours(
      parseRunbook(runbook(["  who: { type: string }"], "fields eventName", sql), "x.md")
        .diagnostics,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`)).toEqual([
      "8:52 regex-as-like-pattern",
    ]);
    expect(diagnostics[0]?.message).toContain(says);
  });

  it("warns at a LIKE {{name}} whose default or enum entry is a regular expression", () => {
    const sql = "SELECT 1 FROM cloudtrail_logs WHERE useridentity.arn LIKE {{who}}";
    expect(sqlWarnings(sql, ['  who: { type: string, default: "^arn:aws:iam::" }'])).toEqual([
      "8:59 warning regex-as-like-pattern",
    ]);
    const source = runbook(
      ["  who: { type: string, enum: ['%alice', '.*bob'], default: '%alice' }"],
      "fields eventName",
      sql,
    );
    const [warning, ...rest] = ours(parseRunbook(source, "x.md").diagnostics);
    expect(rest).toEqual([]);
    expect(warning?.message).toContain(
      'parameter "who" is a SQL LIKE pattern here, and its enum entry ".*bob" is a regular expression',
    );
  });

  it("places the warning in an indented fence at the literal's column in the file (indent added back)", () => {
    const source = [
      "---",
      "title: T",
      "---",
      "",
      "  ```sql s",
      "  SELECT 1 FROM cloudtrail_logs WHERE eventname LIKE '.*'",
      "  ```",
      "",
    ].join("\n");
    expect(warnings(source)).toEqual(["6:54 warning regex-as-like-pattern"]);
  });

  it("says nothing of LIKE's own patterns, a lone '.', an escaped character or a built pattern", () => {
    const sql = [
      "SELECT 1 FROM cloudtrail_logs WHERE eventsource LIKE '%.amazonaws.com'",
      "AND useridentity.arn LIKE {{who}} AND eventname LIKE 'Get_%'",
      "AND useragent NOT LIKE '%$' AND requestparameters LIKE '%[\"i-1\"]%'",
      "AND useragent LIKE '%\\data%' AND eventname LIKE 'a\\.*' ESCAPE '\\'",
      "AND eventname LIKE '%' || '.*' AND regexp_like(eventname, '^Get.*')",
      "-- AND eventname LIKE '.*'",
    ].join("\n");
    expect(sqlWarnings(sql, ['  who: { type: string, default: "%user/a.b%" }'])).toEqual([]);
  });
});
