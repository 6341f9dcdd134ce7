/**
 * A name in an ORDER BY expression is the select list's output column before the FROM clause's
 * column, as Trino resolves it (StatementAnalyzer: the ORDER BY scope is the output relation with
 * the source scope as its parent). DuckDB read such a name as the FROM clause's column, so a select
 * alias that shadows a column ordered the rows otherwise, and a LIMIT kept other rows.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { datasetsDir, engineOverDataset, engineOverEmptyFolder, hasShared } from "./helpers.ts";

const engine = engineOverEmptyFolder();
const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

/**
 * [query, Trino's rows in order]: Trino's own AbstractTestOrderByQueries
 * (testOrderByWithOutputColumnReference), the cases Athena can run (`apply` is a function of
 * Trino's test harness only; the cases Trino refuses are not answered here either way).
 */
const trinoCases: [string, unknown[][]][] = [
  ["SELECT a*2 AS b FROM (VALUES -1, 0, 2) t(a) ORDER BY b*-1", [[4], [0], [-2]]],
  ["SELECT a*2 AS b FROM (VALUES -1, 0, 2) t(a) ORDER BY b", [[-2], [0], [4]]],
  ["SELECT a*-2 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY a*-1", [[2], [0], [-4]]],
  ["SELECT a*-2 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY t.a*-1", [[-4], [0], [2]]],
  ["SELECT a*-2 FROM (VALUES -1, 0, 2) t(a) ORDER BY a*-1", [[-4], [0], [2]]],
  ["SELECT a*-2 FROM (VALUES -1, 0, 2) t(a) ORDER BY t.a*-1", [[-4], [0], [2]]],
  [
    "SELECT a, a* -2 AS b FROM (VALUES -1, 0, 2) t(a) ORDER BY a + b",
    [
      [2, -4],
      [0, 0],
      [-1, 2],
    ],
  ],
  [
    "SELECT a AS b, a* -2 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY a + b",
    [
      [2, -4],
      [0, 0],
      [-1, 2],
    ],
  ],
  ["SELECT a* -2 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY a + t.a", [[-4], [0], [2]]],
  ["SELECT a + 1 AS b FROM (VALUES 1, 2) t(a) ORDER BY -1.0 * b", [[3], [2]]],
  ["SELECT a AS a FROM (VALUES 1, 2) t(a) ORDER BY -1.0 * a", [[2], [1]]],
  [
    "SELECT max(a+b), min(a+b) AS a FROM (values (1,2),(3,2),(1,5)) t(a,b) GROUP BY a ORDER BY max(t.a+t.b)*-0.1",
    [
      [6, 3],
      [5, 5],
    ],
  ],
  [
    "SELECT max(a)*100 AS c FROM (values (1,2), (2,1)) t(a,b) GROUP BY b ORDER BY max(b) + c",
    [[100], [200]],
  ],
  [
    "SELECT -a AS a FROM (values (1,2),(3,2)) t(a,b) GROUP BY GROUPING SETS ((a), (a, b)) ORDER BY -a",
    [[-1], [-1], [-3], [-3]],
  ],
  [
    "SELECT -a AS a, a AS b FROM (VALUES 1, 2) t(a) GROUP BY a ORDER BY t.a+2*a",
    [
      [-2, 2],
      [-1, 1],
    ],
  ],
  [
    "SELECT -a AS a, a AS b FROM (VALUES 1, 2) t(a) GROUP BY t.a ORDER BY t.a+2*a",
    [
      [-2, 2],
      [-1, 1],
    ],
  ],
  ["SELECT DISTINCT -a AS b FROM (VALUES 1, 2) t(a) ORDER BY b", [[-2], [-1]]],
  ["SELECT a FROM (VALUES 1, 2) t(a) ORDER BY -row_number() OVER ()", [[2], [1]]],
  [
    "SELECT -a AS a, first_value(-a) OVER (ORDER BY a ROWS 0 PRECEDING) AS b FROM (VALUES 1, 2) t(a) ORDER BY first_value(a) OVER (ORDER BY a ROWS 0 PRECEDING)",
    [
      [-2, -2],
      [-1, -1],
    ],
  ],
  [
    "SELECT -a AS a FROM (VALUES 1, 2) t(a) ORDER BY first_value(a+t.a*2) OVER (ORDER BY a ROWS 0 PRECEDING)",
    [[-1], [-2]],
  ],
];

describe("ORDER BY reads the select list's names first, as Trino", () => {
  it.each(trinoCases)("%s", async (sql, expected) => {
    expect(await rows(engine(), sql)).toEqual(expected);
  });

  it("refuses a name two select items give, as Trino's 'is ambiguous'", async () => {
    // Trino's TestAnalyzer.testAmbiguousReferenceInOrderBy and AbstractTestOrderByQueries: these
    // fail with AMBIGUOUS_NAME; DuckDB ordered by one of the two.
    for (const sql of [
      "SELECT a, a* -1 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY a",
      "SELECT a x, a x FROM (VALUES 1, 2) t(a) ORDER BY x",
      "SELECT a, a FROM (VALUES 1, 2) t(a) ORDER BY a",
      "SELECT a, a* -1 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY a * 2",
    ]) {
      await expect(rows(engine(), sql), sql).rejects.toThrow(/Column '[ax]' is ambiguous/);
    }
    // Not named in ORDER BY, or named by position or with its table: no ambiguity.
    const named = "SELECT k, SUM(a) a, SUM(b) a FROM (VALUES (1, 2, 3)) t(k, a, b) GROUP BY k";
    expect(await rows(engine(), `${named} ORDER BY k`)).toEqual([[1, 2, 3]]);
    const qualified = "SELECT a, a * -1 AS a FROM (VALUES -1, 0, 2) t(a) ORDER BY t.a";
    expect(await rows(engine(), qualified)).toEqual([
      [-1, 1],
      [0, 0],
      [2, -2],
    ]);
  });

  it("an alias of an aggregate, and a lambda's own parameter", async () => {
    const grouped = `SELECT k, sum(v) AS v FROM (VALUES ('a', 5), ('b', 1), ('b', 1)) t(k, v)
      GROUP BY k ORDER BY v * -1`;
    // By hand: the output v is the sum (a 5, b 2), ordered by -v: a then b. DuckDB read the
    // column v, which is not grouped: an error.
    expect(await rows(engine(), grouped)).toEqual([
      ["a", 5],
      ["b", 2],
    ]);
    const lambda = `SELECT upper(x) AS x FROM (VALUES 'b', 'a') t(x)
      ORDER BY cardinality(filter(ARRAY[x], x -> x = 'A'))`;
    // ARRAY[x] holds the output ('A', 'B'); the lambda's x is its element, not replaced: 'B'
    // (no match, 0) then 'A' (1).
    expect(await rows(engine(), lambda)).toEqual([["B"], ["A"]]);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");

  it("an alias that shadows eventname orders, and limits, by the alias", async () => {
    const sql = `SELECT eventid, lower(eventname) AS eventname FROM cloudtrail_logs
      ORDER BY eventname LIKE 'delete%' DESC, eventid LIMIT 4`;
    // The truth from the raw records: deletions first (lower-cased names), then by eventID. The
    // data set has four deletions; DuckDB's reading (the column, 'DeleteTrail') matched none.
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { eventID: string; eventName: string });
    const deletion = (e: { eventName: string }) => e.eventName.toLowerCase().startsWith("delete");
    const expected = events
      .map((e) => [e.eventID, e.eventName.toLowerCase()] as [string, string])
      .sort(
        (x, y) =>
          Number(deletion({ eventName: y[1] })) - Number(deletion({ eventName: x[1] })) ||
          (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0),
      )
      .slice(0, 4);
    expect(expected.every(([, name]) => name.startsWith("delete"))).toBe(true);
    expect(await rows(stratus(), sql)).toEqual(expected);
  });

  it("the name a field's column gets (arn of useridentity.arn) orders by that field", async () => {
    // Trino names the column of `useridentity.arn` arn and ORDER BY reads output names first;
    // DuckDB gave the column that name but bound ORDER BY arn to no column (a Binder Error where
    // Athena answers). Truth: the records' userIdentity.arn, descending by code point, with the
    // records without one dropped by the WHERE.
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const arns = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => (JSON.parse(l) as { userIdentity?: { arn?: string } }).userIdentity?.arn)
      .filter((a): a is string => typeof a === "string")
      .sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
    const sql = `SELECT useridentity.arn FROM cloudtrail_logs WHERE useridentity.arn IS NOT NULL
      ORDER BY arn DESC LIMIT 3`;
    expect(await rows(stratus(), sql)).toEqual(arns.slice(0, 3).map((a) => [a]));
    // Inside an expression too, as an alias is.
    const inside = `SELECT useridentity.arn FROM cloudtrail_logs WHERE useridentity.arn IS NOT NULL
      ORDER BY lower(arn) DESC LIMIT 1`;
    const lower = [...arns].sort((x, y) =>
      x.toLowerCase() < y.toLowerCase() ? 1 : x.toLowerCase() > y.toLowerCase() ? -1 : 0,
    );
    expect(await rows(stratus(), inside)).toEqual([[lower[0]]]);
  });
});
