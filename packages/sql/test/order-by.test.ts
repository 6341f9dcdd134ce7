/**
 * ORDER BY forms Trino's analyzer refuses and DuckDB answered (the step answered on the local
 * engine and failed on Athena). Every case is one of Trino's own (TestAnalyzer,
 * AbstractTestOrderByQueries) or follows the rule they test; the local engine runs the check
 * before DuckDB (assertAthenaSql), so it refuses them too.
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const VALUES = "(VALUES ('a', 1), ('b', 2)) t(k, v)";

describe("an ORDER BY aggregate over an output column is refused, as Trino refuses it", () => {
  // AggregationAnalyzer: an aggregate's arguments in ORDER BY may not read the ORDER BY scope's
  // output columns ("Invalid reference to output projection attribute from ORDER BY aggregation");
  // AbstractTestOrderByQueries: `SELECT max(a) AS a ... ORDER BY max(a+b)` fails with it, and
  // testOrderByWithAggregation qualifies `sum(cast(t.x AS double))` for this reason. DuckDB read
  // the FROM clause's column (the first two answered [a,1],[b,1] and [a],[b]).
  it.each([
    [`SELECT k, count(*) AS v FROM ${VALUES} GROUP BY k ORDER BY sum(v)`, "v)", "v"],
    [`SELECT k FROM ${VALUES} GROUP BY k ORDER BY max(k)`, "k)", "k"],
    [
      "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY count(eventname) DESC",
      "eventname)",
      "eventname",
    ],
    ["SELECT max(a) AS a FROM (values (1,2)) t(a,b) GROUP BY b ORDER BY max(a+b)", "a+b", "a"],
    // Trino matches column names ignoring case, quoted or not.
    [`SELECT "K" FROM ${VALUES} GROUP BY k ORDER BY max(k)`, "k)", "k"],
  ])("%s", async (sql, at, name) => {
    const problems = await checkSql(sql);
    const column = sql.lastIndexOf(at) + 1;
    expect(problems.map((p) => [p.rule, p.column])).toEqual([["sql-athena", column]]);
    expect(problems[0]?.message).toContain("Invalid reference to output projection attribute");
    expect(problems[0]?.message).toContain(`t.${name}`);
  });

  it.each([
    // Trino's own accepted cases: a qualified name is the FROM clause's, an output column outside
    // the aggregate is fine, and a lambda's parameter is its own.
    "SELECT max(a+b), min(a+b) AS a FROM (values (1,2),(3,2),(1,5)) t(a,b) GROUP BY a ORDER BY max(t.a+t.b)*-0.1",
    "SELECT max(a)*100 AS c FROM (values (1,2), (2,1)) t(a,b) GROUP BY b ORDER BY max(b) + c",
    "SELECT max(a) FROM (values (1,2), (2,1)) t(a,b) GROUP BY b ORDER BY max(b*1e0)",
    `SELECT k, count(*) AS n FROM ${VALUES} GROUP BY k ORDER BY max(t.k), n DESC`,
    `SELECT k AS x FROM ${VALUES} GROUP BY k ORDER BY max(transform(ARRAY[v], x -> x * 2)[1])`,
    "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY count(cloudtrail_logs.eventname)",
    // A relation's qualifier that is also an output column's name: Trino resolves `c.eventtime`
    // as a qualified name first, and the output columns have no qualifier (Field.canResolve), so
    // it is the FROM clause's column (AbstractTestOrderByQueries: `ORDER BY t.a+2*a` under
    // `-a AS a` reads t's a).
    "SELECT c.eventsource AS c, count(*) AS n FROM cloudtrail_logs c GROUP BY c.eventsource ORDER BY max(c.eventtime) DESC",
    `SELECT k AS t, count(*) AS n FROM ${VALUES} GROUP BY k ORDER BY sum(t.v)`,
    // A window function is no aggregate of the query's rows.
    `SELECT k, v FROM ${VALUES} ORDER BY sum(v) OVER (PARTITION BY k)`,
    // An aggregate inside a subquery (IN's too) aggregates the subquery's rows, over its names.
    "SELECT eventname FROM cloudtrail_logs GROUP BY eventname ORDER BY eventname IN (SELECT max(eventname) FROM cloudtrail_logs)",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });
});

describe("SELECT DISTINCT ordered by what it does not select is refused, as Trino refuses it", () => {
  // StatementAnalyzer.verifySelectDistinct: "For SELECT DISTINCT, ORDER BY expressions must appear
  // in select list" (AbstractTestOrderByQueries.testDistinctWithOrderByNotInSelect, TestAnalyzer
  // .testOrderByMustAppearInSelectWithDistinct). DuckDB ordered the distinct rows and answered.
  it.each([
    ["SELECT DISTINCT eventname FROM cloudtrail_logs ORDER BY eventtime", "eventtime"],
    ["SELECT DISTINCT eventname FROM cloudtrail_logs ORDER BY lower(eventname)", "lower"],
    ["SELECT DISTINCT -a AS b FROM (VALUES (1, 2), (3, 4)) t(a, c) ORDER BY c", "c"],
    [`SELECT DISTINCT k FROM ${VALUES} ORDER BY k, v DESC`, "v DESC"],
  ])("%s", async (sql, at) => {
    const problems = await checkSql(sql);
    const column = sql.lastIndexOf(at) + 1;
    expect(problems.map((p) => [p.rule, p.column])).toEqual([["sql-athena", column]]);
    expect(problems[0]?.message).toContain("ORDER BY expressions must appear in select list");
  });

  it.each([
    // Trino's accepted cases: the column, its alias, its position, the same expression.
    "SELECT DISTINCT eventname FROM cloudtrail_logs ORDER BY eventname",
    "SELECT DISTINCT -a AS b FROM (VALUES 1, 2) t(a) ORDER BY b",
    "SELECT DISTINCT -a AS b FROM (VALUES 1, 2) t(a) ORDER BY 1",
    "SELECT DISTINCT max(a) AS b FROM (values (1,2), (2,1)) t(a,b) GROUP BY b ORDER BY b",
    "SELECT DISTINCT lower(eventname) FROM cloudtrail_logs ORDER BY LOWER( eventname ) DESC",
    "SELECT DISTINCT c.eventname FROM cloudtrail_logs c ORDER BY eventname",
    "SELECT DISTINCT eventname FROM cloudtrail_logs c ORDER BY c.eventname",
    'SELECT DISTINCT "eventName" FROM cloudtrail_logs ORDER BY EventName',
    "SELECT DISTINCT eventname AS e FROM cloudtrail_logs ORDER BY eventname",
    "SELECT DISTINCT useridentity.arn FROM cloudtrail_logs ORDER BY (useridentity.arn)",
    // `*`: the tree does not show the columns, so nothing is said.
    "SELECT DISTINCT * FROM (VALUES (1, 2), (3, 4)) t(a, c) ORDER BY c",
    // Not DISTINCT.
    "SELECT eventname FROM cloudtrail_logs ORDER BY eventtime",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });
});

/*
 * A set operation's columns are named by its first query (Trino's StatementAnalyzer
 * visitSetOperation: the output fields are the first relation's, renamed nothing), so its ORDER BY
 * names those; DuckDB also read the later branches' names (ordering by the first column for `b`).
 */
describe("the ORDER BY of a set operation names the first SELECT's columns", () => {
  it.each([
    [
      "SELECT eventname AS a FROM cloudtrail_logs UNION SELECT awsregion AS b FROM cloudtrail_logs ORDER BY b",
      "1:102 sql-column Column 'b' cannot be resolved: on Athena (Trino) the ORDER BY of a set operation (UNION, INTERSECT, EXCEPT) sees its columns as the first SELECT names them (a): order by one of those, or by its position (ORDER BY 1)",
    ],
    [
      "SELECT eventname FROM cloudtrail_logs UNION ALL SELECT awsregion FROM cloudtrail_logs ORDER BY cloudtrail_logs.eventname",
      "1:96 sql-column Column 'cloudtrail_logs.eventname' cannot be resolved: on Athena (Trino) the ORDER BY of a set operation (UNION, INTERSECT, EXCEPT) sees its columns as the first SELECT names them (eventname): order by one of those, or by its position (ORDER BY 1)",
    ],
    [
      "(SELECT eventname, awsregion AS r FROM cloudtrail_logs EXCEPT SELECT 'x', 'y') INTERSECT SELECT sourceipaddress AS s, 'z' FROM cloudtrail_logs ORDER BY r, s",
      "1:156 sql-column Column 's' cannot be resolved: on Athena (Trino) the ORDER BY of a set operation (UNION, INTERSECT, EXCEPT) sees its columns as the first SELECT names them (eventname, r): order by one of those, or by its position (ORDER BY 1)",
    ],
  ])("%s", async (sql, problem) => {
    expect(
      (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`),
    ).toEqual([problem]);
  });

  it.each([
    "SELECT eventname AS a FROM cloudtrail_logs UNION SELECT awsregion AS b FROM cloudtrail_logs ORDER BY a DESC, 1",
    "SELECT eventname FROM cloudtrail_logs UNION SELECT awsregion FROM cloudtrail_logs ORDER BY upper(eventname)",
    "SELECT useridentity.arn FROM cloudtrail_logs UNION SELECT 'x' ORDER BY arn",
    // A `*` hides the names: nothing is judged.
    "SELECT * FROM cloudtrail_logs UNION SELECT * FROM cloudtrail_logs ORDER BY eventname",
    "SELECT eventname FROM cloudtrail_logs UNION SELECT awsregion FROM cloudtrail_logs ORDER BY transform(ARRAY[eventname], x -> x)[1]",
    // A subquery's names are its own (IN's subquery too: the walk once stopped at scalar and
    // EXISTS subqueries only, and read `useragent` as the set operation's column).
    "SELECT eventname FROM cloudtrail_logs UNION SELECT awsregion FROM cloudtrail_logs ORDER BY eventname IN (SELECT useragent FROM cloudtrail_logs)",
  ])("accepts %s", async (sql) => {
    expect(await checkSql(sql)).toEqual([]);
  });
});
