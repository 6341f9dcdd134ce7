/**
 * The context the emulator's services share (context.ts), with the local engine over the log
 * directory opened on first use: imported lazily, so a bare DuckDB backend (protocol tests)
 * never loads it.
 */
import type { createLocalEngine } from "@run-md/engine-local";
import type { ExtraTable } from "@run-md/sql";
import type { EmulatorContext, FaultConfig, RecordedCall } from "./context.ts";
import type { TableMetadata } from "./table-ddl.ts";

export interface ContextOptions {
  logDir: string;
  tableAliases?: string[];
  extraTables?: ExtraTable[];
  /** Whether StartQueryExecution checks the SQL (over the local engine, not a bare backend). */
  validateSql: boolean;
  table?: TableMetadata;
  partitions?: string[];
  faults: FaultConfig;
  calls: RecordedCall[];
}

/** The context, and how to close the local engine if it was opened. */
export function openContext(o: ContextOptions): { ctx: EmulatorContext; close(): Promise<void> } {
  const settings = {
    logDir: o.logDir,
    tableAliases: o.tableAliases ?? [],
    extraTables: o.extraTables ?? [],
  };
  let engine: ReturnType<typeof createLocalEngine> | undefined;
  const ctx: EmulatorContext = {
    ...settings,
    validateSql: o.validateSql,
    ...(o.table === undefined ? {} : { table: o.table }),
    ...(o.partitions === undefined ? {} : { partitions: o.partitions }),
    faults: o.faults,
    calls: o.calls,
    localEngine() {
      // CloudWatch Logs answers a field no event has with nothing: the queries are not checked.
      engine ??= import("@run-md/engine-local").then((m) =>
        m.createLocalEngine({ ...settings, insightsChecks: false }),
      );
      return engine;
    },
  };
  return {
    ctx,
    async close() {
      if (engine) await (await engine.catch(() => undefined))?.close();
    },
  };
}
