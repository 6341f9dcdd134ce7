/**
 * The sandbox corpus: every table function DuckDB has that is not on the allow-list (enumerated
 * from duckdb_functions() of a fresh DuckDB at test time, so an upgrade that adds one cannot slip
 * through), system tables, file paths and the ways to hide them (sub-queries, CTEs, joins, CTE
 * scoping tricks) are refused before they run, through both ways SQL enters the engine, and the log
 * directory is byte-for-byte the same afterwards.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
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
});
