/**
 * The emulator's default Athena backend: the local engine (`@run-md/engine-local`) over the log
 * directory, which translates Athena SQL to DuckDB, binds the execution parameters (literals only)
 * and reports the bytes of the files it read after partition pruning.
 */
import type { ColumnInfo, JsonValue } from "@run-md/core";
import { athenaColumnFromTypeName, parseTrinoType } from "./athena-types.ts";
import {
  type AthenaBackend,
  athenaReasonFor,
  BackendQueryError,
  type BackendResult,
} from "./backend.ts";
import type { EmulatorContext } from "./context.ts";
import { jsonToTrinoText } from "./json-text.ts";

export type { AthenaBackend } from "./backend.ts";

/** What `runAthenaSql` of the local engine returns. */
interface LocalAthenaResult {
  columns: ColumnInfo[];
  rows: JsonValue[][];
  scannedBytes: number;
}

interface LocalEngineLike {
  runAthenaSql(
    sql: string,
    executionParameters: string[],
    opts: { signal?: AbortSignal },
  ): Promise<LocalAthenaResult>;
}

/** Columns with Trino type names and JSON rows, as Athena's result set. */
export function jsonResultToBackend(
  columns: ColumnInfo[],
  rows: JsonValue[][],
  scannedBytes: number,
): BackendResult {
  const types = columns.map((c) => parseTrinoType(c.type));
  return {
    columns: columns.map((c) => athenaColumnFromTypeName(c.name, c.type)),
    rows: rows.map((row) => row.map((v, i) => jsonToTrinoText(v, types[i]!))),
    scannedBytes,
  };
}

function reasonForLocalError(e: unknown): BackendQueryError {
  if (e instanceof BackendQueryError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  if (code === "cancelled") return new BackendQueryError(`USER_CANCELLED: ${message}`);
  if (code === "sql-refused") return new BackendQueryError(`NOT_SUPPORTED: ${message}`);
  if (code === "sql-syntax")
    return new BackendQueryError(`SYNTAX_ERROR: line 1:1: ${message}`, 2, 1004);
  if (typeof code === "string" && /param/.test(code)) {
    return new BackendQueryError(`INVALID_INPUT: ${message}`);
  }
  if (/Function with name/i.test(message)) {
    return new BackendQueryError(`FUNCTION_NOT_FOUND: line 1:1: ${message}`);
  }
  return athenaReasonFor(message);
}

export function localEngineBackend(ctx: EmulatorContext): AthenaBackend {
  return {
    async run(sql, executionParameters, { signal }) {
      const engine = (await ctx.localEngine()) as LocalEngineLike;
      try {
        const r = await engine.runAthenaSql(sql, executionParameters, { signal });
        return jsonResultToBackend(r.columns, r.rows, r.scannedBytes);
      } catch (e) {
        throw reasonForLocalError(e);
      }
    },
    async close() {},
  };
}
