/**
 * sqlRegexUses: the patterns of a SQL step's regexp calls that `run-md check` and a run ask RE2
 * about, found on the text. Offsets counted by hand.
 */
import { describe, expect, it } from "vitest";
import { sqlLikeUses, sqlRegexUses } from "../src/regex-uses.ts";

describe("sqlRegexUses", () => {
  it("finds a literal second argument, with '' read as ', at its opening quote", () => {
    const sql = "SELECT regexp_like(a, 'it''s\\d') FROM t";
    expect(sqlRegexUses(sql)).toEqual([
      { kind: "literal", fn: "regexp_like", offset: 22, pattern: "it's\\d" },
    ]);
  });

  it("finds a {{name}} alone as the pattern, and nested calls after a comma inside brackets", () => {
    const sql =
      "REGEXP_EXTRACT(f(x, y), {{ p }}, 1) || regexp_replace(regexp_extract(s, '(a)'), 'b')";
    expect(sqlRegexUses(sql)).toEqual([
      { kind: "param", fn: "regexp_extract", offset: 24, name: "p" },
      { kind: "literal", fn: "regexp_replace", offset: 80, pattern: "b" },
      { kind: "literal", fn: "regexp_extract", offset: 72, pattern: "(a)" },
    ]);
  });

  it("skips strings, comments and what is no literal or reference alone", () => {
    const sql = [
      "SELECT 'regexp_like(a, ''x'')' AS s, -- regexp_like(a, 'y')",
      "/* regexp_like(a, 'z') */ regexp_like(a, 'p' || 'q'), regexp_like(a, b),",
      "t.regexp_like(a, 'r'), string_split_regex(a, /* sep */ ',')",
    ].join("\n");
    expect(sqlRegexUses(sql)).toEqual([
      { kind: "literal", fn: "string_split_regex", offset: 188, pattern: "," },
    ]);
  });
});

describe("sqlLikeUses", () => {
  it("finds LIKE's literal or lone {{name}}, with its ESCAPE character, and nothing else", () => {
    const sql = [
      // 0         1         2         3         4         5
      // 0123456789012345678901234567890123456789012345678901234
      "a LIKE 'it''s' AND b NOT like {{ p }} ESCAPE '!' AND (",
      "c LIKE '%' || {{q}}) AND d ILIKE 'x' AND t.like = 'like'",
      "-- e LIKE 'y'",
      "OR f LIKE {{r}})",
    ].join("\n");
    // Line starts: 0, 55, 112, 126.
    expect(sqlLikeUses(sql)).toEqual([
      { kind: "literal", offset: 7, pattern: "it's" },
      { kind: "param", offset: 30, name: "p", escape: "!" },
      { kind: "param", offset: 136, name: "r" },
    ]);
  });
});
