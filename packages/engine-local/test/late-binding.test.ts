import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { rewriteAthena } from "../src/rewrite.ts";
import { PARTITION_COLUMNS } from "../src/schema.ts";
import { TRINO_FUNCTIONS } from "../src/trino.ts";
import { engineOverEmptyFolder } from "./helpers.ts";

const engine = engineOverEmptyFolder();

async function rows(sql: string) {
  const day = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
  return (await engine().query(queryRequest("sql", sql, day))).rows;
}

// Text whose byte reading differs from its characters: a literal backslash escape and letters
// beyond ASCII. The expected lengths are counted here by JavaScript, in code points.
const TEXTS = ["a\\x41b", "héé", "日本"];
const codePoints = (s: string) => [...s].length;
const values = TEXTS.map((s) => `('${s}')`).join(", ");

describe("typed macros whose argument's type DuckDB does not know when it picks the overload", () => {
  it("length of an outer column in a scalar subquery counts characters, not escaped bytes", async () => {
    expect(await rows(`SELECT s, (SELECT length(s)) FROM (VALUES ${values}) t(s)`)).toEqual(
      TEXTS.map((s) => [s, codePoints(s)]),
    );
  });

  it("length of an outer column in EXISTS filters by characters", async () => {
    const want = TEXTS.filter((s) => codePoints(s) === 3).map((s) => [s]);
    expect(
      await rows(
        `SELECT s FROM (VALUES ${values}) t(s) WHERE EXISTS (SELECT 1 FROM (VALUES 1) u(x) WHERE length(t.s) = 3)`,
      ),
    ).toEqual(want);
  });

  it("length refuses what is neither varchar nor varbinary, as Trino does", async () => {
    await expect(rows("SELECT length(ARRAY[1, 2])")).rejects.toThrow(
      /Unexpected parameters .* for function length/,
    );
  });

  it("reverse of an outer array column reverses the array, not its text", async () => {
    expect(
      await rows("SELECT (SELECT reverse(a)) FROM (VALUES (ARRAY[1, 2, 3]), (ARRAY[4])) t(a)"),
    ).toEqual([[[3, 2, 1]], [[4]]]);
  });

  it("date and number functions of outer columns bind (they failed with 'multiple overloads')", async () => {
    expect(
      await rows(
        "SELECT (SELECT date_trunc('hour', ts)), (SELECT date_add('minute', 90, ts)), (SELECT date_diff('second', ts, ts + INTERVAL '1' MINUTE)), (SELECT floor(x)), (SELECT round(x, 1)), (SELECT sign(-x)) FROM (VALUES (TIMESTAMP '2024-03-04 05:06:07', 2.55)) t(ts, x)",
      ),
    ).toEqual([["2024-03-04 05:00:00.000", "2024-03-04 06:36:07.000", 60, 2, 2.6, -1]]);
  });

  it("a user's lambda over an outer column in a subquery binds its typed calls", async () => {
    expect(
      await rows(
        "SELECT (SELECT transform(a, e -> reverse(e))), (SELECT transform(d, e -> floor(e))) FROM (VALUES (ARRAY['ab', 'cde'], ARRAY[1.5, 2.5])) t(a, d)",
      ),
    ).toEqual([
      [
        ["ba", "edc"],
        [1, 2],
      ],
    ]);
  });

  it("a typed call of an outer and an inner column in a correlated subquery binds (y % x, date_diff)", async () => {
    const xs = [1, 2, 3, 4, 6];
    const ys = [1, 2, 3, 4, 5, 6, 12];
    const list = (ns: number[]) => ns.map((n) => `(${n})`).join(", ");
    // Counted here: for each x, the ys it divides.
    const want = xs.map((x) => [x, ys.filter((y) => y % x === 0).length]);
    expect(
      await rows(
        `SELECT x, (SELECT count(*) FROM (VALUES ${list(ys)}) u(y) WHERE y % x = 0) FROM (VALUES ${list(xs)}) t(x) ORDER BY x`,
      ),
    ).toEqual(want);
    expect(
      await rows(
        "SELECT o.x FROM (VALUES (TIMESTAMP '2024-01-01 00:00:00'), (TIMESTAMP '2024-01-03 00:00:00')) o(x) WHERE EXISTS (SELECT 1 FROM (VALUES (TIMESTAMP '2024-01-01 10:00:00')) i(t) WHERE date_diff('hour', o.x, i.t) BETWEEN 0 AND 12)",
      ),
    ).toEqual([["2024-01-01 00:00:00.000"]]);
  });

  it("a typed call of an aggregate and an outer column in a correlated subquery binds", async () => {
    // Computed here: the largest y divided by each x, and a date x days after the latest.
    expect(
      await rows(
        "SELECT x, (SELECT max(y) / x FROM (VALUES 4, 6) u(y)), (SELECT date_add('day', x, max(d)) FROM (VALUES DATE '2024-01-01') u(d)) FROM (VALUES 1, 2, 4) t(x) ORDER BY x",
      ),
    ).toEqual([1, 2, 4].map((x) => [x, Math.trunc(6 / x), `2024-01-0${1 + x}`]));
  });

  it("an outer t.a is bound late even where an inner source is also called t (without an a)", async () => {
    expect(
      await rows(
        "SELECT (SELECT reverse(t.a) FROM (VALUES 'zz') t(b)) FROM (VALUES ARRAY[1, 2]) t(a)",
      ),
    ).toEqual([[[2, 1]]]);
    expect(
      await rows(
        "SELECT (SELECT reverse(t.b) FROM (VALUES 'zz') t(b)) FROM (VALUES ARRAY[1, 2]) t(a)",
      ),
    ).toEqual([["zz"]]);
  });

  it("UNNEST of a typed call of the columns before it (lateral) binds", async () => {
    expect(
      await rows(
        "SELECT d, i FROM (VALUES (DATE '2024-01-01', DATE '2024-01-03')) t(d1, d2) CROSS JOIN UNNEST(sequence(d1, d2, INTERVAL '1' DAY)) WITH ORDINALITY u(d, i) ORDER BY i",
      ),
    ).toEqual([
      ["2024-01-01", 1],
      ["2024-01-02", 2],
      ["2024-01-03", 3],
    ]);
    expect(
      await rows(
        "SELECT r, i FROM (VALUES (ARRAY[1, 2, 3])) t(x) CROSS JOIN UNNEST(reverse(x)) WITH ORDINALITY u(r, i) ORDER BY i",
      ),
    ).toEqual([
      [3, 1],
      [2, 2],
      [1, 3],
    ]);
  });

  it("map_agg and multimap_agg of typed calls keep the arguments' types", async () => {
    expect(
      await rows(
        "SELECT map_agg(x, reverse(a)), multimap_agg(x, reverse(a)), map_agg(CAST(x AS varchar), length(s)) FROM (VALUES (1, ARRAY[1, 2], 'héé'), (2, ARRAY[3], 'a\\x41b')) t(x, a, s)",
      ),
    ).toEqual([
      [
        { 1: [2, 1], 2: [3] },
        { 1: [[2, 1]], 2: [[3]] },
        { 1: 3, 2: 6 },
      ],
    ]);
  });

  it("map_agg of date and rounding calls binds", async () => {
    expect(
      await rows(
        "SELECT map_agg(x, date_add('hour', 1, ts)), map_agg(x, round(y, 1)) FROM (VALUES (1, TIMESTAMP '2024-01-01 00:00:00.000', 1.25)) t(x, ts, y)",
      ),
    ).toEqual([[{ 1: "2024-01-01 01:00:00.000" }, { 1: 1.3 }]]);
  });

  it("split_to_multimap of a cast of a number binds", async () => {
    expect(
      await rows(
        "SELECT split_to_multimap('a=' || CAST(x AS varchar), ',', '=') FROM (VALUES 7) t(x)",
      ),
    ).toEqual([[{ a: ["7"] }]]);
  });
});

describe("only calls that need it are bound late (a bound call runs its macro's dead branches)", () => {
  const db = DuckDBInstance.create(":memory:");
  afterAll(async () => (await db).closeSync());
  const rewrite = async (sql: string) =>
    rewriteAthena(await (await db).connect(), sql, {
      aliases: new Set(["cloudtrail_logs"]),
      target: { catalog: "", schema: "", table: "__runmd_view" },
      trinoFunctions: TRINO_FUNCTIONS,
      partitionColumns: new Set<string>(PARTITION_COLUMNS),
    });
  const bound = async (sql: string) => (await rewrite(sql)).sql.includes("__runmd_bound");

  it("not in a derived table, nor in a subquery naming its own table's columns", async () => {
    expect(
      await bound("SELECT max(h) FROM (SELECT CAST(eventtime AS varchar) h FROM cloudtrail_logs)"),
    ).toBe(false);
    expect(
      await bound(
        "SELECT eventname FROM cloudtrail_logs WHERE eventname IN (SELECT eventname FROM cloudtrail_logs WHERE date_diff('day', from_iso8601_timestamp(eventtime), current_timestamp) < 3 AND useridentity.arn LIKE '%x')",
      ),
    ).toBe(false);
  });

  it("in a subquery naming an outer column", async () => {
    expect(
      await bound(
        "SELECT eventname FROM cloudtrail_logs c WHERE EXISTS (SELECT 1 FROM cloudtrail_logs d WHERE date_diff('second', from_iso8601_timestamp(c.eventtime), from_iso8601_timestamp(d.eventtime)) < 60)",
      ),
    ).toBe(true);
  });

  it("a derived table's partition filter still prunes files", async () => {
    const r = await rewrite(
      "SELECT count(*) FROM (SELECT eventname FROM cloudtrail_logs WHERE date_diff('day', date_parse(concat(year, '/', month, '/', day), '%Y/%m/%d'), TIMESTAMP '2024-01-02 00:00:00') <= 1)",
    );
    expect(r.pruneSql).toContain("trino_date_diff");
  });

  it("text that looks like a bound lambda in a string is left alone", async () => {
    expect(await rows("SELECT '(__runmd_bound_0 -> x', length('(__runmd_bound -> ')")).toEqual([
      ["(__runmd_bound_0 -> x", "(__runmd_bound -> ".length],
    ]);
  });
});
