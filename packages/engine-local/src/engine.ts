/**
 * The local engine: Athena SQL and Logs Insights steps over CloudTrail files on disk, on DuckDB.
 * One DuckDB instance per engine, one connection per query (so queries may run concurrently and
 * each has its own window-scoped temporary views `cloudtrail_logs` and `cwl_events`).
 */

import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BIGINT,
  BOOLEAN,
  DECIMAL,
  DOUBLE,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
  decimalValue,
  INTEGER,
  StatementType,
  VARCHAR,
} from "@duckdb/node-api";
import {
  type BoundParam,
  builtinEngine,
  type ColumnInfo,
  DELIVERY_LAG_MS,
  type Dialect,
  dayRanges,
  deliveryDays,
  type Engine,
  firstReference,
  gapStart,
  gapWarning,
  isoSeconds,
  isRunMdError,
  type JsonValue,
  notADirectory,
  type QueryRequest,
  type QueryResult,
  RunMdError,
  renderTemplate,
  type SeriesGaps,
  seriesGaps,
  setNewest,
  sqlStringLiteral,
  type TimeWindow,
  windowTail,
} from "@run-md/core";
import {
  assertAthenaSql,
  type ExtraTable,
  spellings,
  type TableConfig,
  TableResolver,
} from "@run-md/sql";
import { namedRowsSql } from "./anonymous-rows.ts";
import { TOO_LARGE } from "./bounds.ts";
import { isUnnamedReadError, unnamedCulprit } from "./culprit.ts";
import { threadsFromEnv } from "./descriptor.ts";
import { describeNoEvents } from "./empty.ts";
import { extraTableFiles, extraTableViewSql } from "./extra-tables.ts";
import {
  isDelivery,
  LogCatalog,
  MAX_LENIENT_BYTES,
  type ReadFile,
  type Resolution,
  type SourceFile,
  storedBytes,
} from "./files.ts";
import { Macros } from "./macros.ts";
import { callsEnded } from "./prepared.ts";
import { ProbeMemory } from "./probe-memory.ts";
import { checkerConnection, re2ValueProblem } from "./re2.ts";
import {
  type CacheFile,
  cacheLimitBytes,
  DEFAULT_CACHE_LIMIT,
  type Lease,
  RecordCache,
  type Segment,
  segmentsSql,
} from "./record-cache.ts";
import { literalNode, mapCode, rewriteAthena } from "./rewrite.ts";
import { assertSandboxed, TABLE_HINT } from "./sandbox.ts";
import {
  athenaSelectList,
  CLOUDTRAIL_COLUMNS,
  PARTITION_COLUMNS,
  partitionSelectList,
  RECORD_FIELDS,
  recordType,
  type Usage,
} from "./schema.ts";
import {
  assertStore,
  ManifestCache,
  readStore,
  type StoreFile,
  type StoreRead,
  storeMessageSql,
  storeSelectSql,
  TIME_COLUMN,
} from "./store.ts";
import { AnonymousRows, streamRows } from "./stream.ts";
import { SESSION_SETTINGS, TRINO_FUNCTIONS } from "./trino.ts";
import { CAST_ELEMENT } from "./trino-container-cast.ts";
import { closeRefusals, openRefusals, QUERY_TOKEN, refusalOf } from "./udfs.ts";

export interface LocalEngineOptions {
  /**
   * The directory of CloudTrail files, read recursively. With a store, only for the days the
   * store does not cover (without it, such a day is an error).
   */
  logDir?: string;
  /** A store written by `run-md collect` (see store.ts), read for the days it covers. */
  store?: string;
  /** DuckDB worker threads (default: RUN_MD_LOCAL_THREADS, else DuckDB's, the number of cores). */
  threads?: number;
  /** DuckDB memory limit, such as "2GB" (default: `defaultMemoryLimit(threads)`). */
  memoryLimit?: string;
  /**
   * The most temporary disk a query may spill to once past the memory limit, such as "20GiB"
   * (default DEFAULT_SPILL_LIMIT; DuckDB's own is 90% of the free disk).
   */
  spillLimit?: string;
  /**
   * Runs the engine in a child process killed when its resident memory passes this size
   * (`8GiB`, or `auto`: memoryLimit plus 1 GiB; isolated.ts); unset or `none`: in the caller's
   * process. Read by the descriptor's `create`, not by createLocalEngine.
   */
  processMemoryLimit?: string;
  /** More table names that mean cloudtrail_logs (for example "security.cloudtrail_org_pp"). */
  tableAliases?: string[];
  /** Configured extra tables (`tables.extra`), each read from its file. */
  extraTables?: ExtraTable[];
  /**
   * Whether the "no events" probe's answer is remembered per file set and window
   * (probe-memory.ts; default true). False probes after every windowed step, as before.
   */
  rememberProbes?: boolean;
  /**
   * The most memory the session's parsed records may take, such as "512MiB"; "0" keeps none
   * (record-cache.ts; default DEFAULT_CACHE_LIMIT).
   */
  cacheLimit?: string;
  /**
   * Whether a Logs Insights query is checked against the CloudTrail record (its field names, its
   * parameters' types) before it runs (default true). The emulator, standing for CloudWatch
   * Logs, sets false: the service answers a field no event has with nothing, not an error.
   */
  insightsChecks?: boolean;
}

/** The largest JSON document DuckDB's reader takes: the same per-file limit as the lenient reader. */
export const MAX_OBJECT = MAX_LENIENT_BYTES;
/** Queries that may read files at once on one engine (the emulator serves several). */
const CONCURRENT_READS = 4;
/**
 * DuckDB's memory limit unless configured (DuckDB's own default is 80% of the machine): 1 GiB of
 * working memory, beyond which sorts, aggregates and joins spill to the session's temporary
 * directory, plus what DuckDB's JSON reader reserves for each reading thread of each query (a
 * buffer of twice the largest object, MAX_OBJECT), which counts against the limit though it is
 * mostly untouched. With a reserve for one query only, a second query reading at the same time
 * failed with "Out of Memory" while the process used a few hundred MB.
 */
export function defaultMemoryLimit(threads: number): string {
  const mib = 1024 + CONCURRENT_READS * threads * 2 * (MAX_OBJECT / 2 ** 20);
  return `${mib}MiB`;
}
/**
 * The temporary disk a query may fill by default: a step whose sort or join outgrows it fails
 * with an error naming `local.spillLimit`, rather than filling the disk (DuckDB's own limit is
 * 90% of the free space; found by a red-team review).
 */
export const DEFAULT_SPILL_LIMIT = "10GiB";
const TARGET = { catalog: "temp", schema: "main", table: "cloudtrail_logs" };
/** Checked plans an engine keeps (`LocalEngine.checkedPlan`). */
const PLAN_CACHE = 64;
/** Runs of one query over a store that keeps changing under it (engine `runOverSources`). */
const STORE_ATTEMPTS = 3;

/** A query stopped by its signal (a timeout, Ctrl-C), here or in the engine's own process. */
export const cancelled = () =>
  new RunMdError("cancelled", "The query was cancelled.", { details: { engine: "local" } });

/** Whether a store file of a run is gone (a collect or a prune removed it since). */
async function someGone(files: readonly StoreFile[]): Promise<boolean> {
  const gone = await Promise.all(
    files.map((f) =>
      fsp.access(f.path).then(
        () => false,
        () => true,
      ),
    ),
  );
  return gone.includes(true);
}
const BUILTIN_ALIASES = ["cloudtrail_logs"];
/** Every spelling of the CloudTrail table and its configured aliases. */
const aliasesOf = (tables: TableConfig) =>
  new Set([...BUILTIN_ALIASES, ...tables.aliases].flatMap(spellings));
/** What a SQL step may read: the CloudTrail view and the configured extra tables. */
const sqlViewsOf = (tables: TableConfig) =>
  new Set([...VIEWS.sql, ...tables.extra.map((t) => t.name)]);
/** The engine's own views each kind of statement may read (sandbox.ts). */
const VIEWS = {
  sql: new Set(["cloudtrail_logs"]),
  insights: new Set(["cwl_events"]),
  prune: new Set(["__runmd_files"]),
};
const JSON_COLUMNS = new Set(
  RECORD_FIELDS.filter((f) => f.kind === "json").map((f) => f.name.toLowerCase()),
);

export async function createLocalEngine(opts: LocalEngineOptions): Promise<LocalEngine> {
  const threads = opts.threads ?? threadsFromEnv();
  const store = opts.store === undefined ? null : path.resolve(opts.store);
  if (store !== null) await assertStore(store);
  const logDir = opts.logDir === undefined ? null : path.resolve(opts.logDir);
  if (logDir === null && store === null) {
    throw new RunMdError("bad-log-dir", "The local engine needs a log directory or a store.");
  }
  const problem = logDir === null ? undefined : await notADirectory(logDir);
  if (problem !== undefined) {
    throw new RunMdError("bad-log-dir", `The log directory ${logDir} ${problem}.`, {
      hint: "Point the local engine (local.logDir, RUN_MD_LOG_DIR or --log-dir) at a directory of CloudTrail files (for example the AWSLogs/ tree synced from the trail's bucket), or set local.logDir: sample for the generated sample data.",
    });
  }
  const cacheLimit = cacheLimitBytes(opts.cacheLimit ?? DEFAULT_CACHE_LIMIT);
  const cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-local-"));
  try {
    // Spill files go to the session's cache directory (DuckDB allows its temp directory to be read).
    const config: Record<string, string> = { temp_directory: path.join(cacheDir, "spill") };
    if (threads !== undefined) config.threads = String(threads);
    config.memory_limit =
      opts.memoryLimit ?? defaultMemoryLimit(threads ?? os.availableParallelism());
    config.max_temp_directory_size = opts.spillLimit ?? DEFAULT_SPILL_LIMIT;
    const instance = await DuckDBInstance.create(":memory:", config);
    const conn = await instance.connect();
    try {
      for (const s of SESSION_SETTINGS) await conn.run(s);
      // Parquet footers (the store's day files) parsed once per engine, not at each view and query;
      // DuckDB reads a footer again when its file's modification time changed.
      await conn.run("SET GLOBAL parquet_metadata_cache = true");
      const dirs = [logDir, store, cacheDir]
        .filter((d): d is string => d !== null)
        .map((d) => sqlStringLiteral(`${d}${path.sep}`))
        .join(", ");
      // An extra table's file alone, not its folder (often the project's root, beside .env and
      // the server's tokens).
      const files = extraTableFiles(opts.extraTables ?? [])
        .map(sqlStringLiteral)
        .join(", ");
      await conn.run("SET GLOBAL autoinstall_known_extensions = false");
      await conn.run("SET GLOBAL autoload_known_extensions = false");
      await conn.run(`SET GLOBAL allowed_directories = [${dirs}]`);
      if (files !== "") await conn.run(`SET GLOBAL allowed_paths = [${files}]`);
      await conn.run("SET GLOBAL enable_external_access = false");
      await conn.run("SET GLOBAL lock_configuration = true");
    } finally {
      conn.closeSync();
    }
    return new LocalEngine(
      instance,
      logDir,
      cacheDir,
      { aliases: opts.tableAliases ?? [], extra: opts.extraTables ?? [] },
      store,
      {
        rememberProbes: opts.rememberProbes ?? true,
        cacheLimit,
        insightsChecks: opts.insightsChecks ?? true,
      },
    );
  } catch (e) {
    // DuckDB refused its settings (a memory limit past what it takes): no session folder left.
    await fsp.rm(cacheDir, { recursive: true, force: true });
    throw e;
  }
}

/** The rows/columns of a finished query and what the engine learned on the way. */
interface Execution {
  columns: ColumnInfo[];
  /** Every row, unless they were streamed to the request's `onRows`. */
  rows: JsonValue[][];
  rowCount: number;
  /** Set when the window held no events (see windowWithoutEvents). */
  noEvents?: string;
  /** Set when the window's end held none (QueryResult.staleEnd). */
  staleEnd?: string;
  /** From when the window is not known to be read (QueryResult.notReadFrom). */
  notReadFrom?: string;
  sql: string;
  files: ReadFile[];
  skippedByWindow: number;
  warnings: string[];
  /** Source files and objects of the window that could not be read (QueryResult.unread). */
  unread: string[];
  /** Days read from the store (null: no store configured). */
  storeDays: string[] | null;
  /** Files (distinct originals) whose records came from the session cache's tables. */
  kept: number;
}

export class LocalEngine implements Engine {
  readonly name = "local" as const;
  readonly dialects = builtinEngine("local").dialects;
  /** Null when the engine reads a store only. */
  readonly logDir: string | null;
  readonly store: string | null;
  private readonly manifests: ManifestCache | null;
  private readonly instance: DuckDBInstance;
  private readonly cacheDir: string;
  private readonly catalog: LogCatalog;
  private readonly aliases: Set<string>;
  private readonly tables: TableResolver;
  /** What a sql step may read: cloudtrail_logs and the configured extra tables' views. */
  private readonly sqlViews: Set<string>;
  /** Checked plans of recent statements, least recently used first (see `checkedPlan`). */
  private readonly plans = new Map<string, Plan>();
  /** The Trino macros created in this engine's database so far (created as queries need them). */
  private readonly macros: Macros;
  /** The "no events" probe's answers per file set and window. */
  private readonly probes: ProbeMemory;
  private readonly seriesKept = new Map<
    string,
    { origins: readonly string[] | undefined; gaps: SeriesGaps }
  >();
  /** The records of the days read more than once this session (record-cache.ts). */
  readonly records: RecordCache;
  private closed = false;
  private parser: Promise<DuckDBConnection> | undefined;
  /** Whether Logs Insights queries are checked before they run (`insightsChecks`). */
  private readonly insightsChecks: boolean;

  constructor(
    instance: DuckDBInstance,
    logDir: string | null,
    cacheDir: string,
    tables: TableConfig,
    store: string | null = null,
    session: { rememberProbes: boolean; cacheLimit: number; insightsChecks?: boolean } = {
      rememberProbes: true,
      cacheLimit: 0,
    },
  ) {
    this.instance = instance;
    this.macros = new Macros(instance);
    this.probes = new ProbeMemory(session.rememberProbes);
    this.insightsChecks = session.insightsChecks ?? true;
    this.records = new RecordCache(
      session.cacheLimit,
      { records: (files) => recordSourceSql(files, "all"), messages: messageSourceSql },
      () => instance.connect(),
    );
    this.logDir = logDir;
    this.store = store;
    this.manifests = store === null ? null : new ManifestCache(store);
    this.cacheDir = cacheDir;
    // Store only: a catalog of an empty folder (the session cache's own `raw`), never scanned.
    this.catalog = new LogCatalog(logDir ?? path.join(cacheDir, "raw"), cacheDir);
    this.tables = new TableResolver(tables);
    this.sqlViews = sqlViewsOf(tables);
    this.aliases = aliasesOf(tables);
  }

  /** What RE2 says of a parameter's value used as a whole pattern (re2.ts), before any step. */
  regexProblem(value: string, dialect: Dialect, name: string): Promise<string | undefined> {
    return re2ValueProblem(value, dialect, name);
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    const t0 = performance.now();
    let exec: Execution;
    /** Logs Insights' row limit when the query sets none (a result of that many may be cut). */
    let defaultLimit: number | undefined;
    if (req.dialect === "sql") {
      // What Athena rejects is rejected here too, with the same message (spec section 4 and the
      // checker of @run-md/sql); dialect=duckdb opts a step out, to run locally only.
      const duckdb = req.attributes.sqlDialect === "duckdb";
      assertNoNul(req.query);
      if (!duckdb) await assertAthenaSql(req.query, { tables: this.tables, params: req.params });
      const { sql, values, types } = renderSqlParams(req.query, req.params);
      exec = await this.execute({
        kind: "sql",
        // DuckDB SQL as written (still scoped to the tables and through the sandbox): no Trino rewrite.
        duckdb,
        sql,
        values,
        types,
        window: req.window,
        signal: req.signal,
        onProgress: req.onProgress,
        onRows: req.onRows,
      });
    } else if (req.dialect === "logs-insights") {
      let translated: { sql: string; columns: string[]; defaultLimit?: number };
      let numeric: Set<string> = new Set();
      try {
        const { numericColumns, parseInsights, translateInsights } = await import(
          "@run-md/insights"
        );
        const ast = parseInsights(req.query);
        translated = translateInsights(ast, {
          relation: "cwl_events",
          params: req.params,
          check: this.insightsChecks,
        });
        numeric = numericColumns(ast);
      } catch (e) {
        if (isRunMdError(e)) throw e;
        throw new RunMdError(
          "insights-syntax",
          `Logs Insights query not understood: ${(e as Error).message}`,
          { cause: e },
        );
      }
      defaultLimit = translated.defaultLimit;
      try {
        exec = await this.execute({
          kind: "insights",
          sql: translated.sql,
          values: [],
          types: [],
          window: req.window,
          signal: req.signal,
          onProgress: req.onProgress,
          onRows: req.onRows,
          names: translated.columns,
          numeric,
        });
      } catch (e) {
        // A refusal the data brings out (min() of text): at its call, as those found before.
        const { insightsRefusal } = await import("@run-md/insights");
        throw insightsRefusal(req.query, e) ?? e;
      }
    } else {
      throw new RunMdError(
        "unsupported-dialect",
        `The local engine cannot run ${String(req.dialect)} steps.`,
      );
    }
    return queryResult(req, exec, defaultLimit, t0);
  }

  /**
   * Athena SQL whose `?` placeholders take Athena execution-parameter texts (SQL literals). No window
   * scoping: the SQL carries its own predicates (partition columns prune files).
   */
  async runAthenaSql(
    sql: string,
    executionParameters: string[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<{
    columns: ColumnInfo[];
    rows: JsonValue[][];
    scannedBytes: number;
    warnings: string[];
  }> {
    assertNoNul(sql);
    if (executionParameters.some((p) => p.includes("\0"))) {
      throw new RunMdError(
        "sql-refused",
        "Refused: an execution parameter holds a NUL character (U+0000), which no SQL literal does.",
      );
    }
    const exec = await this.execute({
      kind: "athena",
      sql,
      values: [],
      types: [],
      executionParameters,
      window: null,
      signal: opts.signal,
    });
    return {
      columns: exec.columns,
      rows: exec.rows,
      scannedBytes: storedBytes(exec.files),
      warnings: exec.warnings,
    };
  }

  /**
   * The connection that parses and prints statements for every step (DuckDB's parser as a
   * function: no table, view or setting of a step's own connection is involved).
   */
  private parserConnection(): Promise<DuckDBConnection> {
    this.parser ??= this.instance.connect();
    return this.parser;
  }

  /** The session's temporary folder (spill files, the record cache): removed by `close`. */
  get sessionDir(): string {
    return this.cacheDir;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A call still running on the parser's connection would never settle once it is closed.
    const parser = await this.parser?.catch(() => undefined);
    if (parser) {
      await callsEnded(parser);
      parser.closeSync();
    }
    this.macros.close();
    this.records.close();
    this.instance.closeSync();
    await fsp.rm(this.cacheDir, { recursive: true, force: true });
  }

  /** DuckDB's own `threads` setting on this engine, for tests. */
  async duckdbThreads(): Promise<number> {
    return Number(await this.duckdbSetting("threads"));
  }

  /** One of DuckDB's settings on this engine as text, for tests (steps may not read them). */
  async duckdbSetting(name: string): Promise<string> {
    const conn = await this.instance.connect();
    try {
      const sql = `SELECT CAST(current_setting(${sqlStringLiteral(name)}) AS VARCHAR)`;
      return String((await conn.runAndReadAll(sql)).getRows()[0]?.[0]);
    } finally {
      conn.closeSync();
    }
  }

  /** How many probes this engine ran, of windows ("events") or their ends ("end"; the others were remembered), for tests. */
  probesRun(aspect: "events" | "end" = "events"): number {
    return aspect === "end" ? this.probes.endProbesRun : this.probes.probesRun;
  }

  /** The files a query's partition filters let through (all of them when it has none). */
  private async filesPassing(
    conn: import("@duckdb/node-api").DuckDBConnection,
    files: ReadFile[],
    pruneSql: string | undefined,
  ): Promise<ReadFile[]> {
    if (!pruneSql || files.length === 0) return files;
    try {
      await conn.run(
        `CREATE OR REPLACE TEMP VIEW __runmd_files AS SELECT filename, ${partitionSelectList()} FROM (SELECT unnest(${fileList(files)}) AS filename)`,
      );
      const reader = await conn.runAndReadAll(pruneSql);
      const passing = new Set(reader.getRows().map((r) => String(r[0])));
      return files.filter((f) => passing.has(f.path));
    } catch {
      return files;
    }
  }

  private async execute(job: Job): Promise<Execution> {
    if (this.closed) throw new Error("LocalEngine used after close()");
    if (job.signal?.aborted) throw cancelled();
    const conn = await this.instance.connect();
    // The token under which trino_refuse notes a refusal a try() swallows (udfs.ts).
    const token = randomUUID();
    openRefusals(token);
    await conn.run(`SET VARIABLE ${QUERY_TOKEN} = '${token}'`);
    const refused = () => {
      const message = refusalOf(token);
      return message === undefined
        ? undefined
        : engineError(`Invalid Input Error: ${message}`, null);
    };
    const ends: Ends = { cancelled, refused };
    // An interrupt that lands while a short statement (a view, the no-events probe) is finishing
    // is spent on it, and the step's query then ran on: Ctrl-C was ignored now and then (seen in
    // runner-e2e's Ctrl-C test). Once cancelled, interrupt again every 100 ms until this ends.
    let repeat: NodeJS.Timeout | undefined;
    const onAbort = () => {
      conn.interrupt();
      repeat ??= setInterval(() => conn.interrupt(), 100);
    };
    job.signal?.addEventListener("abort", onAbort);
    try {
      // 1-2. Parsed, gated, rewritten and sandboxed (no table is read yet), on the parser's
      // connection, whose prepared statements are kept (prepared.ts).
      const plan = await this.checkedPlan(await this.parserConnection(), job);
      if (this.closed) throw new Error("LocalEngine used after close()");
      // 3. Files of the window, views, run; a file DuckDB rejects is read leniently and we retry.
      return await this.runOverSources(conn, job, plan, ends);
    } catch (e) {
      // A refusal first: the error may be the refusal itself, or follow one a try() swallowed.
      const refusal = refused();
      if (refusal) throw refusal;
      if (isRunMdError(e)) throw e;
      const msg = (e as Error).message ?? String(e);
      if (job.signal?.aborted || /INTERRUPT|Interrupted/i.test(msg)) throw cancelled();
      throw engineError(msg, e);
    } finally {
      clearInterval(repeat);
      job.signal?.removeEventListener("abort", onAbort);
      closeRefusals(token);
      conn.closeSync();
    }
  }

  /**
   * The statement as it will run, checked: parse, gate and rewrite (`plan`), then the sandbox
   * (only the engine's views and allow-listed table functions, checked on the statements exactly
   * as they will run, before any of them does). Both depend on the statement's text alone (values
   * are bound apart), so the last PLAN_CACHE checked plans are kept: a step run again (the
   * server's and the emulator's repeated queries, the same query over other windows) skips
   * three trips through DuckDB's parser, about 5 ms. A refused statement is never kept.
   */
  private async checkedPlan(conn: DuckDBConnection, job: Job): Promise<Plan> {
    const key = JSON.stringify([
      job.kind,
      job.duckdb === true,
      job.sql,
      job.executionParameters,
      job.types.map(String),
    ]);
    const cached = this.plans.get(key);
    if (cached) {
      setNewest(this.plans, key, cached, PLAN_CACHE);
      return cached;
    }
    const plan = await this.plan(conn, job);
    await assertSandboxed(conn, plan.sql, job.kind === "insights" ? VIEWS.insights : this.sqlViews);
    if (plan.pruneSql !== undefined) await assertSandboxed(conn, plan.pruneSql, VIEWS.prune);
    setNewest(this.plans, key, plan, PLAN_CACHE);
    return plan;
  }

  /** The statement as it will run: rewritten to DuckDB, with the columns it reads. */
  private async plan(conn: DuckDBConnection, job: Job): Promise<Plan> {
    if (job.kind === "insights") {
      const r = await rewriteAthena(conn, job.sql, { aliases: new Set(), target: TARGET });
      return { sql: r.sql, warnings: [], used: "all" };
    }
    let parameters: Map<string, Record<string, unknown>> | undefined;
    if (job.executionParameters) {
      parameters = new Map();
      for (const [i, text] of job.executionParameters.entries()) {
        parameters.set(String(i + 1), await literalNode(conn, text, i + 1));
      }
    }
    const r = await rewriteAthena(conn, job.sql, {
      aliases: this.aliases,
      target: TARGET,
      parameters,
      ...(job.duckdb
        ? {}
        : { parameterTypes: new Map(job.types.map((t, i) => [String(i + 1), String(t)])) }),
      trinoFunctions: job.duckdb ? undefined : TRINO_FUNCTIONS,
      jsonColumns: JSON_COLUMNS,
      partitionColumns: new Set<string>(PARTITION_COLUMNS),
    });
    let used = r.refs;
    // A reference to the table itself as a value (SELECT cloudtrail_logs FROM ...) needs everything.
    if (used !== "all" && used.some((ref) => ref.length === 1 && r.tableAliases.has(ref[0]!))) {
      used = "all";
    }
    // The window's end is asked by event time (`endWithoutEvents`) over the step's view.
    if (used !== "all") used = [...used, ["eventtime"]];
    if (job.executionParameters && r.parameterIds.size !== job.executionParameters.length) {
      throw new RunMdError(
        "sql-parameters",
        `The query has ${r.parameterIds.size} parameter placeholder(s) but ${job.executionParameters.length} execution parameter(s) were given.`,
      );
    }
    return {
      sql: r.sql,
      warnings: r.warnings,
      used,
      ...(r.pruneSql === undefined ? {} : { pruneSql: r.pruneSql }),
      ...(r.precisions.some((p) => p !== undefined) ? { precisions: r.precisions } : {}),
    };
  }

  /** Where the window's records are: the store's days, and the raw files for the others. */
  private async sources(window: TimeWindow | null): Promise<Sources> {
    const days = window ? deliveryDays(window) : null;
    // With raw files beside the store, the window's folders are listed first: the files of a day
    // the store has no record of are read raw beside it (store.ts `daysBehind`, `behindOf`).
    const listing =
      this.manifests !== null && this.logDir !== null && days !== null
        ? await this.catalog.scan(days)
        : NO_SCAN;
    const beside = listing.files;
    const stored =
      this.manifests === null
        ? null
        : // A copy of a stored delivery under another folder is the store's (store.ts withoutStoredCopies).
          await readStore(
            this.manifests,
            window,
            this.logDir !== null,
            beside,
            async (files) => (await this.catalog.withoutCopies(files)).files,
          );
    const rawRange = stored === null ? days : missingRange(stored.rawDays);
    // Raw days are listed whenever there are some: also when the store covers the whole window
    // and only the day after it is read raw (its folder holds files the store lacks: the late
    // events of the window's last day were read from neither, and the step said they were raw).
    // Files the store lacks read beside it (`rawBeside`) are read over all the window's days.
    const extra = new Set(stored?.rawBeside);
    const scan =
      stored !== null && stored.rawDays.length === 0 ? NO_SCAN : await this.catalog.scan(rawRange);
    const listed = new Set(scan.files.map((f) => f.rel));
    const more = beside.filter((f) => extra.has(f.rel) && !listed.has(f.rel));
    const rawDays = extra.size > 0 ? days : rawRange;
    const files = more.length > 0 ? [...scan.files, ...more] : scan.files;
    // What the listing could not read is named over the store's days too, as on the raw files
    // (red-team: a file synced after the collect under a name the engine does not read was
    // passed over without a word).
    const warnings = [...new Set([...scan.warnings, ...listing.warnings])];
    const unread = [...new Set([...scan.unread, ...listing.unread])];
    return {
      stored,
      rawDays,
      scan: { ...scan, files, warnings, unread },
      storeFiles: stored?.files ?? [],
    };
  }

  /**
   * Runs the plan over the window's sources. When a store file the run was to read is gone once
   * it failed, the store changed under it after its manifest was read (a collect replaced the
   * day's file, a prune removed the day): the manifest is read again and the run repeated, a few
   * times at most (rows already delivered are restarted: stream.ts).
   */
  private async runOverSources(
    conn: DuckDBConnection,
    job: Job,
    plan: Plan,
    ends: Ends,
  ): Promise<Execution> {
    const state = { delivered: false };
    for (let attempt = 1; ; attempt++) {
      const sources = await this.sources(job.window);
      try {
        return await this.runOverFiles(conn, job, plan, sources, ends, state);
      } catch (e) {
        const changed = attempt < STORE_ATTEMPTS && !job.signal?.aborted;
        if (!changed || !(await someGone(sources.storeFiles))) throw e;
      }
    }
  }

  /** Runs the plan over the files; a file DuckDB cannot read is set aside and the run repeated. */
  private async runOverFiles(
    conn: DuckDBConnection,
    job: Job,
    plan: Plan,
    sources: Sources,
    ends: Ends,
    state: { delivered: boolean },
  ): Promise<Execution> {
    const { cancelled } = ends;
    const { stored, rawDays, scan } = sources;
    for (let attempt = 0; ; attempt++) {
      if (job.signal?.aborted) throw cancelled();
      const res = await this.catalog.resolve(
        scan.files,
        rawDays,
        scan.outside,
        scan.outsideDays,
        true,
        job.window,
      );
      if (stored !== null) leaveStoreDays(res, scan.files, stored);
      job.onProgress?.({
        message: `reading ${res.files.length} file(s)`,
        stats: { files: res.files.length, filesSkippedByWindow: res.skippedByWindow },
      });
      try {
        return await this.runOnce({ conn, job, plan, sources, res, stream: { state, ...ends } });
      } catch (e) {
        if (isRunMdError(e)) throw e;
        const msg = (e as Error).message ?? String(e);
        if (job.signal?.aborted || /INTERRUPT|Interrupted/i.test(msg)) throw cancelled();
        if (attempt < 1000 && (await this.setAside(msg, res.files))) continue;
        throw engineError(msg, e);
      }
    }
  }

  /** One run over the resolved files, with the session cache's part of them leased. */
  private async runOnce(run: Attempt): Promise<Execution> {
    const { job, plan, sources, res } = run;
    const { storeFiles } = sources;
    // Not for a query whose partition filters let DuckDB read only some of the files: keeping
    // every file it lists would cost more than the few it reads.
    const lease =
      storeFiles.length > 0 || plan.pruneSql !== undefined
        ? null
        : await this.records.lease(
            job.kind === "insights" ? "messages" : "records",
            keyedFiles(res.files, sources.scan.files),
            job.signal,
          );
    try {
      return await this.runViews(run, lease);
    } finally {
      lease?.release();
    }
  }

  /** One run: the views, the statement, the rows and the statistics. */
  private async runViews(run: Attempt, lease: Lease | null): Promise<Execution> {
    const { conn, job, plan, sources, res, stream } = run;
    const { stored, scan, storeFiles } = sources;
    // Store and raw files together: the raw rows with every column, so the union's types agree.
    const rawUsage = storeFiles.length > 0 ? "all" : plan.used;
    const views =
      job.kind === "insights"
        ? [cwlViewSql(res.files, job.window, storeFiles, lease?.cached ? lease.segments : null)]
        : [
            lease?.cached
              ? cachedViewSql(lease.segments, job.window, rawUsage)
              : cloudtrailViewSql(res.files, job.window, rawUsage, storeFiles),
            ...this.tables.config.extra.map((t) => extraTableViewSql(t, job.window)),
          ];
    // The Trino macros any of this run's SQL names (macros.ts), then the views: creating a view
    // already opens files (read_json binds), so it belongs in the retry.
    await this.macros.ensure([...views, plan.sql, plan.pruneSql ?? ""]);
    for (const v of views) await conn.run(v);
    const prepared = await prepareNamed(conn, plan.sql, job.values, job.types);
    const count = async () => {
      const counting = await prepareSelect(
        conn,
        `SELECT count(*) FROM (${plan.sql})`,
        job.values,
        job.types,
      );
      return Number((await counting.runAndReadAll()).getRows()[0]?.[0]);
    };
    const options = {
      count,
      insights: job.kind === "insights",
      ...(job.names ? { names: job.names } : {}),
      ...(job.numeric ? { numeric: job.numeric } : {}),
      ...(plan.precisions ? { precisions: plan.precisions } : {}),
      signal: job.signal,
      onRows: job.onRows,
      ...stream,
    };
    const streamed = await streamRows(prepared, options).catch(async (e: unknown) => {
      if (!(e instanceof AnonymousRows)) throw e;
      const named = namedRowsSql(plan.sql, e.columns) ?? plan.sql;
      return streamRows(await prepareSelect(conn, named, job.values, job.types), options);
    });
    const { noEvents, ends } = await this.windowChecks(run);
    const scanned = await this.filesPassing(conn, res.files, plan.pruneSql);
    return {
      ...streamed,
      sql: plan.sql,
      files: [...scanned, ...(stored?.files ?? [])],
      skippedByWindow: res.skippedByWindow,
      warnings: [
        ...plan.warnings,
        ...(stored?.warnings ?? []),
        ...scan.warnings,
        ...res.warnings,
        ...(ends.gap === undefined ? [] : [ends.gap]),
        ...(ends.seriesGaps ?? []),
      ],
      unread: [...(stored?.unread ?? []), ...scan.unread, ...res.unread],
      ...(noEvents === undefined ? {} : { noEvents }),
      ...(ends.staleEnd === undefined ? {} : { staleEnd: ends.staleEnd }),
      ...(ends.notReadFrom === undefined ? {} : { notReadFrom: ends.notReadFrom }),
      storeDays: stored?.storeDays ?? null,
      kept: lease?.cached ? keptFiles(res.files, lease.segments) : 0,
    };
  }

  /**
   * What a run's window held: no event at all (`noEvents`), else its ends (`windowEnds`: days
   * without files, a region's, a window's end without events), each answer remembered by the
   * probe key.
   */
  private async windowChecks(run: Attempt): Promise<{
    noEvents: Awaited<ReturnType<typeof windowWithoutEvents>> | undefined;
    ends: Awaited<ReturnType<typeof windowEnds>>;
  }> {
    const { conn, job, res } = run;
    const { stored, scan, storeFiles } = run.sources;
    const key = this.probeKey(job, res, scan, stored);
    const noEvents =
      job.window === null || stored?.hasEvents
        ? undefined
        : await windowWithoutEvents(
            conn,
            job.kind,
            res,
            scan,
            this.source(),
            storeFiles.length,
            key,
            this.probes,
          );
    if (noEvents !== undefined) return { noEvents, ends: {} };
    const ends = await windowEnds(
      conn,
      job,
      res,
      stored,
      this.logDir,
      this.probes.at(key),
      (now, f) => this.seriesOf(key, job.window, stored?.origins, now, f),
    );
    return { noEvents, ends };
  }

  /** Where the engine reads, as the "no events" sentence names it. */
  private source(): string | { store: string } {
    return this.logDir === null && this.store !== null
      ? { store: this.store }
      : (this.logDir ?? "");
  }

  /** The key of the "no events" probe's answer: the view, the window, the files and identities. */
  private probeKey(
    job: Job,
    res: Resolution,
    scan: Sources["scan"],
    stored: StoreRead | null,
  ): string | null {
    const window =
      job.window === null
        ? ""
        : `${job.window.start.toISOString()}/${job.window.end.toISOString()}`;
    // A store's day file is never written twice under one name (a collect writes a day's new
    // file beside the old one, collect day-file.ts): its path and size are its identity.
    const storeFiles = (stored?.files ?? []).map((f) => ({ path: f.path, identity: `${f.size}` }));
    return this.probes.key(job.kind === "insights" ? "cwl_events" : "cloudtrail_logs", window, [
      ...keyedFiles(res.files, scan.files),
      ...storeFiles,
    ]);
  }

  /**
   * `seriesGaps` of a step, remembered for the later steps over the same files and window (the
   * probe key) and the same store objects: over a store of a month of a busy organization trail
   * it reads millions of keys (2-5 s a step). Its answer moves with the clock only for a window
   * ending less than a day before now (the day still being delivered): kept a minute then.
   */
  private seriesOf(
    key: string | null,
    w: TimeWindow | null,
    origins: readonly string[] | undefined,
    now: number,
    compute: () => SeriesGaps,
  ): SeriesGaps {
    if (key === null || w === null) return compute();
    const settled = now - DELIVERY_LAG_MS >= w.end.getTime() + 24 * 3_600_000;
    const at = `${key}\0${settled ? "settled" : Math.floor(now / 60_000)}`;
    const kept = this.seriesKept.get(at);
    if (kept !== undefined && kept.origins === origins) return kept.gaps;
    const gaps = compute();
    if (this.seriesKept.size >= 64) this.seriesKept.clear();
    this.seriesKept.set(at, { origins, gaps });
    return gaps;
  }

  /**
   * Sets aside the file a DuckDB error names (or, for a read error that names none, the file
   * found to fail alone: culprit.ts), to be read leniently (or skipped) on the next run;
   * false when the error names no file of the run, a file that cannot be set aside, or a file
   * DuckDB reads alone without its own error about it. An error's text can come from the query
   * (`CAST('file "…"' AS INTEGER)`): only a file that fails alone is the reader's fault, else one
   * query could make the engine skip a log file for every later query of the session.
   */
  private async setAside(msg: string, files: ReadFile[]): Promise<boolean> {
    const failed = /file "([^"]+)"/.exec(msg)?.[1];
    let file = failed === undefined ? undefined : files.find((f) => f.path === failed);
    if (file === undefined && isUnnamedReadError(msg))
      file = await unnamedReadCulprit(this.instance, files);
    else if (!file || /Permission Error/.test(msg) || !(await failsAlone(this.instance, file)))
      return false;
    if (file === undefined) return false;
    // DuckDB quotes the values it could not convert: no warning quotes file content.
    const reason = (msg.split("\n")[0] ?? msg).replace(/'(?:[^']|'')*'/g, "'…'");
    return file.path.startsWith(this.cacheDir)
      ? this.catalog.rejectPart(file.path, `unreadable (${reason})`)
      : this.catalog.rejectDirect(file.path, reason);
  }
}

/** The file a read error that names none is about (culprit.ts), on a connection of its own. */
async function unnamedReadCulprit(
  instance: DuckDBInstance,
  files: ReadFile[],
): Promise<ReadFile | undefined> {
  const conn = await instance.connect();
  try {
    return await unnamedCulprit(
      conn,
      files,
      (some) => `SELECT count(r) FROM (${recordSourceSql(some, "all")})`,
    );
  } finally {
    conn.closeSync();
  }
}

/** One query for `LocalEngine.execute`: a step's SQL or Insights, or Athena SQL (the emulator). */
interface Job {
  kind: "sql" | "athena" | "insights";
  /** A `dialect=duckdb` step: the table names are resolved, Trino's semantics are not applied. */
  duckdb?: boolean;
  sql: string;
  values: DuckDBValue[];
  types: DuckDBType[];
  executionParameters?: string[];
  window: TimeWindow | null;
  signal: AbortSignal | undefined;
  onProgress?: QueryRequest["onProgress"];
  onRows?: QueryRequest["onRows"];
  /** Result labels replacing DuckDB's (Logs Insights field names). */
  names?: string[];
  /** Logs Insights: the columns of numeric aggregates (the others are text, as on the service). */
  numeric?: Set<string>;
}

/** A job's statement after the rewrite. */
interface Plan {
  sql: string;
  warnings: string[];
  /** The columns (paths) it reads, for the view to read no more of the files. */
  used: Usage;
  /** The statement that tells which files the query's partition filters let through. */
  pruneSql?: string;
  /** Result columns' timestamp precisions other than 3 (rewrite.ts resultPrecisions). */
  precisions?: (number | undefined)[];
}

/** One attempt of `LocalEngine.runOverFiles` at a job over its resolved files. */
interface Attempt {
  conn: DuckDBConnection;
  job: Job;
  plan: Plan;
  sources: Sources;
  res: Resolution & { skippedByWindow: number };
  stream: { state: { delivered: boolean } } & Ends;
}

/** How a query ends early: cancelled, or a refusal a try() swallowed (trino.ts trino_refuse). */
interface Ends {
  cancelled: () => RunMdError;
  refused: () => RunMdError | undefined;
}

/** Where a window's records are (`LocalEngine.sources`). */
interface Sources {
  stored: Awaited<ReturnType<typeof readStore>> | null;
  rawDays: { first: string; last: string } | null;
  scan: Awaited<ReturnType<LogCatalog["scan"]>>;
  storeFiles: StoreFile[];
}

/** prepareSelect, the statement wrapped when its result holds anonymous rows (anonymous-rows.ts). */
async function prepareNamed(
  conn: DuckDBConnection,
  sql: string,
  values: DuckDBValue[],
  types: DuckDBType[],
): Promise<DuckDBPreparedStatement> {
  const prepared = await prepareSelect(conn, sql, values, types);
  let columns: { name: string; type: DuckDBType }[];
  try {
    columns = Array.from({ length: prepared.columnCount }, (_v, i) => ({
      name: prepared.columnName(i),
      type: prepared.columnType(i),
    }));
  } catch {
    return prepared; // a type a parameter decides: streamRows says so (AnonymousRows)
  }
  const named = namedRowsSql(sql, columns);
  return named === undefined ? prepared : prepareSelect(conn, named, values, types);
}

/**
 * Refuses SQL text holding a NUL (U+0000), naming its place. DuckDB's parser stops reading at
 * one, and Trino's grammar does not: `... = 'x' -- <NUL>\n OR true` passed the check and ran
 * without `OR true` (0 events where Athena counts them all; found by a red-team review).
 */
function assertNoNul(sql: string): void {
  const at = sql.indexOf("\0");
  if (at < 0) return;
  const lines = sql.slice(0, at).split("\n");
  const place = `line ${lines.length}, column ${(lines.at(-1) ?? "").length + 1}`;
  throw new RunMdError(
    "sql-syntax",
    `Refused: a NUL character (U+0000) at ${place}: the local engine's SQL parser stops reading at one, so the text after it would not run.`,
    { hint: "Remove the character; a value with one can be a {{parameter}}, which is bound." },
  );
}

/** The one SELECT of a step, prepared and bound; anything else is refused. */
async function prepareSelect(
  conn: DuckDBConnection,
  sql: string,
  values: DuckDBValue[],
  types: DuckDBType[],
): Promise<DuckDBPreparedStatement> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count !== 1)
    throw new RunMdError("sql-refused", "Refused: exactly one statement per step.");
  const prepared = await extracted.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    throw new RunMdError(
      "sql-refused",
      "Refused: only read-only SELECT statements run on the local engine.",
    );
  }
  if (prepared.parameterCount !== values.length) {
    throw new RunMdError(
      "sql-parameters",
      `The query has ${prepared.parameterCount} parameter(s), ${values.length} bound.`,
    );
  }
  if (values.length > 0) prepared.bind(values, types);
  return prepared;
}

/**
 * Undefined when the window's view holds at least one event (whatever the step's query selects);
 * otherwise what the log directory had instead, for the step's "no data" error.
 */
async function windowWithoutEvents(
  conn: DuckDBConnection,
  kind: "sql" | "athena" | "insights",
  res: Resolution & { skippedByWindow: number },
  scan: { files: unknown[]; outside: number },
  logDir: string | { store: string },
  storeFiles: number,
  key: string | null,
  memory: ProbeMemory,
): Promise<string | undefined> {
  if (res.files.length > 0 || storeFiles > 0) {
    const view = kind === "insights" ? "cwl_events" : "cloudtrail_logs";
    const hasEvents = await memory.hasEvents(
      key,
      async () => (await conn.runAndReadAll(`SELECT 1 FROM ${view} LIMIT 1`)).currentRowCount > 0,
    );
    if (hasEvents) return undefined;
  }
  return describeNoEvents(res, scan.files.length + scan.outside + storeFiles, logDir, storeFiles);
}

function fileList(files: ReadFile[]): string {
  return `[${files.map((f) => sqlStringLiteral(f.path)).join(", ")}]`;
}

function windowPredicate(timeExpr: string, window: TimeWindow | null): string {
  if (!window) return "";
  return `\nWHERE ${timeExpr} >= TIMESTAMPTZ '${window.start.toISOString()}' AND ${timeExpr} < TIMESTAMPTZ '${window.end.toISOString()}'`;
}

/** The `cloudtrail_logs` view over the given files, restricted to the window when there is one. */
export function cloudtrailViewSql(
  files: ReadFile[],
  window: TimeWindow | null,
  used: Usage = "all",
  storeFiles: StoreFile[] = [],
): string {
  if (storeFiles.length > 0) return storeViewSql(files, window, storeFiles);
  const src =
    files.length === 0
      ? `SELECT CAST(NULL AS ${recordType(used)}) AS r, CAST(NULL AS VARCHAR) AS filename WHERE false`
      : recordSourceSql(files, used);
  return recordsViewSql(src, used, window);
}

/** A step's result from its execution: rows, statistics, what was unread or cut, warnings. */
function queryResult(
  req: QueryRequest,
  exec: Execution,
  defaultLimit: number | undefined,
  t0: number,
): QueryResult {
  const bytesRead = storedBytes(exec.files);
  const filesRead = new Set(exec.files.map((f) => f.origin)).size;
  // Logs Insights without a limit command: as many rows as the service's default may be a cut.
  const capped =
    defaultLimit !== undefined && exec.rowCount >= defaultLimit ? defaultLimit : undefined;
  const storeNote =
    exec.storeDays === null ? "" : `, days from the store: ${dayRanges(exec.storeDays) || "none"}`;
  const cacheNote = exec.kept === 0 ? "" : `, ${exec.kept} of them from the session cache`;
  const header = `-- local engine: ${req.dialect === "sql" ? "cloudtrail_logs" : "cwl_events"} scoped to [${req.window.start.toISOString()}, ${req.window.end.toISOString()}), ${filesRead} file(s) read${cacheNote}, ${exec.skippedByWindow} outside the window${storeNote}`;
  return {
    columns: exec.columns,
    rows: exec.rows,
    ...(req.onRows === undefined ? {} : { rowCount: exec.rowCount }),
    ...(exec.noEvents === undefined ? {} : { noEvents: exec.noEvents }),
    ...(exec.staleEnd === undefined ? {} : { staleEnd: exec.staleEnd }),
    ...(exec.notReadFrom === undefined ? {} : { notReadFrom: exec.notReadFrom }),
    queryAsRun: `${header}\n${exec.sql}`,
    ...(exec.unread.length === 0 ? {} : { unread: exec.unread }),
    ...(capped === undefined ? {} : { capped }),
    stats: {
      filesRead,
      filesSkippedByWindow: exec.skippedByWindow,
      bytesRead,
      engineMs: Math.round(performance.now() - t0),
      ...(exec.storeDays === null ? {} : { storeDays: dayRanges(exec.storeDays) || "none" }),
    },
    warnings:
      capped === undefined
        ? exec.warnings
        : [
            ...exec.warnings,
            `${capped.toLocaleString("en")} rows, Logs Insights' default limit: there may be more. Add a limit command or narrow the query.`,
          ],
  };
}

/**
 * The `cloudtrail_logs` view over the cache's tables and the files it does not hold, in the
 * order of the files (record-cache.ts). Everything is typed as the query's own read of the files
 * would type it (`recordType(used)`): the tables' records, which have every field, are cast to
 * it, and the files are read with it, so a file whose unused field DuckDB could not type reads as
 * it does without the cache.
 */
function cachedViewSql(segments: Segment[], window: TimeWindow | null, used: Usage): string {
  const narrowed = segments.map((s) =>
    "select" in s && used !== "all"
      ? { select: `SELECT CAST(r AS ${recordType(used)}) AS r, filename FROM (${s.select})` }
      : s,
  );
  return recordsViewSql(
    segmentsSql(narrowed, (files) => recordSourceSql(files, used)),
    used,
    window,
  );
}

/** `cloudtrail_logs` over a relation of records `r` and their `filename`. */
function recordsViewSql(src: string, used: Usage, window: TimeWindow | null): string {
  return `CREATE OR REPLACE TEMP VIEW cloudtrail_logs AS
SELECT ${athenaSelectList(used)},
  ${partitionSelectList()}
FROM (${src})${windowPredicate(`TRY_CAST(r."eventTime" AS TIMESTAMPTZ)`, window)}`;
}

/** The records (`r`, typed for `used`) and file names of CloudTrail files, as DuckDB reads them. */
function recordSourceSql(files: ReadFile[], used: Usage): string {
  return `SELECT unnest(Records) AS r, filename FROM read_json(${fileList(files)}, format = 'unstructured', records = true, filename = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: '${recordType(used)}[]'})`;
}

/**
 * Whether DuckDB, reading a file's records alone with every field typed, fails with an error about
 * that file. On a connection of its own: a step's cancel interrupts the step's connection, and an
 * interrupt (or running out of memory) is no fault of the file.
 */
async function failsAlone(instance: DuckDBInstance, file: ReadFile): Promise<boolean> {
  const conn = await instance.connect();
  try {
    await conn.run(`SELECT count(r) FROM (${recordSourceSql([file], "all")})`);
    return false;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return msg.includes(`file "${file.path}"`) && !/INTERRUPT|Interrupted|Out of Memory/i.test(msg);
  } finally {
    conn.closeSync();
  }
}

/** The events of CloudTrail files as JSON values (`j`), as DuckDB reads them. */
function messageSourceSql(files: ReadFile[]): string {
  return `SELECT unnest(Records) AS j FROM read_json(${fileList(files)}, format = 'unstructured', records = true, maximum_object_size = ${MAX_OBJECT}, columns = {Records: 'JSON[]'})`;
}

/** How many of the files (distinct originals) the segments read from the cache's tables. */
function keptFiles(files: ReadFile[], segments: Segment[]): number {
  const raw = new Set(segments.flatMap((s) => ("files" in s ? s.files.map((f) => f.path) : [])));
  return new Set(files.filter((f) => !raw.has(f.path)).map((f) => f.origin)).size;
}

/**
 * The files of a resolution with the identity of the file each comes from ("" when unknown),
 * for what is remembered of them: the probe's answers and the session cache.
 */
function keyedFiles(files: ReadFile[], sources: { rel: string; identity: string }[]): CacheFile[] {
  const identities = new Map(sources.map((f) => [f.rel, f.identity]));
  return files.map((f) => ({ ...f, identity: identities.get(f.origin) ?? "" }));
}

/**
 * The `cwl_events` view (CloudWatch Logs shape of CloudTrail events) for Logs Insights steps;
 * `cached`: the files as the cache's segments (record-cache.ts), read in their order.
 */
export function cwlViewSql(
  files: ReadFile[],
  window: TimeWindow | null,
  storeFiles: StoreFile[] = [],
  cached: Segment[] | null = null,
): string {
  const raw = cached
    ? `(${segmentsSql(cached, messageSourceSql)})`
    : files.length === 0
      ? `(SELECT CAST(NULL AS JSON) AS j WHERE false)`
      : `(${messageSourceSql(files)})`;
  // The store's rows are filtered on their timestamp column before their JSON is rebuilt.
  const stored = storeMessageSql(storeFiles, windowPredicate(TIME_COLUMN, window));
  const src =
    storeFiles.length === 0
      ? raw
      : files.length === 0
        ? `(${stored})`
        : `(${stored} UNION ALL SELECT j FROM ${raw})`;
  const acct = `coalesce(j->>'recipientAccountId', j->>'$.userIdentity.accountId', 'unknown')`;
  return `CREATE OR REPLACE TEMP VIEW cwl_events AS
SELECT * FROM (SELECT TRY_CAST(j->>'eventTime' AS TIMESTAMPTZ) AS "@timestamp",
  CAST(j AS VARCHAR) AS "@message",
  ${acct} || '_CloudTrail_' || coalesce(j->>'awsRegion', 'unknown') AS "@logStream",
  ${acct} || ':cloudtrail' AS "@log",
  coalesce(j->>'eventID', md5(CAST(j AS VARCHAR))) AS "@ptr"
FROM ${src})${windowPredicate(`"@timestamp"`, window)}`;
}

/**
 * `cloudtrail_logs` over store files, plus raw files (every column) for the days it lacks. The
 * store's part is filtered on its timestamp column (no text parsing, row groups pruned by their
 * statistics), the raw part by its own window filter.
 */
function storeViewSql(
  files: ReadFile[],
  window: TimeWindow | null,
  storeFiles: StoreFile[],
): string {
  const raw =
    files.length === 0
      ? ""
      : `\nUNION ALL BY NAME\n${cloudtrailViewSql(files, window).replace(/^CREATE OR REPLACE TEMP VIEW cloudtrail_logs AS\n/, "")}`;
  return `CREATE OR REPLACE TEMP VIEW cloudtrail_logs AS
SELECT * FROM (${storeSelectSql(storeFiles, windowPredicate(TIME_COLUMN, window))}${raw})`;
}

/** A scan that lists nothing. */
const NO_SCAN = { files: [], outside: 0, outsideDays: null, warnings: [], unread: [] };

/**
 * The raw files' resolution without the days the store answers (the raw day range spans the
 * days read raw, `StoreRead.rawDays`, and may hold stored days between them): their parts, and the files of those days
 * that could not be read, which the store's step must not name (its answer has their day). The
 * parts of files read beside the store (`StoreRead.rawBeside`) are kept whatever their days.
 */
function leaveStoreDays(res: Resolution, scanned: SourceFile[], read: StoreRead): void {
  const { rawDays } = read;
  const beside = new Set(read.rawBeside);
  res.files = res.files.filter(
    (f) => f.day !== null && (rawDays.includes(f.day) || beside.has(f.origin)),
  );
  // The files of the store's days, a file read beside them left out: its own errors are named.
  const stored = new Set(
    scanned
      .filter((f) => f.layoutDay !== null && !rawDays.includes(f.layoutDay) && !beside.has(f.rel))
      .map((f) => f.rel),
  );
  if (stored.size === 0) return;
  res.unread = res.unread.filter((rel) => !stored.has(rel));
  res.warnings = res.warnings.filter(
    (w) => ![...stored].some((rel) => w.startsWith(`skipped ${rel}: `)),
  );
}

/**
 * What a window with events says of its days when it read a trail's deliveries (files in the
 * delivery layout, or a store; an export's days without events are days without events): the
 * warning of days without files (`gapWarning`, by the days of what it read), and its end without
 * events (`endWithoutEvents`).
 */
async function windowEnds(
  conn: DuckDBConnection,
  job: Job,
  res: Resolution,
  stored: StoreRead | null,
  logDir: string | null,
  remembered: (aspect: string, probe: () => Promise<boolean>) => Promise<boolean>,
  series: (now: number, compute: () => SeriesGaps) => SeriesGaps,
): Promise<{ gap?: string; seriesGaps?: string[]; notReadFrom?: string; staleEnd?: string }> {
  const w = job.window;
  const files = [...res.files, ...(stored?.files ?? [])];
  // Their whole paths: a log directory may lie inside the layout (`--log-dir
  // ./AWSLogs/111122223333`), where the paths relative to it do not show it.
  const paths = [...new Set(res.files.map((f) => `${logDir ?? ""}/${f.origin}`))];
  const delivered = stored?.delivered === true || paths.some((p) => isDelivery(p));
  if (w === null || !delivered) return {};
  const days = new Set(files.map((f) => f.day).filter((d): d is string => d !== null));
  const now = Date.now();
  const gap = gapWarning(w, days, now);
  // One account's region without files while others have them: the raw files read, and the
  // source objects the store's days were collected from.
  const { warnings, from } = series(now, () =>
    seriesGaps(w, [...paths, ...(stored?.origins ?? [])], now),
  );
  // The hour before a collect's listing, answered from the store alone (store.ts `unsettled`).
  const starts = [gapStart(w, days, now), from, stored?.unsettledFrom].filter(
    (t): t is string => t !== undefined,
  );
  const notReadFrom = starts.sort()[0];
  const staleEnd = await endWithoutEvents(conn, job.kind, w, remembered);
  return {
    ...(gap === undefined ? {} : { gap }),
    ...(warnings.length === 0 ? {} : { seriesGaps: warnings }),
    ...(notReadFrom === undefined ? {} : { notReadFrom }),
    ...(staleEnd === undefined ? {} : { staleEnd }),
  };
}

/**
 * Whether the window's end (core `windowTail`: its last 24 hours delivered) holds no event while
 * the window does: `SELECT 1 ... LIMIT 1` over that end, by event time, as the Athena and logs
 * engines ask it. The sentence for the step's error, or undefined.
 */
async function endWithoutEvents(
  conn: DuckDBConnection,
  kind: Job["kind"],
  window: TimeWindow,
  remembered: (aspect: string, probe: () => Promise<boolean>) => Promise<boolean>,
): Promise<string | undefined> {
  const tail = windowTail(window, Date.now());
  if (!tail) return undefined;
  const [view, time] =
    kind === "insights"
      ? ["cwl_events", `"@timestamp"`]
      : ["cloudtrail_logs", "TRY_CAST(eventtime AS TIMESTAMPTZ)"];
  const probe = `SELECT 1 FROM ${view}${windowPredicate(time, tail)} LIMIT 1`;
  // Remembered with the window's own probe, for this tail: the steps of a run over one window
  // ask once, and a later clock that moves the tail asks again (review).
  const aspect = `end:${tail.start.toISOString()}`;
  if (await remembered(aspect, async () => (await conn.runAndReadAll(probe)).currentRowCount > 0))
    return undefined;
  return `no event lies in the window's end, ${isoSeconds(tail.start)} → ${isoSeconds(tail.end)}, while its earlier days hold events: a trail that stopped delivering, or logs not synced, collected or delivered since`;
}

/** The smallest day range holding the given days (null: none). */
function missingRange(days: string[]): { first: string; last: string } | null {
  const sorted = [...days].sort();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return first === undefined || last === undefined ? null : { first, last };
}

const COLUMN_NAMES = CLOUDTRAIL_COLUMNS.map((c) => c.name).join(", ");

/** trino_raise (trino.ts) fails a cast of a Trino error message: the message is the error. */
const RAISED = /Could not convert string '([A-Z_]+: .*)' to INT32/;

/**
 * DuckDB's bare "Out of Memory Error" names no setting; a memoryLimit below the JSON reader's
 * reserve (defaultMemoryLimit) fails queries over raw files, however small (below one thread's
 * reserve, every one; a read by one thread alone may pass otherwise).
 */
const MEMORY_HINT = `DuckDB needed more than local.memoryLimit allows. Each thread reading CloudTrail files reserves ${(2 * MAX_OBJECT) / 2 ** 20} MiB of it (local.threads, default every core), so the limit must hold that per thread and the query's own memory: raise local.memoryLimit (or remove it: the default leaves room for the reserve), lower local.threads, or narrow the query.`;

function engineError(msg: string, cause: unknown): RunMdError {
  const first = msg.split("\n")[0] ?? msg;
  const tooLarge = first.indexOf(`${TOO_LARGE}: `);
  if (tooLarge >= 0)
    return new RunMdError("value-too-large", first.slice(tooLarge + TOO_LARGE.length + 2), {
      cause,
    });
  // DuckDB quotes the text as it is (no quote doubled): "Bad input: ''" of an empty entry stays.
  const raised = RAISED.exec(first)?.[1];
  if (raised !== undefined) return new RunMdError("sql-error", raised, { cause });
  if (/single SELECT statement/i.test(first)) {
    return new RunMdError("sql-refused", `Refused: ${first.replace(/^\w+ Error:\s*/i, "")}`, {
      cause,
    });
  }
  if (/^Parser Error/i.test(msg)) {
    return new RunMdError(
      "sql-syntax",
      `SQL syntax error: ${first.replace(/^Parser Error:\s*/i, "")}`,
      { cause },
    );
  }
  if (/^Permission Error/i.test(msg)) {
    return new RunMdError(
      "sql-refused",
      `Refused: ${first.replace(/^Permission Error:\s*/i, "")}`,
      {
        cause,
        hint: "The local engine reads the log directory and nothing else.",
      },
    );
  }
  if (/^Out of Memory Error/i.test(first)) {
    return new RunMdError("sql-error", first, { cause, hint: MEMORY_HINT });
  }
  const shaped = shapeError(msg, first, cause);
  if (shaped) return shaped;
  if (/^Binder Error/i.test(msg) && /column/i.test(msg)) {
    return new RunMdError("sql-error", first, {
      cause,
      hint: `cloudtrail_logs has the Athena CloudTrail columns: ${COLUMN_NAMES}. Payloads (requestparameters, responseelements, additionaleventdata, serviceeventdetails) are JSON text: use json_extract_scalar(requestparameters, '$.userName').`,
    });
  }
  if (/^Catalog Error/i.test(msg) && /Table/i.test(msg)) {
    return new RunMdError("sql-error", first, {
      cause,
      hint: TABLE_HINT,
    });
  }
  if (/^Catalog Error/i.test(msg) && /Function/i.test(msg)) {
    return new RunMdError("sql-error", first, {
      cause,
      hint: "This function is not available on the local engine (DuckDB with Trino macros); see docs/engines.md for the supported Trino functions.",
    });
  }
  return new RunMdError("sql-error", first, { cause });
}

/** Errors of a value's shape the rewrite reads from the tree: UNNEST's columns, container casts. */
function shapeError(msg: string, first: string, cause: unknown): RunMdError | undefined {
  // UNNEST(resources) AS r is named arn, accountid, type by the array's name (rewrite.ts).
  if (/^Binder Error: table "[^"]*" has \d+ columns available but 3 columns specified/i.test(msg))
    return new RunMdError(
      "sql-error",
      `${first}: an UNNEST of an array named resources is read as the CloudTrail table's (three columns: arn, accountid, type).`,
      {
        cause,
        hint: "For another array named resources, name its columns: UNNEST(resources) AS r(x).",
      },
    );
  // DuckDB unnests no map: the rewrite unnests the entries of a map the tree shows (rewrite.ts).
  if (
    /^Binder Error: (UNNEST\(\) can only be applied to .*, not MAP|UNNEST not supported here|UNNEST requires a single list)/i.test(
      msg,
    )
  ) {
    return new RunMdError(
      "sql-error",
      `${first}: UNNEST of a map the query does not show is one (a VALUES list's column, a CTE's or a subquery's column whose expression is no map constructor, map function or cast to a map) is not supported locally.`,
      {
        cause,
        hint: "Write the map's type where it is unnested, UNNEST(CAST(m AS map(varchar, varchar))) AS t(k, v): the local engine then unnests its entries, and Athena gives the same answer.",
      },
    );
  }
  // A cast to array, map or row goes element by element (trino-container-cast.ts).
  if (
    /^Binder Error/i.test(msg) &&
    (msg.includes(CAST_ELEMENT) || /'struct_extract_at\((VARCHAR|JSON),/.test(msg))
  ) {
    return new RunMdError(
      "sql-error",
      "CAST to an array, map or row type needs an array, map or row; the local engine casts JSON to one only where the query shows the JSON (json_parse, json_extract, CAST AS JSON), not a CTE's or a subquery's column.",
      {
        cause,
        hint: "Cast where the JSON is made: CAST(json_parse(x) AS array(varchar)). Athena gives the same answer.",
      },
    );
  }
  return undefined;
}

function findParamInLiteral(query: string): string | undefined {
  let found: string | undefined;
  mapCode(
    query,
    (c) => c,
    (lit) => {
      const name = firstReference(lit);
      if (name && (lit.startsWith("'") || lit.startsWith('"')) && found === undefined) found = name;
      return lit;
    },
  );
  return found;
}

function missingParam(name: string): RunMdError {
  return new RunMdError(
    "unknown-param",
    `The query refers to {{${name}}}, which is not a parameter of this run.`,
    {
      hint: "Declare it under params: in the front matter, or use a built-in (start, end, start_date, end_date).",
    },
  );
}

/**
 * What the local engine refuses in a `dialect=duckdb` step before it reads anything (a table or
 * table function outside the sandbox, several statements, a syntax error), found with the
 * engine's own rewrite and sandbox on a private in-memory DuckDB that reads no file: for `run-md
 * check` (spec §4: another table is refused by check and by every engine). Undefined when the
 * step would run.
 */
export async function duckdbStepProblem(
  query: string,
  tables: TableConfig = { aliases: [], extra: [] },
): Promise<RunMdError | undefined> {
  const conn = await checkerConnection();
  let n = 0;
  const sql = mapCode(query, (code) => renderTemplate(code, () => `$${++n}`));
  try {
    const r = await rewriteAthena(conn, sql, {
      aliases: aliasesOf(tables),
      target: TARGET,
      jsonColumns: JSON_COLUMNS,
      partitionColumns: new Set<string>(PARTITION_COLUMNS),
    });
    await assertSandboxed(conn, r.sql, sqlViewsOf(tables));
    return undefined;
  } catch (e) {
    if (e instanceof RunMdError) return e;
    return engineError(e instanceof Error ? e.message : String(e), e);
  }
}

/** `{{name}}` → `$n` bound parameters, typed by their declared type; never spliced into the text. */
export function renderSqlParams(
  query: string,
  params: Record<string, BoundParam>,
): { sql: string; values: DuckDBValue[]; types: DuckDBType[] } {
  const inLiteral = findParamInLiteral(query);
  if (inLiteral !== undefined) {
    throw new RunMdError("param-in-string", `{{${inLiteral}}} is inside a quoted string.`, {
      hint: "Write {{name}} where a whole value goes, without quotes: the engine binds it as a value.",
    });
  }
  const order: string[] = [];
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  const sql = mapCode(query, (code) =>
    renderTemplate(code, (name) => {
      let idx = order.indexOf(name);
      if (idx < 0) {
        const p = params[name];
        if (!p) throw missingParam(name);
        order.push(name);
        idx = order.length - 1;
        const [v, t] = duckValue(p);
        values.push(v);
        types.push(t);
      }
      return `$${idx + 1}`;
    }),
  );
  return { sql, values, types };
}

function duckValue(p: BoundParam): [DuckDBValue, DuckDBType] {
  switch (p.type) {
    case "integer":
    case "number":
      return numberValue(p.value);
    case "boolean":
      return [p.value === true || p.value === "true", BOOLEAN];
    default:
      return [String(p.value), VARCHAR];
  }
}

/**
 * A number parameter typed as Athena types the literal it gets (core's renderLiteral writes
 * String(n)): `10` is an INTEGER (BIGINT beyond its range), `0.5` a DECIMAL with the text's scale,
 * `1e-7` a DOUBLE. As a DOUBLE, `{{n}} / 3` would give 3.33 where Athena gives 3.
 */
export function numberValue(value: unknown): [DuckDBValue, DuckDBType] {
  const n = typeof value === "number" ? value : Number(value);
  const text = String(n);
  if (/^-?\d+$/.test(text)) {
    const b = BigInt(text);
    if (b >= -(2n ** 31n) && b < 2n ** 31n) return [Number(b), INTEGER];
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return [b, BIGINT];
    throw new RunMdError(
      "bad-param",
      `The number ${text} is beyond Athena's BIGINT range: not supported locally.`,
    );
  }
  const d = /^(-?)(\d+)\.(\d+)$/.exec(text);
  if (d) {
    const [, sign, int, fraction] = d as unknown as [string, string, string, string];
    const digits = int.replace(/^0+/, "");
    const width = Math.min(38, Math.max(1, digits.length) + fraction.length);
    return [
      decimalValue(BigInt(`${sign}${digits}${fraction}`), width, fraction.length),
      DECIMAL(width, fraction.length),
    ];
  }
  return [n, DOUBLE];
}

export type { Dialect };
