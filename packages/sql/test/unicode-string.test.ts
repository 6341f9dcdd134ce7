/**
 * Trino's Unicode string literals (Trino's docs, "String" literals: `U&'Hello winter \2603 !'` is
 * `Hello winter ☃ !`, also with `UESCAPE '#'`), and the literals its parser refuses
 * (AstBuilder.decodeUnicodeLiteral, TestSqlParser.testUnicodeString), in its words.
 */
import { describe, expect, it } from "vitest";
import { checkSql, decodeUnicodeString } from "../src/index.ts";

const HINT =
  "(Athena, Trino: a U&'...' literal writes a code point as the escape and 4 hex digits, or the escape, + and 6; the escape twice for itself)";

describe("U&'...' literals decode as Trino decodes them", () => {
  it.each([
    ["Hello winter \\2603 !", undefined, "Hello winter \u2603 !"],
    ["Hello winter #2603 !", "#", "Hello winter \u2603 !"],
    ["\\+01F600", undefined, "\u{1F600}"],
    ["\\\\", undefined, "\\"],
    ["##x#0041", "#", "#xA"],
    ["it\\0027s", undefined, "it's"],
    ["a''b", undefined, "a'b"],
    ["\\+10FFFF", undefined, "\u{10FFFF}"],
  ])("U&'%s' UESCAPE %s", (body, uescape, text) => {
    expect(decodeUnicodeString(body, uescape)).toEqual({ text });
  });

  it.each([
    [
      "SELECT U&'\\D800'",
      "Invalid escaped character: D800. Escaped character is a surrogate. Use '\\+123456' instead.",
    ],
    [
      "SELECT U&'\\+00DFFF'",
      "Invalid escaped character: 00DFFF. Escaped character is a surrogate. Use '\\+123456' instead.",
    ],
    ["SELECT U&'\\+110000'", "Invalid escaped character: 110000"],
    ["SELECT U&'\\00'", "Incomplete escape sequence: 00"],
    ["SELECT U&'\\'", "Incomplete escape sequence: "],
    ["SELECT U&'\\x'", "Invalid hexadecimal digit: x"],
    ["SELECT U&'a' UESCAPE ''", "Empty Unicode escape character"],
    ["SELECT U&'a' UESCAPE ''''", "Invalid Unicode escape character: '"],
    ["SELECT U&'a' UESCAPE 'a'", "Invalid Unicode escape character: a"],
    ["SELECT U&'a' UESCAPE '+'", "Invalid Unicode escape character: +"],
    ["SELECT U&'a' UESCAPE ' '", "Invalid Unicode escape character:  "],
    ["SELECT U&'a' UESCAPE '##'", "Invalid Unicode escape character: ##"],
  ])("%s is refused: %s", async (sql, error) => {
    expect(await checkSql(sql)).toEqual([
      { line: 1, column: 8, severity: "error", rule: "sql-syntax", message: `${error} ${HINT}` },
    ]);
  });

  it("a valid one is accepted", async () => {
    expect(await checkSql("SELECT U&'\\0041', U&'#0041' UESCAPE '#', u&'a''b'")).toEqual([]);
  });
});
