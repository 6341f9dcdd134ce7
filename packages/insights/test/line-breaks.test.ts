import type { BoundParam } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import { datasetRecords, HAS_SHARED } from "../../../test/helpers.ts";
import { renderInsightsQuery } from "../src/index.ts";
import { type EventsDb, realEventsDb } from "./duck.ts";

type Event = Record<string, unknown>;
const FILES = ["panther-analysis-cloudtrail-tests", "stratus-red-team-detonation-logs"];
const events = datasetRecords<Event>(FILES);

/** The events whose `requestParameters.<key>` is a string holding `value`, by hand. */
function holding(key: string, value: string): number {
  return events.filter((e) => {
    const rp = e.requestParameters;
    if (typeof rp !== "object" || rp === null) return false;
    const v = (rp as Record<string, unknown>)[key];
    return typeof v === "string" && v.includes(value);
  }).length;
}

// A string literal position (after `like`, a parameter is a regular expression, which refuses a
// line break: regex-param.test.ts).
const query = (key: string) =>
  `filter strcontains(requestParameters.${key}, {{p}}) | stats count(*) as n`;
const param = (value: string): Record<string, BoundParam> => ({ p: { type: "string", value } });

let db: EventsDb;
beforeAll(async () => {
  db = await realEventsDb(events);
});
afterAll(() => db?.close());

describe.skipIf(!HAS_SHARED)("a value with newlines and tabs, on real records", () => {
  test.each([
    ["imageManifest", '{\n   "schemaVersion": 2,\n'],
    ["policy", '{\n\t\t"Version"'],
    ["assumeRolePolicyDocument", '",\n  "Statement": [\n'],
  ])(
    "strcontains(requestParameters.%s, %j): the literal sent and the value bound match the same records",
    async (key, value) => {
      const truth = holding(key, value);
      expect(truth).toBeGreaterThan(0);
      const rendered = renderInsightsQuery(query(key), param(value));
      // The literal never leaves its line: no raw line break in the text sent.
      expect(rendered.text).not.toMatch(/[\r\n]/);
      const sent = await db.run(rendered.text, { check: true });
      const bound = await db.run(query(key), { params: param(value), check: true });
      expect([Number(sent.rows[0]?.n), Number(bound.rows[0]?.n)]).toEqual([truth, truth]);
    },
  );
});

describe("a value with a carriage return", () => {
  test.each(["a\rb", "Windows\r\n", "x\r# comment", '"\r\n| filter 1 = 1'])(
    "%j is refused by every engine and never rendered",
    async (value) => {
      // The local engine (translation checked with the values) and the logs engine
      // (assertInsights, the same check) refuse it before reading or sending anything.
      await expect(
        db.run(query("policy"), { params: param(value), check: true }),
      ).rejects.toMatchObject({
        code: "insights-param",
        message: expect.stringContaining("{{p}} holds a carriage return"),
      });
      // Rendering it as text is refused too, naming the parameter.
      expect(() => renderInsightsQuery(query("policy"), param(value))).toThrow(
        /parameter "p" holds a carriage return/,
      );
    },
  );

  it("is refused wherever the parameter stands, a value only once it is known", async () => {
    await expect(
      db.run("fields eventName, {{p}} as x | filter eventName = {{q}}", {
        params: { p: "ok", q: "no\r" },
        check: true,
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("{{q}} holds a carriage return") });
  });
});
