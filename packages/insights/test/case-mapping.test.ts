/**
 * toupper / tolower: "Converts the string to uppercase [lowercase]" (CWL_QuerySyntax, string
 * functions). Unicode's full case mapping, which Java's and JavaScript's toUpperCase and
 * toLowerCase apply, makes "ß" "SS", "ﬁ" "FI", "İ" "i̇" and a word's last "Σ" "ς"; DuckDB's
 * upper() and lower() gave "ẞ", "ﬁ", "i" and "σ". Over every code point, the local engine answers
 * JavaScript's mapping or refuses the value at the call; the words of the shared datasets are
 * answered as JavaScript maps them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HAS_SHARED, SHARED } from "../../../test/helpers.ts";
import { CASE_UNSURE } from "../src/calls.ts";
import { insightsRefusal } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

const unsure = (fn: "upper" | "lower") =>
  new RegExp(CASE_UNSURE[fn].replace(/\\x\{([0-9a-f]+)\}/g, "\\u{$1}"), "u");
const CODE_POINTS = Array.from({ length: 0x30000 }, (_, cp) => cp).filter(
  (cp) => cp > 0 && (cp < 0xd800 || cp > 0xdfff),
);

describe("toupper and tolower of every code point", () => {
  let mapped: EventsDb;
  let refused: EventsDb;
  const safe = CODE_POINTS.map((cp) => String.fromCodePoint(cp)).filter(
    (s) => !unsure("upper").test(s) && !unsure("lower").test(s),
  );
  const unsafe = CODE_POINTS.map((cp) => String.fromCodePoint(cp)).filter(
    (s) => unsure("upper").test(s) || unsure("lower").test(s),
  );
  beforeAll(async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    mapped = await eventsDb(safe.map((s, i) => ({ eventTime: at(i), s })));
    refused = await eventsDb(unsafe.map((s, i) => ({ eventTime: at(i), s, i })));
  }, 60_000);
  afterAll(() => {
    mapped?.close();
    refused?.close();
  });

  test("the others are mapped as JavaScript maps them", async () => {
    expect(safe.length).toBeGreaterThan(190_000);
    const { rows } = await mapped.run("fields s, toupper(s) as u, tolower(s) as l | limit 200000");
    expect(rows.length).toBe(safe.length);
    const wrong = rows.filter(
      (r) => r.u !== String(r.s).toUpperCase() || r.l !== String(r.s).toLowerCase(),
    );
    expect(wrong).toEqual([]);
  }, 60_000);

  test.each([
    ["toupper", "ß"],
    ["toupper", "ﬁ"],
    ["tolower", "İ"],
    ["tolower", "Σ"],
  ])("%s of %s is refused at the call", async (fn, ch) => {
    const i = unsafe.indexOf(ch);
    expect(i).toBeGreaterThanOrEqual(0);
    const query = `filter i = ${i} | fields ${fn}(s) as x`;
    const e = await refused.run(query).catch((err: unknown) => err);
    const refusal = insightsRefusal(query, e);
    expect(refusal, String(e)).toBeDefined();
    expect(query.slice(refusal!.offset, refusal!.offset + refusal!.length)).toBe(`${fn}(s)`);
  });

  test("every character of the lists is refused by its function", async () => {
    // Each one alone, by the function whose list holds it.
    for (const fn of ["upper", "lower"] as const) {
      for (const [i, ch] of unsafe.entries()) {
        if (!unsure(fn).test(ch)) continue;
        const query = `filter i = ${i} | fields to${fn}(s) as x`;
        const e = await refused.run(query).catch((err: unknown) => err);
        expect([ch, insightsRefusal(query, e) !== undefined]).toEqual([ch, true]);
      }
    }
  }, 60_000);
});

const FILES = ["panther-analysis-cloudtrail-tests", "stratus-red-team-detonation-logs"];
describe.skipIf(!HAS_SHARED)("toupper and tolower of the shared datasets' values", () => {
  test("are JavaScript's", async () => {
    const events = FILES.flatMap((f) =>
      readFileSync(path.join(SHARED, "datasets", f, "events.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ).map((e, i) => ({ ...e, eventTime: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
    const db = await eventsDb(events);
    try {
      for (const f of ["userAgent", "errorMessage", "userIdentity.arn", "eventName"]) {
        const { rows } = await db.run(
          `filter ispresent(${f}) | fields ${f} as v, toupper(${f}) as u, tolower(${f}) as l | limit 10000`,
        );
        expect(rows.length).toBeGreaterThan(50);
        for (const r of rows)
          expect([r.u, r.l]).toEqual([String(r.v).toUpperCase(), String(r.v).toLowerCase()]);
      }
    } finally {
      db.close();
    }
  }, 60_000);
});
