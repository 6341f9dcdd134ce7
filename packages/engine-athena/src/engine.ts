/**
 * The `athena` engine: one read-only query per step on Amazon Athena, scoped to the run's window,
 * with its parameters bound, polled with capped jittered backoff, stopped on timeout, Ctrl-C or a
 * scan budget, and its results read through the SDK's paginator.
 */
import { randomUUID } from "node:crypto";
import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  GetTableMetadataCommand,
  paginateGetQueryResults,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import {
  type AwsClientOptions,
  type AwsErrorService,
  type AwsQueryKind,
  awsClientConfig,
  awsError,
  awsPreflight,
  builtinEngine,
  type ColumnInfo,
  type Engine,
  formatBytes,
  isLoopbackEndpoint,
  isoSeconds,
  isRunMdError,
  type JsonValue,
  pollDelays,
  type QueryRequest,
  type QueryResult,
  queryCancelled,
  RunMdError,
  sleep,
  stopQuery,
  type TimeWindow,
  windowTail,
} from "@run-md/core";
import { assertAthenaSql, type TableConfig, TableResolver } from "@run-md/sql";
import { convertValue } from "./convert.ts";
import {
  type Configured,
  type Coverage,
  locationCoverage,
  namesDays,
  partitionGaps,
  projectionCoverage,
  projectionEnabled,
  type TableParameters,
} from "./coverage.ts";
import { DeliveryCheck } from "./delivery-listing.ts";
import { assertReadOnly } from "./gate.ts";
import {
  type Partitioning,
  type PreparedQuery,
  prepareQuery,
  type ScopeOptions,
} from "./rewrite.ts";

export interface AthenaEngineOptions extends AwsClientOptions {
  workgroup?: string;
  catalog?: string;
  database?: string;
  /** `s3://bucket/prefix/` for results, unless the workgroup enforces its own. */
  outputLocation?: string;
  /** The table the runbooks' `cloudtrail_logs` stands for, e.g. `security.cloudtrail_org_pp`. */
  table?: string;
  /** Configured aliases of cloudtrail_logs and extra tables (`tables:`); `table` is an alias too. */
  tables?: TableConfig;
  partitioning?: Partitioning;
  regions?: string[];
  accounts?: string[];
  /** USD per TB scanned (default 5). */
  pricePerTbUsd?: number;
  /**
   * The run-wide scan budget in bytes (`--max-scan`, the configuration's `maxScan`): a query of a
   * step without its own `max_scan=` is stopped once it has scanned more. A step's `max_scan=`
   * (its request's `attributes.maxScanBytes`) replaces it for that step. Unbounded without either.
   */
  maxScanBytes?: number;
  /** First and largest delay between GetQueryExecution polls (default 200 ms and 5 s). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /**
   * Sends of a throttled or transiently failing call (the SDK's retry strategy, nothing on top),
   * and submissions of a query that failed with a retryable error (default 5).
   */
  maxAttempts?: number;
  /** Extra SDK client settings (retry mode, request handler, ...). */
  clientConfig?: AthenaClientConfig;
  /**
   * Tests only, never configuration: the queries are DuckDB SQL for a bare DuckDB backend behind
   * the emulator (protocol and value-conversion tests), so the Athena SQL check is skipped.
   */
  uncheckedDuckdbSql?: boolean;
}

/** Athena bills at least 10 MB per query, rounded up to whole megabytes. */
export const MIN_BILLED_BYTES = 10 * 1024 * 1024;
const MB = 1024 * 1024;
/** Athena's fixed limit on QueryString, in UTF-8 bytes. */
const MAX_QUERY_BYTES = 262_144;
const TB = 1024 ** 4;

export function athenaCostUsd(scannedBytes: number, pricePerTbUsd = 5): number {
  if (scannedBytes <= 0) return 0;
  const billed = Math.max(MIN_BILLED_BYTES, Math.ceil(scannedBytes / MB) * MB);
  return (billed / TB) * pricePerTbUsd;
}

/** Athena as its request errors describe it (core's `awsError` maps them). */
const ATHENA: Omit<AwsErrorService, "hints"> = {
  code: "athena",
  name: "Athena",
  configSection: "athena",
  defaultHint: "Check the Athena configuration (workgroup, catalog, database, result location).",
  throttledHint:
    "Too many queries are running in this account: try again later, or ask for a higher active DML query quota.",
};

const ATHENA_QUERY: AwsQueryKind = {
  noun: "Athena query",
  stopOperation: "StopQueryExecution",
  stopCommand: "aws athena stop-query-execution --query-execution-id",
  idKey: "queryExecutionId",
};

/** A hint for a FAILED query, from Athena's reason. */
export function hintFor(reason: string): string {
  const r = reason.toUpperCase();
  if (
    r.includes("TABLE_NOT_FOUND") ||
    r.includes("DOES NOT EXIST") ||
    r.includes("SCHEMA_NOT_FOUND")
  ) {
    return "Check the configured athena.table and athena.database (and catalog): the table must exist in the Glue Data Catalog of this region.";
  }
  if (r.includes("COLUMN_NOT_FOUND") || r.includes("CANNOT BE RESOLVED")) {
    return 'A column is missing: check the query\'s column names, and that athena.partitioning matches the table (projection uses "timestamp", manual uses region/year/month/day, bootstrap uses date_partition).';
  }
  if (r.includes("HIVE_PARTITION") || r.includes("PARTITION")) {
    return "A partition is missing or unreadable: for manual partitioning, add the window's partitions (ALTER TABLE ... ADD PARTITION) or switch to partition projection.";
  }
  if (
    r.includes("ACCESS DENIED") ||
    r.includes("ACCESSDENIED") ||
    r.includes("PERMISSION") ||
    r.includes("NOT AUTHORIZED")
  ) {
    return "The runner's role lacks a permission: it needs athena:StartQueryExecution/GetQueryExecution/GetQueryResults/StopQueryExecution, glue:GetTable*/GetPartition*, s3:GetObject/ListBucket on the CloudTrail bucket and s3:PutObject on the results location.";
  }
  if (
    r.includes("SYNTAX_ERROR") ||
    r.includes("MISMATCHED INPUT") ||
    r.includes("FUNCTION_NOT_FOUND")
  ) {
    return "Athena could not compile the query: it runs Trino SQL (engine v3); check the syntax and function names.";
  }
  if (r.includes("OUTPUT LOCATION") || r.includes("OUTPUTLOCATION") || r.includes("S3 LOCATION")) {
    return "Set athena.outputLocation (s3://bucket/prefix/) or use a workgroup with a result location.";
  }
  if (r.includes("EXCEEDED") && r.includes("LIMIT")) {
    return "The workgroup's data limit stopped the query: narrow the window or raise BytesScannedCutoffPerQuery.";
  }
  if (r.includes("INVALID_INPUT") || r.includes("PARAMETER")) {
    return "Athena refused an execution parameter: check the parameter values and their declared types.";
  }
  return "See the reason above; the query execution id is in the step's statistics.";
}

/**
 * The step's error when the window's probe failed (its query stopped by the step's budget, or
 * failed past its resubmits): without it the step cannot tell an empty window from a quiet one,
 * so it does not pass. The message says it was the probe, not the step's query (review).
 */
function probeFailed(e: unknown): unknown {
  if (!isRunMdError(e) || e.code === "cancelled") return e;
  e.message = `the check that the step's window holds events (SELECT 1 AS present FROM the window LIMIT 1) failed, after the step's own query succeeded: ${e.message}`;
  return e;
}

/**
 * How long after its end a window's answer "no events" is kept: CloudTrail delivers within
 * minutes, rarely hours, never a day late.
 */
const SETTLED_MS = 86_400_000;

/** What a window probe found: nothing when the window holds events to its end. */
interface WindowFound {
  noEvents?: string;
  staleEnd?: string;
}

/** What GetTableMetadata told of the configured table: its parameters, or why it could not. */
type TableRead =
  | { ok: true; params: TableParameters; partitionKeys: string[] }
  | { ok: false; reason: string };

/**
 * The parts of `[catalog.]database.table` for GetTableMetadata, unquoted (Glue's names are lower
 * case); the configured catalog and database (or AwsDataCatalog, default) for those not given.
 */
export function tableParts(
  table: string,
  catalog: string | undefined,
  database: string | undefined,
): { catalog: string; database: string; table: string } {
  const parts = (table.match(/"[^"]+"|[^.]+/g) ?? []).map((p) =>
    p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase(),
  );
  const name = parts.at(-1) ?? table;
  // The Glue catalog's name as Athena's API spells it, however the table's name writes it.
  const named = parts.length === 3 ? parts[0]! : undefined;
  return {
    catalog:
      named === undefined
        ? (catalog ?? "AwsDataCatalog")
        : named.toLowerCase() === "awsdatacatalog"
          ? "AwsDataCatalog"
          : named,
    database: parts.length >= 2 ? parts.at(-2)! : (database ?? "default"),
    table: name,
  };
}

/**
 * How long an engine keeps what GetTableMetadata said of a table: a run's steps share one read;
 * a server's engine, open for days, sees a range changed by ALTER TABLE within the hour.
 */
export const TABLE_READ_MS = 3_600_000;

/**
 * How old a listing of a table's partitions may be when it lacks a day of a step's window: the
 * steps of a run share one listing, and a partition job that has added the day since is seen.
 */
export const PARTITIONS_RECHECK_MS = 60_000;

/** What SHOW PARTITIONS listed of the configured table: its partitions' names, or why it could not. */
type PartitionsRead = { ok: true; names: string[] } | { ok: false; reason: string };

/**
 * How long a GetTableMetadata may take: the steps wait for it after their query; it is bounded by
 * its own time, not by the step's signal, as the steps running at once share it (a step
 * cancelled while it was asked left the others "could not be checked").
 */
const TABLE_READ_TIMEOUT_MS = 30_000;

/**
 * The table's read for a step, unless the step is cancelled first (the read is shared with the
 * other steps and bounded by its own time): then the step's cancellation.
 */
function whileRunning<T>(read: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(queryCancelled(ATHENA_QUERY, undefined, signal));
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(queryCancelled(ATHENA_QUERY, undefined, signal));
    signal.addEventListener("abort", stop, { once: true });
    read.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/**
 * The S3 client's settings for listing the table's location: the engine's region, profile and
 * credentials; the Athena endpoint only when it is the emulator on this machine (which serves
 * buckets by path), never an Athena VPC endpoint; a bucket of another region followed there.
 */
function s3Config(opts: AthenaEngineOptions): S3ClientConfig {
  const { endpoint, ...base } = awsClientConfig(opts);
  const emulated = endpoint !== undefined && isLoopbackEndpoint(endpoint);
  return {
    ...base,
    ...(emulated ? { endpoint, forcePathStyle: true } : {}),
    followRegionRedirects: true,
    ...(opts.clientConfig?.credentials === undefined
      ? {}
      : { credentials: opts.clientConfig.credentials }),
  };
}

/** How many windows' answers an engine remembers. */
const WINDOWS_REMEMBERED = 256;

export class AthenaEngine implements Engine {
  readonly name = "athena";
  readonly dialects = builtinEngine("athena").dialects;
  readonly client: AthenaClient;
  private readonly opts: AthenaEngineOptions;
  private readonly service: AwsErrorService;
  /**
   * What probes found of windows (`start/end`, `windowWithoutEvents`): nothing for events to
   * its end, else the sentence of a window that ended over a day ago.
   */
  private readonly windows = new Map<string, WindowFound>();
  /** Probes running now, by window: whether each found events. */
  private readonly probing = new Map<string, Promise<boolean>>();
  /**
   * The configured table's metadata (GetTableMetadata), read once per table: its projection
   * decides which of a window's days Athena reads at all.
   */
  private readonly tablesRead = new Map<string, { at: number; read: Promise<TableRead> }>();
  /**
   * The partitions of the configured table when it has no projection (SHOW PARTITIONS), listed
   * once per table like its metadata: a day of a window without one is never read.
   */
  private readonly partitionsListed = new Map<
    string,
    { at: number; read: Promise<PartitionsRead> }
  >();
  /** The listing of the table's location for accounts' regions that stopped delivering. */
  private readonly deliveries: DeliveryCheck;

  constructor(opts: AthenaEngineOptions, client?: AthenaClient) {
    this.opts = opts;
    if (
      opts.table !== undefined &&
      !/^("[^"]+"|[A-Za-z0-9_-]+)(\.("[^"]+"|[A-Za-z0-9_-]+)){0,2}$/.test(opts.table)
    ) {
      throw new RunMdError("athena-config", `athena.table "${opts.table}" is not a table name`, {
        hint: "Give [catalog.]database.table, e.g. security.cloudtrail_org_pp.",
      });
    }
    this.service = {
      ...ATHENA,
      ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
      hints: { AccessDeniedException: hintFor("access denied") },
    };
    this.client = client ?? new AthenaClient({ ...awsClientConfig(opts), ...opts.clientConfig });
    const partitioning = opts.partitioning ?? "projection";
    this.deliveries = new DeliveryCheck(
      () => s3Config(opts),
      {
        ...(opts.regions ? { regions: opts.regions } : {}),
        ...(opts.accounts ? { accounts: opts.accounts } : {}),
      },
      // The configured values the query keeps to (rewrite.ts `windowPredicate`).
      {
        regions: partitioning === "bootstrap" || partitioning === "manual",
        accounts: partitioning === "bootstrap",
      },
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.deliveries.close();
  }

  /** Resolves the credentials and the region once (their problem then stops the run once). */
  async preflight(): Promise<void> {
    await awsPreflight(this.client.config, this.service);
  }

  private get maxAttempts(): number {
    return Math.max(1, this.opts.maxAttempts ?? 5);
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    const prepared = await this.prepare(req);
    const warnings: string[] = [];
    if (prepared.scopedReferences === 0) {
      warnings.push("the query does not read cloudtrail_logs, so it is not scoped to the window");
    }
    if (req.signal.aborted) throw queryCancelled(ATHENA_QUERY, undefined, req.signal);
    // The table's projection, read alongside the query (never its failure: a warning); nothing
    // to say of a query that does not read the table.
    const covering =
      prepared.scopedReferences === 0
        ? Promise.resolve<Coverage>({ warnings: [] })
        : this.coverage(req);
    const { execution, attempts } = await this.runWithResubmits(req, prepared);
    const result = await this.readResults(execution, req);
    if (attempts > 1) {
      warnings.push(`Athena failed ${attempts - 1} time(s) with a retryable error; resubmitted`);
    }
    const scanned = Number(result.stats.dataScannedBytes ?? 0);
    const budget = this.budgetOf(req);
    if (budget !== undefined && scanned > budget) {
      // Finished between two polls, before the runner could stop it (review: it passed silently).
      warnings.push(
        `the query scanned ${formatBytes(scanned)}, over the step's budget of ${formatBytes(budget)}: it finished before it could be stopped (a workgroup's per-query data limit stops a query on Athena's side)`,
      );
    }
    // Every step, as on the local engine: one that reads no CloudTrail (`SELECT 1`) over a window
    // without events is no data there too (review: the engines disagreed).
    const { noEvents, staleEnd, probeBytes, probeCost } = await this.windowWithoutEvents(
      req,
      scanned,
    );
    const coverage = await whileRunning(covering, req.signal);
    warnings.push(...coverage.warnings);
    return {
      ...result,
      ...(noEvents === undefined ? {} : { noEvents }),
      ...(staleEnd === undefined ? {} : { staleEnd }),
      ...(coverage.notReadFrom === undefined ? {} : { notReadFrom: coverage.notReadFrom }),
      queryAsRun: prepared.sql,
      warnings,
      stats: {
        ...result.stats,
        // The window's probes are billed too, each query with its own minimum of 10 MB.
        ...(probeBytes === undefined
          ? {}
          : {
              windowProbeBytes: probeBytes,
              costUsd: Number(result.stats.costUsd ?? 0) + (probeCost ?? 0),
            }),
        ...(prepared.executionParameters.length > 0
          ? { executionParameters: JSON.stringify(prepared.executionParameters) }
          : {}),
        attempts,
      },
    };
  }

  /**
   * What the configured table's partition projection leaves out of the step's window (coverage.ts):
   * its days outside a `date` range, configured regions or accounts outside an `enum`'s values.
   * Never throws: a table that could not be read (no athena:GetTableMetadata or glue:GetTable
   * permission, ...) is one warning that the window's coverage was not checked.
   */
  private async coverage(req: QueryRequest): Promise<Coverage> {
    const table = this.opts.table as string;
    const read = await this.tableRead(table);
    if (!read.ok) {
      return {
        warnings: [
          `whether the partition projection of ${table} covers the window could not be checked (GetTableMetadata: ${read.reason}): the window's days outside its range would not be read, and not named; the runner's role needs athena:GetTableMetadata and glue:GetTable`,
        ],
      };
    }
    const configured = {
      ...(this.opts.regions ? { regions: this.opts.regions } : {}),
      ...(this.opts.accounts ? { accounts: this.opts.accounts } : {}),
    };
    const now = Date.now();
    const projected = projectionCoverage(
      table,
      read.params,
      read.partitionKeys,
      req.window,
      configured,
      now,
    );
    const located = locationCoverage(
      table,
      read.params,
      read.partitionKeys,
      req.window,
      configured,
    );
    const [delivered, partitioned] = await Promise.all([
      this.deliveries.gaps(read.params, req.window, now, table, read.partitionKeys),
      projectionEnabled(read.params) || read.partitionKeys.length === 0
        ? Promise.resolve<Coverage>({ warnings: [] })
        : this.partitionCoverage(table, read.partitionKeys, req.window, configured),
    ]);
    const from = [
      projected.notReadFrom,
      located.notReadFrom,
      partitioned.notReadFrom,
      delivered.notReadFrom,
    ].filter((f) => f !== undefined);
    return {
      warnings: [
        ...projected.warnings,
        ...located.warnings,
        ...partitioned.warnings,
        ...delivered.warnings,
      ],
      ...(from.length === 0 ? {} : { notReadFrom: from.sort()[0] as string }),
    };
  }

  /**
   * The table's metadata, asked once per table and shared by the steps (those running at once
   * too), for TABLE_READ_MS. A refusal is kept as well, unless retryable (throttled past the SDK's
   * retries) or past TABLE_READ_TIMEOUT_MS: those are asked again by the next step.
   */
  private tableRead(table: string): Promise<TableRead> {
    const known = this.tablesRead.get(table);
    if (known !== undefined && Date.now() - known.at < TABLE_READ_MS) return known.read;
    const names = tableParts(table, this.opts.catalog, this.opts.database);
    const at = Date.now();
    const signal = AbortSignal.timeout(TABLE_READ_TIMEOUT_MS);
    const read = (async (): Promise<TableRead> => {
      try {
        const r = await this.client.send(
          new GetTableMetadataCommand({
            CatalogName: names.catalog,
            DatabaseName: names.database,
            TableName: names.table,
          }),
          { abortSignal: signal },
        );
        const meta = r.TableMetadata;
        const params: TableParameters = {};
        for (const [k, v] of Object.entries(meta?.Parameters ?? {})) {
          if (typeof v === "string") params[k] = v;
        }
        const partitionKeys = (meta?.PartitionKeys ?? []).map((c) => (c.Name ?? "").toLowerCase());
        return { ok: true, params, partitionKeys };
      } catch (e) {
        if (signal.aborted || awsError(e, this.service).retryable === true) {
          if (this.tablesRead.get(table)?.at === at) this.tablesRead.delete(table);
        }
        const name = e instanceof Error && e.name !== "Error" ? `${e.name}: ` : "";
        return { ok: false, reason: `${name}${e instanceof Error ? e.message : String(e)}` };
      }
    })();
    this.tablesRead.set(table, { at, read });
    return read;
  }

  /**
   * The window's days (per configured region and account) that the table, without projection,
   * has no partition for (coverage.ts `partitionGaps`), from SHOW PARTITIONS. Never throws: a
   * listing refused (no glue:GetPartitions) or failed is one warning that it was not checked.
   */
  private async partitionCoverage(
    table: string,
    partitionKeys: string[],
    w: TimeWindow,
    configured: Configured,
  ): Promise<Coverage> {
    if (!namesDays(partitionKeys)) return { warnings: [] };
    // Without a partition predicate the query reads every partition, `day=5` the 5th's too.
    const readsEvery = this.opts.partitioning === "none";
    let read = await this.partitionsRead(table);
    let gaps = read.ok
      ? partitionGaps(table, read.names, partitionKeys, w, configured, Date.now(), readsEvery)
      : undefined;
    if (gaps !== undefined && gaps.warnings.length > 0) {
      // A gap in a listing over a minute old is asked again: the job may have added it since
      // (a listing that fails then leaves the older one's gaps: they were not read then).
      const again = await this.partitionsRead(table, Date.now() - PARTITIONS_RECHECK_MS);
      if (again.ok) {
        read = again;
        gaps = partitionGaps(
          table,
          again.names,
          partitionKeys,
          w,
          configured,
          Date.now(),
          readsEvery,
        );
      }
    }
    if (gaps !== undefined) return gaps;
    const reason = read.ok ? "" : read.reason;
    return {
      warnings: [
        `whether every day of the window has a partition in ${table} could not be checked (SHOW PARTITIONS: ${reason}): the window's days without one would not be read, and not named; the runner's role needs glue:GetPartitions`,
      ],
    };
  }

  /**
   * The table's partitions (SHOW PARTITIONS, a DDL statement Athena does not bill), listed once
   * per table and shared by the steps (those running at once too) for TABLE_READ_MS, or a
   * listing made after `since` when given. A refusal is kept too, unless retryable or past
   * TABLE_READ_TIMEOUT_MS: those are asked again by the next step.
   */
  private partitionsRead(table: string, since?: number): Promise<PartitionsRead> {
    const known = this.partitionsListed.get(table);
    if (
      known !== undefined &&
      Date.now() - known.at < TABLE_READ_MS &&
      (since === undefined || known.at >= since)
    ) {
      return known.read;
    }
    const at = Date.now();
    const signal = AbortSignal.timeout(TABLE_READ_TIMEOUT_MS);
    const forget = () => {
      if (this.partitionsListed.get(table)?.at === at) this.partitionsListed.delete(table);
    };
    const read = this.listPartitions(table, signal).then(
      (names): PartitionsRead => ({ ok: true, names }),
      (e: unknown): PartitionsRead => {
        if (signal.aborted) {
          forget();
          return { ok: false, reason: `no answer within ${TABLE_READ_TIMEOUT_MS / 1000} s` };
        }
        if (isRunMdError(e) ? e.retryable === true : awsError(e, this.service).retryable === true) {
          forget();
        }
        const name =
          e instanceof Error && e.name !== "Error" && !isRunMdError(e) ? `${e.name}: ` : "";
        return { ok: false, reason: `${name}${e instanceof Error ? e.message : String(e)}` };
      },
    );
    this.partitionsListed.set(table, { at, read });
    return read;
  }

  /** SHOW PARTITIONS of the table, run to its end within `signal`: the partitions' names. */
  private async listPartitions(table: string, signal: AbortSignal): Promise<string[]> {
    const names = tableParts(table, this.opts.catalog, this.opts.database);
    // Hive's DDL names no catalog (`AwsDataCatalog.db.t` is a ParseException): the context does.
    const quoted = (n: string) => `\`${n}\``;
    const id = await this.start(
      `SHOW PARTITIONS ${quoted(names.database)}.${quoted(names.table)}`,
      [],
      signal,
      {
        Catalog: names.catalog,
        Database: names.database,
      },
    );
    const next = pollDelays(this.opts.pollMinMs ?? 200, this.opts.pollMaxMs ?? 5000);
    for (;;) {
      const execution = await this.execution(id, signal);
      const state = execution?.Status?.State;
      if (state === "SUCCEEDED") {
        const { rows } = await this.readResults(execution!, { signal });
        // One column, `region=us-east-1/year=2026/...`; anything else (a header) is no partition.
        return rows.map((r) => String(r[0] ?? "")).filter((n) => n.includes("="));
      }
      if (state === "FAILED") throw this.failed(id, execution!);
      if (state === "CANCELLED") {
        throw new Error(`SHOW PARTITIONS ${id} was cancelled outside run-md`);
      }
      await sleep(next(), signal);
      if (signal.aborted) throw await this.stopAndCancel(id, signal);
    }
  }

  /** The step's query as Athena will run it, or the error that stops it before any request. */
  private async prepare(req: QueryRequest): Promise<PreparedQuery> {
    const opts = this.opts;
    if (req.dialect !== "sql") {
      throw new RunMdError("wrong-dialect", `the athena engine runs SQL steps, not ${req.dialect}`);
    }
    if (opts.table === undefined) {
      throw new RunMdError("athena-config", "no Athena table is configured for cloudtrail_logs", {
        hint: "Set athena.table (e.g. security.cloudtrail_org_pp) and athena.partitioning in run-md.config.yaml, or RUN_MD_ATHENA_TABLE.",
      });
    }
    if (req.attributes.sqlDialect === "duckdb") {
      throw new RunMdError(
        "local-only",
        `step "${req.stepId}" is dialect=duckdb: it runs on the local engine only`,
        {
          hint: "Run it with --engine local, or rewrite it in Athena SQL and drop dialect=duckdb.",
        },
      );
    }
    const scope = this.scope(opts.table);
    const prepared = prepareQuery(req.query, req.params, req.window, scope);
    assertReadOnly(prepared.sql);
    const size = Buffer.byteLength(prepared.sql, "utf8");
    if (size > MAX_QUERY_BYTES) {
      throw new RunMdError(
        "athena-query-too-long",
        `the query is ${size} bytes once scoped to the window, over Athena's limit of ${MAX_QUERY_BYTES}`,
        {
          hint: "Shorten the query (long IN lists belong in a table), or use fewer regions/accounts.",
        },
      );
    }
    // Refused before anything is sent: what Athena would reject, and tables outside spec §4
    // (after the read-only gate and the length limit, which say more precisely what is wrong).
    if (!opts.uncheckedDuckdbSql)
      await assertAthenaSql(req.query, { tables: scope.tables, params: req.params });
    return prepared;
  }

  /**
   * Runs the query until it succeeds; a query that FAILED with an error Athena calls retryable
   * is submitted again (a new query), up to `maxAttempts` submissions, with a growing wait.
   */
  private async runWithResubmits(
    req: QueryRequest,
    prepared: PreparedQuery,
  ): Promise<{ execution: QueryExecution; attempts: number }> {
    const { signal } = req;
    const wait = pollDelays(2 * (this.opts.pollMinMs ?? 200), this.opts.pollMaxMs ?? 5000);
    for (let attempts = 1; ; attempts++) {
      const outcome = await this.runOnce(req, prepared.sql, prepared.executionParameters);
      if (outcome.ok) return { execution: outcome.execution, attempts };
      const failure = outcome.error;
      const retryable = failure.details?.retryable === true;
      if (!retryable || attempts >= this.maxAttempts || signal.aborted) throw failure;
      await sleep(wait(), signal);
      if (signal.aborted) throw queryCancelled(ATHENA_QUERY, undefined, signal);
    }
  }

  /**
   * Whether the step's window has any event in the table: `SELECT 1 FROM cloudtrail_logs LIMIT
   * 1`, scoped to the window like the step, settles it. Bytes scanned do not: partitions are whole
   * days, so a window after the last event of a day with events (a trail that stopped an hour
   * ago) scans them and holds nothing, and 0 bytes may be the query's own filters pruning every
   * partition. A window found to hold events is remembered (the steps of a run share theirs);
   * one without is asked again. Undefined when there are events; otherwise the sentence for the
   * step's "no data" error.
   */
  private async windowWithoutEvents(
    req: QueryRequest,
    scannedBytes: number,
  ): Promise<WindowFound & { probeBytes?: number; probeCost?: number }> {
    // The tail's start is in the key: a window ending after now has a tail that moves with the
    // clock, and events found in one tail say nothing of a later one (review).
    const tail = windowTail(req.window, Date.now());
    const key = `${req.window.start.toISOString()}/${req.window.end.toISOString()}|${tail?.start.toISOString() ?? ""}`;
    const known = this.windows.get(key);
    if (known !== undefined) return known;
    // Steps running at once over one window (a server's runs) share one probe: a window it
    // finds events in, to its end, needs no other. One that failed or found less is asked again.
    const shared = this.probing.get(key);
    if (shared !== undefined && (await shared.catch(() => false))) return {};
    const probing = this.probeEnds(req, tail);
    const clear = probing.then((p) => p.clear);
    clear.catch(() => {}); // a failure is the step's own, thrown below
    this.probing.set(key, clear);
    let found: Awaited<typeof probing>;
    try {
      found = await probing;
    } finally {
      if (this.probing.get(key) === clear) this.probing.delete(key);
    }
    const { probeBytes, probeCost } = found;
    if (found.clear) {
      this.remember(key, {});
      return { probeBytes, probeCost };
    }
    const table = this.opts.table as string;
    const answer: WindowFound = found.tail
      ? {
          staleEnd: `no event of ${table} lies in the window's end, ${isoSeconds(found.tail.start)} → ${isoSeconds(found.tail.end)}, while its earlier days hold events (SELECT 1 FROM that end LIMIT 1 found no row): a trail that stopped delivering, or its logs not delivered since`,
        }
      : {
          noEvents:
            scannedBytes === 0
              ? `no partition of ${table} in the window holds an event (the step's query scanned 0 bytes, and SELECT 1 FROM the window's partitions LIMIT 1 found no row)`
              : `no event of ${table} lies in the window (its partitions hold events of other times: SELECT 1 FROM the window LIMIT 1 found no row)`,
        };
    // A window that ended a day ago gets no more deliveries: its answer stands (review: every
    // step of an investigation over an empty past window probed again).
    if (Date.now() - req.window.end.getTime() > SETTLED_MS) this.remember(key, answer);
    return { ...answer, probeBytes, probeCost };
  }

  /**
   * Whether the window holds events to its end: its tail first (core `windowTail`, taken once
   * with the key it is remembered under), which settles it for a trail in use with one probe of a day or two's partitions;
   * else the whole window, to tell a window without events (`tail` unset) from one whose end
   * holds none (a trail that stopped: `tail` set).
   */
  private async probeEnds(
    req: QueryRequest,
    tail: TimeWindow | undefined,
  ): Promise<{ clear: boolean; probeBytes: number; probeCost: number; tail?: TimeWindow }> {
    let probeBytes = 0;
    // Each probe is a query of its own, billed with its own 10 MB minimum (review: two probes
    // were billed as one).
    let probeCost = 0;
    if (tail) {
      const t = await this.probeWindow({ ...req, window: tail });
      probeBytes += t.probeBytes;
      probeCost += this.costOf(t.probeBytes);
      if (t.present) return { clear: true, probeBytes, probeCost };
    }
    const whole = await this.probeWindow(req);
    probeBytes += whole.probeBytes;
    probeCost += this.costOf(whole.probeBytes);
    if (!whole.present) return { clear: false, probeBytes, probeCost };
    return tail
      ? { clear: false, probeBytes, probeCost, tail }
      : { clear: true, probeBytes, probeCost };
  }

  /** `SELECT 1 FROM cloudtrail_logs LIMIT 1` over the step's window: whether it found a row. */
  private async probeWindow(req: QueryRequest): Promise<{ present: boolean; probeBytes: number }> {
    const probe = prepareQuery(
      "SELECT 1 AS present FROM cloudtrail_logs LIMIT 1",
      {},
      req.window,
      this.scope(this.opts.table as string),
    );
    // The probe's states are not the step's progress.
    const quiet: QueryRequest = { ...req };
    delete quiet.onProgress;
    let execution: QueryExecution;
    try {
      // Resubmitted on a retryable failure, as the step's query is; held to the step's budget.
      ({ execution } = await this.runWithResubmits(quiet, probe));
    } catch (e) {
      throw probeFailed(e);
    }
    const { rows, stats } = await this.readResults(execution, quiet);
    return { present: rows.length > 0, probeBytes: Number(stats.dataScannedBytes ?? 0) };
  }

  /** Keeps what a probe found of a window (a bounded memory: a server's engine sees many). */
  private remember(key: string, found: WindowFound): void {
    if (this.windows.size >= WINDOWS_REMEMBERED) this.windows.clear();
    this.windows.set(key, found);
  }

  /** What Athena bills for a query that scanned `bytes`. */
  private costOf(bytes: number): number {
    return athenaCostUsd(bytes, this.opts.pricePerTbUsd ?? 5);
  }

  /** How cloudtrail_logs is scoped to a window on the configured table. */
  private scope(table: string): ScopeOptions {
    const opts = this.opts;
    return {
      table,
      tables: new TableResolver({
        aliases: [...(opts.tables?.aliases ?? []), table],
        extra: opts.tables?.extra ?? [],
      }),
      partitioning: opts.partitioning ?? "projection",
      ...(opts.regions ? { regions: opts.regions } : {}),
      ...(opts.accounts ? { accounts: opts.accounts } : {}),
    };
  }

  /** Stops a query on Athena (its error if that failed). */
  private stop(id: string): Promise<unknown> {
    return stopQuery(() =>
      this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
    );
  }

  /** The `cancelled` error of a started query, after stopping it. */
  private async stopAndCancel(id: string, signal: AbortSignal): Promise<RunMdError> {
    return queryCancelled(ATHENA_QUERY, id, signal, await this.stop(id));
  }

  /** One submission: start the query, then poll it until it ends. */
  private async runOnce(
    req: QueryRequest,
    sql: string,
    executionParameters: string[],
  ): Promise<{ ok: true; execution: QueryExecution } | { ok: false; error: RunMdError }> {
    const id = await this.start(sql, executionParameters, req.signal);
    const next = pollDelays(this.opts.pollMinMs ?? 200, this.opts.pollMaxMs ?? 5000);
    for (;;) {
      if (req.signal.aborted) throw await this.stopAndCancel(id, req.signal);
      const execution = await this.execution(id, req.signal);
      const state = execution?.Status?.State;
      const scanned = execution?.Statistics?.DataScannedInBytes ?? 0;
      req.onProgress?.({
        message: `${state ?? "UNKNOWN"} ${formatBytes(scanned)} scanned`,
        stats: { queryExecutionId: id, state: state ?? "UNKNOWN", dataScannedBytes: scanned },
      });
      if (state === "SUCCEEDED") return { ok: true, execution: execution! };
      if (state === "FAILED") return { ok: false, error: this.failed(id, execution!) };
      if (state === "CANCELLED") {
        throw new RunMdError(
          "athena-query-cancelled",
          `Athena query ${id} was cancelled outside run-md: ${execution?.Status?.StateChangeReason ?? "no reason given"}`,
          {
            hint: "Someone or something (a workgroup limit?) stopped the query; run the step again.",
          },
        );
      }
      // QUEUED and RUNNING both mean: not finished yet.
      await this.checkBudget(id, scanned, this.budgetOf(req));
      await sleep(next(), req.signal);
    }
  }

  /**
   * StartQueryExecution, sent at most `maxAttempts` times by the SDK when throttled. The request
   * is not tied to the signal: an aborted request could still have started a query whose id we
   * would never learn. Once it returns, the abort is honoured with a Stop.
   */
  private async start(
    sql: string,
    executionParameters: string[],
    signal: AbortSignal,
    context?: { Catalog: string; Database: string },
  ): Promise<string> {
    const opts = this.opts;
    let started: { QueryExecutionId?: string | undefined };
    try {
      started = await this.client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          ClientRequestToken: randomUUID(),
          WorkGroup: opts.workgroup ?? "primary",
          QueryExecutionContext: context ?? {
            Catalog: opts.catalog ?? "AwsDataCatalog",
            ...(opts.database === undefined ? {} : { Database: opts.database }),
          },
          ...(opts.outputLocation === undefined
            ? {}
            : { ResultConfiguration: { OutputLocation: opts.outputLocation } }),
          ...(executionParameters.length > 0 ? { ExecutionParameters: executionParameters } : {}),
        }),
      );
    } catch (e) {
      // Nothing started: a cancelled step says so rather than the service's last error.
      if (signal.aborted) throw queryCancelled(ATHENA_QUERY, undefined, signal);
      throw awsError(e, this.service);
    }
    const id = started.QueryExecutionId;
    if (!id) throw new RunMdError("athena-request-failed", "Athena returned no QueryExecutionId");
    return id;
  }

  /** GetQueryExecution; on any failure the query is stopped rather than left running unseen. */
  private async execution(id: string, signal: AbortSignal): Promise<QueryExecution | undefined> {
    try {
      const r = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), {
        abortSignal: signal,
      });
      return r.QueryExecution;
    } catch (e) {
      if (signal.aborted) throw await this.stopAndCancel(id, signal);
      await this.stop(id);
      throw awsError(e, this.service);
    }
  }

  /** The step's scan budget: its own `max_scan=`, else the run-wide one. */
  private budgetOf(req: QueryRequest): number | undefined {
    return req.attributes.maxScanBytes ?? this.opts.maxScanBytes;
  }

  /** Stops a running query that has scanned more than the step's budget. */
  private async checkBudget(id: string, scanned: number, budget: number | undefined) {
    if (budget === undefined || scanned <= budget) return;
    const stopError = await this.stop(id);
    throw new RunMdError(
      "scan-budget-exceeded",
      `Athena query ${id} was stopped after scanning ${formatBytes(scanned)}, over the step's budget of ${formatBytes(budget)}${stopError === undefined ? "" : ` (StopQueryExecution failed: ${String(stopError)})`}`,
      {
        hint: "Narrow the window or the query (fewer days, more selective columns), or raise max_scan= on the step or --max-scan.",
        details: { queryExecutionId: id, dataScannedBytes: scanned, maxScanBytes: budget },
      },
    );
  }

  private failed(id: string, execution: QueryExecution): RunMdError {
    const status = execution.Status;
    const reason =
      status?.StateChangeReason ?? status?.AthenaError?.ErrorMessage ?? "no reason given";
    const err = status?.AthenaError;
    const category =
      err?.ErrorCategory === 1
        ? "system"
        : err?.ErrorCategory === 2
          ? "user"
          : err?.ErrorCategory === 3
            ? "other"
            : undefined;
    return new RunMdError("athena-query-failed", `Athena query ${id} failed: ${reason}`, {
      hint: hintFor(reason),
      retryable: err?.Retryable === true,
      details: {
        queryExecutionId: id,
        errorCategory: category,
        errorType: err?.ErrorType,
        retryable: err?.Retryable === true,
      },
    });
  }

  /** Every page of the result (each page request retried by the SDK when throttled). */
  private async readResults(
    execution: QueryExecution,
    req: Pick<QueryRequest, "signal">,
  ): Promise<{ columns: ColumnInfo[]; rows: JsonValue[][]; stats: QueryResult["stats"] }> {
    const id = execution.QueryExecutionId!;
    // Every step's query is a SELECT (the read-only gate), whose first row Athena makes the
    // header: only a statement Athena calls DDL or UTILITY (the engine's SHOW PARTITIONS) has none. A description without a
    // StatementType is no reason to take the labels for data (a probe would count them as an
    // event: review).
    const hasHeader = execution.StatementType !== "DDL" && execution.StatementType !== "UTILITY";
    let columns: ColumnInfo[] | undefined;
    const rows: JsonValue[][] = [];
    let first = true;
    try {
      const pages = paginateGetQueryResults(
        { client: this.client, pageSize: 1000 },
        { QueryExecutionId: id },
      );
      for await (const page of pages) {
        if (req.signal.aborted) throw queryCancelled(ATHENA_QUERY, undefined, req.signal);
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns ??= info.map((c) => ({
          name: (c.Label ?? c.Name ?? "").toLowerCase(),
          type: (c.Type ?? "varchar").toLowerCase(),
        }));
        const cols = columns;
        (page.ResultSet?.Rows ?? []).forEach((row, i) => {
          if (first && i === 0 && hasHeader) return; // the header row repeats the labels
          rows.push(cols.map((c, j) => convertValue(row.Data?.[j]?.VarCharValue, c.type)));
        });
        first = false;
      }
    } catch (e) {
      throw awsError(e, this.service);
    }
    return { columns: columns ?? [], rows, stats: this.resultStats(execution) };
  }

  /** The step's statistics from a finished query execution. */
  private resultStats(execution: QueryExecution): QueryResult["stats"] {
    const stats = execution.Statistics;
    const scanned = stats?.DataScannedInBytes ?? 0;
    return {
      queryExecutionId: execution.QueryExecutionId!,
      dataScannedBytes: scanned,
      engineExecutionMs: stats?.EngineExecutionTimeInMillis ?? 0,
      queueMs: stats?.QueryQueueTimeInMillis ?? 0,
      totalExecutionMs: stats?.TotalExecutionTimeInMillis ?? 0,
      costUsd: this.costOf(scanned),
      ...(stats?.ResultReuseInformation?.ReusedPreviousResult
        ? { reusedPreviousResult: true }
        : {}),
      ...(execution.WorkGroup ? { workgroup: execution.WorkGroup } : {}),
    };
  }
}

export function createAthenaEngine(opts: AthenaEngineOptions): AthenaEngine {
  return new AthenaEngine(opts);
}
