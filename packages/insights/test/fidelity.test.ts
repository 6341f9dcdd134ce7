/**
 * Regression tests for answers the translation once got wrong, each asserting what Logs Insights
 * documents (the decisions and their sources are in docs/engines.md, "Logs Insights semantics").
 * Every query runs twice: with DuckDB's defaults and with the local engine's Trino session
 * setting `integer_division = true`, which must not leak into Logs Insights arithmetic.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InsightsSyntaxError, parseInsights, translateInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

/** 30 events, one a minute from 2026-11-19T23:50:00Z (a Thursday), some without errorCode. */
const EVENTS: Record<string, unknown>[] = Array.from({ length: 30 }, (_, i) => {
  const t = Date.UTC(2026, 10, 19, 23, 50) + i * 60_000;
  const e: Record<string, unknown> = {
    eventTime: new Date(t).toISOString().replace(".000Z", "Z"),
    eventName: i % 2 === 0 ? "GetObject" : "PutObject",
    readOnly: i % 2 === 0,
    additionalEventData: { startedMs: t - 1500 },
  };
  if (i % 3 === 0) e.errorCode = "AccessDenied";
  else if (i % 3 === 1) e.errorCode = "NoSuchKey";
  return e;
});
const WITHOUT_ERROR = EVENTS.filter((e) => e.errorCode === undefined).length;
const NOT_DENIED = EVENTS.filter((e) => e.errorCode === "NoSuchKey").length;

const SETTINGS: Array<[string, string[]]> = [
  ["DuckDB defaults", []],
  ["integer_division on", ["SET integer_division = true"]],
];

const dbs = new Map<string, EventsDb>();
beforeAll(async () => {
  for (const [name, settings] of SETTINGS) dbs.set(name, await eventsDb(EVENTS, settings));
});
afterAll(() => {
  for (const db of dbs.values()) db.close();
});

async function rows(setting: string, query: string) {
  return (await dbs.get(setting)!.run(query)).rows;
}

/** Epoch-aligned floor, as the service truncates: the independent truth for bins. */
function floorText(ms: number, periodMs: number): string {
  return new Date(Math.floor(ms / periodMs) * periodMs)
    .toISOString()
    .replace("T", " ")
    .slice(0, 23);
}

describe.each(SETTINGS.map(([name]) => name))("with %s", (setting) => {
  test("division is a double division: count(*) / 60 and 5 / 2", async () => {
    expect(await rows(setting, "stats count(*) / 60 as perMin")).toEqual([{ perMin: 0.5 }]);
    expect(await rows(setting, "fields 5 / 2 as x | limit 1")).toEqual([{ x: 2.5 }]);
    expect(await rows(setting, "stats sum(strlen(eventName)) / count(*) as avgLen")).toEqual([
      { avgLen: 9 },
    ]);
  });

  test("fromMillis() takes a field", async () => {
    const r = await rows(
      setting,
      "sort @timestamp asc | limit 1 | fields fromMillis(additionalEventData.startedMs) as started",
    );
    expect(r).toEqual([{ started: "2026-11-19 23:49:58.500" }]);
  });

  test("!= and not like agree: an event without the field matches neither", async () => {
    const ne = await rows(setting, "filter errorCode != 'AccessDenied' | stats count(*) as n");
    const notLike = await rows(
      setting,
      "filter errorCode not like 'AccessDenied' | stats count(*) as n",
    );
    const notIn = await rows(
      setting,
      "filter errorCode not in ['AccessDenied'] | stats count(*) as n",
    );
    expect(ne).toEqual([{ n: String(NOT_DENIED) }]);
    expect(notLike).toEqual(ne);
    expect(notIn).toEqual(ne);
    // To include them, say so: not (...) negates a comparison that is false on a missing field.
    expect(
      await rows(setting, "filter not (errorCode = 'AccessDenied') | stats count(*) as n"),
    ).toEqual([{ n: String(NOT_DENIED + WITHOUT_ERROR) }]);
    expect(
      await rows(
        setting,
        "filter not ispresent(errorCode) or errorCode != 'AccessDenied' | stats count(*) as n",
      ),
    ).toEqual([{ n: String(NOT_DENIED + WITHOUT_ERROR) }]);
  });

  test.each([
    ["7m", 7 * 60_000],
    ["1w", 7 * 86_400_000],
    ["90s", 90_000],
    ["1d", 86_400_000],
  ])("bin(%s) truncates to a multiple of the period since the epoch", async (period, ms) => {
    const expected = new Map<string, number>();
    for (const e of EVENTS) {
      const key = floorText(Date.parse(e.eventTime as string), ms);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const r = await rows(setting, `stats count(*) as n by bin(${period}) as b | sort b`);
    expect(r).toEqual([...expected.entries()].sort().map(([b, n]) => ({ b, n: String(n) })));
  });

  test("bin(1w) starts on the epoch's weekday, a Thursday; months are calendar months", async () => {
    expect(await rows(setting, "stats count(*) as n by bin(1w) as b")).toEqual([
      { b: "2026-11-19 00:00:00.000", n: "30" },
    ]);
    expect(await rows(setting, "stats count(*) as n by bin(1mo) as b | sort b")).toEqual([
      { b: "2026-11-01 00:00:00.000", n: "30" },
    ]);
    expect(
      await rows(setting, "sort @timestamp desc | limit 1 | fields dateceil(@timestamp, 7m) as c"),
    ).toEqual([{ c: floorText(Date.UTC(2026, 10, 20, 0, 19) + 7 * 60_000, 7 * 60_000) }]);
  });

  test("readOnly is 1 or 0, as the service shows JSON booleans", async () => {
    expect(await rows(setting, "stats count(*) as n by readOnly | sort readOnly")).toEqual([
      { readOnly: "0", n: "15" },
      { readOnly: "1", n: "15" },
    ]);
  });
});

describe("stats over stats, time units, undefined math, display and ties (round-two red-team)", () => {
  const setting = "DuckDB defaults";
  const distinct = (key: (e: Record<string, unknown>) => unknown, of = EVENTS) =>
    new Set(of.map(key)).size;

  test("a second stats aggregates the first one's rows, even with the same aggregate text", async () => {
    // The first stats has one row per eventName; the second counts those rows.
    expect(await rows(setting, "stats count(*) by eventName | stats count(*)")).toEqual([
      { "count(*)": String(distinct((e) => e.eventName)) },
    ]);
    const withError = EVENTS.filter((e) => e.errorCode !== undefined);
    const groups = new Map<string, Set<unknown>>();
    for (const e of withError) {
      const g = groups.get(e.eventName as string) ?? new Set();
      g.add(e.errorCode);
      groups.set(e.eventName as string, g);
    }
    expect(
      await rows(
        setting,
        "filter ispresent(errorCode) | stats count(*) by errorCode, eventName | stats count(*) by eventName | sort eventName",
      ),
    ).toEqual(
      [...groups.entries()].sort().map(([eventName, g]) => ({
        eventName,
        "count(*)": String(g.size),
      })),
    );
    // Inside an expression too.
    expect(
      await rows(setting, "stats count(*) by eventName | stats count(*) * 2 as twice"),
    ).toEqual([{ twice: String(2 * distinct((e) => e.eventName)) }]);
    // Outside stats it names the column, as before.
    expect(
      await rows(setting, "stats count(*) by eventName | sort count(*) desc, eventName | limit 1"),
    ).toEqual([{ eventName: "GetObject", "count(*)": "15" }]);
  });

  test("every spelling of a time unit the service documents, plurals included", () => {
    const unitOf = (period: string) => {
      const ast = parseInsights(`stats count(*) by bin(${period})`);
      const stats = ast.commands[0] as { by: { expr: { args: { unit: string }[] } }[] };
      return stats.by[0]!.expr.args[0]!.unit;
    };
    const spellings: Record<string, string[]> = {
      ms: ["ms", "mss", "msec", "msecs", "millisecond", "milliseconds"],
      s: ["s", "sec", "secs", "second", "seconds"],
      m: ["m", "min", "mins", "minute", "minutes"],
      h: ["h", "hr", "hrs", "hour", "hours"],
      d: ["d", "day", "days"],
      w: ["w", "week", "weeks"],
      mo: ["mo", "mos", "mon", "mons", "month", "months"],
      q: ["q", "qtr", "qtrs", "quarter", "quarters"],
      y: ["y", "yr", "yrs", "year", "years"],
    };
    for (const [unit, names] of Object.entries(spellings))
      for (const n of names) expect(unitOf(`1${n}`), n).toBe(unit);
    expect(() => parseInsights("stats count(*) by bin(1hs)")).toThrow(InsightsSyntaxError);
  });

  test("bin(1hrs) groups as bin(1h)", async () => {
    expect(await rows(setting, "stats count(*) as n by bin(1hrs) as b | sort b")).toEqual(
      await rows(setting, "stats count(*) as n by bin(1h) as b | sort b"),
    );
  });

  test("sqrt and log of a number outside their domain give no value, not a failed query", async () => {
    expect(
      await rows(
        setting,
        "fields sqrt(-4) as a, sqrt(9) as b, log(0) as c, log(-1) as d, log(1) as e | limit 1",
      ),
    ).toEqual([{ a: null, b: 3, c: null, d: null, e: 0 }]);
  });

  test("a fields after a display adds no column: the last display's fields are shown", async () => {
    const r = await dbs.get(setting)!.run("display eventName | fields errorCode | limit 1");
    expect(r.columns).toEqual(["eventName"]);
    const again = await dbs.get(setting)!.run("fields errorCode | display eventName, readOnly");
    expect(again.columns).toEqual(["eventName", "readOnly"]);
  });

  test("sort keeps the earlier order for ties: the groups' order after stats", async () => {
    // Both names have 15 events: the tie comes back in group order, run after run.
    expect(await rows(setting, "stats count(*) as c by eventName | sort c desc")).toEqual([
      { eventName: "GetObject", c: "15" },
      { eventName: "PutObject", c: "15" },
    ]);
    expect(await rows(setting, "stats count(*) as c by eventName | sort c asc | limit 1")).toEqual([
      { eventName: "GetObject", c: "15" },
    ]);
    const { sql } = translateInsights("stats count(*) as c by eventName | sort c desc", {
      relation: "cwl_events",
    });
    // The final ORDER BY ranks by c, then by the group key.
    expect(sql.slice(sql.lastIndexOf("ORDER BY"))).toMatch(
      /^ORDER BY s\d+ DESC NULLS LAST, .*s\d+/,
    );
  });
});

describe("comments", () => {
  test("# starts a comment, as documented", () => {
    const q = parseInsights(
      "# who was denied\nfilter errorCode = 'AccessDenied' # inline\n| stats count(*)",
    );
    expect(q.commands.map((c) => c.kind)).toEqual(["filter", "stats"]);
  });

  test("a -- line is not a comment in Logs Insights: reported where it is", () => {
    const query = "filter eventName = 'ConsoleLogin'\n  -- failed sign-ins only\n| stats count(*)";
    const err = thrown(InsightsSyntaxError, () => parseInsights(query));
    expect([err.line, err.column, err.length]).toEqual([2, 3, "-- failed sign-ins only".length]);
    expect(err.message).toBe(
      '"--" does not start a comment in Logs Insights: comments start with #',
    );
  });

  test("two minus signs inside an expression are still arithmetic", () => {
    expect(() => parseInsights("fields 5 --2 as x")).not.toThrow();
  });
});
