import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetRecords, HAS_SHARED } from "../../../test/helpers.ts";
import { checkInsights, translateInsights } from "../src/index.ts";
import { type EventsDb, realEventsDb } from "./duck.ts";

type Event = Record<string, unknown>;
const FILES = [
  "panther-analysis-cloudtrail-tests",
  "stratus-red-team-detonation-logs",
  "otrf-ec2-proxy-s3-exfiltration",
];
const events = datasetRecords<Event>(FILES);

/** The value at a dotted path (numbers index lists), by hand. */
function at(e: Event, name: string): unknown {
  let v: unknown = e;
  for (const seg of name.split(".")) {
    if (Array.isArray(v) && /^\d+$/.test(seg)) v = v[Number(seg)];
    else if (typeof v === "object" && v !== null && !Array.isArray(v))
      v = (v as Record<string, unknown>)[seg];
    else return undefined;
  }
  return v;
}

/** Whether the event has the field: a value that is no object, list or JSON null. */
const has = (e: Event, name: string) => {
  const v = at(e, name);
  return v !== undefined && v !== null && typeof v !== "object";
};

let db: EventsDb;
beforeAll(async () => {
  db = await realEventsDb(events);
});
afterAll(() => db?.close());

const NAMES = [
  "userIdentity",
  "userIdentity.sessionContext",
  "userIdentity.sessionContext.sessionIssuer",
  "userIdentity.type",
  "userIdentity.sessionContext.sessionIssuer.userName",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "resources",
  "resources.0",
  "resources.0.ARN",
  "tlsDetails",
  "tlsDetails.tlsVersion",
];

describe.skipIf(!HAS_SHARED)("objects and lists of a record are no fields", () => {
  test("the data has each shape", () => {
    const objects = (name: string) =>
      events.filter((e) => typeof at(e, name) === "object" && at(e, name) !== null).length;
    for (const name of ["userIdentity", "requestParameters", "resources", "resources.0"])
      expect(objects(name), name).toBeGreaterThan(10);
  });

  test("count(f) counts the events where f is a value, not an object or a list", async () => {
    for (const name of NAMES) {
      const { rows } = await db.run(`stats count(${name}) as n`);
      expect([name, Number(rows[0]!.n)]).toEqual([name, events.filter((e) => has(e, name)).length]);
    }
  });

  test("ispresent, isempty and a comparison see no object or list", async () => {
    for (const name of NAMES) {
      const present = await db.run(`filter ispresent(${name}) | stats count(*) as n`);
      expect([name, Number(present.rows[0]!.n)]).toEqual([
        name,
        events.filter((e) => has(e, name)).length,
      ]);
      const empty = await db.run(`filter isempty(${name}) | stats count(*) as n`);
      expect([name, Number(empty.rows[0]!.n)]).toEqual([
        name,
        events.filter((e) => !has(e, name) || at(e, name) === "").length,
      ]);
      const like = await db.run(`filter ${name} like "{" | stats count(*) as n`);
      expect([name, Number(like.rows[0]!.n)]).toEqual([
        name,
        events.filter((e) => has(e, name) && String(at(e, name)).includes("{")).length,
      ]);
    }
  });

  test("fields and stats by an object give no value", async () => {
    const { rows } = await db.run("fields userIdentity, resources, requestParameters as rp");
    expect(rows.length).toBe(events.length);
    // One record's requestParameters is text (JSON written as a string): a value, so a field.
    const text = events.filter((e) => typeof e.requestParameters === "string");
    expect(text.length).toBe(1);
    expect(
      rows.filter((r) => r.userIdentity !== null || r.resources !== null || r.rp !== null),
    ).toEqual([{ userIdentity: null, resources: null, rp: text[0]!.requestParameters }]);
    const groups = await db.run("stats count(*) as n by userIdentity.sessionContext");
    expect(groups.rows).toEqual([
      { "userIdentity.sessionContext": null, n: String(events.length) },
    ]);
  });
});

describe("check refuses a name of the record's objects and lists", () => {
  test.each([
    ["fields userIdentity", "userIdentity", "an object", "userIdentity.type"],
    ["filter ispresent(resources)", "resources", "a list", "resources.0.ARN"],
    ["stats count(resources.0)", "resources.0", "an object", "resources.0.ARN"],
    [
      "stats count(*) by userIdentity.sessionContext.sessionIssuer",
      "userIdentity.sessionContext.sessionIssuer",
      "an object",
      "userIdentity.sessionContext.sessionIssuer.type",
    ],
    ["dedup tlsDetails", "tlsDetails", "an object", "tlsDetails.tlsVersion"],
  ])("%s", (query, name, what, example) => {
    const problems = checkInsights(query);
    expect(problems.map((p) => [p.rule, p.severity, p.message])).toEqual([
      [
        "insights-field",
        "error",
        `"${name}" is ${what} in CloudTrail records, and Logs Insights makes fields of its values only (${example}, ...): no event has a field "${name}"`,
      ],
    ]);
    expect(query.slice(problems[0]!.offset, problems[0]!.offset + problems[0]!.length)).toBe(name);
    expect(() => translateInsights(query, { relation: "cwl_events" })).toThrow(name);
  });

  test("values, payloads and names the query makes are not refused", () => {
    for (const query of [
      "fields userIdentity.type, resources.0.ARN, userIdentity.sessionContext.attributes.mfaAuthenticated",
      // CloudTrail writes some payloads as text (a value, so a field).
      "filter ispresent(requestParameters) | fields responseElements, additionalEventData",
      'parse @message "*" as userIdentity | fields userIdentity',
      "fields eventName as resources | display resources",
    ])
      expect([query, checkInsights(query)]).toEqual([query, []]);
  });
});
