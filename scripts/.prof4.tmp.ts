// Sort and dedupe variants on a materialized day (COPY to parquet, min of rounds, CPU ms).
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { collectSelectSql, MAX_OBJECT } from "@run-md/engine-local";
import { CLOUDTRAIL_COLUMNS } from "../packages/engine-local/src/schema.ts";

const dir = path.resolve("bench-data/AWSLogs");
const ndays = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.split(",");
const all = (await fsp.readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".json.gz")).sort();
const days = [...new Set(all.map((f) => f.split("/").slice(-4, -1).join("/")))].sort().slice(-ndays);
const files = all.filter((f) => days.includes(f.split("/").slice(-4, -1).join("/"))).map((f) => path.join(dir, f));
const db = await DuckDBInstance.create(":memory:", { threads: process.env.TH ?? "2" });
const conn = await db.connect();
const out = "/tmp/collect-s4/out.parquet";
await conn.run(`CREATE TABLE t AS ${collectSelectSql(files, MAX_OBJECT)}`);
const ROW_HASH = `hash(${[...CLOUDTRAIL_COLUMNS.map((c) => c.name), "_extra"].map((c) => `"${c}"`).join(", ")})`;
const time = async (name: string, sql: string) => {
  if (only && !only.includes(name)) return;
  const cpus: number[] = [];
  for (let k = 0; k < Number(process.env.ROUNDS ?? 3); k++) {
    const u0 = process.cpuUsage();
    await conn.run(sql);
    const u = process.cpuUsage(u0);
    cpus.push((u.user + u.system) / 1000);
  }
  const n = (await conn.runAndReadAll(`SELECT count(*), count(DISTINCT eventid) FROM '${out}'`)).getRows()[0];
  console.log(`${name}: min ${Math.min(...cpus).toFixed(0)} ms cpu (${cpus.map((c) => c.toFixed(0)).join(", ")}) rows ${n}`);
};
const copy = (sel: string) => `COPY (${sel}) TO '${out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`;
await time("plain", copy("SELECT * FROM t"));
await time("sortTime", copy("SELECT * FROM t ORDER BY eventtime"));
await time("sortTs", copy("SELECT * FROM t ORDER BY _ts"));
await time("hashOnly", copy(`SELECT *, ${ROW_HASH} AS h FROM t`));
await time("current", copy(`SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY ${ROW_HASH}) = 1 ORDER BY eventtime`));
await time("qualifyNoSort", copy(`SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY ${ROW_HASH}) = 1`));
await time("dupFilter", copy(`SELECT * FROM t WHERE rowid NOT IN (SELECT rowid FROM t WHERE eventid IS NULL OR eventid IN (SELECT eventid FROM t GROUP BY eventid HAVING count(*) > 1) QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY ${ROW_HASH}) > 1)`));
await time("dupFilterSort", copy(`SELECT * FROM t WHERE rowid NOT IN (SELECT rowid FROM t WHERE eventid IS NULL OR eventid IN (SELECT eventid FROM t GROUP BY eventid HAVING count(*) > 1) QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY ${ROW_HASH}) > 1) ORDER BY _ts`));
