/**
 * StepRows: a result streamed in chunks keeps the report's first rows (masked), counts every row
 * and evaluates the checks as the rows go by; a `restart` chunk forgets what came before. Expected
 * figures are computed here from the generated rows.
 */
import { describe, expect, it } from "vitest";
import { StepRows } from "../src/collect.ts";
import type { ColumnInfo, JsonValue, QueryResult, RowChunk } from "../src/engine.ts";
import { parseExpect } from "../src/expect.ts";

const columns: ColumnInfo[] = [
  { name: "n", type: "bigint" },
  { name: "who", type: "varchar" },
];
const ROWS: JsonValue[][] = Array.from({ length: 5000 }, (_, i) => [
  i,
  i % 97 === 0 ? `bad-${i % 5}` : `user-${i % 13}`,
]);
const checksText = [
  "rows == 5000",
  `sum(n) == ${(4999 * 5000) / 2}`,
  "max(n) == 4999",
  "distinct(who) == 18",
  "no who like 'bad%'",
  "every n >= 0",
].join("\n");

function chunks(rows: JsonValue[][], size: number, restart = false): RowChunk[] {
  const out: RowChunk[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const part = rows.slice(i, i + size);
    out.push({
      columns,
      length: part.length,
      rows: () => part,
      ...(restart && i === 0 ? { restart: true } : {}),
    });
  }
  return out;
}

const streamed: QueryResult = {
  columns,
  rows: [],
  rowCount: 5000,
  queryAsRun: "",
  stats: {},
  warnings: [],
};

describe("a step's rows, streamed", () => {
  it("keeps the first 100 rows, counts all and evaluates every check over every chunk", async () => {
    const { checks, diagnostics } = parseExpect(checksText, 1, "t.md");
    expect(diagnostics).toEqual([]);
    const collected = new StepRows(checks, 100);
    // A first attempt delivers part of the result, then the engine restarts it.
    for (const c of chunks(ROWS.slice(0, 700), 333)) await collected.onRows(c);
    for (const c of chunks(ROWS, 333, true)) await collected.onRows(c);
    const out = await collected.finish(streamed);
    expect(out.rowCount).toBe(5000);
    expect(out.truncated).toBe(true);
    expect(out.rows).toEqual(ROWS.slice(0, 100));
    const bad = ROWS.filter((r) => String(r[1]).startsWith("bad"));
    expect(out.checks.map((c) => [c.check, c.status, c.actual])).toEqual([
      ["rows == 5000", "passed", 5000],
      [`sum(n) == ${(4999 * 5000) / 2}`, "passed", (4999 * 5000) / 2],
      ["max(n) == 4999", "passed", 4999],
      ["distinct(who) == 18", "passed", 18],
      ["no who like 'bad%'", "failed", bad.length],
      ["every n >= 0", "passed", 0],
    ]);
    const no = out.checks[4];
    expect(no?.offendingCount).toBe(bad.length);
    expect(no?.offendingRows).toEqual(bad.slice(0, 10).map(([n, who]) => ({ n, who })));
  });

  it("only counts the rows past the report's when no check reads values", async () => {
    const { checks } = parseExpect("rows > 10", 1, "t.md");
    const collected = new StepRows(checks, 100);
    let converted = 0;
    for (const c of chunks(ROWS, 1000)) {
      await collected.onRows({
        ...c,
        rows: () => {
          converted++;
          return c.rows();
        },
      });
    }
    const out = await collected.finish(streamed);
    expect([out.rowCount, out.rows.length, out.checks[0]?.status]).toEqual([5000, 100, "passed"]);
    expect(converted).toBe(1);
  });

  it("takes the rows of an engine that does not stream", async () => {
    const { checks } = parseExpect("rows == 3\nmax(n) == 2", 1, "t.md");
    const collected = new StepRows(checks, 2);
    const out = await collected.finish({
      ...streamed,
      rowCount: undefined,
      rows: ROWS.slice(0, 3),
    });
    expect([out.rowCount, out.rows, out.truncated]).toEqual([3, ROWS.slice(0, 2), true]);
    expect(out.checks.map((c) => c.status)).toEqual(["passed", "passed"]);
  });
});

describe("the report's rows of large values", () => {
  it("keeps the first rows while they hold 16 MiB at most, counting and checking the rest", async () => {
    // 60 rows of a 1,000,000-character value each: 60 MB, far past what the report keeps.
    const big: JsonValue[][] = Array.from({ length: 60 }, (_, i) => [
      i,
      String.fromCharCode(65 + (i % 26)).repeat(1_000_000),
    ]);
    const { checks } = parseExpect("rows == 60", 1, "t.md");
    const collected = new StepRows(checks, 100);
    for (const c of chunks(big, 7)) await collected.onRows(c);
    const out = await collected.finish({ ...streamed, rowCount: 60 });
    const chars = out.rows.reduce((n, r) => n + String(r[1]).length, 0);
    expect(chars).toBeLessThanOrEqual(16 * 2 ** 20);
    expect(out.rows.length).toBeGreaterThan(0);
    expect(out.rows).toEqual(big.slice(0, out.rows.length));
    expect(out.rowCount).toBe(60);
    expect(out.truncated).toBe(true);
    expect(out.checks.map((c) => c.status)).toEqual(["passed"]);
    // Once full, the values of what follows are only counted.
    expect(collected.rowsWanted()).toBe(false);
  });
});

describe("rowsWanted: whether the next chunk's values will be read", () => {
  it("only until the report's first rows are kept, when no check reads values and no sink takes rows", async () => {
    const { checks } = parseExpect("rows == 5000", 1, "t.md");
    const collected = new StepRows(checks, 100);
    const wanted: boolean[] = [];
    for (const c of chunks(ROWS, 60)) {
      wanted.push(collected.rowsWanted());
      await collected.onRows(c);
    }
    // 60 rows, then 40 more fill the 100: the third chunk on is counted only.
    expect(wanted.slice(0, 3)).toEqual([true, true, false]);
    expect(new Set(wanted.slice(2))).toEqual(new Set([false]));
    expect((await collected.finish(streamed)).rowCount).toBe(5000);
  });

  it("always, when a check reads values or a sink takes every row", async () => {
    const { checks } = parseExpect("max(n) == 4999", 1, "t.md");
    const reading = new StepRows(checks, 10);
    const sunk = new StepRows(parseExpect("rows == 5000", 1, "t.md").checks, 10, () => {});
    for (const c of chunks(ROWS, 500)) {
      expect([reading.rowsWanted(), sunk.rowsWanted()]).toEqual([true, true]);
      await reading.onRows(c);
      await sunk.onRows(c);
    }
  });
});
