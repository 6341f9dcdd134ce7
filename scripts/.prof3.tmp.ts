// Typing variants for a collect's select, over N days (CREATE TABLE of each).
import { promises as fsp } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { collectSelectSql, MAX_OBJECT } from "@run-md/engine-local";
import { ATHENA_SELECT_LIST, partitionSelectList, RECORD_FIELDS, RECORD_TYPE } from "../packages/engine-local/src/schema.ts";

const dir = path.resolve("bench-data/AWSLogs");
const ndays = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.split(",");
const all = (await fsp.readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith(".json.gz")).sort();
const days = [...new Set(all.map((f) => f.split("/").slice(-4, -1).join("/")))].sort().slice(-ndays);
const files = all.filter((f) => days.includes(f.split("/").slice(-4, -1).join("/"))).map((f) => path.join(dir, f));
const list = `[${files.map((f) => `'${f}'`).join(", ")}]`;
const db = await DuckDBInstance.create(":memory:", { threads: process.env.TH ?? "2" });
const conn = await db.connect();
const KNOWN = `[${RECORD_FIELDS.map((f) => `'${f.name}'`).join(", ")}]`;
const rj = (type: string, fn = false) => `read_json(${list}, format = 'unstructured', records = true, ${fn ? "filename = true, " : ""}maximum_object_size = ${MAX_OBJECT}, columns = {Records: '${type}'})`;
let i = 0;
const time = async (name: string, sql: string) => {
  if (only && !only.includes(name)) return;
  const cpus: number[] = [];
  for (let k = 0; k < Number(process.env.ROUNDS ?? 3); k++) {
    const u0 = process.cpuUsage();
    await conn.run(`CREATE OR REPLACE TABLE t${i} AS ${sql}`);
    const u = process.cpuUsage(u0);
    cpus.push((u.user + u.system) / 1000);
  }
  i++;
  console.log(`${name}: min ${Math.min(...cpus).toFixed(0)} ms cpu (${cpus.map((c) => c.toFixed(0)).join(", ")})`);
};
await time("bareCount", `SELECT count(*) FROM (SELECT unnest(Records) FROM ${rj("STRUCT(eventName VARCHAR)[]")})`);
await time("typedStruct", `SELECT unnest(Records) AS r FROM ${rj(`${RECORD_TYPE}[]`)}`);
await time("typedCols", `SELECT ${ATHENA_SELECT_LIST} FROM (SELECT unnest(Records) AS r FROM ${rj(`${RECORD_TYPE}[]`)})`);
await time("typedColsParts", `SELECT ${ATHENA_SELECT_LIST}, ${partitionSelectList()} FROM (SELECT unnest(Records) AS r, filename FROM ${rj(`${RECORD_TYPE}[]`, true)})`);
await time("keysOnly", `SELECT json_keys(j) AS k FROM (SELECT unnest(Records) AS j FROM ${rj("JSON[]")})`);
await time("mapRead", `SELECT unnest(Records) AS m FROM ${rj("MAP(VARCHAR, JSON)[]")}`);
await time("partsJoin", `SELECT ${ATHENA_SELECT_LIST}, p.* EXCLUDE (filename) FROM (SELECT unnest(Records) AS r, filename FROM ${rj(`${RECORD_TYPE}[]`, true)}) JOIN (SELECT filename, ${partitionSelectList()} FROM (SELECT unnest(${list}) AS filename)) p USING (filename)`);
await time("current", collectSelectSql(files, MAX_OBJECT));
