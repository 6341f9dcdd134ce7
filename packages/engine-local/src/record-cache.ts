/**
 * The session's parsed records. Most of a local query's CPU is DuckDB's JSON reader typing the
 * window's events (about 10 µs an event); a long-lived engine (`run-md serve`, the Athena
 * emulator) that reads the same days again typed them all again. Here a group of raw files (a
 * folder's day: an account and region of the delivery layout, or a normalized part's day) read
 * by a third query is loaded once into a table of typed records, and later queries over those
 * days read the table: over a week of sample data (4,000 events a day) about 70 ms a query
 * instead of 250. Loading costs two to four plain reads, hence the third read, and one-off
 * commands keep nothing (docs/engines.md).
 *
 * What a query sees is exactly what reading its files would give:
 * - a group's table holds the records of the files the query lists for that group, in their
 *   order, each file at the identity it had when loaded (`fileIdentity`: path, inode, times,
 *   size); a file added after them is appended, a file changed, gone or added before the last
 *   loaded one makes the group load again;
 * - files whose folders' days are not together in the query's order (the parts of files outside
 *   the delivery layout) are one group keyed by the whole list, kept for the same files unchanged;
 * - the query reads the groups' tables and its other files in the order of its files, so rows
 *   come in the same order as without the cache (a LIMIT without ORDER BY picks the same rows),
 *   and the engine types both as the query's own read would (engine.ts `cachedViewSql`);
 * - the `cwl_events` view (Logs Insights steps) keeps the events as JSON the same way, apart;
 * - a group in use by a running query (pinned) is never changed under it: a query that finds it
 *   stale reads that group's files itself;
 * - a load DuckDB refuses (every field typed, a file's unused field may not be) is no error: the
 *   group is read as without the cache until its files change;
 * - the cache's statements run on its own connection, one at a time: a cancelled query's
 *   interrupt never lands between a load and its bookkeeping.
 *
 * Memory: the tables' size (as DuckDB accounts it, measured after each load) stays under the
 * limit (`local.cacheLimit`, default DEFAULT_CACHE_LIMIT): the least recently used groups no
 * query is reading are dropped to make room; a group whose estimated size passes half the limit,
 * or does not fit beside the groups in use, is read raw instead. While a load runs, the tables
 * may pass the limit by that load's size.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { parseBytes, RunMdError, setNewest } from "@run-md/core";
import { type ReadFile, storedBytes } from "./files.ts";

/** The cache's default size, well inside the engine's memory limit (1 GiB and more). */
export const DEFAULT_CACHE_LIMIT = "256MiB";
/** Typed records take about 12 times the gzip bytes they came from (sample data: 52 MB of 4.5). */
const FIRST_RATIO = 12;
/** Bytes of files loaded before the tables' size sets the estimate's ratio. */
const MIN_MEASURED = 1024 * 1024;
/** The read of a group that loads it (the earlier ones read its files themselves). */
const LOADING_READ = 3;
/** Groups whose reads are counted (the oldest are forgotten first). */
const COUNTED = 4096;

/** A file of a query, with the identity of the file it comes from. */
export interface CacheFile extends ReadFile {
  identity: string;
}

/**
 * What is kept of a group: the typed records with their file names (`r`, `filename`: the
 * `cloudtrail_logs` view's source) or the events as JSON (`j`: the `cwl_events` view's).
 */
export type CacheKind = "records" | "messages";

/** How the cache loads a group of each kind: a SELECT over the files. */
export type RecordSources = Record<CacheKind, (files: ReadFile[]) => string>;

interface Group {
  table: string;
  /** path → identity of each file loaded. */
  files: Map<string, string>;
  /** Bytes DuckDB accounts to the table, measured after each load. */
  bytes: number;
  /** Bytes of the files loaded, as stored. */
  source: number;
  /** Queries reading the table now. */
  pins: number;
}

/**
 * What a query reads, in the order of its files (so that a query without ORDER BY returns its
 * rows in the same order whether the cache holds its days or not): a cached group's table
 * (`SELECT * FROM <table>`) or a run of files it reads itself.
 */
export type Segment = { select: string } | { files: ReadFile[] };

/** The SQL of a view's source from a lease's segments: `raw` is how a run of files is read. */
export function segmentsSql(segments: Segment[], raw: (files: ReadFile[]) => string): string {
  return segments.map((s) => ("select" in s ? s.select : raw(s.files))).join("\nUNION ALL\n");
}

export interface Lease {
  segments: Segment[];
  /** Whether any segment is a cached table. */
  cached: boolean;
  release(): void;
}

export class RecordCache {
  /** Groups loaded, least recently used first. */
  private readonly groups = new Map<string, Group>();
  /** Queries that read each group's files themselves (see LOADING_READ). */
  private readonly reads = new Map<string, number>();
  /** Groups whose load failed, with their files' signature: read raw until the files change. */
  private readonly failed = new Map<string, string>();
  private loading: Promise<unknown> = Promise.resolve();
  /** The cache's own connection: a query's is interrupted when it is cancelled. */
  private conn: DuckDBConnection | undefined;
  private tables = 0;
  /** Groups loaded (or appended to) so far, for tests and benchmarks. */
  loads = 0;

  constructor(
    /** The most bytes the tables may take (0: the cache keeps nothing). */
    readonly limit: number,
    private readonly sources: RecordSources,
    private readonly connect: () => Promise<DuckDBConnection>,
  ) {}

  /**
   * The cached tables and raw files for a query over `files`; `release` once it has run. Once
   * `signal` is aborted nothing more is loaded.
   */
  async lease(kind: CacheKind, files: CacheFile[], signal?: AbortSignal): Promise<Lease> {
    // Off (one-off commands): every query reads its files itself, with no grouping or hashing.
    if (this.limit === 0) return { segments: [{ files }], cached: false, release: () => {} };
    const pinned: Group[] = [];
    const segments: Segment[] = [];
    const groups = groupFiles(kind, files) ?? wholeList(kind, files);
    // A query over more than the cache holds reads what is not kept itself, loading nothing: a
    // scan of every day would otherwise drop each day to load the next (and load it again next time).
    const loads = this.estimate(files) <= this.limit;
    try {
      for (const [key, members] of groups) {
        // Pinned inside the queue: no later load may drop it before this query reads it.
        const group = await this.serialized(async () => {
          const g = await this.ready(kind, key, members, loads && !signal?.aborted);
          if (g) g.pins++;
          return g;
        });
        const last = segments[segments.length - 1];
        if (group !== null) {
          pinned.push(group);
          segments.push({ select: `SELECT * FROM main.${group.table}` });
        } else if (last && "files" in last) last.files.push(...members);
        else segments.push({ files: [...members] });
      }
    } catch (e) {
      for (const g of pinned) g.pins--;
      throw e;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const g of pinned) g.pins--;
    };
    return { segments, cached: pinned.length > 0, release };
  }

  /** Bytes the cached tables take now (as last measured). */
  get bytes(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.bytes;
    return n;
  }

  /** One load at a time: loads measure the memory they add, and may drop other groups. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.loading.then(fn, fn);
    this.loading = run.catch(() => undefined);
    return run;
  }

  /** The group's table, loaded or brought up to date when it should be; null: read it raw. */
  private async ready(
    kind: CacheKind,
    key: string,
    files: CacheFile[],
    loads: boolean,
  ): Promise<Group | null> {
    if (files.some((f) => f.identity === "")) return null;
    const group = this.groups.get(key);
    if (group) {
      const fresh = freshness(group, files);
      if (fresh === "same") return this.touch(key, group);
      if (group.pins > 0 || !loads) return null; // never changed under a running query
      if (fresh === "added") return this.append(kind, key, group, files);
      await this.drop(key, group);
    }
    const reads = (this.reads.get(key) ?? 0) + 1;
    setNewest(this.reads, key, reads, COUNTED);
    const estimate = this.estimate(files);
    if (!loads || reads < LOADING_READ || estimate > this.limit / 2) return null;
    // Tables in use cannot make room: a load that would not fit beside them is not tried.
    if (this.pinnedBytes() + estimate > this.limit) return null;
    if (this.failed.get(key) === signature(files)) return null;
    return this.load(kind, key, files);
  }

  /**
   * A new table of the group's files. A load DuckDB refuses (a file its full typing rejects,
   * memory) is not the query's error: the group is read raw, as without the cache, and not
   * tried again until its files change.
   */
  private async load(kind: CacheKind, key: string, files: CacheFile[]): Promise<Group | null> {
    const conn = await this.connection();
    const table = `__runmd_records_${++this.tables}`;
    const before = await tableBytes(conn);
    try {
      await conn.run(`CREATE TABLE main.${table} AS ${this.sources[kind](files)}`);
    } catch {
      setNewest(this.failed, key, signature(files), COUNTED);
      return null;
    }
    const group: Group = { table, files: new Map(), bytes: 0, source: 0, pins: 0 };
    return this.loaded(key, group, files, before);
  }

  private async append(
    kind: CacheKind,
    key: string,
    group: Group,
    files: CacheFile[],
  ): Promise<Group | null> {
    const conn = await this.connection();
    const added = files.slice(group.files.size);
    const before = await tableBytes(conn);
    try {
      await conn.run(`INSERT INTO main.${group.table} ${this.sources[kind](added)}`);
    } catch {
      await this.drop(key, group);
      setNewest(this.failed, key, signature(files), COUNTED);
      return null;
    }
    return this.loaded(key, group, added, before);
  }

  /**
   * Records the files of a load (at once: the table holds them now), measures its size, then
   * keeps the cache under its limit: the least recently used unpinned groups go first, and the
   * group itself (null: read it raw) when the tables in use leave it no room.
   */
  private async loaded(
    key: string,
    group: Group,
    files: CacheFile[],
    before: number,
  ): Promise<Group | null> {
    this.loads++;
    for (const f of files) group.files.set(f.path, f.identity);
    group.source += storedBytes(files);
    this.touch(key, group);
    const conn = await this.connection();
    group.bytes += Math.max(0, (await tableBytes(conn)) - before);
    group.pins++; // not dropped by its own load's eviction
    try {
      await this.evict();
    } finally {
      group.pins--;
    }
    if (this.bytes <= this.limit) return group;
    await this.drop(key, group);
    return null;
  }

  /** Drops the least recently used unpinned groups until the tables fit the limit. */
  private async evict(): Promise<void> {
    for (const [key, group] of this.groups) {
      if (this.bytes <= this.limit) return;
      if (group.pins === 0) await this.drop(key, group);
    }
  }

  /** Drops a group's table; the group is forgotten once it is gone. */
  private async drop(key: string, group: Group): Promise<void> {
    await (await this.connection()).run(`DROP TABLE IF EXISTS main.${group.table}`);
    this.groups.delete(key);
  }

  private async connection(): Promise<DuckDBConnection> {
    this.conn ??= await this.connect();
    return this.conn;
  }

  /** Closes the cache's connection (before the database is closed). */
  close(): void {
    this.conn?.closeSync();
    this.conn = undefined;
  }

  /**
   * The bytes the files' records would take in a table: at the ratio of the tables kept so far
   * (FIRST_RATIO until one of at least MIN_MEASURED bytes of files was loaded; DuckDB's blocks
   * make a small table's size say little about a large one's).
   */
  private estimate(files: ReadFile[]): number {
    let bytes = 0;
    let source = 0;
    for (const g of this.groups.values()) {
      bytes += g.bytes;
      source += g.source;
    }
    const ratio = source >= MIN_MEASURED && bytes > 0 ? bytes / source : FIRST_RATIO;
    return ratio * storedBytes(files);
  }

  private pinnedBytes(): number {
    let n = 0;
    for (const g of this.groups.values()) if (g.pins > 0) n += g.bytes;
    return n;
  }

  private touch(key: string, group: Group): Group {
    this.groups.delete(key);
    this.groups.set(key, group);
    return group;
  }
}

/**
 * The query's files by group, a folder's day (a query lists a day's files whole), in the order
 * of the files; null when a group's files are not together in that order (then the cache cannot
 * keep the query's order).
 */
function groupFiles(kind: CacheKind, files: CacheFile[]): Map<string, CacheFile[]> | null {
  const groups = new Map<string, CacheFile[]>();
  let current: string | undefined;
  for (const f of files) {
    const key = `${kind}\0${path.dirname(f.path)}\0${f.day ?? ""}`;
    const list = groups.get(key);
    if (list && key !== current) return null;
    if (list) list.push(f);
    else groups.set(key, [f]);
    current = key;
  }
  return groups;
}

/**
 * The query's files as one group, when a folder's day is not together in their order (the parts
 * the lenient reader makes of files outside the delivery layout follow their source files): its
 * key is the whole list, so it serves exactly the queries over the same files, unchanged.
 */
function wholeList(kind: CacheKind, files: CacheFile[]): Map<string, CacheFile[]> {
  return new Map([[`${kind}\0list\0${signature(files)}`, files]]);
}

/** What tells one list of files (paths and identities, in order) from another. */
function signature(files: CacheFile[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.path}\0${f.identity}\0`);
  return h.digest("hex");
}

/**
 * How the group's table stands to the query's files: the same files at the same identities in
 * the same order, only files added after them, or stale (a file changed, gone, or out of order).
 */
function freshness(group: Group, files: CacheFile[]): "same" | "added" | "stale" {
  let i = 0;
  for (const [loadedPath, identity] of group.files) {
    const f = files[i++];
    if (f?.path !== loadedPath || f.identity !== identity) return "stale";
  }
  if (files.slice(i).some((f) => group.files.has(f.path))) return "stale";
  return i === files.length ? "same" : "added";
}

/** Bytes DuckDB accounts to in-memory tables (in memory or spilled): the cache's tables. */
async function tableBytes(conn: DuckDBConnection): Promise<number> {
  const r = await conn.runAndReadAll(
    "SELECT coalesce(sum(memory_usage_bytes + temporary_storage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'",
  );
  return Number(r.getRows()[0]?.[0] ?? 0);
}

/** Bytes of `local.cacheLimit` ("0" or "off": no cache). */
export function cacheLimitBytes(text: string): number {
  if (/^\s*(0|off)\s*$/i.test(text)) return 0;
  const bytes = parseBytes(text);
  if (bytes === undefined) {
    throw new RunMdError("bad-config", `local.cacheLimit "${text}" is not a size such as 512MiB`, {
      hint: 'Write a size with its unit (MB, GB, MiB, GiB), or "0" to keep no parsed records.',
    });
  }
  return bytes;
}
