// Profiles the pieces of a collect's SQL over N days of bench-data (argv: days, which steps).
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { collectSelectSql, MAX_OBJECT } from "@run-md/engine-local";
import { RECORD_TYPE } from "../packages/engine-local/src/schema.ts";

const dir = path.resolve("bench-data/AWSLogs");
const ndays = Number(process.argv[2] ?? 3);
const only = process.argv[3]?.split(",");
const all = (await fsp.readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".json.gz")).sort();
const days = [...new Set(all.map((f) => f.split("/").slice(-4, -1).join("/")))].sort().slice(-ndays);
const files = all.filter((f) => days.includes(f.split("/").slice(-4, -1).join("/"))).map((f) => path.join(dir, f));
const list = `[${files.map((f) => `'${f}'`).join(", ")}]`;
const db = await DuckDBInstance.create(":memory:", { threads: process.env.TH ?? "2" });
const conn = await db.connect();
const out = `/tmp/collect-s4/out.parquet`;
const steps: Record<string, string> = {
  bare: `SELECT count(*) FROM (SELECT unnest(Records) FROM read_json(${list}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: 'STRUCT(eventName VARCHAR)[]'}))`,
  bareTime: `SELECT count(*), max(t) FROM (SELECT unnest(Records).eventTime AS t FROM read_json(${list}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: 'STRUCT(eventTime VARCHAR)[]'}))`,
  jsonText: `SELECT count(*), sum(length(j::VARCHAR)) FROM (SELECT unnest(Records) AS j FROM read_json(${list}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: 'JSON[]'}))`,
  typedAll: `SELECT count(*) FROM (SELECT unnest(Records, recursive := false) AS r FROM read_json(${list}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: '${RECORD_TYPE}[]'})) WHERE hash(r) <> 0`,
  copyTyped: `COPY (SELECT unnest(Records, recursive := false) AS r FROM read_json(${list}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: '${RECORD_TYPE}[]'})) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`,
  selectCount: `SELECT count(*) FROM (${collectSelectSql(files, MAX_OBJECT)}) WHERE hash(COLUMNS(*)) <> 0`,
  copyPlain: `COPY (${collectSelectSql(files, MAX_OBJECT)}) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
  copySorted: `COPY (SELECT * FROM (${collectSelectSql(files, MAX_OBJECT)}) ORDER BY eventtime) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
};
for (const [name, sql] of Object.entries(steps)) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  const r = await conn.runAndReadAll(sql);
  const u = process.cpuUsage(u0);
  console.log(`${name}: ${(performance.now() - t0).toFixed(0)} ms wall, ${((u.user + u.system) / 1000).toFixed(0)} ms cpu ${JSON.stringify(r.getRows()[0], (_k, v) => (typeof v === "bigint" ? Number(v) : v))}`);
}
console.log(`${files.length} files, days ${days[0]}..${days[days.length - 1]}`);
