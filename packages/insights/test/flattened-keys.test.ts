/**
 * Field names as the service makes them (it flattens an event's JSON, joining keys with ".") when
 * a key itself holds a dot, as AWS tag keys may (`app.name`), and arithmetic beyond 64-bit
 * integers. The truth is a flattening of the raw events written here, not the translation.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fieldPointers } from "../src/translate.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

const tagEvent = (i: number, tags: Record<string, unknown>) => ({
  eventTime: `2024-03-01T00:0${i}:00Z`,
  eventSource: "lambda.amazonaws.com",
  eventName: "TagResource",
  eventID: `id${i}`,
  requestParameters: { resource: "arn:aws:lambda:us-east-1:111122223333:function:f", tags },
  userIdentity: { sessionContext: { attributes: { "mfa.authenticated": i % 2 === 0 } } },
});
const EVENTS = [
  tagEvent(0, { "app.name": "billing", team: "x" }),
  tagEvent(1, { "app.name": "search", team: "y" }),
  tagEvent(2, { app: { name: "nested" } }),
  tagEvent(3, { "a.b.c.d.e": "deep" }),
  tagEvent(4, { team: "z" }),
];

/** The service's flattening: every leaf, named by its keys joined with ".". */
function flatten(v: unknown, at: string, out: Map<string, unknown>): Map<string, unknown> {
  if (v !== null && typeof v === "object" && !Array.isArray(v))
    for (const [k, x] of Object.entries(v)) flatten(x, at ? `${at}.${k}` : k, out);
  else out.set(at, typeof v === "boolean" ? (v ? "1" : "0") : v);
  return out;
}
const truth = (name: string) =>
  EVENTS.map((e) => ({ id: e.eventID, v: flatten(e, "", new Map()).get(name) ?? null }));

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

describe("a key holding a dot", () => {
  test.each([
    "requestParameters.tags.app.name",
    "requestParameters.tags.team",
    "requestParameters.tags.a.b.c.d.e",
    "userIdentity.sessionContext.attributes.mfa.authenticated",
  ])("%s is found as the flattened field", async (name) => {
    const got = await db.run(`fields eventID as id, ${name} as v | sort id asc`, { check: true });
    expect(got.rows).toEqual(truth(name));
    expect(got.rows.some((r) => r.v !== null)).toBe(true);
  });

  test("stats groups by a dotted tag key's values", async () => {
    const got = await db.run(
      "stats count(*) as n by requestParameters.tags.app.name as app | sort app asc",
    );
    const counts = new Map<unknown, number>();
    for (const { v } of truth("requestParameters.tags.app.name"))
      counts.set(v, (counts.get(v) ?? 0) + 1);
    // Missing values sort last; the rest are plain words here.
    const want = [...counts].map(([app, n]) => ({ app, n }));
    want.sort(
      (a, b) =>
        Number(a.app === null) - Number(b.app === null) ||
        String(a.app).localeCompare(String(b.app)),
    );
    expect(got.rows.map((r) => ({ app: r.app, n: Number(r.n) }))).toEqual(want);
  });

  test("every split of a short name is tried, nested keys first; a long one keeps its last keys joined", () => {
    expect(fieldPointers("a.b.c")).toEqual(["/a/b/c", "/a/b.c", "/a.b/c", "/a.b.c"]);
    expect(fieldPointers("a~b/c")).toEqual(["/a~0b~1c"]);
    // CloudTrail's fixed keys hold no dot: only what lies below a payload or map is split.
    expect(fieldPointers("userIdentity.sessionContext.sessionIssuer.userName")).toEqual([
      "/userIdentity/sessionContext/sessionIssuer/userName",
    ]);
    expect(fieldPointers("resources.0.ARN")).toEqual(["/resources/0/ARN"]);
    expect(fieldPointers("requestParameters.tags.app.name")).toEqual([
      "/requestParameters/tags/app/name",
      "/requestParameters/tags/app.name",
      "/requestParameters/tags.app/name",
      "/requestParameters/tags.app.name",
    ]);
    const long = fieldPointers("a.b.c.d.e.f");
    expect(long[0]).toBe("/a/b/c/d/e/f");
    expect(long).toContain("/a/b.c.d.e.f");
    expect(long).toHaveLength(5);
  });
});

describe("arithmetic is numeric, never a 64-bit overflow", () => {
  test.each([
    ["stats count(*) * 4000000000 * 4000000000 as x", EVENTS.length * 4e9 * 4e9],
    ["stats count(*) + 9223372036854775000 as x", EVENTS.length + 9223372036854775000],
    ["stats 0 - count(*) - 9223372036854775000 as x", -EVENTS.length - 9223372036854775000],
    ["stats count(*) % 3 as x", EVENTS.length % 3],
  ])("%s", async (query, want) => {
    const got = await db.run(query);
    expect(got.rows).toHaveLength(1);
    expect(got.rows[0]!.x).toBeCloseTo(want, -4);
  });

  test("epoch milliseconds to nanoseconds", async () => {
    const got = await db.run(
      "fields toMillis(@timestamp) * 1000000000 as x | sort @timestamp asc | limit 1",
    );
    expect(got.rows).toEqual([{ x: Date.parse("2024-03-01T00:00:00Z") * 1e9 }]);
  });
});
