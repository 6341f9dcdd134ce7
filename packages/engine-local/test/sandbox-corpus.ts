/**
 * The hardening sandbox corpus, shared: statements the local engine must refuse (hand-written
 * attacks plus every table function not on the allow-list), and a snapshot of a directory to
 * show nothing was written. Used by sandbox.test.ts here and by the server's ad-hoc query test
 * (packages/server/test/query.test.ts), which sends the same statements through POST /api/query.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { ALLOWED_TABLE_FUNCTIONS } from "../src/sandbox.ts";

/** Every entry under a directory with its type, size and content hash. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
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

/** Every table function (and table macro) of a fresh DuckDB: the corpus's unlisted ones come from here. */
export async function listTableFunctions(): Promise<string[]> {
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  const reader = await conn.runAndReadAll(
    "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') ORDER BY 1",
  );
  const names = reader.getRows().map((r) => String(r[0]));
  conn.closeSync();
  duck.closeSync();
  return names;
}

/** Statements that must be refused: hand-written attacks plus every unlisted table function. */
export function sandboxCorpus(logDir: string, root: string, tableFunctions: string[]): string[] {
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
    // A CTE that is not recursive does not see itself: DuckDB binds its own name in its body to
    // the file or system view of that name (a review read the log files this way, any window).
    `WITH "${logDir}/notes.csv" AS (SELECT * FROM "${logDir}/notes.csv") SELECT * FROM "${logDir}/notes.csv"`,
    `WITH "${logDir}/**/*.json.gz" AS (SELECT filename FROM "${logDir}/**/*.json.gz") SELECT * FROM "${logDir}/**/*.json.gz"`,
    "WITH pg_settings AS (SELECT * FROM pg_settings) SELECT count(*) FROM pg_settings",
    "WITH sqlite_master AS (SELECT * FROM sqlite_master) SELECT * FROM sqlite_master",
    "WITH a AS (SELECT 1 AS x), duckdb_views AS (SELECT * FROM duckdb_views) SELECT * FROM duckdb_views",
    // Names compare as DuckDB compares them, ASCII letters only: the Kelvin sign (U+212A) is not
    // "k" (JavaScript's toLowerCase folds it), so this CTE is not the file the query reads.
    `WITH "${logDir}/[n\u212A]otes.csv" AS (SELECT 1 AS a) SELECT * FROM "${logDir}/[nk]otes.csv"`,
    `WITH "${logDir}/**/*[_\u212A]*.json.gz" AS (SELECT 1 AS a) SELECT * FROM "${logDir}/**/*[_k]*.json.gz"`,
    // Nor does a recursive one in its anchor, the part before UNION.
    "WITH RECURSIVE duckdb_logs AS (SELECT * FROM duckdb_logs UNION ALL SELECT * FROM duckdb_logs WHERE false) SELECT * FROM duckdb_logs",
    // A lambda's body, Trino's TABLE statement, quoted upper-case names and a comment before the
    // arguments are the same tree to the sandbox (red-team review: no entry had them).
    `SELECT list_transform([1], x -> (SELECT content FROM read_text('${logDir}/notes.csv')))`,
    "TABLE duckdb_settings",
    "SELECT * FROM cloudtrail_logs, (TABLE duckdb_settings)",
    'SELECT * FROM "SYSTEM"."MAIN"."DUCKDB_SETTINGS"()',
    `SELECT * FROM read_text /* x */ ('${logDir}/notes.csv')`,
    `SELECT * FROM (VALUES ('${logDir}/notes.csv')) v(f) CROSS JOIN LATERAL (SELECT * FROM read_text(f))`,
    "SELECT * FROM query('SELECT * FROM duckdb_logs')",
    "SELECT * FROM query_table('duckdb_logs')",
    "SELECT * FROM glob('/etc/*')",
    // The session's parsed records (record-cache.ts) are the engine's own tables, never the step's.
    "SELECT * FROM __runmd_records_1",
    "SELECT * FROM memory.main.__runmd_records_1",
    "SELECT count(*) FROM cloudtrail_logs WHERE eventid IN (SELECT r.eventID FROM main.__runmd_records_1)",
  ];
  const unlisted = tableFunctions
    .filter((f) => !ALLOWED_TABLE_FUNCTIONS.has(f))
    .map((f) => `SELECT * FROM ${f}()`);
  return [...handWritten, ...unlisted];
}
