/**
 * What CloudWatch Logs documents about queries it refuses or runs otherwise than written, and
 * values its functions give, checked against the local translation and `run-md check`'s rules.
 * Each expectation is the documentation's, quoted; the counts are worked out by hand from the
 * events below.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkInsights, parseInsights, translateInsights } from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";

/** The first error a query gets from the parse, the check or the translation as engines run it. */
function refusal(query: string, params?: Record<string, unknown>): string | undefined {
  try {
    const problems = checkInsights(parseInsights(query)).filter((p) => p.severity === "error");
    if (problems.length > 0) return `${problems[0]!.rule}: ${problems[0]!.message}`;
    translateInsights(query, { relation: "cwl_events", check: true, params: params as never });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const EVENTS = [
  { eventTime: "2024-01-01T00:00:10Z", eventName: "A", n: 1 },
  { eventTime: "2024-01-01T00:01:30Z", eventName: "B", n: 2, errorCode: "AccessDenied" },
  { eventTime: "2024-01-01T00:03:00Z", eventName: "C", n: 3 },
  {
    eventTime: "2024-01-01T01:10:00Z",
    eventName: "D",
    n: 4,
    errorCode: "Throttling",
    errorMessage: "first line\nsecond line",
    requestParameters: { a: "0.12345678901", b: "0.12345678902", c: 0.12345678901, d: 1e-11 },
  },
];
let db: EventsDb;
beforeAll(async () => {
  db = await eventsDb(EVENTS);
});
afterAll(() => db.close());

describe('periods: "CloudWatch Logs caps your request according to the time unit that you choose"', () => {
  // "if you specify bin(300s), CloudWatch Logs actually implements this as 60 seconds ... The cap
  // for ms is 1000, the caps for s and m are 60, and the cap for h is 24."
  test.each([
    ["stats count(*) by bin(300s)", "write 5m"],
    ["stats count(*) by bin(48h)", "write 2d"],
    ["stats count(*) by bin(2000ms)", "write 2s"],
    ["fields datefloor(@timestamp, 90m) as t", "write it in h"],
    ["fields dateceil(@timestamp, 61s) as t", "write it in m"],
  ])("%s is refused, not binned by a period other than the one written", (query, hint) => {
    const got = refusal(query);
    expect(got).toMatch(/^insights-invalid: .*caps a period in/);
    expect(got).toContain(hint);
  });

  test.each(["bin(60s)", "bin(1000ms)", "bin(60m)", "bin(24h)", "bin(90d)"])(
    "%s, within its unit's cap, runs",
    (period) => {
      expect(refusal(`stats count(*) by ${period}`)).toBeUndefined();
    },
  );

  test("a {{n}}s period is checked against the cap once its value is known", () => {
    const q = "stats count(*) by bin({{n}}s)";
    expect(refusal(q, { n: { type: "integer", value: 30 } })).toBeUndefined();
    expect(refusal(q, { n: { type: "integer", value: 300 } })).toMatch(/\{\{n\}\} is 300/);
  });

  test("bin(5m) counts five-minute bins from the hour", async () => {
    const got = await db.run("stats count(*) as c by bin(5m) as t | sort t asc");
    expect(got.rows).toEqual([
      { t: "2024-01-01 00:00:00.000", c: "3" },
      { t: "2024-01-01 01:10:00.000", c: "1" },
    ]);
  });
});

describe('stats: "Notes and limitations" of multiple stats commands', () => {
  test('"A query can have a maximum of two stats commands"', () => {
    expect(
      refusal("stats count(*) as c by eventName | stats count(*) as d by c | stats count(*) as e"),
    ).toMatch(/^insights-invalid: .*at most two stats/);
    expect(refusal("stats count(*) as c by eventName | stats count(*) as d by c")).toBeUndefined();
  });

  test('"If you use a sort or limit command, it must appear after the second stats command"', () => {
    for (const cut of ["sort c desc", "limit 1"]) {
      expect(refusal(`stats count(*) as c by eventName | ${cut} | stats sum(c) as t`)).toMatch(
        /must come after the second stats/,
      );
    }
    expect(
      refusal("stats count(*) as c by eventName | stats sum(c) as t | sort t | limit 1"),
    ).toBeUndefined();
  });

  test('"you can refer only to fields that are defined in the first stats command"', () => {
    // The documentation's own invalid example, and a field the first stats dropped.
    expect(
      refusal("fields @message | stats count(*) as n by eventName | stats max(strlen(@message))"),
    ).toMatch(/"@message" is no field/);
    expect(
      refusal("stats count(*) as c by eventName | stats max(c) as m, count(eventSource) as n"),
    ).toMatch(/"eventSource" is no field.*\(c, eventName\)/);
    expect(refusal('stats count(*) as c by eventName | filter eventSource = "x"')).toMatch(
      /"eventSource" is no field/,
    );
  });

  test("names the first stats gives, and later commands give, are fields after it", async () => {
    const q =
      "stats count(*) as c by eventName | fields c * 2 as d, eventName | filter d > 1 | stats sum(d) as total";
    expect(refusal(q)).toBeUndefined();
    expect((await db.run(q)).rows).toEqual([{ total: 8 }]);
  });
});

describe("readable time text", () => {
  // "Currently, CloudWatch Logs Insights doesn't support filtering logs with human readable
  // timestamps."
  test.each([
    'filter @timestamp >= "2024-01-01 12:00:00"',
    'filter "2024-01-01" < @timestamp',
    "filter @timestamp >= {{start}}",
    'filter bin(1h) = "2024-01-01 00:00:00.000"',
  ])("%s is refused", (query) => {
    expect(
      refusal(`${query} | fields eventName`, {
        start: { type: "timestamp", value: "2024-01-01T12:00:00Z" },
      }),
    ).toMatch(/^insights-invalid: .*toMillis/);
  });

  test("toMillis(@timestamp) against a number runs, and filters by the instant", async () => {
    const q = "filter toMillis(@timestamp) >= {{since}} | stats count(*) as c";
    const since = { type: "integer", value: Date.parse("2024-01-01T00:01:30Z") };
    expect(refusal(q, { since })).toBeUndefined();
    expect((await db.run(q, { params: { since } as never })).rows).toEqual([{ c: "3" }]);
  });
});

describe("limit", () => {
  // "You can specify a limit value of up to 100,000."
  test("past 100,000 is refused; 100,000 runs", () => {
    expect(refusal("fields eventName | limit 100001")).toMatch(/at most 100000 rows/);
    expect(
      refusal("fields eventName | limit {{n}}", { n: { type: "integer", value: 250000 } }),
    ).toMatch(/\{\{n\}\} is 250000/);
    expect(refusal("fields eventName | limit 100000")).toBeUndefined();
  });
});

describe("parse", () => {
  test("parse `field` /regex/: a quoted field name is a field name, the slash a pattern", async () => {
    const got = await db.run(
      'filter eventName = "D" | parse `errorCode` /(?<v>Thr[a-z]+)/ | fields v',
    );
    expect(got.rows).toEqual([{ v: "Throttling" }]);
  });

  test("a glob * captures across a line break", async () => {
    const got = await db.run(
      'filter eventName = "D" | parse errorMessage "first * line" as a | parse errorMessage "first *" as b | fields a, b',
    );
    expect(got.rows).toEqual([{ a: "line\nsecond", b: "line\nsecond line" }]);
  });
});

describe('strcontains: "Returns 1 if str contains searchValue and 0 otherwise"', () => {
  test("an event without the field gets 0", async () => {
    const got = await db.run(
      'fields eventName, strcontains(errorCode, "Denied") as d | sort eventName asc',
    );
    expect(got.rows.map((r) => r.d)).toEqual([0, 1, 0, 0]);
  });

  test("shares and = 0 filters count every event", async () => {
    const share = await db.run('stats avg(strcontains(errorCode, "Denied")) as s');
    expect(share.rows).toEqual([{ s: 0.25 }]);
    const zero = await db.run('filter strcontains(errorCode, "Denied") = 0 | stats count(*) as c');
    expect(zero.rows).toEqual([{ c: "3" }]);
  });
});

describe("two fields holding numbers compare as those numbers", () => {
  test("values apart past the tenth decimal place are not equal", async () => {
    const got = await db.run(
      'filter eventName = "D" | fields requestParameters.a = requestParameters.b as ab, requestParameters.a < requestParameters.b as lt, requestParameters.a = requestParameters.c as ac, requestParameters.d > 0 as dpos',
    );
    expect(got.rows).toEqual([{ ab: 0, lt: 1, ac: 1, dpos: 1 }]);
  });
});
