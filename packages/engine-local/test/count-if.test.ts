/**
 * count_if(x) counts the rows where x is TRUE, 0 over no rows: Trino's docs define it as
 * count(CASE WHEN x THEN 1 END). DuckDB's count_if gave NULL over no rows (an empty window, or a
 * group its FILTER left empty), so a step's "calls that failed" was NULL where Athena says 0.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { datasetRecords } from "../../../test/helpers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { engineOverDataset, hasShared } from "./helpers.ts";

const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

interface Event {
  eventName: string;
  eventSource: string;
  errorCode?: string;
}

describe.skipIf(!hasShared)("count_if counts TRUE values, 0 over no rows", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");
  let events: Event[] = [];
  beforeAll(async () => {
    events = datasetRecords<Event>(["stratus-red-team-detonation-logs"]);
  });

  it("over no rows: 0, as count(*) is", async () => {
    expect(events.some((e) => e.eventName === "NoSuchCall")).toBe(false);
    const sql = `SELECT count(*), count_if(errorcode IS NOT NULL), count_if(true)
      FROM cloudtrail_logs WHERE eventname = 'NoSuchCall'`;
    expect(await rows(stratus(), sql)).toEqual([[0, 0, 0]]);
  });

  it("per group, where FILTER leaves a group no row", async () => {
    // Truth: for each event source, its GetPasswordData calls with an error code; 0 for the
    // sources without such a call (DuckDB said NULL for them).
    const bySource = new Map<string, number>();
    for (const e of events) {
      const failed = e.eventName === "GetPasswordData" && e.errorCode != null;
      bySource.set(e.eventSource, (bySource.get(e.eventSource) ?? 0) + (failed ? 1 : 0));
    }
    const want = [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(want.filter(([, n]) => n === 0).length).toBeGreaterThan(0);
    expect(want.filter(([, n]) => n > 0).length).toBeGreaterThan(0);
    const sql = `SELECT eventsource,
        count_if(errorcode IS NOT NULL) FILTER (WHERE eventname = 'GetPasswordData') AS failed
      FROM cloudtrail_logs GROUP BY eventsource ORDER BY eventsource`;
    expect(await rows(stratus(), sql)).toEqual(want);
  });

  it("counts only TRUE: FALSE and NULL are not counted, DISTINCT counts TRUE once", async () => {
    const trues = events.filter((e) => e.errorCode === "AccessDenied").length;
    expect(trues).toBeGreaterThan(1);
    // errorcode = 'AccessDenied' is NULL for the calls without an error code.
    const sql = `SELECT count_if(errorcode = 'AccessDenied'), count_if(DISTINCT errorcode = 'AccessDenied')
      FROM cloudtrail_logs`;
    expect(await rows(stratus(), sql)).toEqual([[trues, 1]]);
  });
});
