import { parseInsights } from "@run-md/insights";
import { describe, expect, test } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { groupOfLog } from "../src/engine.ts";
import {
  createLogsEngine,
  expectedColumns,
  logsInsightsCostUsd,
  numericColumns,
  toRows,
  windowSeconds,
} from "../src/index.ts";

describe("the window", () => {
  test.each([
    [
      "a whole-second half-open window becomes inclusive start and end seconds",
      ["2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"],
      { startTime: 1_795_392_000, endTime: 1_795_478_399 },
    ],
    [
      "fractional bounds keep the whole seconds inside the window (CloudTrail's event times)",
      ["2026-11-23T00:00:00.400Z", "2026-11-23T00:00:10.250Z"],
      { startTime: 1_795_392_001, endTime: 1_795_392_010 },
    ],
  ])("%s", (_name, [start, end], seconds) => {
    expect(windowSeconds({ start: new Date(start!), end: new Date(end!) })).toEqual(seconds);
  });

  test("a window without a whole second is refused, not widened to the next second", () => {
    // [t, t) and [t + 0.4 s, t + 0.9 s) hold no CloudTrail event; the range of one second that
    // was sent for them held the events of t or t + 1 s.
    const t = Date.parse("2026-11-23T00:00:00Z");
    for (const [a, b] of [
      [0, 0],
      [400, 900],
      [-500, 0],
    ]) {
      const w = { start: new Date(t + a!), end: new Date(t + b!) };
      expect(() => windowSeconds(w)).toThrow(expect.objectContaining({ code: "bad-window" }));
    }
    expect(windowSeconds({ start: new Date(t - 500), end: new Date(t + 1) })).toEqual({
      startTime: t / 1000,
      endTime: t / 1000,
    });
  });
});

test("the cost estimate is the bytes scanned at the price per GB", () => {
  expect(logsInsightsCostUsd(2 ** 30)).toBeCloseTo(0.005, 10);
  expect(logsInsightsCostUsd(10 * 2 ** 30, 0.0063)).toBeCloseTo(0.063, 10);
});

describe("results", () => {
  test("columns in order of first appearance, @ptr dropped, missing fields null", () => {
    const { columns, rows } = toRows([
      [
        { field: "@timestamp", value: "2026-11-23 10:00:00.000" },
        { field: "eventName", value: "ConsoleLogin" },
        { field: "@ptr", value: "p1" },
      ],
      [
        { field: "@timestamp", value: "2026-11-23 09:00:00.000" },
        { field: "errorCode", value: "AccessDenied" },
        { field: "@ptr", value: "p2" },
      ],
    ]);
    expect(columns.map((c) => c.name)).toEqual(["@timestamp", "eventName", "errorCode"]);
    expect(rows).toEqual([
      ["2026-11-23 10:00:00.000", "ConsoleLogin", null],
      ["2026-11-23 09:00:00.000", null, "AccessDenied"],
    ]);
  });

  test("the query's own fields come first and are there even when no row has them", () => {
    const expected = expectedColumns(parseInsights("fields @timestamp, errorCode, eventName"));
    expect(expected).toEqual(["@timestamp", "errorCode", "eventName"]);
    const { columns, rows } = toRows(
      [
        [
          { field: "eventName", value: "A" },
          { field: "@timestamp", value: "t" },
          { field: "@ptr", value: "p" },
        ],
      ],
      new Set(),
      expected,
    );
    expect(columns.map((c) => c.name)).toEqual(["@timestamp", "errorCode", "eventName"]);
    expect(rows).toEqual([["t", null, "A"]]);
    expect(toRows([], new Set(), expected).columns.map((c) => c.name)).toEqual(expected);
  });

  test("numeric aggregate columns become numbers, other values stay text", () => {
    const numeric = numericColumns(
      parseInsights(
        "stats count(*), avg(bytes) as mean, max(b) - min(b) as spread, earliest(x) by eventName, bin(1h)",
      ),
    );
    expect([...numeric]).toEqual(["count(*)", "mean", "spread"]);
    const { columns, rows } = toRows(
      [
        [
          { field: "eventName", value: "007" },
          { field: "count(*)", value: "12" },
          { field: "mean", value: "3.5" },
          { field: "earliest(x)", value: "42" },
        ],
      ],
      numeric,
    );
    expect(rows).toEqual([["007", 12, 3.5, "42"]]);
    expect(columns.map((c) => c.type)).toEqual(["varchar", "double", "double", "varchar"]);
  });
});

describe("the log group a @log value names (account-id:log-group-name)", () => {
  const arnA = "arn:aws:logs:us-east-1:111111111111:log-group:trail";
  const arnB = "arn:aws:logs:us-east-1:222222222222:log-group:trail";
  test.each<[string, string, string[], string | undefined]>([
    ["a name, of any account", "333333333333:trail", ["trail", "other"], "trail"],
    ["an ARN, of its account", "222222222222:trail", [arnA, arnB], arnB],
    ["an ARN, of another account: none", "333333333333:trail", [arnA, arnB], undefined],
    ["a name and an ARN it could both be: none", "111111111111:trail", ["trail", arnA], undefined],
    ["a name listed twice: none", "111111111111:trail", ["trail", "trail"], undefined],
    ["no group of that name: none", "111111111111:trail-b", ["trail", arnA], undefined],
    ["no account: none", "trail", ["trail"], undefined],
    ["an account that is not 12 digits: none", "cloudtrail:trail", ["trail"], undefined],
    ["a name with a colon: none", "111111111111:a:trail", ["a:trail"], undefined],
  ])("%s", (_name, log, groups, want) => {
    expect(groupOfLog(log, groups)).toBe(want);
  });
});

describe("requests refused before any AWS call", () => {
  const base = queryRequest("logs-insights", "fields eventName", {
    start: new Date(0),
    end: new Date(1000),
  });
  // An unroutable endpoint: any call to it would fail differently from what these tests expect.
  const engine = createLogsEngine({ endpoint: "http://127.0.0.1:9", logGroups: ["g"] });

  test("a SQL step", async () => {
    await expect(engine.query({ ...base, dialect: "sql" })).rejects.toMatchObject({
      code: "wrong-dialect",
    });
  });

  test("an unknown parameter", async () => {
    await expect(
      engine.query({ ...base, dialect: "logs-insights", query: "filter eventName = {{nope}}" }),
    ).rejects.toMatchObject({ code: "unknown-param" });
  });

  test("a field CloudTrail records do not have, and a boolean parameter as a condition", async () => {
    await expect(
      engine.query({ ...base, query: 'filter eventNmae = "ConsoleLogin"' }),
    ).rejects.toMatchObject({
      code: "insights-field",
      message: expect.stringContaining('"eventName"'),
    });
    await expect(
      engine.query({
        ...base,
        query: "filter {{flag}} | stats count(*)",
        params: { flag: { type: "boolean", value: false } },
      }),
    ).rejects.toMatchObject({ code: "insights-param" });
    await expect(
      engine.query({
        ...base,
        query: "fields eventName | limit {{n}}",
        params: { n: { type: "integer", value: 0 } },
      }),
    ).rejects.toMatchObject({ code: "insights-param", message: expect.stringContaining("{{n}}") });
  });

  test("more than 50 log groups", async () => {
    const many = Array.from({ length: 51 }, (_, i) => `g${i}`);
    await expect(
      engine.query({
        ...base,
        dialect: "logs-insights",
        attributes: { optional: false, logGroups: many },
      }),
    ).rejects.toMatchObject({ code: "logs-config" });
  });

  test("a log group ARN with the trailing :* of IAM policies", async () => {
    const arn = "arn:aws:logs:us-east-1:111122223333:log-group:trail:*";
    await expect(
      engine.query({
        ...base,
        dialect: "logs-insights",
        attributes: { optional: false, logGroups: [arn] },
      }),
    ).rejects.toMatchObject({ code: "logs-config", hint: expect.stringContaining("trailing") });
  });

  test("an already cancelled step", async () => {
    const c = new AbortController();
    c.abort(new Error("user"));
    await expect(
      engine.query({ ...base, dialect: "logs-insights", signal: c.signal }),
    ).rejects.toMatchObject({
      code: "cancelled",
    });
  });
});

test("the public API of @run-md/engine-logs", async () => {
  expect(Object.keys(await import("../src/index.ts")).sort()).toEqual([
    "createLogsEngine",
    "expectedColumns",
    "logsEngine",
    "logsInsightsCostUsd",
    "numericColumns",
    "toRows",
    "windowSeconds",
  ]);
});
