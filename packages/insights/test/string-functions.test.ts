/**
 * The string functions against the examples of their page (CWL_QuerySyntax-operations-functions,
 * "String functions"), and the arguments the page gives no answer for, which fail the step at the
 * call instead of DuckDB's reading: `substr` with a negative or fractional index or length (DuckDB
 * counted a negative length backwards: `substr("List", 2, -1)` was "i"), and `replace` of the
 * empty string (DuckDB leaves the text as it is, Java's `String.replace` puts the replacement
 * between every character).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { insightsRefusal } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

const EVENTS = [
  {
    eventTime: "2026-11-20T10:00:00Z",
    eventName: "List",
    s: "xyZfooxyZ",
    e: "👍🏽é",
    n: -1,
    z: 0,
    big: 1e19,
  },
];

let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

async function one(expr: string): Promise<unknown> {
  return (await db.run(`fields ${expr} as v`)).rows[0]!.v;
}

/** The refusal a query fails with, at its call: [line, column, message]. */
async function refusal(query: string): Promise<[number, number, string] | undefined> {
  const error = await db.run(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  const r = insightsRefusal(query, error);
  if (r === undefined) throw new Error(`${query}: no refusal (${String(error)})`);
  return [r.line, r.column, r.message];
}

describe("the page's examples", () => {
  test("substr counts from 0, with a length", async () => {
    expect(await one('substr("xyZfooxyZ", 3, 3)')).toBe("foo");
    expect(await one("substr(s, 3)")).toBe("fooxyZ");
    expect(await one("substr(s, 0)")).toBe("xyZfooxyZ");
  });

  test("trim, ltrim and rtrim of the characters of a second string; replace; strlen in code points", async () => {
    expect(await one('ltrim("xyZfooxyZ", "xyZ")')).toBe("fooxyZ");
    expect(await one('rtrim("xyZfooxyZ", "xyZ")')).toBe("xyZfoo");
    expect(await one('trim("xyZfooxyZ", "xyZ")')).toBe("foo");
    expect(await one('replace("foo", "o", "0")')).toBe("f00");
    expect(Number(await one("strlen(e)"))).toBe([..."👍🏽é"].length);
  });
});

describe("an index or a length past the text", () => {
  test("past the end as a 64-bit integer holds it or not: the text's end (as substr(s, 30) and a long length)", async () => {
    // DuckDB's CAST of 1e19 to BIGINT failed the step with "Conversion Error", naming no call.
    expect(await one("substr(eventName, 30)")).toBe("");
    expect(await one("substr(eventName, big)")).toBe("");
    expect(await one("substr(eventName, 1, 30)")).toBe("ist");
    expect(await one("substr(eventName, 1, big)")).toBe("ist");
  });
});

describe("arguments the page gives no answer for fail the step at the call", () => {
  test("substr with a negative or fractional index or length", async () => {
    for (const call of [
      "substr(eventName, 2, -1)",
      "substr(eventName, -1)",
      "substr(eventName, n)",
      "substr(eventName, 1.5, 2)",
      "substr(eventName, 1, 0.5)",
    ]) {
      const r = await refusal(`fields eventName\n| fields ${call} as v`);
      expect(r?.slice(0, 2), call).toEqual([2, 10]);
      expect(r?.[2], call).toContain(`${call}: `);
    }
  });

  test("substr with an index or length that is no number (0 / 0), at the call", async () => {
    // NaN passed the negative and fractional tests (DuckDB's NaN equals itself) and failed the
    // step with DuckDB's "Conversion Error ... INT64", which named no call nor line.
    for (const call of ["substr(eventName, z / z)", "substr(eventName, 0, z / z)"]) {
      const r = await refusal(`fields eventName\n| fields ${call} as v`);
      expect(r?.slice(0, 2), call).toEqual([2, 10]);
      expect(r?.[2], call).toContain(`${call}: `);
    }
  });

  test("replace of the empty string", async () => {
    const r = await refusal('fields replace(eventName, "", "_") as v');
    expect(r?.slice(0, 2)).toEqual([1, 8]);
    expect(r?.[2]).toContain("the empty string");
  });
});
