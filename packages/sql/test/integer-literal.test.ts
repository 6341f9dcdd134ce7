/**
 * Integer literals past bigint, which Trino's parser refuses: `number: MINUS? INTEGER_VALUE` is one
 * literal, a LongLiteral of its text, parsed as a Java long ("Invalid numeric literal: ..."; the
 * messages of trinodb/trino#4210 and prestodb/presto#9102, and trinodb/trino#805's fix, after which
 * `SELECT -9223372036854775808` answers bigint's least value).
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const HINT = (text: string) =>
  `(Athena, Trino: an integer literal is a bigint, from -9223372036854775808 to 9223372036854775807; write DECIMAL '${text}' for a larger number, up to 38 digits)`;

describe("integer literals past bigint", () => {
  it.each([
    ["SELECT 9223372036854775808", 8, "9223372036854775808"],
    ["SELECT 123456789012345678901234567890", 8, "123456789012345678901234567890"],
    ["SELECT -9223372036854775809", 8, "-9223372036854775809"],
    [
      "SELECT 1234567890123456789012345678901234567890",
      8,
      "1234567890123456789012345678901234567890",
    ],
    // The minus of a subtraction is an operator: the literal is 9223372036854775808.
    ["SELECT 1 - 9223372036854775808", 12, "9223372036854775808"],
    [
      "SELECT eventname FROM cloudtrail_logs WHERE 99999999999999999999 > 0",
      45,
      "99999999999999999999",
    ],
  ])("%s is refused", async (sql, column, text) => {
    expect(await checkSql(sql)).toEqual([
      {
        line: 1,
        column,
        severity: "error",
        rule: "sql-syntax",
        message: `Invalid numeric literal: ${text} ${HINT(text)}`,
      },
    ]);
  });

  it("bigint's own range is accepted, the least value with its minus", async () => {
    expect(
      await checkSql(
        "SELECT 9223372036854775807, -9223372036854775808, - 9223372036854775808, 1_000, 2147483648",
      ),
    ).toEqual([]);
  });

  it("a decimal or a double is no integer literal", async () => {
    expect(
      await checkSql(
        "SELECT 123456789012345678901234567890.5, 1E40, DECIMAL '123456789012345678901'",
      ),
    ).toEqual([]);
  });
});
