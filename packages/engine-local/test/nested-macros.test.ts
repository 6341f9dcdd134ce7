/**
 * Calls nested in calls of the engine's macros (bind-expanding.ts): DuckDB copies an argument to
 * each mention of its parameter, so four nested regexp_replace took 17 s and 650 MB to plan over
 * 1 MB of events, and ten ran out of memory. Nested twelve deep, each answers what the same
 * replacements made in JavaScript over the same records answer, within a few seconds of this
 * process's CPU time (the engine runs in it); the size guards still refuse inside a nest; the
 * calls people write keep their macros unbound.
 */
import { promises as fsp } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuMsSince } from "../../core/test/cpu-time.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { rewriteAthena } from "../src/rewrite.ts";
import { PARTITION_COLUMNS } from "../src/schema.ts";
import { TRINO_FUNCTIONS } from "../src/trino.ts";
import { DAY_FOLDER, dayEvent, tempDir, window, writeFiles } from "./helpers.ts";

const NAMES = ["  CreateUser ", "\tDeleteBucket\v", "GetObject", " abc def ghi jkl "];
const w = window("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z");
let root: string;
let engine: LocalEngine;

beforeAll(async () => {
  root = await tempDir();
  const records = NAMES.map((n, i) => dayEvent(`e${i}`, n));
  await writeFiles(root, { [`${DAY_FOLDER}/a.json`]: JSON.stringify({ Records: records }) });
  engine = await createLocalEngine({ logDir: root, threads: 1 });
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** The step's rows' first column, in eventID order, and the CPU time the query took. */
async function column(dialect: "sql" | "logs-insights", query: string) {
  const start = process.cpuUsage();
  const r = await engine.query(queryRequest(dialect, query, w));
  return { values: r.rows.map((row) => row[0]), cpuMs: cpuMsSince(start) };
}

/** `fn` applied `depth` times around `inner`, the i-th call given `args(i)`. */
const nest = (fn: string, depth: number, inner: string, args: (i: number) => string) =>
  Array.from({ length: depth }).reduce<string>((e, _v, i) => `${fn}(${e}${args(i)})`, inner);

/** The letters the i-th replacement changes, and what it writes instead. */
const FROM = "abcdefghijklmnopqrstuvwxyz";
const swap = (i: number) => [FROM[i % 26] as string, String(i % 10)] as const;
const expected = (depth: number) =>
  [...NAMES]
    .map((n) =>
      Array.from({ length: depth }).reduce<string>((s, _v, i) => {
        const [x, y] = swap(i);
        return s.split(x).join(y);
      }, n),
    )
    .sort();

describe("twelve nested calls answer as the same replacements in JavaScript, at once", () => {
  for (const fn of ["regexp_replace", "replace"]) {
    it(`Athena SQL ${fn}`, async () => {
      const e = nest(fn, 12, "eventname", (i) => `, '${swap(i)[0]}', '${swap(i)[1]}'`);
      const got = await column("sql", `SELECT ${e} FROM cloudtrail_logs ORDER BY 1`);
      expect(got.values).toEqual(expected(12));
      // Unbound, four levels took 17 s; twelve bound take well under a second here.
      expect(got.cpuMs).toBeLessThan(8000);
    });
  }

  it("a bound call's subquery and aggregate arguments", async () => {
    const e = nest(
      "replace",
      4,
      "max(eventname)",
      (i) => `, '${swap(i)[0]}', (SELECT '${swap(i)[1]}')`,
    );
    const got = await column("sql", `SELECT ${e} FROM cloudtrail_logs`);
    const max = [...NAMES].sort().at(-1) as string;
    const want = Array.from({ length: 4 }).reduce<string>(
      (s, _v, i) => s.split(swap(i)[0]).join(swap(i)[1]),
      max,
    );
    expect(got.values).toEqual([want]);
  });

  it("a subquery argument of a macro that uses it in a lambda (was DuckDB's binder error)", async () => {
    const got = await column(
      "sql",
      "SELECT replace(eventname, 'e', (SELECT 'E')) FROM cloudtrail_logs ORDER BY 1",
    );
    expect(got.values).toEqual(NAMES.map((n) => n.split("e").join("E")).sort());
  });

  it("dialect=duckdb regexp_replace (its own guard)", async () => {
    const e = nest(
      "regexp_replace",
      12,
      "eventname",
      (i) => `, '${swap(i)[0]}', '${swap(i)[1]}', 'g'`,
    );
    const start = process.cpuUsage();
    const r = await engine.query(
      queryRequest("sql", `SELECT ${e} FROM cloudtrail_logs ORDER BY 1`, w, {
        attributes: { optional: false, sqlDialect: "duckdb" },
      }),
    );
    expect(r.rows.map((row) => row[0])).toEqual(expected(12));
    expect(cpuMsSince(start)).toBeLessThan(8000);
  });

  it("Logs Insights trim, ten deep, trims as String.trim with the vertical tab", async () => {
    const e = nest("trim", 10, "eventName", () => "");
    const got = await column("logs-insights", `fields ${e} as t | sort t asc`);
    expect(got.values).toEqual(NAMES.map((n) => n.replace(/^[\s\v]+|[\s\v]+$/g, "")).sort());
    expect(got.cpuMs).toBeLessThan(8000);
  });
});

describe("the size guards still refuse inside a nest", () => {
  const big = `'${"x".repeat(100_000)}'`;
  it.each([
    [
      "Athena SQL",
      `SELECT ${nest("regexp_replace", 6, "eventname", (i) => (i === 4 ? `, '', ${big}` : ", 'a', 'b'"))} FROM cloudtrail_logs`,
    ],
    [
      "Athena SQL in try()",
      `SELECT try(${nest("replace", 6, "eventname", (i) => (i === 4 ? `, '', ${big}` : ", 'a', 'b'"))}) FROM cloudtrail_logs`,
    ],
  ])("%s", async (_name, q) => {
    await expect(column("sql", q)).rejects.toMatchObject({ code: "value-too-large" });
  });

  it("Logs Insights replace", async () => {
    // The fourth call makes a thousand x of each e, the fifth a thousand of each x: a million.
    const grow = (i: number) =>
      i === 3
        ? `, "e", "${"x".repeat(1000)}"`
        : i === 4
          ? `, "x", "${"x".repeat(1000)}"`
          : `, "a", "b"`;
    const q = `fields ${nest("replace", 6, "eventName", grow)} as t`;
    await expect(column("logs-insights", q)).rejects.toMatchObject({ code: "value-too-large" });
  });
});

describe("the calls people write keep their macros unbound (binding costs each row)", () => {
  const db = DuckDBInstance.create(":memory:");
  afterAll(async () => (await db).closeSync());
  const bound = async (sql: string) =>
    (
      await rewriteAthena(await (await db).connect(), sql, {
        aliases: new Set(["cloudtrail_logs"]),
        target: { catalog: "", schema: "", table: "__runmd_view" },
        trinoFunctions: TRINO_FUNCTIONS,
        partitionColumns: new Set<string>(PARTITION_COLUMNS),
      })
    ).sql.includes("__runmd_bound");

  it.each([
    "SELECT CAST(json_extract_scalar(requestparameters, '$.userName') AS varchar) FROM cloudtrail_logs",
    "SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) FROM cloudtrail_logs",
    "SELECT to_iso8601(date_add('day', 1, from_iso8601_timestamp(eventtime))) FROM cloudtrail_logs",
    "SELECT lower(regexp_replace(regexp_replace(eventname, 'a', 'b'), 'c', 'd')) FROM cloudtrail_logs",
    "SELECT format('%s-%s', eventname, awsregion) FROM cloudtrail_logs",
  ])("%s", async (sql) => {
    expect(await bound(sql)).toBe(false);
  });

  it("three nested regexp_replace are bound", async () => {
    const e = nest("regexp_replace", 3, "eventname", () => ", 'a', 'b'");
    expect(await bound(`SELECT ${e} FROM cloudtrail_logs`)).toBe(true);
  });
});

describe("binding keeps what the call reads (second read of bind-expanding.ts)", () => {
  // 700 WHENs never taken: a constant expression of about 2,800 nodes, past the budget.
  const big = `CASE ${Array.from({ length: 700 }, (_v, i) => `WHEN 1 = ${i + 2} THEN 'a'`).join(" ")} ELSE 'z' END`;
  const names = [...NAMES].sort();

  it.each([
    [
      "in a correlated subquery (bind-late's binding around it)",
      `SELECT (SELECT concat_ws(lower(';'), 'x', c.eventname, ${big})) FROM cloudtrail_logs c ORDER BY c.eventname`,
    ],
    [
      "in try() (trino-try's binding around it)",
      `SELECT try(concat_ws(lower(';'), 'x', upper(eventname), ${big})) FROM cloudtrail_logs ORDER BY eventname`,
    ],
  ])("an argument read through an enclosing binding, %s", async (name, q) => {
    // Was x;;;z: the argument left in the body read the new lambda's parameter of the same name.
    const got = await column("sql", q);
    const up = name.includes("try");
    expect(got.values).toEqual(names.map((n) => `x;${up ? n.toUpperCase() : n};z`));
  });

  it("a call past the budget with nothing to bind answers (was: Can't pack nothing into a struct)", async () => {
    const got = await column("sql", `SELECT concat('a', 'b', ${big}) FROM cloudtrail_logs`);
    expect(got.values).toEqual(NAMES.map(() => "abz"));
  });

  it("zip_with of a NULL array from a subquery is NULL, its lambda never run (Trino's)", async () => {
    // Bound, the lambda ran over the NULL array's padding and raised Cannot cast 'z' to INT.
    const got = await column(
      "sql",
      "SELECT zip_with((SELECT CAST(NULL AS array(varchar))), ARRAY['1'], (x, y) -> CAST(coalesce(x, 'z') AS integer)) FROM cloudtrail_logs",
    );
    expect(got.values).toEqual(NAMES.map(() => null));
  });
});
