/**
 * Values Trino's ExpressionAnalyzer types and refuses, where DuckDB converted and answered (the
 * step answered locally and failed on Athena):
 * - the results of one CASE, IF, COALESCE or NULLIF with no common type: coerceToSingleType's
 *   "All CASE results must be the same type" (AbstractTestQueries
 *   .testCaseNoElseInconsistentResultType), "Result types for IF must be the same",
 *   "All COALESCE operands must be the same type", and visitNullIfExpression's "Types are not
 *   comparable with NULLIF"; varchar has no common type with a number (TypeCoercion);
 * - a condition that is no boolean: "WHERE clause must evaluate to a boolean: actual type
 *   varchar(5)" (trino-iceberg's rewrite_data_files test), coerceType(..., BOOLEAN, "Logical
 *   expression term" | "Value of logical NOT expression" | "CASE WHEN clause" | "IF condition").
 *   readonly is a STRING in Athena's CloudTrail table; DuckDB cast its 'true' to true.
 * The local engine answered each (`CASE ... THEN 'ok' ELSE 1 END` and `WHERE readonly` ran); it
 * runs this check before DuckDB now.
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

async function only(sql: string) {
  const problems = await checkSql(sql);
  expect(problems.map((p) => p.rule)).toEqual(["sql-athena"]);
  return problems[0]!;
}

describe("values of one CASE, IF, COALESCE or NULLIF with no common type are refused", () => {
  it.each([
    [
      "SELECT CASE WHEN errorcode IS NULL THEN 'ok' ELSE 1 END AS e FROM cloudtrail_logs",
      "1 END",
      "All CASE results must be the same type: varchar vs integer",
      "CAST(1 AS varchar)",
    ],
    [
      "SELECT CASE eventname WHEN 'a' THEN 1 WHEN 'b' THEN 'x' END AS e FROM cloudtrail_logs",
      "'x'",
      "All CASE results must be the same type: integer vs varchar",
      "CAST(1 AS varchar)",
    ],
    [
      "SELECT if(errorcode IS NULL, 'ok', count(*)) AS e FROM cloudtrail_logs GROUP BY errorcode",
      "count(*))",
      "Result types for IF must be the same: varchar vs bigint",
      "CAST(count(*) AS varchar)",
    ],
    [
      "SELECT nullif(errorcode, 1) AS e FROM cloudtrail_logs",
      "1)",
      "Types are not comparable with NULLIF: varchar vs integer",
      "CAST(1 AS varchar)",
    ],
    [
      "SELECT coalesce(errorcode, 0) AS e FROM cloudtrail_logs",
      "0)",
      "All COALESCE operands must be the same type: varchar vs integer",
      "CAST(0 AS varchar)",
    ],
    // A comparison is a boolean (ExpressionAnalyzer.visitComparisonExpression's BOOLEAN), and
    // TypeCoercion converts a boolean into nothing.
    [
      "SELECT CASE WHEN errorcode IS NULL THEN eventname = 'a' ELSE 'no' END AS e FROM cloudtrail_logs",
      "'no'",
      "All CASE results must be the same type: boolean vs varchar",
      "CAST(eventname = 'a' AS varchar)",
    ],
  ])("%s", async (sql, at, reason, instead) => {
    const problem = await only(sql);
    expect(problem.column).toBe(sql.lastIndexOf(at) + 1);
    expect(problem.message).toContain(reason);
    expect(problem.message).toContain(instead);
  });

  it("accepts types Trino converts, NULL, and what the syntax does not type", async () => {
    for (const sql of [
      "SELECT CASE WHEN errorcode IS NULL THEN 1 ELSE 2.5 END AS n FROM cloudtrail_logs",
      "SELECT CASE WHEN errorcode IS NULL THEN NULL ELSE 1 END AS n FROM cloudtrail_logs",
      "SELECT if(readonly = 'true', 'r', 'w') AS rw, coalesce(errorcode, 'none') AS e, nullif(errorcode, '') AS f FROM cloudtrail_logs",
      "SELECT coalesce(x, 0) AS n FROM (VALUES '1') t(x)",
      "SELECT if(errorcode IS NULL, 'ok') AS e FROM cloudtrail_logs",
    ])
      expect(await checkSql(sql), sql).toEqual([]);
  });
});

describe("a condition that is no boolean is refused", () => {
  it.each([
    ["SELECT count(*) AS n FROM cloudtrail_logs WHERE readonly", "readonly", "WHERE clause"],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = 'x' AND readonly",
      "readonly",
      "Logical expression term",
    ],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE NOT readonly",
      "readonly",
      "Value of logical NOT expression",
    ],
    [
      "SELECT CASE WHEN readonly THEN 1 END AS n FROM cloudtrail_logs",
      "readonly",
      "CASE WHEN clause",
    ],
    ["SELECT if(readonly, 1, 0) AS n FROM cloudtrail_logs", "readonly", "IF condition"],
    ["SELECT count(*) AS n FROM cloudtrail_logs HAVING count(*)", "count(*)", "HAVING clause"],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs a JOIN cloudtrail_logs b ON a.eventid",
      "a.eventid",
      "JOIN ON clause",
    ],
  ])("%s", async (sql, at, what) => {
    const problem = await only(sql);
    expect(problem.column).toBe(sql.lastIndexOf(at) + 1);
    expect(problem.message).toContain(`${what} must evaluate to a boolean`);
  });

  it("accepts comparisons, boolean functions and boolean parameters", async () => {
    for (const sql of [
      "SELECT count_if(readonly = 'true') AS n FROM cloudtrail_logs WHERE (readonly = 'true') AND NOT (errorcode IS NULL)",
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE regexp_like(eventname, '^Get') OR starts_with(eventname, 'G')",
      "SELECT count(*) AS n FROM cloudtrail_logs HAVING count(*) > 0",
      "SELECT count(*) AS n FROM cloudtrail_logs a JOIN cloudtrail_logs b ON a.eventid = b.eventid",
    ])
      expect(await checkSql(sql), sql).toEqual([]);
    const flag = "SELECT count(*) AS n FROM cloudtrail_logs WHERE {{flag}} OR errorcode IS NULL";
    expect(await checkSql(flag, { params: { flag: "boolean" } })).toEqual([]);
  });
});
