/**
 * Athena's GetTableMetadata from a `CREATE EXTERNAL TABLE` statement (the DDL of Athena's
 * CloudTrail guide, or the security analytics bootstrap's): the table's columns, partition keys
 * and parameters (its TBLPROPERTIES, `projection.*` among them, with the location, formats and
 * SerDe as Athena lists them), in the shape of Athena's `TableMetadata`. The emulator serves it,
 * so an engine reads a table's partition projection through the real SDK.
 */
import { sqlCommentEnd, sqlQuotedEnd } from "@run-md/core";

/** One column as TableMetadata lists it: `{ Name, Type }`, the type in Hive's lower-case text. */
export interface TableColumn {
  Name: string;
  Type: string;
}

/** A table as Athena's GetTableMetadata answers it. */
export interface TableMetadata {
  Name: string;
  /** The database the DDL names (`security.cloudtrail_pp`), else undefined. */
  database?: string;
  TableType: "EXTERNAL_TABLE";
  Columns: TableColumn[];
  PartitionKeys: TableColumn[];
  Parameters: Record<string, string>;
}

export class DdlError extends Error {}

/**
 * The text without `-- ...` and `/* ... *\/` comments outside quoted strings and names, as core's
 * one reading of SQL comments ends them (a line comment's line break kept; a block comment a
 * space).
 */
function withoutComments(ddl: string): string {
  let out = "";
  for (let i = 0; i < ddl.length; ) {
    const c = ddl[i]!;
    const comment = sqlCommentEnd(ddl, i);
    if (comment >= 0) {
      if (ddl[i] === "/") out += " ";
      i = comment;
    } else if (c === "'" || c === '"' || c === "`") {
      const end = sqlQuotedEnd(ddl, i);
      out += ddl.slice(i, end);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The text inside the parenthesis that opens at `open`, and the index after its close. */
function parenthesised(text: string, open: number): { inner: string; after: number } {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return { inner: text.slice(open + 1, i), after: i + 1 };
  }
  throw new DdlError("unbalanced parentheses");
}

/** `a STRING, b STRUCT<x:STRING, y:INT>` at its top-level commas (not inside <>, () or quotes). */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "<" || c === "(") depth++;
    else if (c === ">" || c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function unquote(name: string): string {
  return /^[`"'].*[`"']$/s.test(name) ? name.slice(1, -1) : name;
}

/** `name TYPE` → `{ Name, Type }`: the name lower case, the type without spaces, lower case. */
function column(def: string): TableColumn {
  const m = /^(`[^`]+`|"[^"]+"|[A-Za-z_][\w]*)\s+([\s\S]+)$/.exec(def);
  if (!m) throw new DdlError(`not a column definition: ${def.slice(0, 80)}`);
  return { Name: unquote(m[1]!).toLowerCase(), Type: m[2]!.replace(/\s+/g, "").toLowerCase() };
}

/** `'k'='v', "k" = "v"` → `{ k: v }`. */
function properties(inner: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const p of topLevel(inner)) {
    const m = /^(['"])([\s\S]*?)\1\s*=\s*(['"])([\s\S]*?)\3$/.exec(p);
    if (!m) throw new DdlError(`not a table property: ${p.slice(0, 80)}`);
    props[m[2]!] = m[4]!;
  }
  return props;
}

/** The quoted string after `keyword` (`LOCATION 's3://...'`), if the DDL has one. */
function quotedAfter(text: string, keyword: RegExp): string | undefined {
  const m = new RegExp(`${keyword.source}\\s*'([^']*)'`, "i").exec(text);
  return m?.[1];
}

/** The table a `CREATE EXTERNAL TABLE` statement makes, as GetTableMetadata describes it. */
export function tableFromDdl(ddl: string): TableMetadata {
  const text = withoutComments(ddl);
  const head =
    /CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:`[^`]+`|"[^"]+"|[\w-]+)(?:\.(?:`[^`]+`|"[^"]+"|[\w-]+))?)\s*\(/i.exec(
      text,
    );
  if (!head) throw new DdlError("no CREATE EXTERNAL TABLE <name> (...) statement");
  const nameParts = (head[1]!.match(/`[^`]+`|"[^"]+"|[^.]+/g) ?? []).map((p) =>
    unquote(p).toLowerCase(),
  );
  const cols = parenthesised(text, head.index + head[0].length - 1);
  const rest = text.slice(cols.after);
  const partitioned = /PARTITIONED\s+BY\s*\(/i.exec(rest);
  const keys = partitioned
    ? topLevel(parenthesised(rest, partitioned.index + partitioned[0].length - 1).inner).map(column)
    : [];
  const tblprops = /TBLPROPERTIES\s*\(/i.exec(rest);
  const props = tblprops
    ? properties(parenthesised(rest, tblprops.index + tblprops[0].length - 1).inner)
    : {};
  const described: Record<string, string | undefined> = {
    EXTERNAL: "TRUE",
    location: quotedAfter(rest, /LOCATION/),
    inputformat: quotedAfter(rest, /INPUTFORMAT/),
    outputformat: quotedAfter(rest, /OUTPUTFORMAT/),
    "serde.serialization.lib": quotedAfter(rest, /ROW\s+FORMAT\s+SERDE/),
  };
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(described)) if (v !== undefined) parameters[k] = v;
  return {
    Name: nameParts.at(-1)!,
    ...(nameParts.length > 1 ? { database: nameParts.at(-2)! } : {}),
    TableType: "EXTERNAL_TABLE",
    Columns: topLevel(cols.inner).map(column),
    PartitionKeys: keys,
    Parameters: { ...parameters, ...props },
  };
}
