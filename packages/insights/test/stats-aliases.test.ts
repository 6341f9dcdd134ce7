/**
 * Inside an aggregate's arguments a name is the event's field, even where an earlier item of the
 * same `stats` has that name as its alias: an aggregate reads events, not another aggregate. The
 * translation once read the alias there, and DuckDB failed the step ("aggregate function calls
 * cannot be nested"). The truth is counted by hand from the events.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { type EventsDb, eventsDb } from "./duck.ts";

const EVENTS = ["GetObject", "GetObject", "PutObject", "ListBuckets"].map((eventName, i) => ({
  eventTime: `2026-11-20T10:0${i}:00Z`,
  eventName,
  ...(i === 0 ? { errorCode: "AccessDenied" } : {}),
}));

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

test("an aggregate's argument is the event's field, not an earlier alias of the same name", async () => {
  const distinct = new Set(EVENTS.map((e) => e.eventName)).size;
  const failed = EVENTS.filter((e) => e.errorCode !== undefined).length;
  const r = await db.run(
    "stats count(*) as eventName, count_distinct(eventName) as d, count(errorCode) as errorCode, sum(ispresent(errorCode)) as p",
  );
  expect(r.rows.map((x) => [x.eventName, x.d, x.errorCode, x.p].map(Number))).toEqual([
    [EVENTS.length, distinct, failed, failed],
  ]);
});

test("outside an aggregate an earlier alias still names its value", async () => {
  const r = await db.run("stats count(*) as n, count(errorCode) as f, f / n as share");
  expect(r.rows).toEqual([{ n: "4", f: "1", share: 0.25 }]);
});
