/**
 * The emulator's default Athena backend: the local engine (`@run-md/engine-local`) over the log
 * directory, which translates Athena SQL to DuckDB, binds the execution parameters and reports
 * the bytes it read.
 */
import type { DuckDBType, DuckDBValue } from "@duckdb/node-api";
import {
  type AthenaBackend,
  athenaReasonFor,
  BackendQueryError,
  duckResultToBackend,
} from "./backend.ts";
import type { EmulatorContext } from "./context.ts";

export type { AthenaBackend } from "./backend.ts";

/** What `runAthenaSql` of the local engine returns (DuckDB names, types and values). */
interface LocalAthenaResult {
  columnNames: string[];
  columnTypes: DuckDBType[];
  rows: DuckDBValue[][];
  scannedBytes: number;
}

interface LocalEngineLike {
  runAthenaSql(
    sql: string,
    executionParameters: string[],
    opts: { signal: AbortSignal },
  ): Promise<LocalAthenaResult>;
}

export function localEngineBackend(ctx: EmulatorContext): AthenaBackend {
  return {
    async run(sql, executionParameters, { signal }) {
      const engine = (await ctx.localEngine()) as LocalEngineLike;
      try {
        const r = await engine.runAthenaSql(sql, executionParameters, { signal });
        return duckResultToBackend(r.columnNames, r.columnTypes, r.rows, r.scannedBytes);
      } catch (e) {
        if (e instanceof BackendQueryError) throw e;
        const message = e instanceof Error ? e.message : String(e);
        const code = (e as { code?: unknown }).code;
        throw athenaReasonFor(typeof code === "string" ? `${code}: ${message}` : message);
      }
    },
    async close() {},
  };
}
