/**
 * A name in HAVING that is both a select alias and a column is the column, as Trino resolves it
 * (HAVING sees the FROM clause only). DuckDB's HAVING binder read the alias, so `SELECT
 * substr(eventname, 2) AS eventname ... GROUP BY 1 HAVING substr(eventname, 2) LIKE 'e%'` tested
 * the alias cut once more and answered other groups without an error.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { datasetRecords } from "../../../test/helpers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { engineOverDataset, hasShared } from "./helpers.ts";

const ALL_TIME = {
  start: new Date("2000-01-01T00:00:00Z"),
  end: new Date("2100-01-01T00:00:00Z"),
};

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

interface Event {
  eventName: string;
  eventSource: string;
}

/** Counts by key, as [key, count] sorted by key (code points), kept where `keep` holds. */
function counts(events: Event[], key: (e: Event) => string, keep: (k: string) => boolean) {
  const m = new Map<string, number>();
  for (const e of events) m.set(key(e), (m.get(key(e)) ?? 0) + 1);
  return [...m].filter(([k]) => keep(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe.skipIf(!hasShared)("HAVING names the column, not a select alias of that name", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");
  let events: Event[] = [];
  beforeAll(async () => {
    events = datasetRecords<Event>(["stratus-red-team-detonation-logs"]);
  });

  // Truth: groups of eventName without its first letter, kept when that key starts with 'e'
  // (Trino's HAVING substr(eventname, 2) is the grouping expression over the column).
  const expected = () =>
    counts(
      events,
      (e) => e.eventName.slice(1),
      (k) => k.startsWith("e"),
    );

  it("over the table, grouped by position", async () => {
    const want = expected();
    // The alias read twice cut (substr of the alias) keeps other groups: the case must tell them apart.
    const alias = counts(
      events,
      (e) => e.eventName.slice(1),
      (k) => k.slice(1).startsWith("e"),
    );
    expect(want.length).toBeGreaterThan(0);
    expect(alias).not.toEqual(want);
    const sql = `SELECT substr(eventname, 2) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING substr(eventname, 2) LIKE 'e%' ORDER BY 1`;
    expect(await rows(stratus(), sql)).toEqual(want);
  });

  it("over a subquery without a name, and the table joined to a relation without the column", async () => {
    const want = expected();
    const sub = `SELECT substr(eventname, 2) AS eventname, count(*) AS c
      FROM (SELECT eventname FROM cloudtrail_logs)
      GROUP BY substr(eventname, 2) HAVING substr(eventname, 2) LIKE 'e%' ORDER BY 1`;
    expect(await rows(stratus(), sub)).toEqual(want);
    const joined = `SELECT substr(eventname, 2) AS eventname, count(*) AS c
      FROM cloudtrail_logs CROSS JOIN UNNEST(ARRAY[1]) AS u(k)
      GROUP BY 1 HAVING substr(eventname, 2) LIKE 'e%' ORDER BY 1`;
    expect(await rows(stratus(), joined)).toEqual(want);
  });

  it("the left operand of an IN or ANY subquery, and a lambda's body, name the column too", async () => {
    // Trino: the left operand of IN (subquery) is this SELECT's expression, so substr(eventname, 2)
    // is the grouped key; the subquery's eventname is its own table's. Read as the alias, the key
    // was cut twice and no group matched ([] where Trino keeps the keys starting with 'e').
    const want = expected();
    const keys = `SELECT substr(eventname, 2) FROM cloudtrail_logs WHERE eventname LIKE '_e%'`;
    const inSub = `SELECT substr(eventname, 2) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING substr(eventname, 2) IN (${keys}) ORDER BY 1`;
    expect(await rows(stratus(), inSub)).toEqual(want);
    const anySub = `SELECT substr(eventname, 2) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING substr(eventname, 2) = ANY (${keys}) ORDER BY 1`;
    expect(await rows(stratus(), anySub)).toEqual(want);
    // A lambda's parameter hides the name; another name in its body is the column.
    const lambda = `SELECT substr(eventname, 2) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING any_match(ARRAY['x'], k -> substr(eventname, 2) LIKE 'e%') ORDER BY 1`;
    expect(await rows(stratus(), lambda)).toEqual(want);
    const shadow = `SELECT substr(eventname, 2) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING any_match(ARRAY[substr(eventname, 2)], eventname -> eventname LIKE 'e%') ORDER BY 1`;
    expect(await rows(stratus(), shadow)).toEqual(want);
  });

  it("a bare name: the grouped column, so another column's alias does not filter", async () => {
    // Trino: eventname in HAVING is the column, grouped by position 2; no event is named
    // 'sts.amazonaws.com', so no group. DuckDB read the alias (eventsource) and kept STS's groups.
    const sql = `SELECT eventsource AS eventname, eventname AS call, count(*) AS c
      FROM cloudtrail_logs GROUP BY eventsource, eventname HAVING eventname = 'sts.amazonaws.com'`;
    expect(events.some((e) => e.eventSource === "sts.amazonaws.com")).toBe(true);
    expect(await rows(stratus(), sql)).toEqual([]);
  });

  it("a name that is no grouped column fails as on Athena instead of reading the alias", async () => {
    const sql = `SELECT lower(eventname) AS eventname, count(*) AS c FROM cloudtrail_logs
      GROUP BY 1 HAVING eventname = 'describeinstances'`;
    await expect(rows(stratus(), sql)).rejects.toThrow(/GROUP BY/);
  });

  it("refuses where the FROM clause does not show whose column it is", async () => {
    const sql = `SELECT substr(eventname, 2) AS eventname, count(*) AS c
      FROM cloudtrail_logs a JOIN cloudtrail_logs b ON a.eventid = b.eventid
      GROUP BY 1 HAVING substr(eventname, 2) LIKE 'e%'`;
    await expect(rows(stratus(), sql)).rejects.toThrow(/HAVING names eventname/);
  });
});
