/**
 * A `{{name}}` that is the whole pattern after `like`, `not like` or `=~` is a regular
 * expression: its value is rendered as a `/.../` literal (every unescaped `/` escaped, other
 * escapes copied), read back by the parser as the value's regular expression, and a value no
 * literal can hold is refused naming the parameter. Elsewhere a reference stays a value literal.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { insightsRegexLiteral, insightsRegexReferences, templateProblems } from "@run-md/core";
import { describe, expect, test } from "vitest";
import { checkInsights, parseInsights, renderInsightsQuery } from "../src/index.ts";
import { regexPatternRefs } from "../src/literal.ts";
import { eventsDb } from "./duck.ts";

const QUERY = "filter userIdentity.arn like {{p}} | stats count(*) as n";
const render = (query: string, value: string) =>
  renderInsightsQuery(query, { p: { type: "string", value } }).text;

/** The commands of the rendered query and the pattern of its first `like`. */
function readBack(text: string): { commands: number; pattern: unknown } {
  const ast = parseInsights(text);
  const c = ast.commands[0]!;
  if (c.kind !== "filter" || c.expr.kind !== "like") throw new Error(`no like in ${text}`);
  const p = c.expr.pattern;
  return { commands: ast.commands.length, pattern: p.kind === "regex" ? p.pattern : p.kind };
}

describe("a like {{param}} pattern", () => {
  // value, the literal written by hand, the regular expression the parser reads back
  test.each([
    [":assumed-role/(ci|tf)/", String.raw`/:assumed-role\/(ci|tf)\//`, ":assumed-role/(ci|tf)/"],
    ["a/ or 1=1", String.raw`/a\/ or 1=1/`, "a/ or 1=1"],
    ["/ | filter 1 = 1 | #", String.raw`/\/ | filter 1 = 1 | #/`, "/ | filter 1 = 1 | #"],
    [String.raw`\/`, String.raw`/\//`, "/"],
    [String.raw`\\/`, String.raw`/\\\//`, String.raw`\\/`],
    [String.raw`^\d+\.\w$`, String.raw`/^\d+\.\w$/`, String.raw`^\d+\.\w$`],
    ['say "hi"', '/say "hi"/', 'say "hi"'],
  ])("%j is the literal %s, read back as one regular expression", (value, literal, pattern) => {
    expect(insightsRegexLiteral("p", value)).toBe(literal);
    const text = render(QUERY, value);
    expect(text).toBe(`filter userIdentity.arn like ${literal} | stats count(*) as n`);
    expect(readBack(text)).toEqual({ commands: 2, pattern });
  });

  test.each([
    ["x\\", /parameter "p" is a regular expression and ends with a lone backslash/],
    ["a\\\\\\", /ends with a lone backslash/],
    ["a\nb", /parameter "p" is a regular expression and holds a line break/],
    ["a\rb", /holds a line break/],
    ["/\n| fields @message", /holds a line break/],
  ])("%j is refused naming the parameter, never rendered", (value, message) => {
    expect(() => insightsRegexLiteral("p", value)).toThrow(message);
    expect(() => render(QUERY, value)).toThrow(message);
  });

  test("after not like and =~ too; elsewhere a string literal", () => {
    expect(render("filter x not like {{p}}", "a/b")).toBe(String.raw`filter x not like /a\/b/`);
    expect(render("filter x NOT LIKE {{ p }}", "a/b")).toBe(String.raw`filter x NOT LIKE /a\/b/`);
    expect(render("filter x =~ {{p}}", "a/b")).toBe(String.raw`filter x =~ /a\/b/`);
    expect(render("filter x = {{p}}", "a/b")).toBe('filter x = "a/b"');
    expect(render("filter strcontains(x, {{p}})", "a/b")).toBe('filter strcontains(x, "a/b")');
    expect(render("filter x in [{{p}}]", "a/b")).toBe('filter x in ["a/b"]');
  });

  test.each([
    "filter a like {{p}} and b not like {{q}} or c =~ {{r}} | filter d = {{s}}",
    "filter a LIKE{{p}} | filter a=~{{q}} | filter unlike = {{r}} | filter `like` = {{s}}",
    "filter strcontains(a, {{p}}) and b in [{{q}}] and c like /x/ and {{r}} = 1",
    'filter a like "like" and b = {{p}} | fields x.like as y | filter y = {{q}}',
  ])("the run's early check finds the references the renderer writes as regexes: %s", (q) => {
    expect([...insightsRegexReferences(q).keys()]).toEqual([...regexPatternRefs(q)]);
  });

  test("run-md check's template rule accepts it, and still refuses {{p}} inside /.../", () => {
    expect(templateProblems("filter x like {{p}}", "logs-insights")).toEqual([]);
    expect(templateProblems("filter x like /a{{p}}/", "logs-insights")).toMatchObject([
      { kind: "quoted", name: "p", quote: "/" },
    ]);
  });

  test("a value that is no regular expression is an insights-param problem at {{p}}", () => {
    const problems = (value: string) =>
      checkInsights(QUERY, { values: { p: value } }).map((p) => [p.rule, p.offset, p.message]);
    expect(problems(":role/ok")).toEqual([]);
    const at = QUERY.indexOf("{{p}}");
    expect(problems("x\\")).toEqual([
      [
        "insights-param",
        at,
        "{{p}} is a regular expression here and its value ends with a lone backslash, which would escape the closing /",
      ],
    ]);
    expect(problems("(open")[0]!.slice(0, 2)).toEqual(["insights-param", at]);
    expect(String(problems("(open")[0]![2])).toMatch(/^\{\{p\}\} is a regular expression here/);
    // A string literal takes any of these
    expect(checkInsights("filter eventName = {{p}}", { values: { p: "x\\" } })).toEqual([]);
  });

  test("the local translation matches the regular expression, not a substring", async () => {
    const arns = [
      "arn:aws:sts::1:assumed-role/ci/b-1",
      "arn:aws:iam::1:user/alice",
      "arn:aws:iam::1:user/a/ or 1=1",
      "literal :user/alice$ text",
    ];
    const db = await eventsDb(
      arns.map((arn, i) => ({
        eventTime: `2026-01-01T00:00:0${i}Z`,
        eventName: "X",
        userIdentity: { arn },
      })),
    );
    try {
      const count = async (value: string) => {
        const r = await db.run(QUERY, { params: { p: value }, check: true });
        return Number(r.rows[0]?.n);
      };
      // by hand: which ARNs each regular expression matches
      expect(await count(":user/alice$")).toBe(1);
      expect(await count(":assumed-role/")).toBe(1);
      expect(await count("a/ or 1=1")).toBe(1);
      expect(await count("user/")).toBe(3);
      expect(await count("^arn:aws:iam::1:user/")).toBe(2);
      await expect(count("x\\")).rejects.toMatchObject({ code: "insights-param" });
    } finally {
      db.close();
    }
  });

  test.each([
    ["an escaped non-ASCII letter", ":user/\\é"],
    ["an escaped emoji", "a\\😀"],
    ["a count past RE2's 1,000", "a{1001}"],
    ["an upper bound past 1,000", "a{2,1001}"],
    ["nested counts whose product passes 1,000", "(?:a{100}){11}"],
    ["a group's count times its inner one, a class between", "(a{2}[b]{3}){501}"],
    ["a count after a code point", "\\x{41}{1001}"],
    ["a code point past U+10FFFF", "\\x{110000}"],
    ["a code point of no hex digits", "a\\x{zz}"],
    ["a byte of one hex digit", "a\\xZ1"],
  ])(
    "%s, which DuckDB's RE2 refuses when the step runs, is refused by check (red-team)",
    async (_, value) => {
      // check accepted these and the local engine then raised "Invalid Input Error" mid-run
      const at = QUERY.indexOf("{{p}}");
      const problems = checkInsights(QUERY, { values: { p: value } });
      expect(problems.map((p) => [p.rule, p.offset])).toEqual([["insights-param", at]]);
      expect(problems[0]!.message).toMatch(
        /^\{\{p\}\} is a regular expression here and its value is not one: RE2/,
      );
      // DuckDB's RE2 itself refuses the pattern (what the local engine sends it)
      const instance = await DuckDBInstance.create(":memory:");
      const con = await instance.connect();
      try {
        await expect(con.run("SELECT regexp_matches('x', $1)", [value])).rejects.toThrow(
          /invalid (escape sequence|repetition size)/,
        );
      } finally {
        con.closeSync();
        instance.closeSync();
      }
    },
  );

  test.each([
    ["a count of 1,000", "a{1000}", 1],
    ["nested counts whose product is 1,000", "(?:a{100}){10}", 1],
    ["a count after a class after a group", "(?:a{100})[b]{10}", 0],
    ["an escaped punctuation mark", "a\\_b\\-\\#", 0],
    ["a code point past 1,000 (no count)", "\\x{2028}|\\x{10000}", 0],
    // JavaScript read \x{61} as x{61}, a count with nothing to repeat after it
    ["a code point, then a count", "^\\x{61}{1000}$", 1],
    ["a code point range in a class, counted", "^[\\x{61}-\\x{7A}]{2,1000}$", 1],
  ])("%s stays accepted and runs", async (_, value, n) => {
    expect(checkInsights(QUERY, { values: { p: value } })).toEqual([]);
    const db = await eventsDb([
      {
        eventTime: "2026-01-01T00:00:00Z",
        eventName: "X",
        userIdentity: { arn: "a".repeat(1000) },
      },
    ]);
    try {
      const r = await db.run(QUERY, { params: { p: value }, check: true });
      // by hand: the ARN is 1,000 a's, so only the patterns of a's match it
      expect(Number(r.rows[0]?.n)).toBe(n);
    } finally {
      db.close();
    }
  });

  test("code points out of order in a class are refused, naming the pattern as written", () => {
    // RE2: "invalid character class range: \x{7A}-\x{61}" (z before a)
    const problems = checkInsights(QUERY, { values: { p: "[\\x{7A}-\\x{61}]" } });
    expect(problems.map((p) => p.message)).toEqual([
      "{{p}} is a regular expression here and its value is not one: /[\\x{7A}-\\x{61}]/: Range out of order in character class",
    ]);
  });
});
