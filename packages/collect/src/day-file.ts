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
  TIME_COLUMN,
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

/** Row groups of a day file: a window cutting a day reads only the groups its time range meets. */
export const ROW_GROUP_SIZE = 65_536;

/**
 * The rows (previous file and new sources) deduplicated. Only copies need a decision (ids seen
 * twice, rows without an id), so only those rows are hashed and ranked; every other row passes a
 * filter (ranking every row by a hash of all its columns cost a fifth of a collect).
 */
function dedupedDaySql(sources: string): string {
  return `WITH rows AS MATERIALIZED (SELECT *, row_number() OVER () AS __n FROM (${sources})),
copies AS (SELECT __n FROM rows
  WHERE eventid IS NULL OR eventid IN (SELECT eventid FROM rows GROUP BY eventid HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY coalesce(eventid, CAST(${ROW_HASH} AS VARCHAR)) ORDER BY __src, ${ROW_HASH}) > 1)
SELECT * EXCLUDE (__src, __n) FROM rows WHERE __n NOT IN (SELECT __n FROM copies)`;
}

/** Writes `select` to a Parquet file and flushes it to disk (removed if anything fails). */
async function writeParquet(
  conn: DuckDBConnection,
  select: string,
  target: string,
  rowGroup: number,
): Promise<void> {
  try {
    await conn.run(
      `COPY (${select}) TO ${quote(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`,
    );
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
  rowGroup = ROW_GROUP_SIZE,
): Promise<StoreDay> {
  const rel = dayFileName(day);
  const target = path.join(store, rel);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const parts: string[] = [];
  if (previous)
    parts.push(`SELECT *, 0 AS __src FROM read_parquet(${quote(path.join(store, previous.file))})`);
  if (sources.length > 0)
    parts.push(`SELECT *, 1 AS __src FROM (${collectSelectSql(sources, MAX_OBJECT)})`);
  await writeParquet(conn, dedupedDaySql(parts.join("\nUNION ALL BY NAME\n")), target, rowGroup);
  const counted = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${quote(target)})`);
  const events = Number(counted.getRows()[0]?.[0] ?? 0);
  if (events <= rowGroup) return { file: rel, events, bytes: (await fsp.stat(target)).size };
  // More than one row group: sorted by time, so that a window cutting the day reads only the
  // groups its range meets. Sorting a day's wide rows costs about a third of a collect, so a day
  // that fits one group (which a window reads whole anyway) is not sorted.
  const sortedRel = dayFileName(day);
  const sortedTarget = path.join(store, sortedRel);
  await writeParquet(
    conn,
    `SELECT * FROM read_parquet(${quote(target)}) ORDER BY ${TIME_COLUMN}`,
    sortedTarget,
    rowGroup,
  );
  await fsp.rm(target, { force: true });
  return { file: sortedRel, events, bytes: (await fsp.stat(sortedTarget)).size };
}
