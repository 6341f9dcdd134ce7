import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { formatDiagnostic, parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";

const dir = path.join(import.meta.dirname, "fixtures", "broken");

/**
 * Each broken runbook has exactly one mistake; each row says where the parser must point and what
 * it must say: file, line, column, rule, message.
 */
const CASES: Array<[file: string, line: number, column: number, rule: string, message: string]> = [
  ["bad-id.md", 4, 5, "invalid-value", 'invalid id "audit iam": use letters, digits, "_" and "-"'],
  [
    "bad-max-scan.md",
    10,
    26,
    "invalid-attribute",
    'invalid max_scan "10XB": expected a size such as 500MB, 10GB or 1TB',
  ],
  [
    "bad-param-type.md",
    6,
    11,
    "invalid-value",
    'invalid type "int" for parameter "actor": expected one of string, integer, number, boolean, timestamp, duration, account_id, arn (did you mean "integer"?)',
  ],
  [
    "bad-schedule.md",
    4,
    11,
    "invalid-value",
    'invalid schedule "daily": expected one of manual, nightly, weekly or a cron expression such as "0 6 * * 1-5" (did you mean "nightly"?)',
  ],
  [
    "bad-severity.md",
    3,
    11,
    "invalid-value",
    'invalid severity "urgent": expected one of info, low, medium, high, critical',
  ],
  [
    "bad-step-window.md",
    10,
    24,
    "invalid-attribute",
    'invalid window "forever": expected a duration such as 24h, 7d or 30d',
  ],
  [
    "bad-timeout.md",
    10,
    25,
    "invalid-attribute",
    'invalid timeout "5minutes": expected a duration such as 30s, 5m or 1h, at most 24h',
  ],
  [
    "bad-window.md",
    4,
    9,
    "invalid-value",
    'invalid window "7days": expected a duration such as 24h, 7d or 30d',
  ],
  [
    "default-bad-account.md",
    7,
    14,
    "invalid-default",
    'parameter "account" (from default): expected a 12-digit AWS account id such as 123456789012, got "12345"',
  ],
  [
    "default-below-min.md",
    9,
    14,
    "invalid-default",
    'parameter "days" (from default): expected a value >= 1, got 0',
  ],
  [
    "default-enum.md",
    8,
    14,
    "invalid-default",
    'parameter "region" (from default): expected one of "us-east-1", "eu-west-1", got "ap-south-1"',
  ],
  [
    "default-pattern.md",
    8,
    14,
    "invalid-default",
    'parameter "actor" (from default): expected a value matching the pattern arn:.*, got "%"',
  ],
  [
    "default-quoted-integer.md",
    7,
    14,
    "invalid-default",
    'parameter "days" (from default): expected an integer, got "7"',
  ],
  [
    "default-wrong-type.md",
    7,
    14,
    "invalid-default",
    'parameter "days" (from default): expected an integer, got "seven"',
  ],
  ["duplicate-attribute.md", 10, 28, "duplicate-attribute", 'attribute "timeout" is given twice'],
  [
    "duplicate-expect.md",
    18,
    1,
    "duplicate-expect",
    'step "step_one" already has an expect block (line 14): put all its checks in one block',
  ],
  [
    "duplicate-step-id.md",
    18,
    8,
    "duplicate-step-id",
    'duplicate step id "step_one" (first used on line 10)',
  ],
  ["empty-attribute.md", 10, 25, "invalid-attribute", 'attribute "timeout" has no value'],
  ["empty-query.md", 10, 1, "empty-query", "empty sql block: write the query between the fences"],
  [
    "engine-dialect.md",
    10,
    34,
    "engine-dialect",
    'engine "athena" does not run logs-insights steps (it runs sql)',
  ],
  [
    "expect-attribute.md",
    14,
    11,
    "unknown-attribute",
    'unexpected "step_one": expect blocks take no attributes (they belong to the step above)',
  ],
  [
    "expect-bad-regex.md",
    15,
    25,
    "expect-syntax",
    "invalid regular expression '(Create': Unterminated group",
  ],
  [
    "expect-between-reversed.md",
    15,
    14,
    "expect-syntax",
    "the lower bound 10 is greater than the upper bound 1",
  ],
  ["expect-between-without-and.md", 15, 16, "expect-syntax", 'expected "and", found "500"'],
  [
    "expect-count-star.md",
    15,
    7,
    "expect-syntax",
    'expected a column name, found "*" (use "rows" to count the rows)',
  ],
  [
    "expect-in-empty-item.md",
    15,
    34,
    "expect-syntax",
    "expected a value (a number, a 'string', true, false or null), found \")\"",
  ],
  [
    "expect-is-without-null.md",
    15,
    23,
    "expect-syntax",
    'expected "null" after "is not", found "empty"',
  ],
  ["expect-like-number.md", 15, 24, "expect-syntax", 'expected a string after "like", found "5"'],
  ["expect-missing-paren.md", 15, 11, "expect-syntax", 'expected ")", found "<"'],
  [
    "expect-single-equals.md",
    15,
    6,
    "expect-syntax",
    'expected a comparison, found "=" (did you mean "=="?)',
  ],
  [
    "expect-string-for-number.md",
    15,
    8,
    "expect-syntax",
    "expected a number, found the string 'ten'",
  ],
  [
    "expect-trailing-token.md",
    15,
    11,
    "expect-syntax",
    'unexpected "rows" after the check (one check a line; start a comment with #)',
  ],
  [
    "expect-unknown-metric.md",
    15,
    1,
    "expect-syntax",
    'unknown check "maximum": expected rows, count, distinct, min, max, sum, avg, every, no or some',
  ],
  [
    "expect-unterminated-string.md",
    15,
    18,
    "expect-syntax",
    "unterminated string: a closing ' is missing",
  ],
  [
    "expect-warn-without-colon.md",
    15,
    8,
    "expect-syntax",
    'expected ":" after "warn", found "sum"',
  ],
  [
    "expect-after-other-block.md",
    18,
    1,
    "expect-without-step",
    'expect block after the "text" code block on line 14, which is not a step: an expect block goes right after the sql or logs-insights block it checks',
  ],
  [
    "expect-without-step.md",
    10,
    1,
    "expect-without-step",
    "expect block with no step before it: put it right after the sql or logs-insights block it checks",
  ],
  [
    "front-matter-not-mapping.md",
    2,
    1,
    "invalid-type",
    "front matter must be a mapping of keys, found a list",
  ],
  [
    "invalid-pattern.md",
    7,
    14,
    "invalid-value",
    'invalid pattern of parameter "actor": Unterminated group',
  ],
  [
    "invalid-step-id.md",
    10,
    8,
    "invalid-step-id",
    'invalid step id "step.one": use letters, digits, "_" and "-"',
  ],
  [
    "malformed-template.md",
    11,
    49,
    "bad-template",
    'malformed parameter reference "{{ event-name }}": write {{name}} with a letter or "_", then letters, digits and "_"',
  ],
  [
    "min-greater-than-max.md",
    7,
    10,
    "invalid-value",
    '"min" (10) of parameter "days" is greater than "max" (1)',
  ],
  ["missing-title.md", 2, 1, "missing-key", 'missing required front matter key "title"'],
  [
    "nested-step.md",
    20,
    4,
    "nested-step",
    "this sql block is inside a list and would not run: steps and expect blocks must be at the top level of the document",
  ],
  [
    "no-front-matter.md",
    1,
    1,
    "missing-key",
    'missing front matter: start the file with "---", a line "title: ...", and "---"',
  ],
  ["owner-number.md", 4, 8, "invalid-type", '"owner" must be a string, found an integer'],
  [
    "param-bad-name.md",
    5,
    3,
    "invalid-value",
    'invalid parameter name "actor-name": use a letter or "_", then letters, digits and "_"',
  ],
  [
    "param-builtin-name.md",
    5,
    3,
    "invalid-value",
    'parameter "start" is built in (the run\'s window); choose another name',
  ],
  [
    "param-missing-type.md",
    5,
    3,
    "missing-key",
    'parameter "actor" has no "type": expected one of string, integer, number, boolean, timestamp, duration, account_id, arn',
  ],
  [
    "param-unknown-key.md",
    7,
    5,
    "unknown-key",
    'unknown key "defualt" in parameter "actor" (did you mean "default"?)',
  ],
  [
    "params-not-mapping.md",
    4,
    9,
    "invalid-type",
    '"params" must be a mapping of parameter names, found a list',
  ],
  [
    "pattern-on-integer.md",
    7,
    5,
    "invalid-value",
    '"pattern" does not apply to integer parameters (only to string); parameter "days"',
  ],
  [
    "quoted-param-insights.md",
    14,
    31,
    "quoted-param",
    'parameter "actor" is inside a quoted string: write {{actor}} without quotes, the runner supplies the quoting',
  ],
  [
    "quoted-param-sql.md",
    14,
    60,
    "quoted-param",
    'parameter "actor" is inside a quoted string: write {{actor}} without quotes, the runner supplies the quoting',
  ],
  [
    "second-bare-word.md",
    10,
    17,
    "unknown-attribute",
    'unexpected word "optinal": a step has one id ("step_one") and key=value attributes (did you mean "optional"?)',
  ],
  [
    "tag-not-string.md",
    4,
    13,
    "invalid-type",
    '"tags" must be a list of strings, found an integer in it',
  ],
  ["tags-not-list.md", 4, 7, "invalid-type", '"tags" must be a list of strings, found a string'],
  ["title-empty.md", 2, 8, "invalid-value", '"title" must not be empty'],
  ["title-wrong-type.md", 2, 8, "invalid-type", '"title" must be a string, found a list'],
  [
    "unclosed-fence.md",
    8,
    1,
    "unclosed-fence",
    "unclosed code fence: add a closing ``` line (the block runs to the end of the file)",
  ],
  [
    "unclosed-front-matter.md",
    1,
    1,
    "front-matter",
    'front matter is not closed: add a line "---" after it',
  ],
  [
    "undeclared-param.md",
    14,
    112,
    "undeclared-param",
    'undeclared parameter "actr" (did you mean "actor"?): declare it under params: in the front matter, or use one of start, end, start_date, end_date',
  ],
  [
    "unknown-attribute.md",
    10,
    17,
    "unknown-attribute",
    'unknown attribute "engien" (did you mean "engine"?)',
  ],
  [
    "unknown-engine.md",
    10,
    24,
    "unknown-engine",
    'unknown engine "duckdb": expected one of local, athena, logs',
  ],
  [
    "unknown-key.md",
    4,
    1,
    "unknown-key",
    'unknown front matter key "scedule" (did you mean "schedule"?)',
  ],
  [
    "window-number.md",
    4,
    9,
    "invalid-type",
    '"window" must be a duration such as 24h or 7d, found an integer',
  ],
  [
    "yaml-bad-indent.md",
    4,
    8,
    "yaml-syntax",
    "invalid YAML: nested mappings are not allowed in compact mappings",
  ],
  [
    "yaml-alias.md",
    4,
    8,
    "front-matter",
    "YAML aliases (*d) are not read in front matter: write the value out where it is used",
  ],
  ["yaml-duplicate-key.md", 4, 1, "yaml-syntax", "invalid YAML: map keys must be unique"],
  // An unclosed [ or quote, at its opening, not where YAML gave up (the end of the front matter).
  [
    "yaml-syntax.md",
    4,
    7,
    "yaml-syntax",
    "invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]: the [ here is not closed (YAML read on to line 4, column 18)",
  ],
  [
    "yaml-unclosed-quote.md",
    2,
    8,
    "yaml-syntax",
    'invalid YAML: missing closing "quote: the " here is not closed (YAML read on to line 5, column 18)',
  ],
  // A window every run refuses (bad-window) is refused by check too, at its place: a step's
  // was refused only when the run reached it, after the steps above it had run.
  [
    "window-too-long.md",
    4,
    9,
    "invalid-value",
    'invalid window "40000d": longer than 100 years (CloudTrail began in 2013, and every run refuses it)',
  ],
  [
    "step-window-too-long.md",
    10,
    24,
    "invalid-attribute",
    'invalid window "40000d": longer than 100 years (CloudTrail began in 2013, and every run refuses it)',
  ],
  [
    "trigger-window-too-long.md",
    11,
    13,
    "invalid-value",
    "a trigger's window (36520d before, 6d after) is longer than 100 years (CloudTrail began in 2013, and every run it starts refuses it)",
  ],
  [
    "window-under-a-second.md",
    4,
    9,
    "invalid-value",
    'invalid window "999ms": shorter than a second, it holds no whole second of CloudTrail\'s event times (did you mean 999m?)',
  ],
  [
    "step-window-under-a-second.md",
    10,
    24,
    "invalid-attribute",
    'invalid window "500ms": shorter than a second, it holds no whole second of CloudTrail\'s event times (did you mean 500m?)',
  ],
];

describe("broken runbooks", () => {
  it("has a row for every fixture in the corpus, and at least 30 of them", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".md"))
      .sort();
    expect(CASES.map((c) => c[0]).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)("%s: one diagnostic at %i:%i [%s]", (file, line, column, rule, message) => {
    const source = readFileSync(path.join(dir, file), "utf8");
    const { runbook, diagnostics } = parseRunbook(source, `broken/${file}`);
    expect(diagnostics).toEqual([
      { file: `broken/${file}`, line, column, severity: "error", rule, message },
    ]);
    expect(runbook).toBeUndefined();
  });

  it("a front matter that does not read gives its own error, not one more per {{param}} of the queries", () => {
    const body =
      "\n## Who\n\n```sql\nSELECT 1 FROM cloudtrail_logs WHERE a = {{actor}} AND b = {{who}}\n```\n";
    for (const front of [
      "---\ntitle: T\nparams:\n  actor: { type: string }\n", // never closed
      "---\ntitle: T\nparams:\n  actor: { type: string\n---\n", // a YAML syntax error
      "---\n- a list\n---\n", // not a mapping
    ]) {
      const { diagnostics } = parseRunbook(front + body, "x.md");
      expect(diagnostics.length, front).toBeGreaterThan(0);
      expect(diagnostics.map((d) => d.rule)).not.toContain("undeclared-param");
    }
    // A front matter that reads does name an undeclared one; so does a file without any.
    const read = parseRunbook(
      `---\ntitle: T\nparams:\n  actor: { type: string }\n---\n${body}`,
      "x.md",
    );
    expect(read.diagnostics.filter((d) => d.rule === "undeclared-param")).toHaveLength(1);
    const none = parseRunbook(`# T\n${body}`, "x.md");
    expect(none.diagnostics.filter((d) => d.rule === "undeclared-param")).toHaveLength(2);
  });

  it("refuses a min or max that is not finite: .nan bounded nothing (review)", () => {
    const source = (bounds: string) =>
      `---\ntitle: T\nparams:\n  n: { type: number, default: 1, ${bounds} }\n---\n\n\`\`\`sql\nSELECT {{n}}\n\`\`\`\n`;
    const messages = (bounds: string) =>
      parseRunbook(source(bounds), "x.md").diagnostics.map(
        (d) => `${d.line}:${d.column} ${d.rule} ${d.message}`,
      );
    expect(messages("min: .nan, max: .inf")).toEqual([
      '4:39 invalid-value "min" of parameter "n" must be a finite number, found NaN',
      '4:50 invalid-value "max" of parameter "n" must be a finite number, found Infinity',
    ]);
    expect(messages("min: -1.5, max: 1e3")).toEqual([]);
  });

  it("prints a diagnostic as one lint-style line with the rule id at the end", () => {
    const source = readFileSync(path.join(dir, "unknown-attribute.md"), "utf8");
    const [d] = parseRunbook(source, "runbooks/x.md").diagnostics;
    expect(formatDiagnostic(d!)).toBe(
      'runbooks/x.md:10:17 error unknown attribute "engien" (did you mean "engine"?) [unknown-attribute]',
    );
  });
});

describe("a step's opening line inside another block", () => {
  const source = (close: string) =>
    [
      "---",
      "title: Unclosed",
      "---",
      "",
      "```sql baseline",
      "SELECT 1 AS one",
      "```",
      "",
      "```text",
      "one",
      close,
      "```sql root_logins",
      "SELECT 2 AS two",
      "```",
      "",
      "````markdown",
      "```sql example",
      "SELECT 3",
      "````",
      "",
    ].join("\n");

  it("is a warning at that line when the block was not closed before it: that step never runs (review)", () => {
    const { runbook, diagnostics } = parseRunbook(source("1"), "x.md");
    expect(diagnostics).toEqual([
      {
        file: "x.md",
        line: 12,
        column: 1,
        severity: "warning",
        rule: "unclosed-fence",
        message:
          "this sql block is inside the block opened on line 9, which is not closed before it (a fence with a language closes nothing), so it never runs: close that block with a ``` line above this one, or show an example in a longer fence",
      },
    ]);
    expect(runbook?.steps.map((s) => s.id)).toEqual(["baseline"]);
  });

  it("is a warning of the step above, shown by its run, when it swallowed that step's expect block (review)", () => {
    const text = [
      "---",
      "title: T",
      "---",
      "",
      "```sql a",
      "SELECT 1 AS one",
      "```",
      "",
      "```text",
      "one",
      "",
      "```expect",
      "rows == 0",
      "```",
      "",
    ].join("\n");
    const { runbook } = parseRunbook(text, "x.md");
    expect(runbook?.steps[0]?.checks).toEqual([]);
    expect(runbook?.steps[0]?.warnings).toEqual([
      "x.md:12:1 this expect block is inside the block opened on line 9, which is not closed before it (a fence with a language closes nothing), so it never runs: close that block with a ``` line above this one, or show an example in a longer fence",
    ]);
  });

  it("is a warning a run shows too, with the step above (review: check alone said it)", () => {
    const { runbook } = parseRunbook(source("1"), "x.md");
    expect(runbook?.steps[0]?.warnings).toEqual([
      "x.md:12:1 this sql block is inside the block opened on line 9, which is not closed before it (a fence with a language closes nothing), so it never runs: close that block with a ``` line above this one, or show an example in a longer fence",
    ]);
  });

  it("is nothing when the block is closed, or an example in a longer fence", () => {
    const { runbook, diagnostics } = parseRunbook(source("```"), "x.md");
    expect(diagnostics).toEqual([]);
    expect(runbook?.steps.map((s) => s.id)).toEqual(["baseline", "root_logins"]);
  });
});
