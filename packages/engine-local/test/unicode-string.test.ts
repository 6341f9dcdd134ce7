/**
 * Trino's Unicode string literals run locally as the text they stand for (DuckDB's parser failed:
 * "unicode_to_utf8 NOT IMPLEMENTED"). The expected values are Trino's docs' (`U&'Hello winter
 * \2603 !'` is `Hello winter ☃ !`, with `UESCAPE '#'` too) and worked out by hand from the rule
 * (the escape and 4 hex digits, or `+` and 6, is a code point; the escape twice is itself).
 */
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(sql: string) {
  return (await engine().query(queryRequest("sql", sql, ALL_TIME))).rows;
}

describe("U&'...' literals", () => {
  it.each([
    ["SELECT U&'Hello winter \\2603 !'", "Hello winter \u2603 !"],
    ["SELECT U&'Hello winter #2603 !' UESCAPE '#'", "Hello winter \u2603 !"],
    ["SELECT u&'\\+01F600'", "\u{1F600}"],
    // A quote, written or escaped, is a quote: the literal DuckDB gets doubles it.
    ["SELECT U&'it\\0027s'", "it's"],
    ["SELECT U&'a''b\\\\'", "a'b\\"],
    ["SELECT U&'x\\0027) OR (1=1' ", "x') OR (1=1"],
  ])("%s", async (sql, text) => {
    expect(await rows(sql)).toEqual([[text]]);
  });

  it("compares as the text", async () => {
    expect(await rows("SELECT U&'\\0041bc' = 'Abc', length(U&'\\+01F600')")).toEqual([[true, 1]]);
  });

  it("is left alone inside a string and a comment", async () => {
    expect(await rows("SELECT 'U&''\\0041''' -- U&'\\0042'")).toEqual([["U&'\\0041'"]]);
  });

  it("one Trino refuses is refused before it runs, in Trino's words", async () => {
    await expect(rows("SELECT U&'\\D800'")).rejects.toThrow(
      "line 1:8: Invalid escaped character: D800. Escaped character is a surrogate.",
    );
  });
});
