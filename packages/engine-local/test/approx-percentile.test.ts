/**
 * approx_percentile as Trino answers it while its t-digest holds each value as its own centroid
 * (a few dozen values): the sorted values' element at floor(p * n), the largest from p * n >= n - 1
 * on (airlift TDigest.valuesAt, which Trino's bigint, real and double approx_percentile read).
 * DuckDB's approx_quantile interpolated or took another rank: [1, 2, 3, 4] at 0.5 was 2 (Trino 3),
 * [-1.0, 1.0] at 0.5 was 0 (Trino 1.0).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import type { LocalEngine } from "../src/index.ts";
import { datasetsDir, engineOverDataset, engineOverEmptyFolder, hasShared } from "./helpers.ts";

const ALL_TIME = { start: new Date("2000-01-01T00:00:00Z"), end: new Date("2100-01-01T00:00:00Z") };

async function rows(on: LocalEngine, sql: string) {
  return (await on.query(queryRequest("sql", sql, ALL_TIME))).rows;
}

const engine = engineOverEmptyFolder();

describe("Trino's own cases (TestApproximatePercentileAggregation)", () => {
  it.each([
    ["VALUES 1, 2, 3", "0.5", 2],
    ["VALUES NULL, 1, 2, 3", "0.5", 2],
    [
      "VALUES 1, NULL, 2, 2, NULL, 2, 2, NULL, 2, 2, NULL, 3, 3, NULL, 3, NULL, 3, 4, 5, 6, 7",
      "0.5",
      3,
    ],
    ["VALUES 1, 2, 3", "ARRAY[0.5, 0.99]", [2, 3]],
    ["VALUES NULL, 1, 2, 3", "ARRAY[0.8, 0.2, 0.5]", [3, 1, 2]],
    [
      "VALUES 1, NULL, 2, 2, NULL, 2, 2, NULL, 2, 2, NULL, 3, 3, NULL, 3, NULL, 3, 4, 5, 6, 7",
      "ARRAY[0.01, 0.5]",
      [1, 3],
    ],
    ["VALUES CAST(-1.0 AS REAL), CAST(1.0 AS REAL)", "0.5", 1],
    ["VALUES -2E0, 3E0, -1E0", "0.5", -1],
    ["VALUES CAST(NULL AS bigint), NULL", "0.5", null],
    // No value: the array of percentiles is NULL, not an array of NULLs (testLongPartialStep).
    ["VALUES CAST(NULL AS bigint), NULL", "ARRAY[0.5]", null],
    ["VALUES CAST(NULL AS bigint), NULL", "ARRAY[0.5, 0.99]", null],
  ])("%s at %s", async (values, p, want) => {
    const sql = `SELECT approx_percentile(x, ${p}) FROM (${values}) AS t(x)`;
    expect(await rows(engine(), sql)).toEqual([[want]]);
  });

  it("a percentile outside [0, 1] is Trino's error", async () => {
    await expect(
      rows(engine(), "SELECT approx_percentile(x, 1.5) FROM (VALUES 1, 2) AS t(x)"),
    ).rejects.toThrow(/Percentile must be between 0 and 1/);
    await expect(
      rows(engine(), "SELECT approx_percentile(x, ARRAY[0.5, 1.5]) FROM (VALUES 1, 2) AS t(x)"),
    ).rejects.toThrow(/Percentile must be between 0 and 1/);
  });

  it("a NaN value is Trino's error (its t-digest refuses one)", async () => {
    // airlift TDigest.add: "Cannot add NaN to t-digest"; NaN sorted last, it answered 3.
    const nan = "FROM (VALUES 1E0, nan(), 3E0) AS t(x)";
    await expect(rows(engine(), `SELECT approx_percentile(x, 0.5) ${nan}`)).rejects.toThrow(
      /Cannot add NaN to t-digest/,
    );
    await expect(rows(engine(), `SELECT approx_percentile(x, ARRAY[0.5]) ${nan}`)).rejects.toThrow(
      /Cannot add NaN to t-digest/,
    );
  });

  it("a NULL in the array of percentiles is Trino's error", async () => {
    // initializePercentilesArray: "Percentile cannot be null" (it answered [2, NULL]).
    await expect(
      rows(engine(), "SELECT approx_percentile(x, ARRAY[0.5, NULL]) FROM (VALUES 1, 2) AS t(x)"),
    ).rejects.toThrow(/Percentile cannot be null/);
  });

  it("over no value, NULL without judging the percentile (Trino checks it for a value only)", async () => {
    // The scalar's output checks the range only when the digest holds a value; the array's input
    // checks it per value. A FILTER or WHERE leaving no row gave the range error or [NULL, NULL].
    const none = "FROM (VALUES 1, 2) AS t(x) WHERE x > 5";
    expect(await rows(engine(), `SELECT approx_percentile(x, 1.5) ${none}`)).toEqual([[null]]);
    expect(await rows(engine(), `SELECT approx_percentile(x, ARRAY[0.5, 1.5]) ${none}`)).toEqual([
      [null],
    ]);
    const filtered = `SELECT x, approx_percentile(x, ARRAY[0.5]) FILTER (WHERE x > 1)
      FROM (VALUES 1, 2) AS t(x) GROUP BY x ORDER BY x`;
    expect(await rows(engine(), filtered)).toEqual([
      [1, null],
      [2, [2]],
    ]);
  });
});

describe("a percentage that is not a constant", () => {
  // Trino's docs: the percentage "must be constant for all input rows"; its input function keeps
  // the last row's ("use last percentile", ApproximateDoublePercentileAggregations) and skips a
  // row whose percentage is NULL. DuckDB refused it with a binder error that named the column as
  // not grouped.
  it("the same in every row of a group (a grouped column's) is that percentage", async () => {
    const sql = `SELECT g, approx_percentile(x, CASE g WHEN 'a' THEN 0.0 ELSE 1.0 END)
      FROM (VALUES ('a', 1), ('a', 2), ('a', 3), ('b', 4), ('b', 5)) AS t(g, x) GROUP BY g ORDER BY g`;
    expect(await rows(engine(), sql)).toEqual([
      ["a", 1],
      ["b", 5],
    ]);
  });

  it("one differing between a group's rows is refused (Trino's answer is the last row's)", async () => {
    await expect(
      rows(engine(), "SELECT approx_percentile(x, p) FROM (VALUES (1, 0.1), (2, 0.9)) AS t(x, p)"),
    ).rejects.toThrow(/approx_percentile's percentage differs between the rows of a group/);
    await expect(
      rows(
        engine(),
        "SELECT approx_percentile(x, ARRAY[p]) FROM (VALUES (1, 0.1), (2, 0.9)) AS t(x, p)",
      ),
    ).rejects.toThrow(/approx_percentile's percentage differs between the rows of a group/);
  });

  it("a row whose percentage is NULL is skipped, its value too", async () => {
    // Rows (10, NULL) and (20, NULL) add nothing: the digest holds 1, 2, 3; at 1.0 that is 3.
    const sql = `SELECT approx_percentile(x, p)
      FROM (VALUES (1, 1.0), (2, 1.0), (3, 1.0), (10, NULL), (20, NULL)) AS t(x, p)`;
    expect(await rows(engine(), sql)).toEqual([[3]]);
  });
});

describe.skipIf(!hasShared)("on CloudTrail records (Stratus Red Team)", () => {
  const stratus = engineOverDataset("stratus-red-team-detonation-logs");
  let events: { eventName: string; eventSource: string }[] = [];
  beforeAll(async () => {
    const file = path.join(datasetsDir, "stratus-red-team-detonation-logs", "events.jsonl");
    events = (await fsp.readFile(file, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { eventName: string; eventSource: string });
  });

  it("per event source, the name lengths' percentiles at Trino's rank", async () => {
    // Truth: each source's sorted name lengths (code units: the names are ASCII), the element at
    // floor(p * n) capped at the last, for the sources with at most 50 calls (Trino's digest
    // keeps each of them alone there).
    const bySource = new Map<string, number[]>();
    for (const e of events) {
      bySource.set(e.eventSource, [...(bySource.get(e.eventSource) ?? []), e.eventName.length]);
    }
    const at = (s: number[], p: number) => s[Math.min(Math.floor(p * s.length), s.length - 1)];
    const want = [...bySource]
      .filter(([, v]) => v.length <= 50)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, v]) => {
        const s = [...v].sort((a, b) => a - b);
        return [source, at(s, 0.5), at(s, 0.9), at(s, 0.25)];
      });
    // The case tells the rules apart: some source's median is not DuckDB's lower median.
    expect(
      want.some(([source, median]) => {
        const s = [...bySource.get(source as string)!].sort((a, b) => a - b);
        return s[Math.ceil(0.5 * s.length) - 1] !== median;
      }),
    ).toBe(true);
    const sql = `SELECT eventsource, approx_percentile(length(eventname), 0.5),
        approx_percentile(length(eventname), 0.9), approx_percentile(length(eventname), 0.25)
      FROM cloudtrail_logs GROUP BY eventsource HAVING count(*) <= 50 ORDER BY eventsource`;
    expect(await rows(stratus(), sql)).toEqual(want);
  });
});
