/**
 * Writes one day of the store: the day's current file (if any) and the new source files' events,
 * deduplicated by `eventid` (an organization trail and an account trail deliver the same event),
 * into a new Parquet file, flushed to disk. The file is not referenced by the manifest yet: until
 * the collector commits the manifest, readers and a later collect ignore it.
 */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { sqlStringLiteral } from "@run-md/core";
import {
  CLOUDTRAIL_COLUMNS,
  collectSelectSql,
  EXTRA_COLUMN,
  MAX_OBJECT,
  STORE_DAYS,
  type StoreDay,
} from "@run-md/engine-local";

const quote = sqlStringLiteral;

/** A hash of a whole stored row: the identity of an event without an `eventid`, and the tie-break. */
const ROW_HASH = `hash(${[...CLOUDTRAIL_COLUMNS.map((c) => c.name), EXTRA_COLUMN].map((c) => `"${c}"`).join(", ")})`;

/** A fresh file name for a day (never reused, so a reader of the old manifest keeps its file). */
export function dayFileName(day: string): string {
  return path.posix.join(
    STORE_DAYS,
    day,
    `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString("hex")}.parquet`,
  );
}

/**
 * The day's new file from its previous file and the new source files. Events without an
 * `eventid` are deduplicated by a hash of the whole row. Of records sharing an id (copies of one
 * event), the stored one is kept, else the one with the least row hash: the same store whatever
 * the order. Throws DuckDB's error (which names the
 * failing source file) for the caller to skip that file and try again.
 */
export async function writeDay(
  conn: DuckDBConnection,
  store: string,
  day: string,
  previous: StoreDay | undefined,
  sources: string[],
): Promise<StoreDay> {
  const rel = dayFileName(day);
  const target = path.join(store, rel);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const parts: string[] = [];
  if (previous)
    parts.push(`SELECT *, 0 AS __src FROM read_parquet(${quote(path.join(store, previous.file))})`);
  if (sources.length > 0)
    parts.push(`SELECT *, 1 AS __src FROM (${collectSelectSql(sources, MAX_OBJECT)})`);
  const sql = `COPY (
SELECT * EXCLUDE (__src) FROM (${parts.join("\nUNION ALL BY NAME\n")})
QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY __src, ${ROW_HASH}) = 1
ORDER BY eventtime
) TO ${quote(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`;
  try {
    await conn.run(sql);
    const fh = await fsp.open(target, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await fsp.rm(target, { force: true });
    throw e;
  }
  const counted = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${quote(target)})`);
  const events = Number(counted.getRows()[0]?.[0] ?? 0);
  const bytes = (await fsp.stat(target)).size;
  return { file: rel, events, bytes };
}
