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
    ).toEqual([{ twice: 2 * distinct((e) => e.eventName) }]);
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

describe("values the service reads as numbers, addresses, white space (review of the translation)", () => {
  const VALUES: Record<string, unknown>[] = [
    { eventTime: "2026-11-20T10:00:00Z", a: 9, b: 10, s: "abc", t: "abd", w: "\t\n", x: "\tfoo\n" },
    { eventTime: "2026-11-20T10:01:00Z", a: 100, b: 20, p: 5, q: 5.0, n: "a10" },
    { eventTime: "2026-11-20T10:02:00Z", n: "a9", m: 3 },
    { eventTime: "2026-11-20T10:03:00Z", n: "10", m: 12 },
    { eventTime: "2026-11-20T10:04:00Z", n: "9" },
  ];
  let db: EventsDb;
  beforeAll(async () => {
    db = await eventsDb(VALUES);
  });
  afterAll(() => db.close());

  test("two fields compare as numbers when both are numbers (9 < 10, 5 = 5.0), else as text", async () => {
    const truth = VALUES.filter(
      (e) => typeof e.a === "number" && (e.a as number) > (e.b as number),
    );
    expect((await db.run("filter a > b | fields a")).rows).toEqual(
      truth.map((e) => ({ a: String(e.a) })),
    );
    expect((await db.run("filter p = q | stats count(*) as c")).rows).toEqual([{ c: "1" }]);
    expect((await db.run("filter s < t | stats count(*) as c")).rows).toEqual([{ c: "1" }]);
    // Long digit strings compare exactly (as doubles these two were equal).
    const long = await eventsDb([
      { eventTime: "2026-11-20T10:00:00Z", a: "12345678901234567890", b: "12345678901234567891" },
    ]);
    try {
      expect((await long.run("filter a = b | stats count(*) as c")).rows).toEqual([{ c: "0" }]);
      expect((await long.run("filter a < b | stats count(*) as c")).rows).toEqual([{ c: "1" }]);
    } finally {
      long.close();
    }
  });

  test("min and max of numbers are numbers; of text they refuse rather than guess", async () => {
    expect((await db.run("stats min(m) as lo, max(m) as hi")).rows).toEqual([{ lo: 3, hi: 12 }]);
    await expect(db.run("stats max(n) as hi")).rejects.toThrow(
      /max\(n\): a value that is not a number; min\(\) and max\(\) of text are not supported/,
    );
  });

  test("sum, avg, stddev and pct of text refuse as min and max do; of numbers they are numbers", async () => {
    // CWL_QuerySyntax-Stats types avg, sum and stddev "fieldName: NumericLogField" ("The sum of
    // the values in the specified field") and says nothing of a value that is text: n holds
    // "a10" and "a9" beside "10" and "9". Summing the numbers alone was a silent guess (19).
    for (const agg of ["sum(n)", "avg(n)", "stddev(n)", "pct(n, 50)"]) {
      const name = agg.slice(0, agg.indexOf("("));
      await expect(db.run(`stats ${agg} as v`)).rejects.toThrow(
        `${agg}: a value that is not a number; ${name}() of text is not supported by the local engine`,
      );
    }
    // m holds numbers only (3 and 12, in two of the five events): computed by hand.
    const m = VALUES.flatMap((e) => (typeof e.m === "number" ? [e.m] : []));
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    expect((await db.run("stats sum(m) as s, avg(m) as a")).rows).toEqual([{ s: 15, a: mean }]);
    // Filtering the text out first is how to sum the numbers of a mixed field.
    expect((await db.run('filter n not like "a" | stats sum(n) as s')).rows).toEqual([{ s: 19 }]);
  });

  test("sort orders the documentation's own example as documented (CWL_QuerySyntax-Sort)", async () => {
    // The ascending order the sort page shows, number values last ("values that include only
    // numbers"), 01 before 1.
    const documented = [
      "!:",
      "#",
      "*%04",
      "0#",
      "5A",
      "111A",
      "2345_",
      "@",
      "@_",
      "A",
      "A9876fghj",
      "a12345hfh",
      "0",
      "01",
      "1",
      "2",
      "3",
    ];
    const shuffled = [...documented]
      .reverse()
      .map((v, i) => ({ eventTime: `2026-11-20T10:${String(i).padStart(2, "0")}:00Z`, v }));
    const sample = await eventsDb([
      ...shuffled,
      { eventTime: "2026-11-20T11:00:00Z", v: "inf" },
      { eventTime: "2026-11-20T11:01:00Z", v: "1e3" },
    ]);
    try {
      const asc = (await sample.run("sort v asc | fields v")).rows.map((r) => r.v);
      // "inf" and "1e3" mix letters with digits: not number values, so they sort as text.
      expect(asc).toEqual([
        ...documented.slice(0, 4),
        "1e3",
        ...documented.slice(4, 12),
        "inf",
        ...documented.slice(12),
      ]);
      const desc = (await sample.run("sort v desc | fields v")).rows.map((r) => r.v);
      expect(desc).toEqual([...asc].reverse());
    } finally {
      sample.close();
    }
  });

  test("sortsFirst and sortsLast follow the order sort gives", async () => {
    const sorted = (await db.run("filter ispresent(n) | sort n asc | fields n")).rows;
    expect(sorted.map((r) => r.n)).toEqual(["a9", "a10", "9", "10"]);
    expect((await db.run("stats sortsFirst(n) as f, sortsLast(n) as l")).rows).toEqual([
      { f: "a9", l: "10" },
    ]);
  });

  test("trim and isblank take white space, not only spaces", async () => {
    expect((await db.run("filter ispresent(x) | fields trim(x) as t")).rows).toEqual([
      { t: "foo" },
    ]);
    expect((await db.run("filter ispresent(x) | fields ltrim(x) as t")).rows).toEqual([
      { t: "foo\n" },
    ]);
    expect((await db.run("filter isblank(w) and ispresent(w) | stats count(*) as c")).rows).toEqual(
      [{ c: "1" }],
    );
  });

  test("isValidIp and isValidIpV6 accept addresses only (RFC 4291 text forms)", async () => {
    const cases: [string, boolean][] = [
      ["::1", true],
      ["::", true],
      ["fe80::", true],
      ["2001:db8::8a2e:370:7334", true],
      ["1:2:3:4:5:6:7:8", true],
      ["1:2:3:4:5:6:7::", true],
      ["::ffff:192.0.2.1", true],
      ["1:2:3:4:5:6:192.0.2.1", true],
      ["12:30:45", false],
      ["1:2", false],
      ["1:2:3:4:5:6:7:8:9", false],
      ["1::2::3", false],
      ["1:2:3:4:5:6:7::8", false],
      ["1:ab:ffff:0:12a:FfFf:1::ffff", false],
      ["12345::", false],
      ["::ffff:999.0.2.1", false],
      ["192.0.2.1", false],
    ];
    const ips = await eventsDb(
      cases.map(([ip], i) => ({ eventTime: `2026-11-20T10:0${i % 10}:00Z`, ip })),
    );
    try {
      const got = await ips.run(
        "fields ip, isValidIpV6(ip) as v6, isValidIp(ip) as any | limit 100",
      );
      const byIp = new Map(got.rows.map((r) => [r.ip, r]));
      for (const [ip, v6] of cases) {
        expect([ip, byIp.get(ip)?.v6]).toEqual([ip, v6 ? 1 : 0]);
        expect([ip, byIp.get(ip)?.any]).toEqual([ip, v6 || ip === "192.0.2.1" ? 1 : 0]);
      }
    } finally {
      ips.close();
    }
  });

  test("stddev is the sample deviation, pct is a value of the field, count(f) skips JSON null (as documented)", async () => {
    const xs = [3, 12];
    const mean = (xs[0]! + xs[1]!) / 2;
    const sample = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    const r = (await db.run("stats stddev(m) as sd, pct(m, 25) as p25, pct(m, 75) as p75"))
      .rows[0]!;
    expect(r.sd).toBeCloseTo(sample, 12);
    // Of two values, 25 percent below is the first's place, 75 percent the second's; at 50 both
    // are (one below, one above), and the step fails rather than pick one (or give 7.5).
    expect([r.p25, r.p75]).toEqual([3, 12]);
    await expect(db.run("stats pct(m, 50) as p50")).rejects.toThrow(
      "pct(m, 50): the values at the 50th percentile's place are 3.0 and 12.0",
    );
    const nulls = await eventsDb([
      { eventTime: "2026-11-20T10:00:00Z", f: null, g: 1 },
      { eventTime: "2026-11-20T10:01:00Z", f: "x", g: null },
      { eventTime: "2026-11-20T10:02:00Z" },
    ]);
    try {
      expect((await nulls.run("stats count(f) as f, count(g) as g, count(*) as n")).rows).toEqual([
        { f: "1", g: "1", n: "3" },
      ]);
      expect((await nulls.run("filter ispresent(g) | stats stddev(g) as sd")).rows).toEqual([
        { sd: null },
      ]);
    } finally {
      nulls.close();
    }
  });

  test("@ingestionTime and @log are refused where they are written, not guessed", () => {
    const err = thrown(InsightsSyntaxError, () =>
      translateInsights("fields @timestamp, @ingestionTime", { relation: "cwl_events" }),
    );
    expect(err.code).toBe("insights-unsupported");
    expect([err.line, err.column]).toEqual([1, 20]);
    const log = thrown(InsightsSyntaxError, () =>
      translateInsights("stats count(*) by @log", { relation: "cwl_events" }),
    );
    expect([log.code, log.column, log.message]).toEqual([
      "insights-unsupported",
      19,
      "@log is not available on the local engine: CloudTrail files do not say which log group an event was delivered to",
    ]);
  });
});

describe("events of one second (red-team)", () => {
  // CloudTrail writes many events a second; DuckDB reads a big table in parallel, so without a
  // tie-breaker the events of one second came in another order from one run to the next.
  const SAME_SECOND = Array.from({ length: 250_000 }, (_, i) => ({
    eventTime: "2026-11-20T00:00:00Z",
    eventName: `e${i}`,
  }));
  // duck.ts gives event i the @ptr `ptr-<i>`: by @ptr, the first are ptr-0, ptr-1, ptr-10.
  const byPointer = SAME_SECOND.map((e, i) => ({ ...e, ptr: `ptr-${i}` })).sort((a, b) =>
    a.ptr < b.ptr ? -1 : 1,
  );
  let db: EventsDb;
  beforeAll(async () => {
    db = await eventsDb(SAME_SECOND);
  }, 60_000);
  afterAll(() => db.close());

  test("limit, dedup, earliest and latest keep the same events from run to run: by @ptr", async () => {
    const first3 = byPointer.slice(0, 3).map((e) => ({ eventName: e.eventName }));
    for (let run = 0; run < 6; run++) {
      expect((await db.run("fields eventName | limit 3")).rows).toEqual(first3);
      expect((await db.run("stats latest(eventName) as l, earliest(eventName) as f")).rows).toEqual(
        [{ l: byPointer[0]!.eventName, f: byPointer[0]!.eventName }],
      );
      expect((await db.run("fields eventName, eventTime | dedup eventTime")).rows).toEqual([
        { eventName: byPointer[0]!.eventName, eventTime: "2026-11-20T00:00:00Z" },
      ]);
    }
  }, 60_000);
});
