/**
 * The sandbox corpus: every table function DuckDB has that is not on the allow-list (enumerated
 * from duckdb_functions() of a fresh DuckDB at test time, so an upgrade that adds one cannot slip
 * through), system tables, file paths and the ways to hide them (sub-queries, CTEs, joins, CTE
 * scoping tricks) are refused before they run, through both ways SQL enters the engine, and the log
 * directory is byte-for-byte the same afterwards.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { ALLOWED_TABLE_FUNCTIONS } from "../src/sandbox.ts";
import { tempDir, window } from "./helpers.ts";

let root: string;
let logDir: string;
let engine: LocalEngine;
let tableFunctions: string[];

/** Every entry under a directory with its type, size and content hash. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await fsp.readdir(dir, { recursive: true })).map(String).sort()) {
    const full = path.join(dir, rel);
    const st = await fsp.lstat(full);
    out[rel] = st.isFile()
      ? `file ${st.size} ${createHash("sha256")
          .update(await fsp.readFile(full))
          .digest("hex")}`
      : st.isDirectory()
        ? "dir"
        : "other";
  }
  return out;
}

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
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  const reader = await conn.runAndReadAll(
    "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') ORDER BY 1",
  );
  tableFunctions = reader.getRows().map((r) => String(r[0]));
  conn.closeSync();
  duck.closeSync();
});
afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** Statements that must be refused: hand-written attacks plus every unlisted table function. */
function corpus(): string[] {
  const written = path.join(logDir, "AWSLogs", "written");
  const outside = path.join(root, "outside");
  const handWritten = [
    `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${written}')`,
    `SELECT * FROM enable_logging(level = 'trace', storage = 'file', storage_path = '${outside}')`,
    `SELECT * FROM system.main.enable_logging(level = 'trace', storage = 'file', storage_path = '${written}')`,
    `SELECT count(*) FROM cloudtrail_logs WHERE eventname IN (SELECT * FROM enable_logging(storage = 'file', storage_path = '${written}'))`,
    `SELECT (SELECT count(*) FROM enable_logging(storage = 'file', storage_path = '${written}')) AS n`,
    `WITH x AS (SELECT * FROM enable_logging(storage = 'file', storage_path = '${written}')) SELECT * FROM x`,
    `SELECT * FROM cloudtrail_logs, LATERAL (SELECT * FROM read_text('${logDir}/notes.csv')) t`,
    `SELECT eventname FROM cloudtrail_logs UNION ALL SELECT content FROM read_text('${logDir}/notes.csv')`,
    `SELECT * FROM read_text('${logDir}/notes.csv')`,
    `SELECT * FROM read_json('${logDir}/AWSLogs/**/*.json.gz')`,
    `SELECT * FROM read_csv('${logDir}/notes.csv')`,
    `SELECT * FROM '${logDir}/notes.csv'`,
    `SELECT * FROM "${logDir}/notes.csv"`,
    "SELECT * FROM duckdb_logs",
    "SELECT * FROM system.main.duckdb_logs",
    "SELECT * FROM duckdb_logs()",
    "SELECT * FROM duckdb_logs_parsed('QueryLog')",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_catalog.pg_settings",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM duckdb_tables",
    "SELECT * FROM (DESCRIBE duckdb_logs)",
    "SELECT * FROM (SUMMARIZE SELECT * FROM duckdb_logs)",
    "SELECT * FROM (SHOW TABLES)",
    "SELECT * FROM (SHOW ALL TABLES)",
    // A CTE named like a system table is only in scope where the statement defines it.
    "WITH x AS (SELECT * FROM duckdb_logs), duckdb_logs AS (SELECT 1 AS a) SELECT * FROM x",
    "SELECT * FROM (WITH duckdb_logs AS (SELECT 1 AS a) SELECT * FROM duckdb_logs) t, duckdb_logs",
    "SELECT * FROM query('SELECT * FROM duckdb_logs')",
    "SELECT * FROM query_table('duckdb_logs')",
    "SELECT * FROM glob('/etc/*')",
  ];
  const unlisted = tableFunctions
    .filter((f) => !ALLOWED_TABLE_FUNCTIONS.has(f))
    .map((f) => `SELECT * FROM ${f}()`);
  return [...handWritten, ...unlisted];
}

describe("the sandbox", () => {
  it("refuses every unlisted table function, system table and file path, and changes nothing on disk", async () => {
    const before = await snapshot(logDir);
    const statements = corpus();
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
        engine.query({
          stepId: "s",
          dialect: "sql",
          query: sql,
          params: {},
          window: window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"),
          attributes: { optional: false, sqlDialect: "duckdb" },
          signal: new AbortController().signal,
        }),
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
  });
});
