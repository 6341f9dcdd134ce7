/**
 * `x[i]` of a CloudTrail STRING column: Trino's `[]` is the SUBSCRIPT operator of arrays and maps
 * (a row's resolved by hand; ExpressionAnalyzer.visitSubscriptExpression, trinodb/trino
 * core/trino-main io.trino.sql.analyzer), and varchar has none, so Athena refuses the query. DuckDB
 * answered: `eventname[1]` was the name's first letter, `requestparameters['bucketName']` failed
 * with "Could not convert string 'bucketName' to INT64".
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

async function refusal(sql: string) {
  const problems = await checkSql(sql);
  expect(
    problems.map((p) => p.rule),
    sql,
  ).toEqual(["sql-athena"]);
  return problems[0]!;
}

describe("a subscript of a STRING column is refused, with what to write", () => {
  it.each([
    [
      "SELECT requestparameters['bucketName'] AS b FROM cloudtrail_logs",
      "'bucketName'",
      "requestparameters is a STRING of JSON text in Athena's table, and Trino's [] reads arrays, maps and rows only: Athena refuses it; write json_extract_scalar(requestparameters, '$.bucketName')",
    ],
    [
      "SELECT count(*) AS n FROM cloudtrail_logs WHERE requestparameters['x-amz-acl'] = 'public-read'",
      "'x-amz-acl'",
      `write json_extract_scalar(requestparameters, '$["x-amz-acl"]')`,
    ],
    [
      "SELECT responseelements[1] AS r FROM cloudtrail_logs",
      "1]",
      "write json_extract(responseelements, '$[0]') (JSON arrays count from 0, Trino's subscripts from 1)",
    ],
    [
      "SELECT eventname[1] AS first FROM cloudtrail_logs",
      "1]",
      "eventname is a STRING in Athena's table, and Trino's [] reads arrays, maps and rows only: Athena refuses it; write substr(eventname, 1, 1) for one character",
    ],
    [
      "SELECT c.useridentity.arn[2] AS x FROM cloudtrail_logs c",
      "2]",
      "useridentity.arn is a STRING in Athena's table",
    ],
  ])("%s", async (sql, index, words) => {
    const p = await refusal(sql);
    expect(p.column).toBe(sql.indexOf(index) + 1);
    expect(p.message).toContain(words);
  });
});

describe("says nothing of a subscript Athena reads", () => {
  it.each([
    // an array of rows, an array a function returns, a map, a CTE's array named as a column
    "SELECT resources[1].arn AS a FROM cloudtrail_logs",
    "SELECT split(eventname, 'e')[1] AS a FROM cloudtrail_logs",
    "SELECT split(useridentity.arn, '/')[2] AS a FROM cloudtrail_logs",
    "SELECT useridentity.sessioncontext.webidfederationdata.attributes['k'] AS a FROM cloudtrail_logs",
    "WITH t AS (SELECT split(eventname, 'e') AS eventname FROM cloudtrail_logs) SELECT eventname[1] AS a FROM t",
    "SELECT x[1] AS a FROM cloudtrail_logs CROSS JOIN UNNEST(ARRAY[ARRAY[1, 2]]) AS u (x)",
  ])("%s", async (sql) => {
    expect((await checkSql(sql)).filter((p) => p.severity === "error")).toEqual([]);
  });
});
