/**
 * `LIKE ... ESCAPE` as Trino's LikeFunctions read it (TestLikeFunctions.testInvalidLikePattern,
 * TestExpressionInterpreter.testEvaluateInvalidLike, TestShowQueries' `ESCAPE ''` and `ESCAPE
 * '$$'`): an escape string of another length than one character, and an escape character not
 * followed by `%`, `_` or itself, are errors. DuckDB answered both (an empty escape as none).
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const found = async (sql: string) =>
  (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

const SINGLE = "Escape string must be a single character (Athena, Trino)";
const FOLLOWED =
  "Escape character must be followed by '%', '_' or the escape character itself (Athena, Trino)";

describe("LIKE's escape is refused where Trino refuses it", () => {
  it.each([
    [
      "SELECT eventname FROM cloudtrail_logs WHERE eventname LIKE 'a%' ESCAPE ''",
      `1:72 sql-athena ${SINGLE}: ESCAPE '' has 0 characters; write one character, such as ESCAPE '\\', or leave ESCAPE out`,
    ],
    [
      "SELECT 'abc' LIKE 'a%' ESCAPE '$$'",
      `1:31 sql-athena ${SINGLE}: ESCAPE '$$' has 2 characters; write one character, such as ESCAPE '\\', or leave ESCAPE out`,
    ],
    // A pattern that is a column is compiled with the escape for each row.
    [
      "SELECT eventname LIKE awsregion ESCAPE '' FROM cloudtrail_logs",
      `1:40 sql-athena ${SINGLE}: ESCAPE '' has 0 characters; write one character, such as ESCAPE '\\', or leave ESCAPE out`,
    ],
    // TestLikeFunctions: likePattern("#", "#"), ("abc#abc", "#"), ("abc#", "#").
    [
      "SELECT 'x' LIKE '#' ESCAPE '#'",
      `1:17 sql-athena ${FOLLOWED}: the pattern has # at its end; write ## for the character itself`,
    ],
    [
      "SELECT 'x' LIKE 'abc#abc' ESCAPE '#'",
      `1:17 sql-athena ${FOLLOWED}: the pattern has # before a; write ## for the character itself`,
    ],
    [
      "SELECT 'x' LIKE 'abc#' ESCAPE '#'",
      `1:17 sql-athena ${FOLLOWED}: the pattern has # at its end; write ## for the character itself`,
    ],
  ])("%s", async (sql, problem) => {
    expect(await found(sql)).toEqual([problem]);
  });

  it.each([
    "SELECT 'a_c' LIKE 'a#_c' ESCAPE '#'",
    "SELECT 'a#' LIKE 'a##' ESCAPE '#'",
    "SELECT 'x%_abcx' LIKE 'xxx%x_abcxx' ESCAPE 'x'",
    // No wildcard: Trino's planner compares without reading the escape (trinodb/trino#7273).
    "SELECT 'abc' LIKE 'abc' ESCAPE ''",
    "SELECT eventname FROM cloudtrail_logs WHERE eventname LIKE 'a%'",
  ])("accepts %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});
