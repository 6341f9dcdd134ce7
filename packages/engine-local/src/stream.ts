/**
 * A prepared statement's result read chunk by chunk (DuckDB's streaming result, 2,048 rows a
 * chunk): each chunk goes to the consumer and is dropped, and the abort signal is checked between
 * chunks, so any result size runs in bounded memory and stops within a chunk of a timeout or
 * Ctrl-C. Without a consumer the rows are collected (the emulator needs whole results).
 */
import {
  type DuckDBDataChunk,
  DuckDBIntervalValue,
  type DuckDBPreparedStatement,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";
import type { ColumnInfo, JsonValue, RowChunk } from "@run-md/core";
import { hasAnonymousRow } from "./anonymous-rows.ts";
import { athenaColumnName } from "./rewrite.ts";
import {
  athenaTypeName,
  holdsFloatKey,
  holdsReal,
  timestampText,
  toJson,
  withReals,
} from "./values.ts";

export interface StreamOptions {
  /** Logs Insights keeps its field names' case; SQL labels are lower-cased as Athena's are. */
  insights: boolean;
  /** Labels replacing DuckDB's (the Insights translation's field names). */
  names?: string[];
  /**
   * Logs Insights: the columns of numeric aggregates, by name. Every other column is text, as
   * CloudWatch Logs gives every value (`strlen(eventName)` is "9", as the logs engine reads it).
   */
  numeric?: Set<string>;
  /** Each column's timestamp precision, where not 3 (its fraction digits). */
  precisions?: (number | undefined)[];
  signal?: AbortSignal;
  onRows?: (chunk: RowChunk) => void | Promise<void>;
  /**
   * Whether rows reached `onRows`, across the attempts of one query: when a retry follows an
   * attempt that delivered rows, its first chunk says `restart`.
   */
  state: { delivered: boolean };
  /** The error to throw when the signal aborts. */
  cancelled: () => Error;
  /** A refusal noted while the rows were computed (a try() swallowed its raise), if any. */
  refused?: () => Error | undefined;
  /** The number of rows the statement gives, counted apart (see `streamRows`). */
  count?: () => Promise<number>;
}

export interface Streamed {
  columns: ColumnInfo[];
  /** Every row when there was no consumer; empty otherwise. */
  rows: JsonValue[][];
  rowCount: number;
}

/** A result whose columns hold rows without field names, before any of it was read. */
export class AnonymousRows extends Error {
  constructor(readonly columns: { name: string; type: DuckDBType }[]) {
    super("the result holds rows without field names");
  }
}

export async function streamRows(
  prepared: DuckDBPreparedStatement,
  opts: StreamOptions,
): Promise<Streamed> {
  const result = await prepared.stream();
  const types = result.columnTypes();
  // Rows without field names the statement's preparation could not see (their type depends on
  // a parameter): the caller names them (anonymous-rows.ts) and runs the statement again.
  if (types.some(hasAnonymousRow))
    throw new AnonymousRows(result.columnNames().map((name, i) => ({ name, type: types[i]! })));
  const columns = result.columnNames().map((n, i) => ({
    name: opts.names?.[i] ?? athenaColumnName(opts.insights ? n : n.toLowerCase(), i),
    type: athenaTypeName(types[i] as DuckDBType),
  }));
  // Logs Insights' columns other than numeric aggregates: text, as the service gives them.
  const asText = columns.map((c) => opts.numeric !== undefined && !opts.numeric.has(c.name));
  for (const [i, c] of columns.entries()) if (asText[i]) c.type = "varchar";
  // REAL values (DuckDB hands over their doubles) are printed as Trino prints them.
  const reals = types.map(holdsReal);
  // Map keys that are DOUBLE or REAL are printed as Java prints them (1.0), which takes the type.
  const keyTypes = types.map((t) => (holdsFloatKey(t) ? t : undefined));
  const rows: JsonValue[][] = [];
  let rowCount = 0;
  let chunks = 0;
  let restart = opts.state.delivered;
  for (;;) {
    if (opts.signal?.aborted) throw opts.cancelled();
    const chunk = await result.fetchChunk();
    // Before the chunk's rows reach anyone: they may hold the NULL a refusal became.
    const refusal = opts.refused?.();
    if (refusal) throw refusal;
    if (chunk === null || chunk.rowCount === 0) break;
    chunks++;
    if (chunks === 1) yearMonthColumns(columns, types, chunk);
    rowCount += chunk.rowCount;
    const convert = () =>
      chunk.getRows().map((row) =>
        row.map((v, i) => {
          const json = cellJson(v, columns[i], !opts.insights, keyTypes[i], opts.precisions?.[i]);
          const value = reals[i] ? withReals(json, types[i]!) : json;
          return asText[i] && typeof value === "number" ? String(value) : value;
        }),
      );
    if (opts.onRows === undefined) {
      for (const row of convert()) rows.push(row);
      continue;
    }
    const first = restart;
    restart = false;
    opts.state.delivered = true;
    await opts.onRows({
      columns,
      length: chunk.rowCount,
      rows: convert,
      ...(first ? { restart: true } : {}),
    });
  }
  // An interrupted query (timeout, Ctrl-C) ends its stream early as if it were complete: a
  // partial result must never be checked as the whole one.
  if (opts.signal?.aborted) throw opts.cancelled();
  await assertWhole(rowCount, chunks, opts.count);
  // A retry without rows after an attempt that delivered some: the consumer drops those.
  if (restart && opts.onRows !== undefined) {
    await opts.onRows({ columns, length: 0, rows: () => [], restart: true });
  }
  return { columns, rows, rowCount };
}

/**
 * A query that fails once its first rows were fetched ends its stream as if it were complete:
 * DuckDB's client gives no error then (a cast failing at row 1.5M of 3M gave 1,372,160 rows; a
 * file removed during the scan, likewise). An error while DuckDB fills its first buffer is
 * thrown; after a second chunk, the rows are counted apart and must be all of them.
 */
async function assertWhole(rowCount: number, chunks: number, count?: () => Promise<number>) {
  if (chunks < 2 || count === undefined) return;
  const total = await count();
  if (total !== rowCount) {
    throw new Error(
      `The result ended early: ${rowCount} of its ${total} rows came before the query failed.`,
    );
  }
}

/** A value's JSON; a zero in a year-to-month column is `0-0` (its type says which zero). */
function cellJson(
  v: DuckDBValue,
  column: ColumnInfo | undefined,
  tzSuffix: boolean,
  type: DuckDBType | undefined,
  precision: number | undefined,
): JsonValue {
  if (precision !== undefined && v instanceof DuckDBTimestampValue)
    return timestampText(v.micros, precision);
  const zero =
    v instanceof DuckDBIntervalValue && v.months === 0 && v.days === 0 && v.micros === 0n;
  return zero && column?.type === "interval year to month" ? "0-0" : toJson(v, tzSuffix, type);
}

/**
 * An INTERVAL column whose first values hold months only is Trino's `interval year to month`
 * (DuckDB has one INTERVAL type; athenaTypeName names it day to second).
 */
function yearMonthColumns(columns: ColumnInfo[], types: DuckDBType[], chunk: DuckDBDataChunk) {
  types.forEach((t, i) => {
    if (t.typeId !== DuckDBTypeId.INTERVAL) return;
    const values = chunk
      .getColumnValues(i)
      .filter((v): v is DuckDBIntervalValue => v instanceof DuckDBIntervalValue);
    const yearMonth =
      values.some((v) => v.months !== 0) && values.every((v) => v.days === 0 && v.micros === 0n);
    if (yearMonth && columns[i]) columns[i].type = "interval year to month";
  });
}
