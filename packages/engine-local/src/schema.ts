/**
 * The CloudTrail record schema, written once: the DuckDB type used to read records (CloudTrail's
 * own key spelling, because `read_json` matches keys case-sensitively), the Athena column list
 * (lower-case names, as in the current AWS documentation's DDL) and the key map the lenient reader
 * uses to accept any key case.
 */

import { type Field, PARTITION_COLUMNS, RECORD_FIELDS } from "@run-md/sql";

export type { Field, FieldKind } from "@run-md/sql";
export { PARTITION_COLUMNS, RECORD_FIELDS };

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB types of the fields that are no structs. */
const SCALAR_TYPES = {
  string: "VARCHAR",
  json: "JSON",
  "string-map": "MAP(VARCHAR, VARCHAR)",
} as const;

/** DuckDB type text of a field, with the given key spelling (as-is or lower-case). */
function duckType(f: Field, lower: boolean): string {
  if (f.kind === "struct") return structType(f.fields, lower);
  if (f.kind === "struct-array") return `${structType(f.fields, lower)}[]`;
  return SCALAR_TYPES[f.kind];
}

/** A field's shape for `json_transform`: the same types as a JSON structure (CloudTrail's keys). */
export function jsonStructure(f: Field): unknown {
  if (f.kind === "struct" || f.kind === "struct-array") {
    const struct = Object.fromEntries(f.fields.map((x) => [x.name, jsonStructure(x)]));
    return f.kind === "struct" ? struct : [struct];
  }
  return SCALAR_TYPES[f.kind];
}

function structType(fields: Field[], lower: boolean): string {
  const parts = fields.map(
    (f) => `${quoteIdent(lower ? f.name.toLowerCase() : f.name)} ${duckType(f, lower)}`,
  );
  return `STRUCT(${parts.join(", ")})`;
}

/** The record struct as `read_json` must declare it (CloudTrail's key spelling). */
export const RECORD_TYPE = structType(RECORD_FIELDS, false);

/**
 * What a query uses of the table: "all", or the column references it makes (each a lower-cased
 * name path such as ["useridentity", "arn"] or ["t", "eventname"]).
 */
export type Usage = "all" | string[][];

/** How much of a record field a query needs: nothing, all of it, or some fields of a struct. */
function fieldUsage(f: Field, usage: Usage): "none" | "all" | Field[] {
  if (usage === "all" || f.name === "eventTime") return "all";
  const name = f.name.toLowerCase();
  const sub = new Set<string>();
  let found = false;
  for (const ref of usage) {
    for (let i = 0; i < ref.length; i++) {
      if (ref[i] !== name) continue;
      found = true;
      // The whole value is referenced (or something DuckDB resolves at bind time): keep it whole.
      if (i === ref.length - 1) return "all";
      sub.add(ref[i + 1] as string);
    }
  }
  if (!found) return "none";
  if (f.kind !== "struct") return "all";
  const fields = f.fields.filter((x) => sub.has(x.name.toLowerCase()));
  return fields.length === 0 || fields.length < sub.size ? "all" : fields;
}

/**
 * The record struct with only what the query uses: the JSON reader then builds only that, which
 * is most of the cost after parsing. `eventTime` is always kept (the window filter reads it).
 */
export function recordType(usage: Usage): string {
  if (usage === "all") return RECORD_TYPE;
  const parts: string[] = [];
  for (const f of RECORD_FIELDS) {
    const u = fieldUsage(f, usage);
    if (u === "none") continue;
    const type = u === "all" ? duckType(f, false) : structType(u, false);
    parts.push(`${quoteIdent(f.name)} ${type}`);
  }
  return `STRUCT(${parts.join(", ")})`;
}

/**
 * The Athena column list over what `recordType(usage)` declares. Columns the query does not use
 * are typed NULLs; a struct used only through some of its fields holds those fields.
 */
export function athenaSelectList(usage: Usage): string {
  return RECORD_FIELDS.map((f) => {
    const name = f.name.toLowerCase();
    const u = fieldUsage(f, usage);
    let expr: string;
    if (u === "all") expr = columnExpr(f);
    else if (u === "none")
      expr = `CAST(NULL AS ${f.kind === "json" ? "VARCHAR" : duckType(f, true)})`;
    else expr = `CAST(r.${quoteIdent(f.name)} AS ${structType(u, true)})`;
    return `${expr} AS ${quoteIdent(name)}`;
  }).join(",\n  ");
}

/** Athena's type name of a column (for documentation and `DESCRIBE`-like output). */
function athenaType(f: Field): string {
  switch (f.kind) {
    case "string":
    case "json":
      return "string";
    case "string-map":
      return "map<string,string>";
    case "struct":
      return `struct<${f.fields.map((x) => `${x.name.toLowerCase()}:${athenaType(x)}`).join(",")}>`;
    case "struct-array":
      return `array<struct<${f.fields.map((x) => `${x.name.toLowerCase()}:${athenaType(x)}`).join(",")}>>`;
  }
}

export interface ColumnDef {
  name: string;
  /** Hive/Athena DDL type, for docs and hints. */
  athenaType: string;
}

/** Every column of `cloudtrail_logs`, in order: the Athena columns, then the partitions. */
export const CLOUDTRAIL_COLUMNS: ColumnDef[] = [
  ...RECORD_FIELDS.map((f) => ({ name: f.name.toLowerCase(), athenaType: athenaType(f) })),
  ...PARTITION_COLUMNS.map((name) => ({ name, athenaType: "string" })),
];

/** SQL expression turning record field `r.<name>` into its Athena column. */
function columnExpr(f: Field): string {
  const src = `r.${quoteIdent(f.name)}`;
  switch (f.kind) {
    case "string":
      return src;
    case "json":
      // A payload that is itself a JSON string holds its text, as the JsonSerDe gives it. The
      // JSON values DuckDB's reader makes are written compactly by it (never the file's own
      // spacing), so a string is the one whose text starts with a quote: testing that character
      // instead of json_type (which parses the whole payload) was a third of typing a record.
      return `CASE WHEN starts_with(CAST(${src} AS VARCHAR), '"') THEN json_extract_string(${src}, '$') ELSE CAST(${src} AS VARCHAR) END`;
    case "string-map":
      return src;
    case "struct":
    case "struct-array":
      return `CAST(${src} AS ${duckType(f, true)})`;
  }
}

/** The Athena column list over a relation with a record struct `r` (CloudTrail key spelling). */
export const ATHENA_SELECT_LIST = RECORD_FIELDS.map(
  (f) => `${columnExpr(f)} AS ${quoteIdent(f.name.toLowerCase())}`,
).join(",\n  ");

/**
 * Partition columns derived from `filename`, only through built-ins (`system.main.*`) so that DuckDB
 * can push predicates on them down to the file list (a shadowing macro would lose the pruning).
 */
export function partitionSelectList(filenameExpr = "filename"): string {
  const re = (pattern: string, group: number) =>
    `NULLIF(system.main.regexp_extract(${filenameExpr}, '${pattern}', ${group}), '')`;
  const layout = "/CloudTrail/([^/]+)/(\\d{4})/(\\d{2})/(\\d{2})/";
  const region = re(layout, 1);
  const year = re(layout, 2);
  const month = re(layout, 3);
  const day = re(layout, 4);
  const date = `(${year} || '/' || ${month} || '/' || ${day})`;
  // The folder above the last `/CloudTrail/`: a folder of that name higher up (a trail whose
  // prefix is `CloudTrail`, synced from the bucket's root) is not the account.
  const account = re("^.*/([^/]+)/CloudTrail/", 1);
  return [
    `${region} AS "region"`,
    `${year} AS "year"`,
    `${month} AS "month"`,
    `${day} AS "day"`,
    `${date} AS "timestamp"`,
    `${date} AS "date_partition"`,
    `${region} AS "region_partition"`,
    `${account} AS "account_partition"`,
  ].join(",\n  ");
}

/** Lower-case key → canonical key, per struct (path of canonical names joined by "."). */
export interface KeyMaps {
  fields: Map<string, Field>;
}

export function keyMap(fields: Field[]): Map<string, Field> {
  const m = new Map<string, Field>();
  for (const f of fields) m.set(f.name.toLowerCase(), f);
  return m;
}

export const RECORD_KEYS = keyMap(RECORD_FIELDS);
