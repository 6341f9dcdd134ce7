/**
 * Column references after a column alias list, as Trino's analyzer resolves them: the list's
 * names replace the relation's (RelationType.withAlias; TestAnalyzer.testColumnAliasList...), so
 * the old names name nothing ("Column 't.arn' cannot be resolved", SemanticExceptions
 * .missingAttributeException), and a list of another length than the relation's columns is
 * refused (StatementAnalyzer: "Column alias list has %s entries but '%s' has %s columns
 * available", "WITH column alias list has %s entries but WITH query(%s) has %s columns").
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const found = async (sql: string) =>
  (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

const SUBQUERY = "(SELECT eventname, useridentity.arn FROM cloudtrail_logs)";

describe("a column alias list renames a relation's columns, as on Trino", () => {
  it.each([
    `SELECT t.a, e FROM ${SUBQUERY} AS t(e, a)`,
    `SELECT t.e FROM ${SUBQUERY} t(e, a) WHERE a LIKE 'arn:%' ORDER BY t.a`,
    `WITH x(e, a) AS ${SUBQUERY} SELECT x.e, a FROM x`,
    `WITH x(e, a) AS ${SUBQUERY} SELECT e, count(*) AS n FROM x GROUP BY e HAVING count(*) > 1`,
    // A correlated subquery sees the outer query's columns.
    `SELECT e FROM ${SUBQUERY} t(e, a) WHERE EXISTS (SELECT 1 FROM (SELECT 1 AS one) o WHERE o.one = 1 AND e IS NOT NULL)`,
    // A lambda's parameters are its own names.
    `SELECT filter(array[e], eventname -> eventname <> '') FROM ${SUBQUERY} t(e, a)`,
  ])("%s resolves", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it.each([
    [`SELECT t.arn FROM ${SUBQUERY} AS t(e, a)`, "t.arn", 8],
    [`SELECT eventname FROM ${SUBQUERY} AS t(e, a)`, "eventname", 8],
    [`WITH x(e, a) AS ${SUBQUERY} SELECT e FROM x WHERE x.eventname = 'a'`, "x.eventname", 97],
    [`WITH x(e, a) AS ${SUBQUERY} SELECT arn FROM x`, "arn", 82],
  ])("%s: the old name is gone", async (sql, name, column) => {
    expect(await found(sql)).toEqual([
      `1:${column} sql-column Column '${name}' cannot be resolved: on Athena (Trino) the relations it can name have the columns e, a (a column alias list's names replace the query's own)`,
    ]);
  });

  it("a subquery's SELECT * has the table's columns", async () => {
    expect(await found("SELECT t.eventname, t.arn FROM (SELECT * FROM cloudtrail_logs) t")).toEqual(
      [
        "1:21 sql-column Column 't.arn' cannot be resolved: on Athena (Trino) the relations it can name have the CloudTrail table's columns",
      ],
    );
  });

  it("a list shorter than the table's columns is refused, whatever its partitions", async () => {
    // Athena's CloudTrail table has the record's 29 columns (cloudtrail.ts, AWS's DDL) and its
    // scheme's partition columns: a list outside [29, 29 + 8] has another length for sure (Trino:
    // "Column alias list has 1 entries but relation has N columns").
    const record = 29;
    expect(await found("SELECT x FROM (SELECT * FROM cloudtrail_logs) t(x)")).toEqual([
      `1:15 sql-column Column alias list has 1 entries but 't' has at least ${record} columns available`,
    ]);
    expect(await found("WITH w(a, b) AS (SELECT * FROM cloudtrail_logs) SELECT a FROM w")).toEqual([
      `1:6 sql-column WITH column alias list has 2 entries but WITH query(w) has at least ${record} columns`,
    ]);
    const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(", ");
    expect(
      await found(
        `SELECT c0 FROM (SELECT *, 1 AS one FROM cloudtrail_logs) t(${names(record + 9 + 1)})`,
      ),
    ).toEqual([
      `1:16 sql-column Column alias list has ${record + 10} entries but 't' has at most ${record + 9} columns available`,
    ]);
    // How many partition columns the table has depends on its layout: within it, nothing is judged.
    for (const n of [record, record + 3, record + 8]) {
      expect(await found(`SELECT c0 FROM (SELECT * FROM cloudtrail_logs) t(${names(n)})`)).toEqual(
        [],
      );
    }
  });

  it("a list of another length than the subquery's columns is refused in Trino's words", async () => {
    expect(await found(`SELECT e FROM ${SUBQUERY} AS t(e)`)).toEqual([
      "1:15 sql-column Column alias list has 1 entries but 't' has 2 columns available",
    ]);
    expect(await found(`WITH x(e, a, b) AS ${SUBQUERY} SELECT e FROM x`)).toEqual([
      "1:6 sql-column WITH column alias list has 3 entries but WITH query(x) has 2 columns",
    ]);
  });
});

describe("names resolve as Trino scopes them", () => {
  it.each([
    // A WITH inside a subquery names its query there only (the standard: a WITH's scope is the
    // query it precedes); the outer x still has eventname.
    "WITH x AS (SELECT eventname FROM cloudtrail_logs) SELECT eventname FROM x WHERE eventname IN (WITH x AS (SELECT awsregion FROM cloudtrail_logs) SELECT awsregion FROM x)",
    // In a WITH query's own body, x is the outer x.
    "WITH x AS (SELECT eventname FROM cloudtrail_logs) SELECT eventname FROM (WITH x AS (SELECT eventname FROM x) SELECT eventname FROM x) t",
  ])("a nested WITH query shadows only where it is defined: %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it.each([
    // Trino matches names case-insensitively, quoted or not (trinodb/trino#17).
    'SELECT eventname FROM (SELECT "EventName" FROM cloudtrail_logs) t',
    'SELECT event_name FROM (SELECT eventname AS "Event_Name" FROM cloudtrail_logs) t',
    'SELECT "A", t."E" FROM (SELECT eventname, awsregion FROM cloudtrail_logs) t(e, a)',
    'WITH "Recent" AS (SELECT eventname AS "E" FROM cloudtrail_logs) SELECT recent.e FROM RECENT WHERE E <> \'\'',
  ])("a quoted name in another case is the same name: %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it.each([
    // Trino names a dereference's column by its field, whatever its base.
    "SELECT arn FROM (SELECT resources[1].arn FROM cloudtrail_logs) t",
    "SELECT t.arn FROM (SELECT (useridentity).arn FROM cloudtrail_logs) t",
    "SELECT arn FROM (SELECT (x.u).arn FROM (SELECT useridentity AS u FROM cloudtrail_logs) x) y",
    "WITH x AS (SELECT element_at(resources, 1).type FROM cloudtrail_logs) SELECT type FROM x",
    "SELECT resources[1].arn FROM cloudtrail_logs ORDER BY arn",
  ])("a field of any row expression names its column: %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it("the renamed and inner names stay refused", async () => {
    expect(
      await found(
        'SELECT "T"."ARN" FROM (SELECT eventname, useridentity.arn FROM cloudtrail_logs) AS t(e, a)',
      ),
    ).toEqual([
      "1:8 sql-column Column 't.arn' cannot be resolved: on Athena (Trino) the relations it can name have the columns e, a (a column alias list's names replace the query's own)",
    ]);
    expect(
      await found(
        "SELECT e FROM (WITH y AS (SELECT eventname AS e FROM cloudtrail_logs) SELECT e FROM y) t WHERE awsregion = 'x'",
      ),
    ).toEqual([
      "1:96 sql-column Column 'awsregion' cannot be resolved: on Athena (Trino) the relations it can name have the columns e",
    ]);
  });
});

/*
 * Trino's StatementAnalyzer gives a subquery in FROM (a WITH query too) a scope of its own, whose
 * outer scope is the query's, not the enclosing FROM clause's relations: only LATERAL (its
 * `(SELECT ...)` analyzed with the relations before it) and a subquery in an expression
 * (correlated: the enclosing query's FROM, never its select list) see more. DuckDB answered each
 * of these (its subqueries in FROM are implicitly LATERAL and it reads select aliases anywhere).
 */
describe("a subquery sees what Trino's scopes give it", () => {
  it.each([
    // e is the outer relation's column, not the subquery's: its WHERE sees cloudtrail_logs only.
    [
      "SELECT e FROM (SELECT lower(eventname) AS e FROM cloudtrail_logs WHERE e = 'x') s",
      "1:72 sql-column Column 'e' cannot be resolved: on Athena (Trino) WHERE sees the table's columns, not the select list's aliases; repeat the expression, lower(eventname), in WHERE, or compute it in a subquery",
    ],
    [
      "SELECT e FROM (WITH w AS (SELECT lower(eventname) AS e FROM cloudtrail_logs WHERE e = 'x') SELECT e FROM w) s",
      "1:83 sql-column Column 'e' cannot be resolved: on Athena (Trino) WHERE sees the table's columns, not the select list's aliases; repeat the expression, lower(eventname), in WHERE, or compute it in a subquery",
    ],
    // A correlated subquery sees c1's columns, not the outer select list's alias e.
    [
      "SELECT lower(eventname) AS e FROM cloudtrail_logs c1 WHERE EXISTS (SELECT 1 FROM cloudtrail_logs c2 WHERE c2.eventname = e)",
      "1:122 sql-column Column 'e' cannot be resolved: on Athena (Trino) the relations it can name have the CloudTrail table's columns; a subquery sees the columns of the query around it, not its select aliases (repeat the expression)",
    ],
    // A subquery beside c in FROM, without LATERAL, does not see c.
    [
      "SELECT eventname, n FROM cloudtrail_logs c, (SELECT length(c.eventname) AS n) s",
      "1:60 sql-column Column 'c.eventname' cannot be resolved: on Athena (Trino) no relation it can name has it; a subquery in FROM sees no relation beside it (write LATERAL (SELECT ...) to see those before it)",
    ],
    [
      "SELECT x, y FROM (VALUES 1, 2) t(x), (SELECT x * 10 AS y) s",
      "1:46 sql-column Column 'x' cannot be resolved: on Athena (Trino) no relation it can name has it",
    ],
  ])("%s", async (sql, problem) => {
    expect(await found(sql)).toEqual([problem]);
  });

  it.each([
    // LATERAL sees the relations before it, qualified or not.
    "SELECT eventname, n FROM cloudtrail_logs c, LATERAL (SELECT length(c.eventname) AS n)",
    "SELECT eventname, n FROM cloudtrail_logs c, LATERAL (SELECT length(eventname) AS n)",
    "SELECT x, y FROM (VALUES 1, 2) t(x), LATERAL (SELECT x * 10 AS y) ORDER BY x",
    "SELECT x, y FROM (VALUES 1, 2) t(x) CROSS JOIN LATERAL (SELECT y FROM (VALUES 10) v(y) WHERE y > x) ORDER BY x",
    // A correlated subquery sees the enclosing FROM's columns; the subquery's own alias is its own.
    "SELECT lower(eventname) AS e FROM cloudtrail_logs c1 WHERE EXISTS (SELECT 1 FROM cloudtrail_logs c2 WHERE c2.eventname = c1.eventname)",
    "SELECT e FROM (SELECT lower(eventname) AS e FROM cloudtrail_logs WHERE lower(eventname) = 'x') s WHERE e IN (SELECT lower(eventname) FROM cloudtrail_logs)",
    // The outer alias is also a column: the column is meant, on both engines.
    "SELECT awsregion AS eventname FROM cloudtrail_logs c1 WHERE EXISTS (SELECT 1 FROM cloudtrail_logs c2 WHERE c2.awsregion = eventname)",
  ])("resolves %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});

/*
 * Trino's StatementAnalyzer.visitUnnest gives each array argument one column (an array of rows
 * one per field), a map two, WITH ORDINALITY one more; visitAliasedRelation refuses a column alias
 * list of another length ("Column alias list has 1 entries but 'u' has 2 columns available").
 * Judged only where the arguments' types show: an array of rows (`UNNEST(resources) AS r(res)`)
 * or of unknown elements is left alone.
 */
describe("an UNNEST's column alias list has as many names as its columns", () => {
  it.each([
    [
      "SELECT x FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS u(x)",
      "1:15 sql-column Column alias list has 1 entries but 'u' has 2 columns available (WITH ORDINALITY adds one, the position)",
    ],
    [
      "SELECT x FROM UNNEST(ARRAY[1, 2], ARRAY['a']) AS u(x)",
      "1:15 sql-column Column alias list has 1 entries but 'u' has 2 columns available",
    ],
    [
      "SELECT k FROM UNNEST(MAP(ARRAY['a'], ARRAY[1])) AS u(k)",
      "1:15 sql-column Column alias list has 1 entries but 'u' has 2 columns available",
    ],
    [
      "SELECT x FROM cloudtrail_logs CROSS JOIN UNNEST(split(eventname, '.')) WITH ORDINALITY AS u(x)",
      "1:42 sql-column Column alias list has 1 entries but 'u' has 2 columns available (WITH ORDINALITY adds one, the position)",
    ],
    [
      "SELECT x FROM UNNEST(ARRAY['a']) AS u(x, y)",
      "1:15 sql-column Column alias list has 2 entries but 'u' has 1 columns available",
    ],
  ])("%s", async (sql, problem) => {
    expect(await found(sql)).toEqual([problem]);
  });

  // resources' rows have three fields: Trino names each (StatementAnalyzer.visitUnnest), and
  // Athena also takes one name for the whole row (its CloudTrail guide's
  // `CROSS JOIN UNNEST(t.resources) unnested (resources_entry)`, then `resources_entry.ARN`).
  // Another count names neither: the local engine named the first two fields and answered.
  const ROW_HINT =
    "(resources' rows have 3 fields, arn, accountid and type: name each, or name the whole row once, as in r(res), and read res.arn)";
  it.each([
    [
      "SELECT r.a FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r(a, b)",
      `1:44 sql-column Column alias list has 2 entries but 'r' has 3 columns available ${ROW_HINT}`,
    ],
    [
      "SELECT a FROM cloudtrail_logs t CROSS JOIN UNNEST(t.resources) r(a, b, c, d)",
      `1:44 sql-column Column alias list has 4 entries but 'r' has 3 columns available ${ROW_HINT}`,
    ],
    [
      "SELECT a FROM cloudtrail_logs CROSS JOIN UNNEST(resources) WITH ORDINALITY AS r(a, b, c)",
      `1:42 sql-column Column alias list has 3 entries but 'r' has 4 columns available ${ROW_HINT} (WITH ORDINALITY adds one, the position)`,
    ],
  ])("%s", async (sql, problem) => {
    expect(await found(sql)).toEqual([problem]);
  });

  it.each([
    "SELECT r.arn FROM cloudtrail_logs CROSS JOIN UNNEST(resources) WITH ORDINALITY AS r(arn, accountid, type, n)",
    "SELECT r.res.arn, n FROM cloudtrail_logs CROSS JOIN UNNEST(resources) WITH ORDINALITY AS r(res, n)",
    "SELECT replace(unnested.resources_entry.arn, 'arn:aws:s3:::') FROM cloudtrail_logs t CROSS JOIN UNNEST(t.resources) unnested (resources_entry)",
  ])("accepts %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it.each([
    "SELECT x, n FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS u(x, n)",
    "SELECT k, v FROM UNNEST(MAP(ARRAY['a'], ARRAY[1])) AS u(k, v)",
    "SELECT x FROM UNNEST(ARRAY['a', 'b']) AS u(x)",
    // An array of rows, or of elements whose type the syntax does not show: not judged.
    "SELECT r.arn FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS r(arn, accountid, type)",
    "SELECT u.res.type FROM cloudtrail_logs CROSS JOIN UNNEST(resources) AS u(res)",
    "SELECT x FROM UNNEST(ARRAY[ROW(1, 2)]) WITH ORDINALITY AS u(x, y, n)",
  ])("accepts %s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });
});
