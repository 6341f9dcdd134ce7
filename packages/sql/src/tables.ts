/**
 * Which tables a `sql` step may read (spec section 4): `cloudtrail_logs`, its configured aliases
 * (the real table's name among them, scoped exactly like `cloudtrail_logs`) and configured extra
 * tables, each with its own scoping rule or marked unscoped. Every engine and `check` ask this
 * module, so a name means the same thing everywhere.
 */

/** How an extra table is restricted to the run's window. */
export type ExtraScope =
  /** The whole table, whatever the window (a small reference table: known IPs, accounts...). */
  | { kind: "unscoped" }
  /** Rows whose `column` (an ISO-8601 string or a timestamp) falls in the window. */
  | { kind: "time-column"; column: string };

export interface ExtraTable {
  /** The name steps use, lower-case (`known_ips`). */
  name: string;
  scope: ExtraScope;
  /** Local engine: the CSV, JSON or Parquet file that holds the table (absolute path). */
  file?: string;
  /** Athena: the real table (`security.known_ips`); default: the name as written. */
  athenaTable?: string;
  /** Where the configuration declares it (`run-md.config.yaml:4:5`), for messages. */
  declaredAt?: string;
}

export interface TableConfig {
  /** More names of `cloudtrail_logs` (`security.cloudtrail_org_pp`). */
  aliases: string[];
  extra: ExtraTable[];
}

export const EMPTY_TABLES: TableConfig = { aliases: [], extra: [] };

/** `"Security".Cloudtrail_Logs` → `["security", "cloudtrail_logs"]`. */
export function nameParts(name: string): string[] {
  return name
    .split(".")
    .map((p) =>
      p
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase(),
    )
    .filter((p) => p !== "");
}

/**
 * Every dotted spelling of a table name that resolves to it: `t` means `default.t`, and a
 * `db.t` name is also reachable as `t` and `awsdatacatalog.db.t`.
 */
export function spellings(name: string): string[] {
  const parts = nameParts(name);
  if (parts.length === 1) parts.unshift("default");
  if (parts.length === 2) {
    return [parts[1]!, parts.join("."), ["awsdatacatalog", ...parts].join(".")];
  }
  return [parts.join(".")];
}

export type TableKind = { kind: "cloudtrail" } | { kind: "extra"; table: ExtraTable };

export class TableResolver {
  private readonly names = new Map<string, TableKind>();

  constructor(readonly config: TableConfig = EMPTY_TABLES) {
    for (const a of ["cloudtrail_logs", ...config.aliases]) {
      for (const s of spellings(a)) this.names.set(s, { kind: "cloudtrail" });
    }
    for (const t of config.extra) {
      for (const s of spellings(t.name)) this.names.set(s, { kind: "extra", table: t });
    }
  }

  /** What a reference's name parts (already unquoted) resolve to, or undefined. */
  resolve(parts: readonly string[]): TableKind | undefined {
    return this.names.get(parts.map((p) => p.toLowerCase()).join("."));
  }

  /** The names a step may use, for messages and did-you-mean (shortest spelling of each). */
  readableNames(): string[] {
    const aliases = [...new Set(this.config.aliases.map((a) => nameParts(a).join(".")))].sort();
    return ["cloudtrail_logs", ...aliases, ...this.config.extra.map((t) => t.name).sort()];
  }

  /** Every spelling, for did-you-mean on a misspelled name. */
  allSpellings(): string[] {
    return [...this.names.keys()];
  }
}
