/**
 * A select alias in WHERE, GROUP BY and HAVING, as Trino's analyzer judges it: Trino resolves
 * those clauses against the FROM clause only (TestAnalyzer.testHavingReferencesOutputAlias,
 * written here over the CloudTrail table, whose columns are Athena's documented DDL).
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const found = async (sql: string) =>
  (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

describe("a select alias in WHERE, GROUP BY or HAVING is refused, as Trino refuses it", () => {
  // TestAnalyzer.testHavingReferencesOutputAlias: "SELECT sum(a) x FROM t1 HAVING x > 5" fails
  // with "line 1:32: Column 'x' cannot be resolved".
  it.each([
    [
      "SELECT eventname AS e, count(*) AS n FROM cloudtrail_logs GROUP BY eventname HAVING n > 5",
      "n",
      "HAVING",
      "count(*)",
    ],
    ["SELECT count(*) x FROM cloudtrail_logs HAVING x > 5", "x", "HAVING", "count(*)"],
    [
      "SELECT eventname AS e FROM cloudtrail_logs c WHERE e = 'ConsoleLogin'",
      "e",
      "WHERE",
      "eventname",
    ],
    [
      "SELECT lower(eventname) AS e, count(*) AS n FROM cloudtrail_logs GROUP BY e",
      "e",
      "GROUP BY",
      "lower(eventname)",
    ],
  ])("%s", async (sql, name, clause, expression) => {
    const problems = await checkSql(sql);
    const column = sql.lastIndexOf(` ${name}`) + 2;
    expect(problems.map((p) => [p.rule, p.line, p.column])).toEqual([["sql-column", 1, column]]);
    expect(problems[0]!.message).toMatch(
      new RegExp(`^Column '${name}' cannot be resolved: on Athena \\(Trino\\) ${clause} sees`),
    );
    expect(problems[0]!.message).toContain(`repeat the expression, ${expression}, in ${clause}`);
  });

  it("names the line of a query written over several lines", async () => {
    const sql =
      "SELECT eventname,\n  count(*) AS calls\nFROM cloudtrail_logs\nGROUP BY eventname\nHAVING calls > 5";
    expect((await checkSql(sql)).map((p) => [p.line, p.column])).toEqual([[5, 8]]);
  });

  it.each([
    // An alias that is a column of the table names the column in HAVING, as on Trino.
    "SELECT count(*) AS eventname FROM cloudtrail_logs GROUP BY eventname HAVING eventname <> 'x'",
    // ORDER BY sees the select list's aliases on Trino.
    "SELECT eventname AS e, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY n DESC",
    // The expression repeated, and a lambda's parameter of the alias's name.
    "SELECT eventname AS e, count(*) AS n FROM cloudtrail_logs GROUP BY eventname HAVING count(*) > 5",
    "SELECT eventname AS e, count(*) AS n FROM cloudtrail_logs GROUP BY eventname HAVING any_match(array_agg(eventsource), n -> n = 's3.amazonaws.com')",
    // A subquery's alias is an outer query's column.
    "SELECT x.e FROM (SELECT eventname AS e FROM cloudtrail_logs) x WHERE x.e = 'a'",
    "WITH t AS (SELECT eventname AS e FROM cloudtrail_logs) SELECT e, count(*) AS n FROM t GROUP BY e",
  ])("%s is left alone", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});

describe("over a WITH query or a subquery, whose columns its select list shows", () => {
  it.each([
    [
      "SELECT e AS k, count(*) AS n FROM (SELECT eventname AS e FROM cloudtrail_logs) GROUP BY e HAVING n > 5",
      "n",
      "HAVING",
      "count(*)",
    ],
    [
      "WITH s AS (SELECT eventname AS e FROM cloudtrail_logs) SELECT upper(e) AS k FROM s WHERE k = 'X'",
      "k",
      "WHERE",
      "upper(e)",
    ],
    // The table's columns through SELECT * (how the Athena engine scopes the table to the window).
    [
      "SELECT eventname, count(*) AS c FROM (SELECT * FROM cloudtrail_logs WHERE eventtime >= '2024') t GROUP BY eventname HAVING c > 1",
      "c",
      "HAVING",
      "count(*)",
    ],
    [
      "SELECT upper(e) AS k, count(*) FROM (SELECT eventname FROM cloudtrail_logs) AS t(e) GROUP BY k",
      "k",
      "GROUP BY",
      "upper(e)",
    ],
  ])("%s", async (sql, name, clause, expression) => {
    const problems = await checkSql(sql);
    const column = sql.lastIndexOf(` ${name}`) + 2;
    expect(problems.map((p) => [p.rule, p.line, p.column])).toEqual([["sql-column", 1, column]]);
    expect(problems[0]!.message).toMatch(
      `Column '${name}' cannot be resolved: on Athena (Trino) ${clause} sees`,
    );
    expect(problems[0]!.message).toContain(`repeat the expression, ${expression}, in ${clause}`);
  });

  it.each([
    // A column of the inner relation named like the alias keeps its meaning.
    "SELECT count(*) AS e FROM (SELECT eventname AS e FROM cloudtrail_logs) GROUP BY e HAVING e <> 'x'",
    "WITH s AS (SELECT eventname AS n FROM cloudtrail_logs) SELECT count(*) AS n FROM s WHERE n = 'a'",
    // Trino matches names case-insensitively, quoted or not: "EventName" is the column eventname.
    `SELECT count(*) AS "EventName" FROM (SELECT eventname FROM cloudtrail_logs) t WHERE "EventName" <> 'x'`,
    `SELECT lower(eventname) AS "EventName" FROM cloudtrail_logs GROUP BY "EventName"`,
    // A relation whose columns the tree does not show (an UNNEST) is not judged.
    "SELECT r.arn AS a FROM (SELECT resources FROM cloudtrail_logs) s CROSS JOIN UNNEST(s.resources) AS r(arn, accountid, type) WHERE a IS NOT NULL",
  ])("%s is left alone", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});

describe("a select alias named by another select item is refused, as Trino refuses it", () => {
  // Trino resolves a select item against the FROM clause only: "SELECT a AS x, x + 1 FROM t" fails
  // with "Column 'x' cannot be resolved". DuckDB reads the earlier item's alias ("lateral" alias)
  // and answered, so the step passed locally and failed on Athena.
  it.each([
    ["SELECT awsregion AS r, upper(r) AS u FROM cloudtrail_logs", "r", "awsregion"],
    ["SELECT awsregion AS r, r AS y FROM cloudtrail_logs", "r", "awsregion"],
    [
      "SELECT eventname, count(*) AS n, n * 100 / 7 AS share FROM cloudtrail_logs GROUP BY eventname",
      "n",
      "count(*)",
    ],
    [
      "SELECT eventname AS e, row_number() OVER (PARTITION BY e ORDER BY eventtime) AS k FROM cloudtrail_logs",
      "e",
      "eventname",
    ],
  ])("%s", async (sql, name, expression) => {
    const problems = await checkSql(sql);
    expect(problems.map((p) => p.rule)).toEqual(["sql-column"]);
    expect(problems[0]!.message).toMatch(
      new RegExp(`^Column '${name}' cannot be resolved: on Athena \\(Trino\\) a select item sees`),
    );
    expect(problems[0]!.message).toContain(`repeat the expression, ${expression}, in its place`);
  });

  it.each([
    // An alias that is also a column: the other item reads the column, on both engines.
    "SELECT lower(eventname) AS eventname, upper(eventname) AS u FROM cloudtrail_logs",
    // A lambda's parameter of an alias's name is the parameter.
    "SELECT eventname AS x, transform(ARRAY[1], x -> x + 1) AS t FROM cloudtrail_logs",
    // ORDER BY sees the aliases on both.
    "SELECT awsregion AS r, count(*) AS n FROM cloudtrail_logs GROUP BY awsregion ORDER BY n DESC, r",
    // A subquery's alias, named by the outer query, is its column.
    "SELECT upper(r) AS u FROM (SELECT awsregion AS r FROM cloudtrail_logs) s",
  ])("%s is left alone", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});

describe("an enclosing query's select alias named in a subquery is refused, as Trino refuses it", () => {
  // A subquery sees its own relations and the enclosing queries' FROM clauses, not their select
  // lists: Trino fails `SELECT eventname AS e, (SELECT ... WHERE c.eventname = e)` with "Column
  // 'e' cannot be resolved", where DuckDB binds the enclosing alias and answered.
  it.each([
    "SELECT eventname AS e, (SELECT count(*) FROM cloudtrail_logs c WHERE c.eventname = e) AS n FROM cloudtrail_logs",
    "SELECT eventname AS e FROM cloudtrail_logs WHERE EXISTS (SELECT 1 FROM cloudtrail_logs c WHERE c.eventname = e)",
    // A lambda's body in the select list sees no alias either (its parameters aside).
    "SELECT eventname AS e, transform(ARRAY[1], x -> e) AS t FROM cloudtrail_logs",
  ])("%s", async (sql) => {
    const problems = await checkSql(sql);
    expect(problems.map((p) => p.rule)).toEqual(["sql-column"]);
    expect(problems[0]!.message).toMatch(/^Column 'e' cannot be resolved/);
  });

  it.each([
    // The subquery's own column of that name.
    "SELECT eventname AS e, (SELECT max(e) FROM (SELECT eventname AS e FROM cloudtrail_logs) x) AS m FROM cloudtrail_logs",
    // The enclosing query's column, correlated.
    "SELECT eventname AS e, (SELECT count(*) FROM cloudtrail_logs c WHERE c.eventname = o.eventname) AS n FROM cloudtrail_logs o",
  ])("%s is left alone", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});
