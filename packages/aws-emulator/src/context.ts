import type { ExtraTable } from "@run-md/sql";
import type { TableMetadata } from "./table-ddl.ts";

/**
 * What every service's handlers share: the log directory, the recorded calls, the injectable
 * faults, the error type handlers throw, and the local engine (opened once, on first use).
 */

/** An error response: HTTP 400 (or `status`) with `{__type, Message, ...extra}`. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A handler gets the parsed JSON body and returns the JSON response (or throws ServiceError). */
export type Handler = (body: Record<string, unknown>) => Promise<unknown> | unknown;

export interface RecordedCall {
  /** The whole `x-amz-target`, e.g. `AmazonAthena.StopQueryExecution`. */
  target: string;
  /** The service prefix, e.g. `AmazonAthena` or `Logs_20140328`. */
  service: string;
  /** The operation, e.g. `StopQueryExecution`. */
  op: string;
  /** The parsed body; one over `RECORDED_BODY_BYTES` is replaced by `{ notRecordedBytes }`. */
  body: Record<string, unknown>;
  time: number;
  /** The access key id the request was signed with (from its Authorization header). */
  accessKeyId?: string;
  /** The region the request was signed for (its Authorization header's credential scope). */
  signingRegion?: string;
  /** Whether the request carried a session token (`x-amz-security-token`). */
  sessionToken: boolean;
}

export interface AthenaFailureFault {
  /** StateChangeReason, e.g. `HIVE_CURSOR_ERROR: ... SlowDown`. */
  reason: string;
  /** 1 system, 2 user, 3 other (default 2). */
  category?: 1 | 2 | 3;
  /** Athena's ErrorType number (default 1006). */
  type?: number;
  retryable?: boolean;
}

export interface FaultConfig {
  /**
   * Throttle the next N calls of an operation: keyed by the operation (`StartQueryExecution`) or
   * the whole target (`AmazonAthena.StartQueryExecution`). Athena answers TooManyRequestsException,
   * CloudWatch Logs ThrottlingException. The count goes down with each throttled call.
   */
  throttle?: Record<string, number>;
  athena?: {
    /** Each new query takes the first failure off this list and ends FAILED with it. */
    failures?: AthenaFailureFault[];
    /** New queries stay QUEUED for this many GetQueryExecution polls... */
    queuedPolls?: number;
    /** ...then RUNNING for this many (and for as long as the backend is still working). */
    runningPolls?: number;
    /** DataScannedInBytes grows by this much on each poll while RUNNING. */
    scannedBytesPerRunningPoll?: number;
    /**
     * DataScannedInBytes reported once finished, instead of the backend's estimate; a function
     * gives it by the query's text (a test telling an engine's own probe from a step's query).
     */
    scannedBytes?: number | ((query: string) => number);
    /** New queries are described without StatementType and SubstatementType. */
    omitStatementType?: boolean;
    /**
     * GetTableMetadata answers this error (`AccessDeniedException` for a role without
     * athena:GetTableMetadata or glue:GetTable, `MetadataException`, ...) instead of the table.
     */
    tableMetadataError?: { type: string; message: string };
    /** GetTableMetadata answers after this many milliseconds (a slow Glue catalog). */
    tableMetadataDelayMs?: number;
    /**
     * SHOW PARTITIONS ends FAILED with this (a role without glue:GetPartitions: Athena's reason
     * names the AccessDeniedException), instead of listing the table's partitions.
     */
    showPartitionsFailure?: AthenaFailureFault;
  };
  /** Free-form faults for other services (the Logs handlers define their own). */
  [service: string]: unknown;
}

export interface EmulatorContext {
  logDir: string;
  tableAliases: string[];
  /** Configured extra tables, readable next to cloudtrail_logs (spec section 4). */
  extraTables: ExtraTable[];
  /**
   * Whether StartQueryExecution checks the SQL as Athena would (`@run-md/sql`) before running
   * it: true over the local engine, false over a bare DuckDB backend (protocol tests).
   */
  validateSql: boolean;
  /**
   * The table GetTableMetadata describes (from the `CREATE EXTERNAL TABLE` it was given), under
   * its own name and the table aliases; undefined: any table, described without projection.
   */
  table?: TableMetadata;
  /**
   * The table's partitions SHOW PARTITIONS lists, Hive's names (`region=us-east-1/year=2026/...`);
   * undefined: those of the log directory's delivery folders, by the table's partition keys.
   */
  partitions?: string[];
  faults: FaultConfig;
  calls: RecordedCall[];
  /**
   * The local engine over `logDir` (`createLocalEngine` from `@run-md/engine-local`), created on
   * first use and shared by all services; closed with the emulator.
   */
  localEngine(): Promise<unknown>;
}
