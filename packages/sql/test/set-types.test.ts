/**
 * UNION, INTERSECT and EXCEPT of columns whose types Trino does not convert into one another.
 * Trino's StatementAnalyzer.visitSetOperation asks for a common super type of each column and
 * fails "column %d in %s query has incompatible types: %s, %s" (TYPE_MISMATCH) when there is
 * none: varchar has none with a number, a boolean or a time (Trino's type coercion, the same rule
 * as its "Cannot apply operator: varchar = integer"). DuckDB cast the number to text and answered
 * (`SELECT 'x' UNION SELECT 1` gave 'x' and '1'). The local engine runs this check before DuckDB.
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

describe("a set operation of incompatible column types is refused, as Trino refuses it", () => {
  it.each([
    ["SELECT 'x' AS a UNION SELECT 1", "1", "column 1 in UNION query", "CAST(1 AS varchar)"],
    [
      "SELECT eventname FROM cloudtrail_logs UNION ALL SELECT count(*) FROM cloudtrail_logs",
      "count(*)",
      "column 1 in UNION query has incompatible types: varchar, bigint",
      "CAST(count(*) AS varchar)",
    ],
    [
      "SELECT eventname, 1 FROM cloudtrail_logs INTERSECT SELECT eventsource, 'b' FROM cloudtrail_logs",
      "'b'",
      "column 2 in INTERSECT query has incompatible types: integer, varchar",
      "CAST(1 AS varchar)",
    ],
    [
      "SELECT eventname FROM cloudtrail_logs UNION SELECT eventsource FROM cloudtrail_logs EXCEPT SELECT 5",
      "5",
      "column 1 in EXCEPT query",
      "CAST(5 AS varchar)",
    ],
    [
      "SELECT eventname FROM cloudtrail_logs UNION (SELECT from_iso8601_timestamp(eventtime) FROM cloudtrail_logs)",
      "from_iso8601_timestamp",
      "varchar, timestamp with time zone",
      "to_iso8601(from_iso8601_timestamp(eventtime))",
    ],
  ])("%s", async (sql, at, reason, instead) => {
    const problems = await checkSql(sql);
    const column = sql.lastIndexOf(at) + 1;
    expect(problems.map((p) => [p.rule, p.column])).toEqual([["sql-athena", column]]);
    expect(problems[0]?.message).toContain(reason);
    expect(problems[0]?.message).toContain(instead);
  });

  it.each([
    // Types Trino converts into one another: numbers, a date and a timestamp; NULL has any type.
    "SELECT 1 AS a UNION SELECT 2.5",
    "SELECT DATE '2024-01-01' UNION SELECT from_iso8601_timestamp('2024-01-01T00:00:00Z')",
    "SELECT eventname FROM cloudtrail_logs UNION SELECT NULL",
    "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 UNION ALL SELECT 'total', count(*) FROM cloudtrail_logs",
    // The suggested forms.
    "SELECT eventname FROM cloudtrail_logs UNION ALL SELECT CAST(count(*) AS varchar) FROM cloudtrail_logs",
    // Types the syntax does not show: `*`, VALUES, a WITH query's column.
    "SELECT * FROM cloudtrail_logs UNION SELECT * FROM cloudtrail_logs",
    "SELECT x FROM (VALUES 1) t(x) UNION SELECT eventname FROM cloudtrail_logs",
    "WITH c AS (SELECT 1 AS eventname) SELECT eventname FROM c UNION SELECT 2",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });
});
