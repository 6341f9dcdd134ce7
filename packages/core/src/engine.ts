import type { Dialect, ParamType, ParamValue, StepAttributes } from "./model.ts";

/** JSON-safe scalar or structure: engines convert their values to these at the boundary. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/**
 * Sets `key` of an object built from the logs as its own entry. Plain assignment of the key
 * `__proto__` (a valid AWS tag key) sets the object's prototype instead: the entry would vanish
 * from every output, and a map under it would show through as inherited properties.
 */
export function setEntry(obj: { [k: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

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
  /**
   * The step's attributes as the runbook wrote them. The runner reads only the engine-neutral
   * ones (`timeout=`, `window=`, `optional`); an engine-specific one travels here uninterpreted
   * and its engine reads it (`max_scan=`: Athena's budget for this step, over the run-wide one in
   * the Athena engine's options).
   */
  attributes: StepAttributes;
  /** Cancelled on timeout or Ctrl-C; the engine must stop the query on its side. */
  signal: AbortSignal;
  /** Optional progress callback (for example the Athena state or bytes scanned so far). */
  onProgress?: (progress: { message: string; stats?: Record<string, number | string> }) => void;
  /**
   * Streaming: an engine that supports it hands every row of the result to this consumer, chunk
   * by chunk in result order (awaiting it, and checking `signal` between chunks), keeps none of
   * them, and returns `rows: []` with `rowCount`. An engine that does not stream ignores it and
   * returns every row in `rows`; callers handle both.
   */
  onRows?: (chunk: RowChunk) => void | Promise<void>;
  /**
   * With `onRows`: whether the consumer will read the values (`rows()`) of the next chunk. An
   * engine that must move rows to convert them (the local engine in a child process) may hand
   * over a chunk without its values when false, whose `rows()` is then empty (`length` still
   * counts them); a chunk with `restart` always has its values. Absent: every chunk's are wanted.
   */
  rowsWanted?: () => boolean;
}

/** A batch of consecutive result rows. Values are converted to JSON only when `rows()` is called. */
export interface RowChunk {
  readonly columns: ColumnInfo[];
  /** Number of rows in the chunk. */
  readonly length: number;
  /** The chunk's rows as JSON values (converted on each call). */
  rows(): JsonValue[][];
  /**
   * The engine had to run the query again (the local engine does when a file proves unreadable
   * part-way): forget every row received before this chunk.
   */
  readonly restart?: boolean;
}

export interface ColumnInfo {
  /** Lower-case result label, as Athena returns it (Logs Insights keeps its field names). */
  name: string;
  /** The engine's type name (`varchar`, `bigint`, `double`, `timestamp`, ...). */
  type: string;
}

export interface QueryResult {
  columns: ColumnInfo[];
  /** Every row, values aligned with `columns`; empty when they were streamed to `onRows`. */
  rows: JsonValue[][];
  /** The number of rows, when they were streamed to the request's `onRows` instead of returned. */
  rowCount?: number;
  /**
   * Set when the step's window holds no CloudTrail events in the engine's source (whatever the
   * query itself selects): what was there instead, for the message of the step's error.
   */
  noEvents?: string;
  /**
   * Set when the window's last days (a whole day at least) hold no CloudTrail events while its
   * earlier days do (a trail that stopped delivering): why, for the step's error. Only the local
   * engine tells it.
   */
  staleEnd?: string;
  /**
   * Set when part of the window was found without logs while the rest has events (the local
   * engine's days without log files in a trail's delivery layout), or is not read at all (Athena's
   * days outside the table's partition projection range): the instant (ISO) from which
   * the window is not known to be read, so logs delivered late for it are read again (the nightly
   * job's record). Engines that cannot tell leave it unset.
   */
  notReadFrom?: string;
  /** The query text as the engine ran it (after parameter binding and window scoping). */
  queryAsRun: string;
  /** Engine statistics for the report: ids, bytes and records scanned, cost, ... */
  stats: Record<string, number | string | boolean>;
  /** Things the reader should know that did not stop the query (skipped files, coerced fields). */
  warnings: string[];
  /**
   * Source files or objects of the step's window the engine could not read (corrupt, truncated,
   * unreadable): the result does not cover their events, so the runner makes the step an error.
   */
  unread?: string[];
  /**
   * The engine stopped at this many rows, a limit the query did not set (Logs Insights' 10,000):
   * there may be more, so the runner does not judge the step's expectations on the part it got.
   */
  capped?: number;
}

/**
 * One engine (local, athena, logs). Opened once per run, asked one query at a time, closed at the
 * end. Errors are thrown as `RunMdError` with a stable code and, where possible, a hint.
 */
export interface Engine {
  readonly name: string;
  readonly dialects: readonly Dialect[];
  query(request: QueryRequest): Promise<QueryResult>;
  /**
   * Checks once, before the run's first step, what every query would need (credentials, region,
   * a readable log directory), so a setup problem is said once, not once per step.
   */
  preflight?(): Promise<void>;
  /**
   * Why this engine's regular expressions refuse `value`, the value of parameter `name` that a
   * step of `dialect` uses as a whole pattern (`regexp_like(x, {{name}})`, `like {{name}}`), or
   * undefined. Asked before the run's first step; an engine that cannot tell has none.
   */
  regexProblem?(value: string, dialect: Dialect, name: string): Promise<string | undefined>;
  close(): Promise<void>;
}
