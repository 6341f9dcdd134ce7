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
  type EventTimes,
  EXTRA_COLUMN,
  MAX_OBJECT,
  PARTITION_COLUMNS,
  RECORD_COLUMN,
  STORE_DAYS,
  type StoreDay,
  TIME_COLUMN,
} from "@run-md/engine-local";

const quote = sqlStringLiteral;

/** A hash of a whole stored row: the tie-break among copies (the same store whatever the order). */
const ROW_HASH = `hash(${[...CLOUDTRAIL_COLUMNS.map((c) => c.name), EXTRA_COLUMN, RECORD_COLUMN].map((c) => `"${c}"`).join(", ")})`;

/**
 * What makes stored rows copies of one record: every column of the record (the Athena columns,
 * `_extra`, `_record`), not the partition columns (a copy delivered into the next day's folder
 * has that day's). An event an organization trail and an account trail both deliver is one
 * record twice. Records that share an `eventid` and `eventtime` and differ in anything else are
 * all kept, as Athena counts them: a record written beside an event with its id (into a bucket
 * whose objects cannot be deleted, say) cannot hide it.
 */
const RECORD_COLUMNS = [
  ...CLOUDTRAIL_COLUMNS.map((c) => c.name).filter(
    (c) => !(PARTITION_COLUMNS as readonly string[]).includes(c),
  ),
  EXTRA_COLUMN,
  RECORD_COLUMN,
].map((c) => `"${c}"`);

/** An event's id and time: rows that share them may be copies (`RECORD_COLUMNS` tells). */
const EVENT_KEY = "{'i': eventid, 't': eventtime}";
const NO_ID = "nullif(eventid, '') IS NULL";

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
 * The rows (previous file and new sources) with one row of each record (`RECORD_COLUMNS`). Only
 * rows that may be copies need a decision (an `EVENT_KEY` seen twice, rows without an id), so
 * only those are compared and ranked; every other row passes a filter (ranking every row by a
 * hash of all its columns cost a fifth of a collect).
 */
export function dedupedDaySql(sources: string): string {
  return `WITH rows AS MATERIALIZED (SELECT *, row_number() OVER () AS __n FROM (${sources})),
copies AS (SELECT __n FROM rows
  WHERE ${NO_ID} OR ${EVENT_KEY} IN (SELECT ${EVENT_KEY} FROM rows GROUP BY eventid, eventtime HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY ${RECORD_COLUMNS.join(", ")} ORDER BY __src, ${ROW_HASH}) > 1)
SELECT * EXCLUDE (__src, __n) FROM rows WHERE __n NOT IN (SELECT __n FROM copies)`;
}

/**
 * How day files are compressed. zstd level 1 rather than DuckDB's default 3: on the benchmark's
 * days it took about half the compression CPU and the files came out no larger (the columns are
 * mostly dictionary-encoded; what zstd sees is short pages).
 */
export const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1";

/** Writes `select` to a Parquet file and flushes it to disk (removed if anything fails). */
async function writeParquet(
  conn: DuckDBConnection,
  select: string,
  target: string,
  rowGroup: number,
): Promise<void> {
  try {
    await conn.run(
      `COPY (${select}) TO ${quote(target)} (${PARQUET_OPTIONS}, ROW_GROUP_SIZE ${rowGroup})`,
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
 * Whether Parquet files hold copies: an `eventid` twice, or a row without one (those are told
 * apart by a hash of the whole row, which only the full deduplication computes). Reads only the
 * `eventid` column.
 */
export function copiesSql(files: string[]): string {
  return `SELECT count(*) FROM (SELECT eventid FROM read_parquet([${files.map(quote).join(", ")}]) GROUP BY eventid, eventtime HAVING count(*) > 1 OR ${NO_ID})`;
}

/**
 * The day's new file from its previous file and the new source files. The new sources' rows are
 * written straight to a file (typing and compressing stream, nothing is held in memory); only
 * when the day had a file already, or the new file holds copies (an organization trail and an
 * account trail both delivered), are the rows deduplicated, from the Parquet files, into another.
 * Copies are rows of one record (`RECORD_COLUMNS`), with or without an `eventid`; of copies, the
 * stored one is kept, else the one with the least row hash: the same store whatever the order.
 * Throws DuckDB's error (which names the failing source file) for
 * the caller to skip that file and try again.
 */
export async function writeDay(
  conn: DuckDBConnection,
  store: string,
  day: string,
  previous: StoreDay | undefined,
  sources: string[],
  rowGroup = ROW_GROUP_SIZE,
): Promise<StoreDay> {
  const fresh = sources.length > 0 ? await writeSources(conn, store, day, sources, rowGroup) : null;
  let rel = fresh;
  let ok = false;
  try {
    const copies =
      fresh === null ||
      previous !== undefined ||
      (await count(conn, copiesSql([path.join(store, fresh)]))) > 0;
    if (copies) rel = await writeDeduplicated(conn, store, day, [previous?.file, fresh], rowGroup);
    ok = true;
  } finally {
    // The new sources' file when it was deduplicated into another, or when anything failed.
    if (fresh !== null && (!ok || rel !== fresh))
      await fsp.rm(path.join(store, fresh), { force: true });
  }
  if (rel === null) throw new Error(`no rows to store for ${day}`);
  try {
    return await sortedByTime(conn, store, day, rel, rowGroup);
  } catch (e) {
    // Interrupted (a cancelled collect) or failed: the day's new file is nobody's.
    await fsp.rm(path.join(store, rel), { force: true });
    throw e;
  }
}

/**
 * The rows of the day's previous file (`files[0]`, kept over copies in the others) and the new
 * sources' file (`files[1]`), deduplicated into a new file of the day.
 */
async function writeDeduplicated(
  conn: DuckDBConnection,
  store: string,
  day: string,
  files: (string | null | undefined)[],
  rowGroup: number,
): Promise<string> {
  const parts = files.flatMap((f, src) =>
    f ? [`SELECT *, ${src} AS __src FROM read_parquet(${quote(path.join(store, f))})`] : [],
  );
  const rel = dayFileName(day);
  await fsp.mkdir(path.dirname(path.join(store, rel)), { recursive: true });
  await writeParquet(
    conn,
    dedupedDaySql(parts.join("\nUNION ALL BY NAME\n")),
    path.join(store, rel),
    rowGroup,
  );
  return rel;
}

/** The new sources' rows, typed, into a new file of the day (its path, relative to the store). */
async function writeSources(
  conn: DuckDBConnection,
  store: string,
  day: string,
  sources: string[],
  rowGroup: number,
): Promise<string> {
  const rel = dayFileName(day);
  const target = path.join(store, rel);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await writeParquet(conn, collectSelectSql(sources, MAX_OBJECT), target, rowGroup);
  return rel;
}

/**
 * A stored day file without its copies of records one of `others` holds (an `eventid`, and every
 * column of the record: `RECORD_COLUMNS`), written as a new file of the day (with its count and
 * times); `file` itself when it holds none. Rows keep their order (a day sorted by time stays
 * sorted). `file` is left for the caller to remove.
 */
export async function withoutCopiesOf(
  conn: DuckDBConnection,
  store: string,
  day: string,
  file: StoreDay,
  others: StoreDay[],
  rowGroup = ROW_GROUP_SIZE,
): Promise<StoreDay> {
  if (others.length === 0) return file;
  const from = `read_parquet(${quote(path.join(store, file.file))}, file_row_number = true)`;
  const elsewhere = `read_parquet([${others.map((o) => quote(path.join(store, o.file))).join(", ")}])`;
  const same = RECORD_COLUMNS.map((c) => `f.${c} IS NOT DISTINCT FROM o.${c}`).join(" AND ");
  const copies = `SELECT f.file_row_number FROM ${from} f SEMI JOIN ${elsewhere} o
  ON f.eventid = o.eventid AND f.eventid <> '' AND ${same}`;
  if ((await count(conn, `SELECT count(*) FROM (${copies})`)) === 0) return file;
  const rel = dayFileName(day);
  const target = path.join(store, rel);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const kept = `SELECT * EXCLUDE (file_row_number) FROM ${from} WHERE file_row_number NOT IN (${copies})`;
  await writeParquet(conn, kept, target, rowGroup);
  try {
    const { events, times } = await eventTimes(conn, target);
    return { file: rel, events, bytes: (await fsp.stat(target)).size, times };
  } catch (e) {
    await fsp.rm(target, { force: true });
    throw e;
  }
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
}

/**
 * The day's file as stored: with more than one row group, sorted by time into a new file (then a
 * window cutting the day reads only the groups its range meets). Sorting a day's wide rows costs
 * about a third of a collect, so a day that fits one group (which a window reads whole anyway) is
 * kept as written.
 */
async function sortedByTime(
  conn: DuckDBConnection,
  store: string,
  day: string,
  rel: string,
  rowGroup: number,
): Promise<StoreDay> {
  const target = path.join(store, rel);
  const { events, times } = await eventTimes(conn, target);
  if (events <= rowGroup) return { file: rel, events, bytes: (await fsp.stat(target)).size, times };
  const sortedRel = dayFileName(day);
  const sortedTarget = path.join(store, sortedRel);
  await writeParquet(
    conn,
    `SELECT * FROM read_parquet(${quote(target)}) ORDER BY ${TIME_COLUMN}`,
    sortedTarget,
    rowGroup,
  );
  await fsp.rm(target, { force: true });
  return { file: sortedRel, events, bytes: (await fsp.stat(sortedTarget)).size, times };
}

/** How many events a day file holds, and their times (`StoreDay.times`). */
async function eventTimes(
  conn: DuckDBConnection,
  file: string,
): Promise<{ events: number; times: EventTimes }> {
  // Milliseconds rounded down, before 1970 too (epoch_ms rounds toward zero: -0.5 ms gave 0, and
  // a day holding an event half a millisecond before a window's start seemed to lie in it whole).
  // Down is right for both bounds: windows start and end on whole milliseconds.
  const floorMs = (t: string) =>
    `epoch_ms(${t}) - CASE WHEN epoch_us(${t}) < epoch_ms(${t}) * 1000 THEN 1 ELSE 0 END`;
  const [min, max] = [`min(${TIME_COLUMN})`, `max(${TIME_COLUMN})`];
  const sql = `SELECT count(*), ${floorMs(min)}, ${floorMs(max)}, count(*) - count(${TIME_COLUMN}) FROM read_parquet(${quote(file)})`;
  const [events, first, last, untimed] = (await conn.runAndReadAll(sql)).getRows()[0] ?? [];
  // A time beyond JavaScript's dates (DuckDB reads years up to 294247) is no bound: null, and
  // the file is then always filtered by the window.
  const iso = (ms: unknown) => {
    const d = new Date(Number(ms ?? Number.NaN));
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  };
  return {
    events: Number(events ?? 0),
    times: { first: iso(first), last: iso(last), untimed: Number(untimed ?? 0) },
  };
}
