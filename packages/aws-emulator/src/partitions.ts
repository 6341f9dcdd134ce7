/**
 * SHOW PARTITIONS, as Athena runs it (a Hive DDL statement: one column `partition`, a row per
 * partition, `region=us-east-1/year=2026/month=11/day=05`, no header row): the partitions of the
 * emulator's table, those the emulator was given, else those of the log directory's delivery
 * folders (`AWSLogs/[o-org/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/` holding a file) by
 * the table's partition keys. A table without partition keys, or another table, fails as Hive's
 * DDL does.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { BackendQueryError, type BackendResult } from "./backend.ts";
import type { EmulatorContext } from "./context.ts";
import type { TableMetadata } from "./table-ddl.ts";

/** `SHOW PARTITIONS name` (backticks or not), with the name it lists. */
const SHOW = /^\s*SHOW\s+PARTITIONS\s+((?:`[^`]+`|[\w-]+)(?:\.(?:`[^`]+`|[\w-]+))?)\s*;?\s*$/i;

/** The table a SHOW PARTITIONS statement names, or undefined for another statement. */
export function showPartitionsOf(query: string): string[] | undefined {
  const m = SHOW.exec(query);
  if (!m) return undefined;
  return (m[1]!.match(/`[^`]+`|[^.]+/g) ?? []).map((p) => p.replace(/^`|`$/g, "").toLowerCase());
}

/** Hive's escape of a partition value in a partition's name (`/` is `%2F`). */
function escaped(value: string): string {
  return value.replace(
    /[%/=:#\\'"*?[\]^{}\u0000-\u001f\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

const FOLDER =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})$/;

/** Each delivery folder of the log directory holding a file: its account, region and day. */
async function deliveryFolders(
  logDir: string,
): Promise<{ account: string; region: string; y: string; m: string; d: string }[]> {
  const entries = await fsp.readdir(logDir, { recursive: true, withFileTypes: true });
  const seen = new Map<
    string,
    { account: string; region: string; y: string; m: string; d: string }
  >();
  for (const e of entries) {
    if (!e.isFile()) continue;
    const folder = path.relative(logDir, e.parentPath).split(path.sep).join("/");
    const m = FOLDER.exec(folder);
    if (!m || seen.has(folder)) continue;
    seen.set(folder, { account: m[1]!, region: m[2]!, y: m[3]!, m: m[4]!, d: m[5]! });
  }
  return [...seen.values()];
}

/** The partitions of the log directory's folders, by the table's keys (none for keys it cannot fill). */
async function folderPartitions(logDir: string, table: TableMetadata): Promise<string[]> {
  const folders = await deliveryFolders(logDir);
  const keys = table.PartitionKeys.map((k) => k.Name);
  const names = new Set<string>();
  for (const f of folders) {
    const value: Record<string, string> = {
      region: f.region,
      region_partition: f.region,
      account: f.account,
      account_partition: f.account,
      year: f.y,
      month: f.m,
      day: f.d,
      date_partition: `${f.y}/${f.m}/${f.d}`,
      timestamp: `${f.y}/${f.m}/${f.d}`,
    };
    if (!keys.every((k) => value[k] !== undefined)) return [];
    names.add(keys.map((k) => `${k}=${escaped(value[k]!)}`).join("/"));
  }
  return [...names].sort();
}

/** The result of SHOW PARTITIONS of `name` (database from the query's context when not given). */
export async function showPartitions(
  ctx: EmulatorContext,
  name: string[],
  contextDatabase: string | undefined,
): Promise<BackendResult> {
  const t = ctx.table;
  const table = name.at(-1)!;
  const database = name.length > 1 ? name.at(-2)! : (contextDatabase ?? "default").toLowerCase();
  const own = t !== undefined && t.Name === table && (t.database ?? database) === database;
  const aliased = ctx.tableAliases.some((a) => {
    const parts = a.toLowerCase().replaceAll('"', "").split(".");
    return parts.at(-1) === table && (parts.length < 2 || parts.at(-2) === database);
  });
  if (t === undefined || !(own || aliased)) {
    throw new BackendQueryError(
      `FAILED: SemanticException [Error 10001]: Table not found ${database}.${table}`,
    );
  }
  if (t.PartitionKeys.length === 0) {
    throw new BackendQueryError(
      `FAILED: SemanticException [Error 10241]: Table ${table} is not a partitioned table`,
    );
  }
  const names = ctx.partitions ?? (await folderPartitions(ctx.logDir, t));
  return {
    columns: [{ name: "partition", type: "string", precision: 0, scale: 0 }],
    rows: names.map((n) => [n]),
    scannedBytes: 0,
  };
}
