import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetRecords, HAS_SHARED } from "../../../test/helpers.ts";
import { insightsRefusal } from "../src/index.ts";
import { type EventsDb, realEventsDb } from "./duck.ts";

type Event = Record<string, unknown>;
const FILES = ["panther-analysis-cloudtrail-tests", "stratus-red-team-detonation-logs"];
const events = datasetRecords<Event>(FILES);

/** pct by the page: the value, or undefined when two places hold different values. */
function pctByPage(values: number[], p: number): number | undefined {
  const xs = [...values].sort((a, b) => a - b);
  const t = (p * xs.length) / 100;
  const places = [Math.ceil(t - 1), Math.floor(t)]
    .map((k) => Math.min(Math.max(k, 0), xs.length - 1))
    .filter((k) => k >= t - 1 - 1e-9 && k <= t + 1e-9);
  const found = new Set(places.map((k) => xs[k]));
  return found.size === 1 ? [...found][0] : undefined;
}

/** How many events each value of a top-level field has. */
function countsBy(field: string): number[] {
  const m = new Map<string, number>();
  for (const e of events) {
    const v = e[field];
    if (typeof v === "string") m.set(v, (m.get(v) ?? 0) + 1);
  }
  return [...m.values()];
}

const FIELDS = ["eventName", "sourceIPAddress", "awsRegion", "eventSource"];
// 96 addresses: at 12.5, 37.5, 62.5 and 87.5 percent, p * n / 100 is a whole number.
const PCTS = [0, 10, 12.5, 25, 37.5, 50, 62.5, 75, 87.5, 90, 95, 99, 99.5, 100];

let db: EventsDb;
beforeAll(async () => {
  db = await realEventsDb(events);
});
afterAll(() => db?.close());

describe.skipIf(!HAS_SHARED)("pct answers a value of the field, or refuses", () => {
  test("the data has both cases", () => {
    const xs = countsBy("eventName");
    expect(xs.length).toBeGreaterThan(100);
    const outcomes = FIELDS.flatMap((f) => PCTS.map((p) => pctByPage(countsBy(f), p)));
    expect(outcomes.filter((x) => x === undefined).length).toBeGreaterThan(0);
    expect(outcomes.filter((x) => x !== undefined).length).toBeGreaterThan(20);
  });

  for (const field of FIELDS) {
    for (const p of PCTS) {
      test(`pct of the events per ${field} at ${p}`, async () => {
        const xs = countsBy(field);
        const want = pctByPage(xs, p);
        const call = `pct(c, ${p})`;
        const query = `filter ispresent(${field}) | stats count(*) as c by ${field} | stats ${call} as p`;
        let got: unknown;
        try {
          got = Number((await db.run(query)).rows[0]!.p);
        } catch (e) {
          const refusal = insightsRefusal(query, e);
          expect(refusal, String(e)).toBeDefined();
          expect(query.slice(refusal!.offset, refusal!.offset + refusal!.length)).toBe(call);
          expect(refusal!.message).toMatch(
            /^pct\(c, [\d.]+\): the values at the \d+(\.\d+)?th percentile's place are \d+ and \d+/,
          );
          got = "refused";
        }
        expect([xs.length, got]).toEqual([xs.length, want ?? "refused"]);
        if (want !== undefined) expect(xs).toContain(want);
      });
    }
  }
});
