/**
 * A row's fields as columns (`c.useridentity.*`), as Trino's analyzer judges them. The cases are
 * Trino's own (TestAnalyzer.testSelectAllColumns, testAsteriskedIdentifierChainResolution) written over the
 * CloudTrail table, whose row type is Athena's documented DDL (useridentity: type, principalid,
 * arn, accountid, invokedby, accesskeyid, username, onbehalfof, sessioncontext).
 */
import { describe, expect, it } from "vitest";
import { checkSql } from "../src/index.ts";

const found = async (sql: string) =>
  (await checkSql(sql)).map((p) => `${p.line}:${p.column} ${p.rule} ${p.message}`);

describe("a row's .* gives its fields as columns, as Trino's analyzer does", () => {
  it.each([
    // A chain of two or more names: a column (qualified or not by the table's one-name alias), then fields.
    "SELECT c.useridentity.* FROM cloudtrail_logs c",
    "SELECT cloudtrail_logs.useridentity.* FROM cloudtrail_logs",
    "SELECT useridentity.sessioncontext.* FROM cloudtrail_logs",
    "SELECT c.useridentity.sessioncontext.* FROM cloudtrail_logs c",
    "SELECT useridentity.sessioncontext.attributes.* FROM cloudtrail_logs",
    // The expanded names are output columns: ORDER BY and an outer query may name them.
    "SELECT c.useridentity.* FROM cloudtrail_logs c ORDER BY arn",
    "SELECT useridentity.sessioncontext.* FROM cloudtrail_logs ORDER BY ec2roledelivery",
    "SELECT x.arn, x.sessioncontext.sessionissuer.arn FROM (SELECT c.useridentity.* FROM cloudtrail_logs c) x",
    "SELECT arn FROM (SELECT c.useridentity.* FROM cloudtrail_logs c)",
    "SELECT mfaauthenticated FROM (SELECT useridentity.sessioncontext.attributes.* FROM cloudtrail_logs)",
    // A column list as long as the row names them instead.
    "SELECT a2 FROM (SELECT useridentity.sessioncontext.attributes.* AS (a1, a2) FROM cloudtrail_logs)",
    // A relation's * is no row's.
    "SELECT l.* FROM cloudtrail_logs l",
  ])("%s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it("the names a row's .* does not give stay unknown", async () => {
    expect(await found("SELECT zzz FROM (SELECT c.useridentity.* FROM cloudtrail_logs c)")).toEqual(
      ['1:8 sql-column unknown column "zzz"'],
    );
  });

  it.each([
    // "SELECT b.* FROM t1" (b a row column of t1): a one-name chain is a relation only.
    [
      "SELECT useridentity.* FROM cloudtrail_logs",
      "Unable to resolve reference useridentity: on Athena (Trino) a single name before .* is a table's; qualify the row with the table's alias, c.useridentity.* (FROM cloudtrail_logs c), or its name, cloudtrail_logs.useridentity.*",
    ],
    // "SELECT non_row.* FROM (VALUES ('true', 1)) t(non_row, b)".
    [
      "SELECT eventname.* FROM cloudtrail_logs",
      "Unable to resolve reference eventname: on Athena (Trino) a single name before .* is a table's, and eventname is a column (a varchar): write eventname",
    ],
    // "SELECT t.row.non_row.* FROM ...": expected expression of type Row.
    [
      "SELECT useridentity.type.* FROM cloudtrail_logs",
      "expected expression of type Row: useridentity.type is a varchar, and only a row's fields expand into columns on Athena (Trino): write useridentity.type",
    ],
    [
      "SELECT c.resources.* FROM cloudtrail_logs c",
      "expected expression of type Row: c.resources is an array(row), and only a row's fields expand into columns on Athena (Trino): write c.resources",
    ],
    // "SELECT (1, 2).* AS (a) FROM t1": Column alias list has 1 entries but relation has 2 columns.
    [
      "SELECT useridentity.sessioncontext.attributes.* AS (a) FROM cloudtrail_logs",
      "Column alias list has 1 entries but relation has 2 columns: useridentity.sessioncontext.attributes.* gives mfaauthenticated, creationdate",
    ],
  ])("%s is refused in Trino's words", async (sql, message) => {
    expect(await found(sql)).toEqual([`1:8 sql-column ${message}`]);
  });

  it("an alias without parentheses is a syntax error, as in Trino's grammar", async () => {
    const problems = await checkSql("SELECT c.useridentity.* AS u FROM cloudtrail_logs c");
    expect(problems.map((p) => p.rule)).toEqual(["sql-syntax"]);
  });
});

describe("a WITH query's or a subquery's row column with .* gives the row's fields, as on Trino", () => {
  it.each([
    "WITH x AS (SELECT useridentity AS u FROM cloudtrail_logs) SELECT x.u.* FROM x ORDER BY arn",
    "SELECT t.u.* FROM (SELECT useridentity AS u FROM cloudtrail_logs) t ORDER BY principalid",
    "SELECT arn, sessioncontext.attributes FROM (SELECT t.u.* FROM (SELECT c.useridentity AS u FROM cloudtrail_logs c) t)",
    "SELECT mfaauthenticated FROM (SELECT x.s.attributes.* FROM (SELECT useridentity.sessioncontext AS s FROM cloudtrail_logs) x)",
    "SELECT b FROM (WITH x AS (SELECT useridentity AS u FROM cloudtrail_logs) SELECT x.u.sessioncontext.* AS (a, b, c, d) FROM x)",
  ])("%s", async (sql) => {
    expect(await found(sql)).toEqual([]);
  });

  it("refuses what Trino refuses of it", async () => {
    expect(
      await found(
        "WITH x AS (SELECT useridentity.type AS u FROM cloudtrail_logs) SELECT x.u.* FROM x",
      ),
    ).toEqual([
      "1:71 sql-column expected expression of type Row: x.u is a varchar, and only a row's fields expand into columns on Athena (Trino): write x.u",
    ]);
    expect(
      await found(
        "SELECT zzz FROM (SELECT t.u.* FROM (SELECT useridentity AS u FROM cloudtrail_logs) t)",
      ),
    ).toEqual(['1:8 sql-column unknown column "zzz"']);
  });
});
