/**
 * The functions CloudWatch Logs documents today (CWL_QuerySyntax-operations-functions: numeric,
 * structure types, datetime, general, JSON, IP address and string functions) parse on every engine;
 * those whose meaning the page states are translated for the local engine, checked against values
 * computed by hand or from the raw records of the shared datasets; the others, and a map's or
 * list's access, are refused by the local engine at their place (the `logs` engine sends them).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  InsightsSyntaxError,
  InsightsUnsupportedError,
  insightsRefusal,
  parseInsights,
  translateInsights,
} from "../src/index.ts";
import { type EventsDb, eventsDb } from "./duck.ts";
import { thrown } from "./thrown.ts";

/**
 * One call of each function the page lists that run-md did not know, with the page's argument
 * counts (`strcontains(str, searchValue, caseInsensitive)`, `round(a [, d])`, `case(...)` with up
 * to 10 branches, `parseDate(fieldName, format [, timezone])`, ...).
 */
const DOCUMENTED_CALLS = [
  "round(2.4)",
  "round(2.46, 1)",
  "haversine(1, 2, 3, 4)",
  "toNumber(a)",
  "toInt(a)",
  "toLong(a)",
  "toDouble(a)",
  "now()",
  'parseDate(eventTime, "yyyy-MM-dd", "UTC")',
  'formatDate(@timestamp, "%Y-%m-%d", "UTC")',
  'strftime(@timestamp, "%Y-%m-%d")',
  'case(a = 1, "x", a = 2, "y", a = 3, "z", a = 4, "w", a = 5, "v", a = 6, "u", a = 7, "t", a = 8, "s", a = 9, "r", a = 10, "q", "default")',
  'if(a = 1, "x", "y")',
  "isNumeric(a)",
  "messageSize(@message)",
  "queryStartTime()",
  "queryEndTime()",
  "queryTimeRange()",
  "jsonParse(@message)",
  "jsonStringify(jsonParse(@message))",
  "jsonArraySize(a)",
  'jsonArrayContains(a, "admin")',
  "ipv4ToNumber(sourceIPAddress)",
  "isPrivateIP(sourceIPAddress)",
  "isPublicIP(sourceIPAddress)",
  "isReservedIP(sourceIPAddress)",
  'regexReplace(a, "[0-9]+", "N")',
  'strcontains(eventName, "get", true)',
  'startsWith(eventName, "Get")',
  'endsWith(eventName, "Object")',
  "urlencode(a)",
  "urldecode(a)",
  "base64encode(a)",
  "base64decode(a)",
  'split(a, ",")',
  'hexToAscii("48656c6c6f")',
  'hexToDec("0xff")',
  "decToHex(255)",
];

describe("functions of CWL_QuerySyntax-operations-functions", () => {
  test.each(DOCUMENTED_CALLS)("%s parses", (call) => {
    expect(parseInsights(`fields ${call} as x`).commands).toHaveLength(1);
  });

  test("the commands CWL_QuerySyntax lists today are named as not supported, not as typos", () => {
    // fillmissing, accum and filldown parse now (service-commands.test.ts).
    for (const word of ["countFrequent", "sessionize", "addtotals", "filterIndex", "outlier"]) {
      const e = thrown(InsightsSyntaxError, () => parseInsights(`stats count(*) | ${word} x`));
      expect(e.message).toBe(`the "${word}" command is not supported by run-md`);
    }
  });

  test("the parse modes CWL_QuerySyntax-Parse lists today are named as not supported, at their word", () => {
    // The page's four modes: glob and regex parse; logfmt, CSV and a regex's multi-match mode
    // (one row per match) are refused by name, not as a pattern or a field that is missing.
    for (const [query, word] of [
      ["parse @message logfmt", "logfmt"],
      ["parse logfmt", "logfmt"],
      ["parse @message csv", "csv"],
      ["parse requestParameters.policy CSV", "CSV"],
      ["parse @message /id=(?<id>\\d+)/ multi | stats count(*) by id", "multi"],
    ] as const) {
      const e = thrown(InsightsSyntaxError, () => parseInsights(`fields eventName\n| ${query}`));
      expect(e.message, query).toBe(`the parse command's ${word} mode is not supported by run-md`);
      expect([e.line, e.column], query).toEqual([2, query.indexOf(word) + 3]);
    }
    // A field that happens to be named so is still a field.
    expect(parseInsights('parse logfmt "a=*" as a').commands).toHaveLength(1);
  });

  test("case() takes at most 10 branches and a default, as the page says", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `a = ${i}, ${i}`).join(", ");
    const e = thrown(InsightsSyntaxError, () => parseInsights(`fields case(${eleven}) as x`));
    expect(e.message).toBe("case() takes 2 to 21 argument(s), got 22");
  });

  test("the structure types' examples parse: jsonParse, map.attribute, list[index], map.`special.char`", () => {
    // The four examples of the page's "Structure types" section, as written there.
    for (const q of [
      "fields jsonParse(@message) as json_message",
      "fields jsonParse(@message) as json_message\n| stats count() by json_message.status_code",
      'fields jsonParse(@message) as json_message\n| filter json_message.users[1].action = "PutData"',
      'fields jsonParse(@message) as json_message\n| filter json_message.`user.id` = "123"',
    ]) {
      expect(() => parseInsights(q)).not.toThrow();
    }
    const filter = parseInsights('fields jsonParse(@message) as j | filter j.users[1].action = "P"')
      .commands[1]!;
    expect(
      filter.kind === "filter" && filter.expr.kind === "binary" && filter.expr.left,
    ).toMatchObject({ kind: "field", name: "j.users[1].action" });
    // `in` keeps its list: `f in[1, 2]` is no field named `in[1]`.
    expect(() => parseInsights("filter readOnly in[1, 0]")).not.toThrow();
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dataset = path.resolve(
  repoRoot,
  "../shared/datasets/stratus-red-team-detonation-logs/events.jsonl",
);
const available = existsSync(dataset);
if (!available) console.log(`skipping the real-data tests: ${dataset} is not available`);

describe.skipIf(!available)("translated for the local engine, over real CloudTrail events", () => {
  let db: EventsDb;
  let events: Record<string, unknown>[];
  beforeAll(async () => {
    events = readFileSync(dataset, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    db = await eventsDb(events);
  });
  afterAll(() => db?.close());
  /** The rows of a query, numbers as numbers (DuckDB's BIGINT sums come as text). */
  const rows = async (q: string) =>
    (await db.run(q)).rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, /^[0-9]+$/.test(String(v)) ? Number(v) : v]),
      ),
    );

  /** How many raw records have a string `key` for which `test` holds: the independent truth. */
  const count = (key: string, test: (v: string) => boolean) =>
    events.filter((e) => typeof e[key] === "string" && test(e[key] as string)).length;

  test("strcontains(str, searchValue, true) matches case-insensitively; false and no flag do not", async () => {
    // "If the third parameter is set to true, the match is case-insensitive."
    const q =
      'stats sum(strcontains(eventName, "get", true)) as ci, sum(strcontains(eventName, "get", false)) as cs, sum(strcontains(eventName, "get")) as plain';
    const want = {
      ci: count("eventName", (v) => v.toLowerCase().includes("get")),
      cs: count("eventName", (v) => v.includes("get")),
    };
    expect(want.ci).toBeGreaterThan(want.cs);
    expect(await rows(q)).toEqual([{ ...want, plain: want.cs }]);
  });

  test("startsWith and endsWith: 1 or 0, and 0 for an event without the field", async () => {
    const q =
      'stats sum(startsWith(eventName, "Get")) as s, sum(endsWith(eventSource, ".amazonaws.com")) as e, sum(startsWith(errorCode, "Client.")) as err, count(*) as n';
    const want = {
      s: count("eventName", (v) => v.startsWith("Get")),
      e: count("eventSource", (v) => v.endsWith(".amazonaws.com")),
      err: count("errorCode", (v) => v.startsWith("Client.")),
      n: events.length,
    };
    expect(want.s).toBeGreaterThan(0);
    expect(want.err).toBeGreaterThan(0);
    expect(want.err).toBeLessThan(want.n);
    expect(await rows(q)).toEqual([want]);
  });

  test("if() and case(): the value of the first true condition, else the default", async () => {
    const q =
      'fields if(ispresent(errorCode), "failed", "ok") as outcome, case(readOnly = 1, "read", eventName like /^Create/, "create", "other") as kind | stats count(*) as n by outcome, kind';
    const truth = new Map<string, number>();
    for (const e of events) {
      const outcome = typeof e.errorCode === "string" ? "failed" : "ok";
      const name = String(e.eventName);
      const kind = e.readOnly === true ? "read" : name.startsWith("Create") ? "create" : "other";
      const k = `${outcome}|${kind}`;
      truth.set(k, (truth.get(k) ?? 0) + 1);
    }
    const got = await rows(q);
    expect(new Map(got.map((r) => [`${r.outcome}|${r.kind}`, r.n]))).toEqual(truth);
  });
});

describe("round()", () => {
  let db: EventsDb;
  beforeAll(async () => {
    db = await eventsDb([
      {
        eventTime: "2024-01-01T00:00:00Z",
        ...{ v: 2.4, w: -2.6, x: 2.46, tie: 2.5, tie2: 0.125 },
        // Half-way as written, not as doubles: 1.005 is 1.00499999999999989... and 2.345 is
        // 2.34500000000000019...; DuckDB rounded the first down and the second up.
        ...{ dtie: 1.005, dtie2: 2.345, near: 1.0049, big: 123456.785 },
      },
    ]);
  });
  afterAll(() => db.close());

  test("rounds to the nearest integer, or to d decimal places (by hand)", async () => {
    const q = "fields round(v) as a, round(w) as b, round(x, 1) as c, round(x, 2) as d | limit 1";
    expect((await db.run(q)).rows).toEqual([{ a: 2, b: -3, c: 2.5, d: 2.46 }]);
    expect((await db.run("fields round(near, 2) as a, round(near, 3) as b")).rows).toEqual([
      { a: 1, b: 1.005 },
    ]);
  });

  test("a number too large for a fraction is whole: rounding it to any places leaves it as it is", async () => {
    // Past 2^53 a double holds no fraction; past 10^20 its decimal text does not fit the decimal
    // the translation rounds, and DuckDB's round(x, d) of the double gave 999999999999999900000
    // for round(1e21, 2) (x * 10^d and back lost the last digits).
    const q =
      "fields round(huge, 2) as a, round(neg, 2) as b, round(wide, 6) as c, round(wide, 15) as d, round(huge) as e";
    const values = { huge: 1e21, neg: -4.7e21, wide: 3.3e22 };
    const local = await eventsDb([{ eventTime: "2024-01-01T00:00:00Z", ...values }]);
    try {
      expect((await local.run(q)).rows).toEqual([
        { a: values.huge, b: values.neg, c: values.wide, d: values.wide, e: values.huge },
      ]);
    } finally {
      local.close();
    }
  });

  test("a value half-way between two is refused at the call: the page does not say which way it goes", async () => {
    for (const [query, call] of [
      ["fields round(tie) as r", "round(tie)"],
      ["fields round(tie2, 2) as r", "round(tie2, 2)"],
      ["fields round(dtie, 2) as r", "round(dtie, 2)"],
      ["fields round(dtie2, 2) as r", "round(dtie2, 2)"],
      ["fields round(big, 2) as r", "round(big, 2)"],
      ["fields round(-2.5) as r", "round(-2.5)"],
    ] as const) {
      const e = await db.run(query).then(
        () => undefined,
        (err: unknown) => insightsRefusal(query, err),
      );
      expect(e, query).toBeInstanceOf(InsightsUnsupportedError);
      expect(e!.offset).toBe(query.indexOf(call));
      expect(e!.message).toMatch(/^round\([-\w.]+(, 2)?\): a value half-way between two roundings/);
    }
  });
});

describe("what only CloudWatch Logs runs", () => {
  const q = [
    "fields jsonParse(@message) as j",
    '| filter j.users[1].action = "PutData" and isPrivateIP(sourceIPAddress)',
    '| filter startsWith(eventName, "Get")',
  ].join("\n");

  test("the local translation refuses it at its line and column, naming the function", () => {
    const e = thrown(InsightsUnsupportedError, () =>
      translateInsights(q, { relation: "cwl_events", check: false }),
    );
    expect(e).toMatchObject({ code: "insights-unsupported", line: 1, column: 8 });
    expect(e.message).toBe(
      "jsonParse() is not supported by the local engine (CloudWatch Logs runs it: use --engine logs)",
    );
  });

  test("a stats offset is refused at the period; one that is no period is a syntax error", () => {
    const q = "stats count(*) by bin(5m) offset 1h";
    const e = thrown(InsightsUnsupportedError, () =>
      translateInsights(q, { relation: "cwl_events", check: false }),
    );
    expect(e.offset).toBe(q.indexOf("1h"));
    expect(e.message).toMatch(
      /^offset \(stats \.\.\. by bin\(\) offset <period>\) is not supported/,
    );
    const bad = thrown(InsightsSyntaxError, () =>
      parseInsights("stats count(*) by bin(5m) offset x"),
    );
    expect(bad.message).toBe('offset takes a period such as 1h or 1d, not "x"');
    // offset only follows a by clause, as the page's syntax shows it
    expect(() => parseInsights("stats count(*) offset 1h")).toThrow(InsightsSyntaxError);
  });

  test("a list's index is refused: the page does not say whether it counts from 0 or 1", () => {
    const e = thrown(InsightsUnsupportedError, () =>
      translateInsights('filter resources[0].ARN = "x"', { relation: "cwl_events", check: false }),
    );
    expect(e.offset).toBe("filter ".length);
    expect(e.message).toMatch(/^resources\[0\]\.ARN: a map's or list's access/);
  });
});
