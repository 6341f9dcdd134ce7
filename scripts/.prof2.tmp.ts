// Parquet write variants from a materialized table of N days' collect rows.
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { collectSelectSql, MAX_OBJECT } from "@run-md/engine-local";

const dir = path.resolve("bench-data/AWSLogs");
const ndays = Number(process.argv[2] ?? 3);
const only = process.argv[3]?.split(",");
const all = (await fsp.readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".json.gz")).sort();
const days = [...new Set(all.map((f) => f.split("/").slice(-4, -1).join("/")))].sort().slice(-ndays);
const files = all.filter((f) => days.includes(f.split("/").slice(-4, -1).join("/"))).map((f) => path.join(dir, f));
const db = await DuckDBInstance.create(":memory:", { threads: process.env.TH ?? "2" });
const conn = await db.connect();
const out = `/tmp/collect-s4/out.parquet`;
const time = async (name: string, sql: string) => {
  if (only && !only.includes(name) && name !== "load") return;
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  await conn.run(sql);
  const u = process.cpuUsage(u0);
  const size = sql.startsWith("COPY") ? (await fsp.stat(out)).size : 0;
  console.log(`${name}: ${(performance.now() - t0).toFixed(0)} ms wall, ${((u.user + u.system) / 1000).toFixed(0)} ms cpu, ${(size / 1e6).toFixed(1)} MB`);
};
await time("load", `CREATE TABLE t AS ${collectSelectSql(files, MAX_OBJECT)}`);
const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE t)`)).getRows().map((r) => String(r[0]));
const copy = (opts: string, sel = "*") => `COPY (SELECT ${sel} FROM t) TO '${out}' (FORMAT parquet, ${opts})`;
await time("zstd16k", copy("COMPRESSION zstd, ROW_GROUP_SIZE 16384"));
await time("zstd122k", copy("COMPRESSION zstd"));
await time("zstd1", copy("COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384"));
await time("snappy", copy("COMPRESSION snappy, ROW_GROUP_SIZE 16384"));
await time("none", copy("COMPRESSION uncompressed, ROW_GROUP_SIZE 16384"));
await time("v2zstd", copy("COMPRESSION zstd, ROW_GROUP_SIZE 16384, PARQUET_VERSION V2"));
await time("sort", `CREATE TABLE s AS SELECT * FROM t ORDER BY eventtime`);
await time("sortTs", `CREATE TABLE s2 AS SELECT * FROM t ORDER BY _ts`);
await time("dedupe", `CREATE TABLE d AS SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY eventid ORDER BY hash(eventid, eventtime, requestparameters)) = 1`);
await time("dedupeId", `CREATE TABLE d2 AS SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY eventid) = 1`);
if (!only) for (const c of cols) await time(`col ${c}`, copy("COMPRESSION zstd, ROW_GROUP_SIZE 16384", `"${c}"`));
