/**
 * Trino's macros are created when a statement first needs them (src/macros.ts): every macro's
 * statement is valid, a fresh engine answers a query whose macro calls nine others (Trino's
 * zoned timestamp arithmetic, values checked against Trino's documented results), and one engine
 * answers many such queries at once.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { Macros, macrosNeeded } from "../src/macros.ts";
import { MACROS } from "../src/trino.ts";
import { tempDir } from "./helpers.ts";

const engines: LocalEngine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
});

async function freshEngine(): Promise<LocalEngine> {
  const engine = await createLocalEngine({ logDir: await tempDir("run-md-macros-"), threads: 1 });
  engines.push(engine);
  return engine;
}

const WINDOW = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };
const one = async (engine: LocalEngine, sql: string) =>
  (await engine.query(queryRequest("sql", sql, WINDOW))).rows[0]?.[0];

/** How many Trino macros and size guards (bounds.ts) a fresh database holds after `act`. */
async function macrosCreated(
  act: (macros: Macros, db: DuckDBInstance) => Promise<void>,
): Promise<number> {
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  const macros = new Macros(db);
  try {
    await act(macros, db);
    const reader = await conn.runAndReadAll(
      "SELECT count(DISTINCT function_name) FROM duckdb_functions() WHERE (function_name LIKE 'trino\\_%' ESCAPE '\\' OR function_name LIKE 'runmd\\_guard\\_%' ESCAPE '\\') AND function_type = 'macro'",
    );
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    macros.close();
    conn.closeSync();
    db.closeSync();
  }
}

describe("Trino's macros, created as statements need them", () => {
  it("all create in a fresh database, and a statement needs a macro's callees too", async () => {
    const names = MACROS.map((m) => /MACRO\s+(\w+)/i.exec(m)?.[1]?.toLowerCase() ?? "");
    expect(await macrosCreated((macros) => macros.ensure(names))).toBe(names.length);
    expect(macrosNeeded(["SELECT trino_add(x, y)"])).toEqual(
      expect.arrayContaining(["trino_add", "trino_raise", "trino_tz_plus", "trino_tz_make"]),
    );
    expect(macrosNeeded(["SELECT 'no macro here'"])).toEqual([]);
  });

  it("a fresh engine answers zoned timestamp arithmetic (a macro calling nine others)", async () => {
    const engine = await freshEngine();
    // Facts of Trino's conformance corpus (TestTimestampWithTimeZone).
    expect(
      await one(
        engine,
        "SELECT TIMESTAMP '2020-05-01 12:34:56.123 Asia/Kathmandu' + INTERVAL '1' DAY",
      ),
    ).toBe("2020-05-02 12:34:56.123 Asia/Kathmandu");
  });

  it("a batch cut short (some of its macros created, none counted) runs again", async () => {
    const needed = macrosNeeded(["SELECT trino_add(x, y)"]);
    const created = await macrosCreated(async (macros, db) => {
      // What an interrupted batch leaves: the first macros of trino_add's batch exist already.
      const half = new Macros(db);
      await half.ensure(needed.slice(0, 3));
      half.close();
      await macros.ensure(["SELECT trino_add(x, y)"]);
    });
    expect(created).toBe(needed.length);
  });

  it("a cancelled query leaves its engine able to create the macros it was creating", async () => {
    const engine = await freshEngine();
    const sql = "SELECT TIMESTAMP '2020-05-01 12:34:56.123 Asia/Kathmandu' + INTERVAL '1' DAY";
    // Cancelled at once, and after 1 to 10 ms: whenever it lands, the next query answers.
    for (const ms of [0, 1, 2, 5, 10]) {
      const controller = new AbortController();
      const req = { ...queryRequest("sql", sql, WINDOW), signal: controller.signal };
      const running = engine.query(req).catch(() => undefined);
      setTimeout(() => controller.abort(), ms);
      await running;
    }
    expect(await one(engine, sql)).toBe("2020-05-02 12:34:56.123 Asia/Kathmandu");
  });

  it("one engine answers many queries needing the same macros at once", async () => {
    const engine = await freshEngine();
    // Trino's corpus: date_add('day', 1683, TIMESTAMP '2001-01-31 13:31:00.1111 Europe/Warsaw')
    // is 2005-09-10 13:31:00.1111 Europe/Warsaw; a day keeps the wall time, so d days from
    // January 31 is February d.
    const sql = (d: number) =>
      `SELECT date_add('day', ${d}, TIMESTAMP '2001-01-31 13:31:00.1111 Europe/Warsaw')`;
    const days = [1683, 1, 2, 3, 4, 5, 6];
    const got = await Promise.all(days.map((d) => one(engine, sql(d))));
    expect(got).toEqual([
      "2005-09-10 13:31:00.1111 Europe/Warsaw",
      ...days.slice(1).map((d) => `2001-02-0${d} 13:31:00.1111 Europe/Warsaw`),
    ]);
  });
});
