import { type Check, parseExpect } from "@run-md/core";
import { describe, expect, it } from "vitest";

/** The check a single line parses to, without its position. */
function one(line: string): Omit<Check, "position"> {
  const { checks, diagnostics } = parseExpect(line, 1, "x.md");
  expect(diagnostics).toEqual([]);
  expect(checks).toHaveLength(1);
  const { position: _position, ...rest } = checks[0]!;
  return rest;
}

function body(line: string) {
  const { source: _s, warn: _w, label: _l, ...rest } = one(line);
  return rest;
}

describe("expect grammar: metrics and comparisons", () => {
  it.each([
    ["rows == 0", { kind: "rows" }, "==", 0],
    ["count(actor) != 3", { kind: "count", column: "actor" }, "!=", 3],
    ["distinct(actor) <= 3", { kind: "distinct", column: "actor" }, "<=", 3],
    ["min(calls) >= -2", { kind: "min", column: "calls" }, ">=", -2],
    ["max(calls) < 1000", { kind: "max", column: "calls" }, "<", 1000],
    ["sum(calls) > 2.5", { kind: "sum", column: "calls" }, ">", 2.5],
    ["avg(bytes) < -0.25", { kind: "avg", column: "bytes" }, "<", -0.25],
    ["max(calls) < 1e3", { kind: "max", column: "calls" }, "<", 1000],
    ["ROWS == 1", { kind: "rows" }, "==", 1],
    ["Max(userIdentity.userName) > 1", { kind: "max", column: "userIdentity.userName" }, ">", 1],
    ['count("count(*)") > 1', { kind: "count", column: "count(*)" }, ">", 1],
    ['count("a ""b""") > 1', { kind: "count", column: 'a "b"' }, ">", 1],
    ["count(@timestamp) > 1", { kind: "count", column: "@timestamp" }, ">", 1],
  ])("%s", (line, metric, op, value) => {
    expect(body(line)).toEqual({ kind: "compare", metric, op, value });
  });

  it("reads between with both bounds, negative and decimal", () => {
    expect(body("rows between 1 and 500")).toEqual({
      kind: "between",
      metric: { kind: "rows" },
      low: 1,
      high: 500,
    });
    expect(body("avg(x) between -1.5 and 2.25")).toEqual({
      kind: "between",
      metric: { kind: "avg", column: "x" },
      low: -1.5,
      high: 2.25,
    });
  });
});

describe("expect grammar: quantified checks", () => {
  const predicates: Array<[string, unknown]> = [
    ["== 'x'", { kind: "compare", op: "==", value: "x" }],
    ["!= 5", { kind: "compare", op: "!=", value: 5 }],
    ["< -1.5", { kind: "compare", op: "<", value: -1.5 }],
    ["<= true", { kind: "compare", op: "<=", value: true }],
    ["> false", { kind: "compare", op: ">", value: false }],
    [">= null", { kind: "compare", op: ">=", value: null }],
    ["in ('a', 2, true, null)", { kind: "in", negated: false, values: ["a", 2, true, null] }],
    ["not in ('AccessDenied')", { kind: "in", negated: true, values: ["AccessDenied"] }],
    ["like '%.amazonaws.com'", { kind: "like", negated: false, pattern: "%.amazonaws.com" }],
    ["not like 'arn:aws:sts::%'", { kind: "like", negated: true, pattern: "arn:aws:sts::%" }],
    ["matches '^(Create|Delete)'", { kind: "matches", pattern: "^(Create|Delete)" }],
    ["is null", { kind: "null", negated: false }],
    ["is not null", { kind: "null", negated: true }],
  ];
  for (const quantifier of ["every", "no", "some"] as const) {
    it.each(predicates)(`${quantifier} c %s`, (predicate, expected) => {
      expect(body(`${quantifier} c ${predicate}`)).toEqual({
        kind: "quantified",
        quantifier,
        column: "c",
        predicate: expected,
      });
    });
  }

  it("reads '' inside a string as one quote", () => {
    expect(body("no user in ('O''Brien', '''')")).toMatchObject({
      predicate: { kind: "in", values: ["O'Brien", "'"] },
    });
  });

  it("keeps # inside a string and starts the label only outside one", () => {
    expect(one("every tag == '#1' # label # with hash")).toMatchObject({
      predicate: { value: "#1" },
      source: "every tag == '#1'",
      label: "label # with hash",
    });
  });

  it("reads keywords case-insensitively", () => {
    expect(body("EVERY c NOT IN (1) ")).toMatchObject({
      quantifier: "every",
      predicate: { negated: true },
    });
    expect(body("Some c Is Not Null")).toMatchObject({ quantifier: "some" });
  });
});

describe("expect blocks: warn, labels, sources and positions", () => {
  it("marks warn: checks and keeps the comment as label", () => {
    expect(one("warn: sum(calls) < 100   # unusual volume, look but don't page")).toEqual({
      kind: "compare",
      metric: { kind: "sum", column: "calls" },
      op: "<",
      value: 100,
      source: "warn: sum(calls) < 100",
      label: "unusual volume, look but don't page",
      warn: true,
    });
    expect(one("WARN : rows == 0")).toMatchObject({ warn: true });
    expect(one("rows == 0")).toEqual({
      kind: "compare",
      metric: { kind: "rows" },
      op: "==",
      value: 0,
      source: "rows == 0",
      warn: false,
    });
  });

  it("skips blank and comment-only lines and numbers lines from firstLine", () => {
    const { checks, diagnostics } = parseExpect(
      "# heading comment\n\n  rows == 0\n#\nrows < 5  #\n",
      20,
      "x.md",
    );
    expect(diagnostics).toEqual([]);
    expect(checks.map((c) => [c.position, c.label])).toEqual([
      [{ line: 22, column: 3 }, undefined],
      [{ line: 24, column: 1 }, undefined],
    ]);
  });

  it("parses a column named like a keyword after a quantifier", () => {
    expect(body("every rows > 1")).toMatchObject({ column: "rows" });
  });
});

describe("expect blocks: malformed checks point at the offending token", () => {
  const CASES: Array<[string, number, string]> = [
    ["rows = 0", 6, 'expected a comparison, found "=" (did you mean "=="?)'],
    // SQL's not-equal, in both places a comparison goes (review: 'found ">"').
    ["rows <> 0", 6, 'expected a comparison, found "<>" (did you mean "!="?)'],
    ["every id <> 2", 10, 'expected a comparison, found "<>" (did you mean "!="?)'],
    ["every id = 2", 10, 'expected a comparison, found "=" (did you mean "=="?)'],
    // The signs of <= and >= swapped (review: 'found "=" (did you mean "=="?)').
    ["rows =< 0", 6, 'expected a comparison, found "=<" (did you mean "<="?)'],
    ["every id => 2", 10, 'expected a comparison, found "=>" (did you mean ">="?)'],
    [
      "rows",
      5,
      'expected a comparison (==, !=, <, <=, >, >=) or "between", found the end of the line',
    ],
    ["rows == # zero", 9, "expected a number, found the comment"],
    ["rows == 'a'", 9, "expected a number, found the string 'a'"],
    [
      "max(calls) < {{n}}",
      14,
      "a parameter ({{name}}) cannot be used in an expect block: compare with it in the query (HAVING count(*) > {{max_logins}}) and check the rows it returns (rows == 0)",
    ],
    [
      "rows between 1 and {{n}}",
      20,
      "a parameter ({{name}}) cannot be used in an expect block: compare with it in the query (HAVING count(*) > {{max_logins}}) and check the rows it returns (rows == 0)",
    ],
    ["max(calls < 5", 11, 'expected ")", found "<"'],
    ["max calls < 5", 5, 'expected "(" after "max", found "calls"'],
    ["count(*) > 1", 7, 'expected a column name, found "*" (use "rows" to count the rows)'],
    [
      "maxi(calls) < 5",
      1,
      'unknown check "maxi": expected rows, count, distinct, min, max, sum, avg, every, no or some (did you mean "max"?)',
    ],
    [
      "evry x == 1",
      1,
      'unknown check "evry": expected rows, count, distinct, min, max, sum, avg, every, no or some (did you mean "every"?)',
    ],
    ["rows between 1 500", 16, 'expected "and", found "500"'],
    ["rows between 9 and 1", 14, "the lower bound 9 is greater than the upper bound 1"],
    [
      "max(id) between 9007199254740993 and 9007199254740992",
      17,
      "the lower bound 9007199254740993 is greater than the upper bound 9007199254740992",
    ],
    [
      "rows == 0 and rows < 5",
      11,
      'unexpected "and" after the check (one check a line; start a comment with #)',
    ],
    ["every x in ('a' 'b')", 17, `expected "," or ")", found the string 'b'`],
    ["every x in 'a'", 12, 'expected "(" after "in", found the string \'a\''],
    [
      "every x in ()",
      13,
      "expected a value (a number, a 'string', true, false or null), found \")\"",
    ],
    ["no x in ('a)", 10, "unterminated string: a closing ' is missing"],
    [
      'every x like "a%"',
      14,
      `expected a string after "like", found "a%" (strings take single quotes: 'a%')`,
    ],
    ['every x == "a"', 12, `expected a value, found "a" (strings take single quotes: 'a')`],
    ["every x < 1e10000000000000000", 11, "the number 1e10000000000000000 is out of range"],
    [
      "avg(x) between 1e-10000000000000000 and 2",
      16,
      "the number 1e-10000000000000000 is out of range",
    ],
    [
      "no n > {{max_logins}}",
      8,
      "a parameter ({{name}}) cannot be used in an expect block: compare with it in the query (HAVING count(*) > {{max_logins}}) and check the rows it returns (rows == 0)",
    ],
    ["every x not between 1", 13, 'expected "in" or "like" after "not", found "between"'],
    ["every x is empty", 12, 'expected "not" or "null" after "is", found "empty"'],
    ["every x matches '[a-'", 17, "invalid regular expression '[a-': Unterminated character class"],
    [
      "every x",
      8,
      "expected a condition: a comparison (==, !=, <, <=, >, >=), in, not in, like, not like, matches or is [not] null, found the end of the line",
    ],
    ["every == 1", 7, 'expected a column name, found "=="'],
    ["warn sum(x) < 1", 6, 'expected ":" after "warn", found "sum"'],
    ["warn: warn: rows == 0", 7, '"warn:" comes once, at the start of the check'],
    ["warn, rows == 0", 5, 'expected ":" after "warn", found ","'],
    ["rows < 5m", 8, 'expected a number, found "5m"'],
    [
      "rows < 1,000",
      9,
      'unexpected "," after the check (one check a line; start a comment with #)',
    ],
    ["rows == 0;", 10, 'unexpected ";" after the check (one check a line; start a comment with #)'],
    ['count("") > 1', 7, 'expected a column name, found """"'],
  ];

  it.each(CASES)("%s → column %i", (line, column, message) => {
    const { checks, diagnostics } = parseExpect(`  ${line}`, 7, "x.md");
    expect(checks).toEqual([]);
    expect(diagnostics).toEqual([
      {
        file: "x.md",
        line: 7,
        column: column + 2,
        severity: "error",
        rule: "expect-syntax",
        message,
      },
    ]);
  });

  it("reports each malformed line and still parses the good ones", () => {
    const { checks, diagnostics } = parseExpect(
      "rows = 0\nrows == 0\nmax(x <\nrows < 3",
      1,
      "x.md",
    );
    expect(checks.map((c) => c.source)).toEqual(["rows == 0", "rows < 3"]);
    expect(diagnostics.map((d) => [d.line, d.column])).toEqual([
      [1, 6],
      [3, 7],
    ]);
  });
});

describe("number literals a double does not hold", () => {
  it("keeps the text of an integer past 2^53, and only then", () => {
    expect(body("max(id) == 9007199254740993")).toEqual({
      kind: "compare",
      metric: { kind: "max", column: "id" },
      op: "==",
      value: 9007199254740992,
      exact: "9007199254740993",
    });
    expect(body("max(id) == 9007199254740992")).toEqual({
      kind: "compare",
      metric: { kind: "max", column: "id" },
      op: "==",
      value: 9007199254740992,
    });
    expect(body("every sub in (108374619283746192837, 7, 1e3)")).toEqual({
      kind: "quantified",
      quantifier: "every",
      column: "sub",
      predicate: {
        kind: "in",
        negated: false,
        values: [{ exact: "108374619283746192837" }, 7, 1000],
      },
    });
  });
});
