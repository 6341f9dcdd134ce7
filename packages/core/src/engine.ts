import type { Dialect, ParamType, ParamValue, StepAttributes } from "./model.ts";

/** JSON-safe scalar or structure: engines convert their values to these at the boundary. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** The run's time window, half-open: [start, end). */
export interface TimeWindow {
  start: Date;
  end: Date;
}

export interface BoundParam {
  type: ParamType;
  value: ParamValue;
}

export interface QueryRequest {
  stepId: string;
  dialect: Dialect;
  /** The query as written, `{{name}}` references included: each engine binds or renders them. */
  query: string;
  /** Every parameter the query may refer to, built-ins (`start`, `end`, ...) included. */
  params: Record<string, BoundParam>;
  /** The step's window (the run's, or the step's own `window=`). */
  window: TimeWindow;
  attributes: StepAttributes;
  /** Budget of bytes the query may scan (Athena). */
  maxScanBytes?: number;
  /** Cancelled on timeout or Ctrl-C; the engine must stop the query on its side. */
  signal: AbortSignal;
  /** Optional progress callback (for example the Athena state or bytes scanned so far). */
  onProgress?: (progress: { message: string; stats?: Record<string, number | string> }) => void;
}

export interface ColumnInfo {
  /** Lower-case result label, as Athena returns it (Logs Insights keeps its field names). */
  name: string;
  /** The engine's type name (`varchar`, `bigint`, `double`, `timestamp`, ...). */
  type: string;
}

export interface QueryResult {
  columns: ColumnInfo[];
  /** Every row, values aligned with `columns`. */
  rows: JsonValue[][];
  /** The query text as the engine ran it (after parameter binding and window scoping). */
  queryAsRun: string;
  /** Engine statistics for the report: ids, bytes and records scanned, cost, ... */
  stats: Record<string, number | string | boolean>;
  /** Things the reader should know that did not stop the query (skipped files, coerced fields). */
  warnings: string[];
}

/**
 * One engine (local, athena, logs). Opened once per run, asked one query at a time, closed at the
 * end. Errors are thrown as `RunMdError` with a stable code and, where possible, a hint.
 */
export interface Engine {
  readonly name: string;
  readonly dialects: readonly Dialect[];
  query(request: QueryRequest): Promise<QueryResult>;
  close(): Promise<void>;
}
