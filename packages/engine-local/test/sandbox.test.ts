/**
 * The sandbox corpus: every table function DuckDB has that is not on the allow-list (enumerated
 * from duckdb_functions() of a fresh DuckDB at test time, so an upgrade that adds one cannot slip
 * through), system tables, file paths and the ways to hide them (sub-queries, CTEs, joins, CTE
 * scoping tricks) are refused before they run, through both ways SQL enters the engine, and the log
 * directory is byte-for-byte the same afterwards. A query shows no value from outside its window,
 * not even in an error raised by a filter DuckDB might run before the window's.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { checkTree, REFUSED_FUNCTIONS } from "../src/sandbox.ts";
import { tempDir, window } from "./helpers.ts";
import { listTableFunctions, sandboxCorpus, snapshot } from "./sandbox-corpus.ts";

let root: string;
let logDir: string;
let engine: LocalEngine;
let tableFunctions: string[];

beforeAll(async () => {
  root = await tempDir();
  logDir = path.join(root, "logs");
  await generateLogs({
    outDir: logDir,
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-02T00:00:00Z"),
    eventsPerDay: 200,
    seed: "sandbox",
  });
  await fsp.writeFile(path.join(logDir, "notes.csv"), "a,b\n1,2\n");
  engine = await createLocalEngine({ logDir, threads: 2 });
  tableFunctions = await listTableFunctions();
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

describe("the sandbox", () => {
  it("refuses every unlisted table function, system table and file path, and changes nothing on disk", async () => {
    const before = await snapshot(logDir);
    const statements = sandboxCorpus(logDir, root, tableFunctions);
    expect(tableFunctions.length).toBeGreaterThan(50);
    expect(tableFunctions).toContain("enable_logging");
    expect(statements.length).toBeGreaterThanOrEqual(60);
    const ran: string[] = [];
    for (const sql of statements) {
      const err = await engine.runAthenaSql(sql, []).then(
        () => undefined,
        (e: { code?: string; message?: string }) => e,
      );
      if (err === undefined) ran.push(sql);
      else expect([err.code, err.message], sql).toEqual(["sql-refused", expect.any(String)]);
    }
    expect(ran).toEqual([]);
    // The same through the runbook path (query()), which scopes the table to a window. A step in
    // DuckDB's dialect skips the Athena check (@run-md/sql), so the sandbox alone must refuse it.
    for (const sql of statements.slice(0, 12)) {
      await expect(
        engine.query(
          queryRequest("sql", sql, window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"), {
            attributes: { optional: false, sqlDialect: "duckdb" },
          }),
        ),
        sql,
      ).rejects.toMatchObject({ code: "sql-refused" });
    }
    expect(await snapshot(logDir)).toEqual(before);
    // The engine is alive and its table whole.
    const r = await engine.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", []);
    expect(r.rows[0]?.[0]).toBe(200);
  });

  it("names what it refused", async () => {
    await expect(
      engine.runAthenaSql("SELECT * FROM duckdb_logs_parsed('QueryLog')", []),
    ).rejects.toThrow(/table function duckdb_logs_parsed\(\)/);
    await expect(engine.runAthenaSql("SELECT * FROM system.main.duckdb_logs", [])).rejects.toThrow(
      /table system\.main\.duckdb_logs/,
    );
  });

  it("still runs the allow-listed table functions and CTEs", async () => {
    const r = await engine.runAthenaSql(
      `WITH n AS (SELECT * FROM range(4)), g AS (SELECT * FROM generate_series(1, 3))
       SELECT (SELECT count(*) FROM n), (SELECT sum(generate_series) FROM g),
              (SELECT count(*) FROM unnest([1, 2, 3, 4, 5])),
              (SELECT count(*) FROM json_each('{"a": 1, "b": 2}'))`,
      [],
    );
    expect(r.rows).toEqual([[4, 6, 5, 2]]);
    // A recursive CTE reads itself in its recursive part.
    const rec = await engine.runAthenaSql(
      "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT sum(n) FROM t",
      [],
    );
    expect(rec.rows).toEqual([[15]]);
  });

  it("refuses functions that run SQL text, current_setting and built-in macros that read system tables", async () => {
    const csv = path.join(logDir, "notes.csv");
    const day = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
    for (const sql of [
      `SELECT json_serialize_plan('SELECT zzz FROM read_csv(''${csv}'')')`,
      "SELECT json_execute_serialized_sql(json_serialize_plan('SELECT 1'))",
      "SELECT current_setting('allowed_directories')",
      "SELECT PG_GET_VIEWDEF(1)",
      "SELECT system.main.pg_get_viewdef(x) FROM range(10) t(x)",
      "SELECT format_type(1, 1), get_block_size('memory')",
      "SELECT current_query_id(), txid_current()",
      "SELECT current_connection_id()",
    ]) {
      await expect(engine.runAthenaSql(sql, []), sql).rejects.toMatchObject({
        code: "sql-refused",
      });
    }
    // Quoting Trino's grammar reads otherwise than DuckDB: a runbook's Athena step reads it as
    // Trino does (the comment ends at its first */, the rest is a string: nothing is called), and
    // a DuckDB step as DuckDB does (the comment nests, current_setting is called: refused).
    const hidden =
      "SELECT eventname, /* /* */ 'x */ current_setting($$allowed_directories$$) AS leak, --' AS a FROM cloudtrail_logs";
    const asTrino = await engine.query(queryRequest("sql", hidden, day));
    expect(asTrino.columns.map((c) => c.name)).toEqual(["eventname", "a"]);
    expect(new Set(asTrino.rows.map((r) => r[1]))).toEqual(
      new Set(["x */ current_setting($$allowed_directories$$) AS leak, --"]),
    );
    const duckdb = { attributes: { optional: false, sqlDialect: "duckdb" as const } };
    await expect(engine.query(queryRequest("sql", hidden, day, duckdb))).rejects.toMatchObject({
      code: "sql-refused",
    });
  });

  it("lists every built-in macro whose body the sandbox refuses", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      const macros = (
        await conn.runAndReadAll(
          "SELECT DISTINCT function_name, macro_definition FROM duckdb_functions() WHERE function_type = 'macro' AND internal AND macro_definition IS NOT NULL",
        )
      ).getRows();
      expect(macros.length).toBeGreaterThan(50);
      const refused: string[] = [];
      for (const [name, body] of macros) {
        const sql = `SELECT ${String(body)}`;
        const tree = (
          await conn.runAndReadAll(`SELECT json_serialize_sql('${sql.replaceAll("'", "''")}')`)
        ).getRows()[0]?.[0];
        const parsed = JSON.parse(String(tree)) as { error?: boolean; statements?: unknown[] };
        expect(parsed.error, String(name)).toBeFalsy();
        try {
          checkTree(parsed.statements, new Set(), new Set());
        } catch {
          refused.push(String(name));
        }
      }
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.filter((n) => !REFUSED_FUNCTIONS.has(n))).toEqual([]);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it("shows no value from outside the window, in rows or in an error, whatever order the filters run in", async () => {
    // The attack: a predicate or column that raises only on an event before the window, whose
    // error would quote that event's value (DuckDB's cast errors do), if DuckDB evaluated it
    // before the window's own filter. The truth comes from the raw files: events exist on both
    // sides of the window's start.
    const start = "2024-03-01T10:00:00Z";
    const times: string[] = [];
    for (const rel of (await fsp.readdir(logDir, { recursive: true })).map(String)) {
      if (!rel.endsWith(".json.gz")) continue;
      const text = zlib.gunzipSync(await fsp.readFile(path.join(logDir, rel))).toString("utf8");
      for (const r of (JSON.parse(text) as { Records: { eventTime: string }[] }).Records) {
        times.push(r.eventTime);
      }
    }
    const inside = times.filter((t) => t >= start && t < "2024-03-01T12:00:00Z").length;
    expect(times.filter((t) => t < start).length).toBeGreaterThan(0);
    expect(inside).toBeGreaterThan(0);
    const w = window(start, "2024-03-01T12:00:00Z");
    const before = "CASE WHEN eventtime < '2024-03-01T10' THEN eventtime ELSE '1' END";
    const attacks: [string, "athena" | "duckdb", unknown[][]][] = [
      [
        `SELECT count(*) AS n FROM cloudtrail_logs WHERE CAST(${before} AS INTEGER) = 2`,
        "athena",
        [[0]],
      ],
      [
        `SELECT count(*) AS n FROM cloudtrail_logs WHERE CAST(${before} AS INTEGER) = 2`,
        "duckdb",
        [[0]],
      ],
      [
        `SELECT count(*) AS n FROM cloudtrail_logs WHERE eventtime < '2024-03-01T10' AND CAST(eventtime AS INTEGER) = 2`,
        "duckdb",
        [[0]],
      ],
      [`SELECT sum(CAST(${before} AS INTEGER)) AS n FROM cloudtrail_logs`, "athena", [[inside]]],
      [
        `SELECT count(*) AS n FROM cloudtrail_logs a JOIN cloudtrail_logs b ON CAST(CASE WHEN b.eventtime < '2024-03-01T10' THEN b.eventtime ELSE '1' END AS INTEGER) = 1 AND a.eventid = b.eventid`,
        "duckdb",
        [[inside]],
      ],
    ];
    // Each twice: read from the files, then (the session cache) from the engine's own tables.
    for (const [sql, dialect, rows] of [...attacks, ...attacks]) {
      const r = await engine.query(
        queryRequest("sql", sql, w, {
          attributes:
            dialect === "duckdb" ? { optional: false, sqlDialect: "duckdb" } : { optional: false },
        }),
      );
      expect(r.rows, `${dialect}: ${sql}`).toEqual(rows);
    }
  });

  it("sets aside no log file because a query's own error names it", async () => {
    // The attack of a red-team review: name a log file in an error, then the lenient reader's copy
    // of it, and the engine skipped the file for the rest of its life (every user of a server).
    const own = await createLocalEngine({ logDir, threads: 1 });
    const cacheDir = (own as unknown as { cacheDir: string }).cacheDir;
    const forge = (file: string) =>
      own.runAthenaSql(`SELECT CAST('file "${file}"' AS INTEGER) FROM cloudtrail_logs`, []).then(
        () => "ran",
        (e: Error) => e.message,
      );
    const count = async () =>
      (await own.runAthenaSql("SELECT count(*) FROM cloudtrail_logs", [])).rows[0]?.[0];
    try {
      const files = (await fsp.readdir(logDir, { recursive: true }))
        .map(String)
        .filter((f) => f.endsWith(".json.gz"));
      expect(await forge(path.join(logDir, files[0] as string))).toMatch(/convert|Cannot cast/i);
      expect(await count()).toBe(200);
      const parts = (await fsp.readdir(cacheDir, { recursive: true }).catch(() => []))
        .map(String)
        .filter((f) => f.endsWith(".json"));
      for (const p of parts) await forge(path.join(cacheDir, p));
      expect(await count()).toBe(200);
      expect(parts).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
