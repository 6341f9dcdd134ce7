/**
 * What the emulated Athena runs queries on. The protocol layer (athena.ts) needs only this: run
 * one SQL text with its execution parameters and return Athena-shaped columns, Trino-text rows and
 * an estimate of the bytes read. Two backends: the local engine over a log directory (what the
 * CLI and the parity tests use), and a bare DuckDB connection (protocol tests over generated data).
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { type AthenaColumn, athenaColumn } from "./athena-types.ts";
import { LiteralError, parseLiteral } from "./literals.ts";
import { trinoText } from "./trino-text.ts";

export interface BackendResult {
  columns: AthenaColumn[];
  /** Trino text per value; `null` for SQL NULL. */
  rows: (string | null)[][];
  /** Bytes read from storage, the basis of DataScannedInBytes. */
  scannedBytes: number;
}

/** A query the backend refused or that failed, with Athena's error fields. */
export class BackendQueryError extends Error {
  constructor(
    /** Athena's StateChangeReason, e.g. `TABLE_NOT_FOUND: line 1:15: Table ... does not exist`. */
    readonly reason: string,
    /** 1 system, 2 user, 3 other. */
    readonly category: 1 | 2 | 3 = 2,
    readonly errorType = 1006,
    readonly retryable = false,
  ) {
    super(reason);
  }
}

export interface AthenaBackend {
  run(
    sql: string,
    executionParameters: string[],
    opts: { signal: AbortSignal },
  ): Promise<BackendResult>;
  close(): Promise<void>;
}

/** Turns a DuckDB error message into Athena's error code prefix and category. */
export function athenaReasonFor(message: string): BackendQueryError {
  const text = message.replace(/\s+/g, " ").trim();
  const table = /Table with name (\S+) does not exist/i.exec(text);
  if (table) {
    return new BackendQueryError(
      `TABLE_NOT_FOUND: line 1:1: Table '${table[1]}' does not exist`,
      2,
      1006,
    );
  }
  if (/Referenced column|column .* not found|does not have a column/i.test(text)) {
    return new BackendQueryError(`COLUMN_NOT_FOUND: line 1:1: ${text}`, 2, 1006);
  }
  if (/Parser Error|syntax error/i.test(text)) {
    return new BackendQueryError(`SYNTAX_ERROR: line 1:1: ${text}`, 2, 1004);
  }
  if (/INTERRUPT/i.test(text)) {
    return new BackendQueryError(`USER_CANCELLED: ${text}`, 2, 1006);
  }
  if (/not a literal|INVALID_INPUT|parameter/i.test(text)) {
    return new BackendQueryError(`INVALID_INPUT: ${text}`, 2, 1006);
  }
  if (/read-only|only one|not allowed|refused|Only SELECT/i.test(text)) {
    return new BackendQueryError(`NOT_SUPPORTED: ${text}`, 2, 1006);
  }
  return new BackendQueryError(`GENERIC_USER_ERROR: ${text}`, 2, 1006);
}

export async function duckResultToBackend(
  names: string[],
  types: DuckDBType[],
  rows: DuckDBValue[][],
  scannedBytes: number,
): Promise<BackendResult> {
  return {
    columns: names.map((n, i) => athenaColumn(n, types[i]!)),
    rows: rows.map((row) => row.map((v, i) => trinoText(v, types[i]))),
    scannedBytes,
  };
}

function bindLiteral(
  prepared: Awaited<ReturnType<DuckDBConnection["prepare"]>>,
  index: number,
  text: string,
): void {
  const lit = parseLiteral(text);
  if (lit.kind === "null") prepared.bindNull(index);
  else if (lit.kind === "bigint") prepared.bindBigInt(index, lit.value);
  else if (lit.kind === "double") prepared.bindDouble(index, lit.value);
  else if (lit.kind === "boolean") prepared.bindBoolean(index, lit.value);
  // Text, timestamps and dates bind as VARCHAR, which DuckDB casts where they are compared.
  else prepared.bindVarchar(index, lit.value);
}

/**
 * A backend over a DuckDB database: runs the SQL as DuckDB SQL (no Trino translation), binding
 * each execution parameter's literal value to its `?`. Each query gets its own connection, so
 * StopQueryExecution can interrupt it.
 */
export function duckdbBackend(
  instance: DuckDBInstance,
  options: { scannedBytes?: (sql: string) => number } = {},
): AthenaBackend {
  return {
    async run(sql, executionParameters, { signal }) {
      const connection = await instance.connect();
      const onAbort = () => connection.interrupt();
      signal.addEventListener("abort", onAbort);
      try {
        const prepared = await connection.prepare(sql);
        if (prepared.parameterCount !== executionParameters.length) {
          throw new BackendQueryError(
            `INVALID_INPUT: the query has ${prepared.parameterCount} parameter(s) but ${executionParameters.length} execution parameter(s) were given`,
          );
        }
        executionParameters.forEach((p, i) => {
          bindLiteral(prepared, i + 1, p);
        });
        const result = await prepared.run();
        const rows = await result.getRows();
        return duckResultToBackend(
          result.columnNames(),
          result.columnTypes(),
          rows,
          options.scannedBytes?.(sql) ?? 0,
        );
      } catch (e) {
        if (e instanceof BackendQueryError) throw e;
        if (e instanceof LiteralError) throw new BackendQueryError(`INVALID_INPUT: ${e.message}`);
        throw athenaReasonFor(e instanceof Error ? e.message : String(e));
      } finally {
        signal.removeEventListener("abort", onAbort);
        connection.closeSync();
      }
    },
    async close() {},
  };
}
