/**
 * Trino's null treatment of the value window functions, written after the call:
 * `lag(x) IGNORE NULLS OVER (...)` (Trino's docs, "Window functions": lead, lag, first_value,
 * last_value and nth_value take IGNORE NULLS or RESPECT NULLS, RESPECT the default). DuckDB's
 * parser takes it inside the call only, so the step failed with "syntax error at or near IGNORE".
 * Truths: the definitions applied by hand to a small list, and to the raw records.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { datasetRecords } from "../../../test/helpers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { engineOverDataset, engineOverEmptyFolder, hasShared } from "./helpers.ts";

const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

const engine = engineOverEmptyFolder();

describe("IGNORE NULLS and RESPECT NULLS after the call", () => {
  it("skip the NULL values, or keep them", async () => {
    // y by x: NULL, 20, NULL, 40, NULL.
    const sql = `SELECT x,
        lag(y) IGNORE NULLS OVER (ORDER BY x),
        lag(y) RESPECT NULLS OVER (ORDER BY x),
        lead(y, 1, -1) IGNORE NULLS OVER (ORDER BY x),
        first_value(y) IGNORE NULLS OVER (ORDER BY x),
        last_value(y) IGNORE NULLS OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
        nth_value(y, 2) IGNORE NULLS OVER (ORDER BY x)
      FROM (VALUES (1, NULL), (2, 20), (3, NULL), (4, 40), (5, NULL)) AS t(x, y) ORDER BY x`;
    expect(await rows(engine(), sql)).toEqual([
      [1, null, null, 20, null, 40, null],
      [2, null, null, 40, 20, 40, null],
      [3, 20, 20, 40, 20, 40, null],
      [4, 20, null, -1, 20, 40, 40],
      [5, 40, 40, -1, 20, 40, 40],
    ]);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");
  type Event = {
    eventID: string;
    eventTime: string;
    errorCode?: string;
    userIdentity?: { arn?: string };
  };
  let events: Event[] = [];
  beforeAll(async () => {
    events = datasetRecords<Event>(["stratus-red-team-detonation-logs"]);
  });

  it("each call's previous error by the same identity, NULLs skipped", async () => {
    const key = (e: Event) => [e.eventTime, e.eventID] as const;
    const sorted = [...events].sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
    });
    const last = new Map<string | undefined, string | null>();
    const want = sorted.map((e) => {
      const arn = e.userIdentity?.arn;
      const prev = last.get(arn) ?? null;
      if (e.errorCode) last.set(arn, e.errorCode);
      return [e.eventID, prev];
    });
    // The case tells the treatments apart: some call's previous call had no error, but an
    // earlier one did.
    expect(want.filter(([, prev]) => prev !== null).length).toBeGreaterThan(10);
    const sql = `SELECT eventid, lag(errorcode) IGNORE NULLS OVER (PARTITION BY useridentity.arn ORDER BY eventtime, eventid)
      FROM cloudtrail_logs ORDER BY eventtime, eventid`;
    expect(await rows(stratus(), sql)).toEqual(want);
  });
});
