/**
 * Configured extra tables (spec section 4) on the local engine: each is a view over its file
 * (CSV, JSON or Parquet, by extension), restricted to the window when its scope names a time
 * column, created on the query's connection next to `cloudtrail_logs`.
 */
import path from "node:path";
import type { TimeWindow } from "@run-md/core";
import { RunMdError, sqlStringLiteral } from "@run-md/core";
import type { ExtraTable } from "@run-md/sql";

const quote = sqlStringLiteral;

function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

function reader(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv") return `read_csv(${quote(file)}, header = true)`;
  if (ext === ".json" || ext === ".jsonl" || ext === ".ndjson") return `read_json(${quote(file)})`;
  if (ext === ".parquet") return `read_parquet(${quote(file)})`;
  throw new RunMdError(
    "bad-config",
    `extra table file ${file}: expected a .csv, .tsv, .json, .jsonl, .ndjson or .parquet file`,
  );
}

/** The files the engine's sandbox must let DuckDB read for these tables (their folders stay closed). */
export function extraTableFiles(tables: readonly ExtraTable[]): string[] {
  return tables.flatMap((t) => (t.file === undefined ? [] : [path.resolve(t.file)]));
}

export function extraTableViewSql(t: ExtraTable, window: TimeWindow | null): string {
  if (t.file === undefined) {
    throw new RunMdError(
      "bad-config",
      `extra table "${t.name}" has no file: the local engine reads it from tables.extra.${t.name}.file`,
    );
  }
  let where = "";
  if (t.scope.kind === "time-column" && window) {
    const col = `TRY_CAST(${ident(t.scope.column)} AS TIMESTAMPTZ)`;
    where = ` WHERE ${col} >= TIMESTAMPTZ ${quote(window.start.toISOString())} AND ${col} < TIMESTAMPTZ ${quote(window.end.toISOString())}`;
  }
  return `CREATE OR REPLACE TEMP VIEW ${ident(t.name)} AS SELECT * FROM ${reader(t.file)}${where}`;
}
