/**
 * Quantified comparisons (`x <> ALL (SELECT ...)`, `= ANY`, `> SOME`) and `LATERAL (SELECT ...)`
 * run as steps: Trino's grammar has both (SqlBase.g4: `comparisonOperator comparisonQuantifier
 * '(' query ')'`, `LATERAL '(' query ')'`), and the checker refused them as a second statement.
 * The answers follow the SQL standard's quantified predicates, which Trino implements: ALL is
 * true over no rows, false when one comparison is false, otherwise unknown when one is; ANY is
 * true when one comparison is true, otherwise unknown when one is, else false.
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

/** [query, its rows worked out by hand] */
const cases: [string, unknown[][]][] = [
  // 2 > 1 but 2 > NULL is unknown: no x is greater than all.
  ["SELECT x FROM (VALUES 1, 2, 3) t(x) WHERE x > ALL (SELECT y FROM (VALUES 1, NULL) s(y))", []],
  // ALL over no rows is true.
  [
    "SELECT x FROM (VALUES 1, 2) t(x) WHERE x > ALL (SELECT y FROM (VALUES 1) s(y) WHERE y > 5)",
    [[1], [2]],
  ],
  // 1 = 1 is true; 2 = 1 false and 2 = NULL unknown.
  ["SELECT x FROM (VALUES 1, 2) t(x) WHERE x = ANY (SELECT y FROM (VALUES 1, NULL) s(y))", [[1]]],
  ["SELECT x FROM (VALUES 1, 2, 3) t(x) WHERE x > SOME (VALUES 2)", [[3]]],
  [
    "SELECT x, y FROM (VALUES 1, 2) t(x), LATERAL (SELECT x * 10 AS y) ORDER BY x",
    [
      [1, 10],
      [2, 20],
    ],
  ],
];

describe("quantified comparisons and LATERAL run as steps", () => {
  it.each(cases)("%s", async (sql, expected) => {
    expect(await rows(engine(), sql)).toEqual(expected);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");

  it("calls of an API that never failed: <> ALL the names of failed calls", async () => {
    const sql = `SELECT count(*) FROM cloudtrail_logs WHERE eventname <> ALL
      (SELECT eventname FROM cloudtrail_logs WHERE errorcode IS NOT NULL)`;
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    const events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { eventName: string; errorCode?: string });
    const failed = new Set(events.filter((e) => e.errorCode != null).map((e) => e.eventName));
    const expected = events.filter((e) => !failed.has(e.eventName)).length;
    expect(failed.size).toBeGreaterThan(0);
    expect(await rows(stratus(), sql)).toEqual([[expected]]);
  });
});
