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

describe("Trino's macros, created as statements need them", () => {
  it("all create in a fresh database, and a statement needs a macro's callees too", async () => {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    try {
      const names = MACROS.map((m) => /MACRO\s+(\w+)/i.exec(m)?.[1]?.toLowerCase() ?? "");
      await new Macros().ensure(conn, names);
      const reader = await conn.runAndReadAll(
        "SELECT count(DISTINCT function_name) FROM duckdb_functions() WHERE function_name LIKE 'trino\\_%' ESCAPE '\\'",
      );
      expect(Number(reader.getRows()[0]?.[0])).toBe(names.length);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
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
