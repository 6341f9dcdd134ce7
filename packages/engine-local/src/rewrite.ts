/**
 * Athena SQL to DuckDB SQL: a text pre-pass for syntax DuckDB's parser rejects, then DuckDB's own
 * parser (`json_serialize_sql`) gives the statement as a JSON tree, which is rewritten and turned
 * back into SQL (`json_deserialize_sql`). The tree goes through lossless-json: plain JSON.parse would
 * turn the DOUBLE 1e3 into an integer and lose UINT64 query locations. Anything the parser does not
 * accept as exactly one SELECT is refused here, before it runs.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { RunMdError } from "@run-md/core";
import { isLosslessNumber, parse, stringify } from "lossless-json";
import { jodaFormat, jsonPath, mysqlFormat, TRINO_PREFIX } from "./trino.ts";
import {
  CHAR_MARKER,
  callNode,
  charCast,
  checkReplacement,
  extractField,
  hasAggregate,
  intConst,
  javaNamedGroups,
  keepDouble,
  normalizeCall,
  numericKeyPath,
  regexpExtractGroup,
  rewriteArithmetic,
  rewriteBetween,
  rewriteMapEquality,
  rewriteJsonCast,
  rewriteLambdaCall,
  rewriteTimestampCast,
  rewriteToJsonCast,
  rewriteToVarcharCast,
  strConst,
  strptimeCall,
  TIMESTAMP_MARKER,
  timestampPrecision,
  trimChar,
  twoDigitYearPivot,
  UNTYPED_FALLBACK,
  VARCHAR_MARKER,
} from "./trino-ast.ts";
import { rewriteArraySort, rewriteMapLambda } from "./trino-map-lambda.ts";

type Node = Record<string, unknown>;

export interface RewriteOptions {
  /** Lower-cased names (`table`, `schema.table`, `catalog.schema.table`) that mean cloudtrail_logs. */
  aliases: Set<string>;
  /** Where the table resolves to. */
  target: { catalog: string; schema: string; table: string };
  /** Replacement nodes for `?`/`$n` parameters, by identifier ("1", "2", ...). */
  parameters?: Map<string, Node>;
  /** Trino function names to call through their macros (`regexp_extract` → `trino_regexp_extract`). */
  trinoFunctions?: Set<string>;
  /** JSON-text columns that accept dot access (`requestparameters.bucketName`) as an extension. */
  jsonColumns?: Set<string>;
  /** Partition column names: the WHERE conjuncts on them give the files a query can read. */
  partitionColumns?: Set<string>;
}

/** Masks string literals, quoted identifiers and comments, applying `fn` to the code between. */
export function mapCode(
  sql: string,
  fn: (code: string) => string,
  other: (text: string) => string = (t) => t,
): string {
  let out = "";
  let code = "";
  let i = 0;
  const flush = () => {
    out += fn(code);
    code = "";
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const two = sql.slice(i, i + 2);
    let end = -1;
    if (ch === "'" || ch === '"') {
      end = i + 1;
      while (end < sql.length) {
        if (sql[end] === ch) {
          if (sql[end + 1] === ch) end += 2;
          else break;
        } else end++;
      }
      end = Math.min(end + 1, sql.length);
    } else if (two === "--") {
      end = sql.indexOf("\n", i);
      if (end < 0) end = sql.length;
    } else if (two === "/*") {
      end = sql.indexOf("*/", i + 2);
      end = end < 0 ? sql.length : end + 2;
    }
    if (end >= 0) {
      flush();
      out += other(sql.slice(i, end));
      i = end;
    } else {
      code += ch;
      i++;
    }
  }
  flush();
  return out;
}

/** Trino's JSON paths start with `$` (DuckDB would also take a JSON pointer such as `/a`). */
function checkJsonPath(p: string): string {
  if (!p.trim().startsWith("$")) {
    throw new RunMdError("sql-error", `INVALID_FUNCTION_ARGUMENT: Invalid JSON path: '${p}'`);
  }
  return p;
}

/**
 * Trino syntax DuckDB's parser rejects, fixed in the text (outside strings and comments). `trino`:
 * also the length and precision markers that only the Trino rewrite resolves (trino-ast.ts).
 */
export function prePass(sql: string, trino = true): string {
  return mapCode(sql, (code) => {
    const fixed = code
      // CAST(x AS ARRAY(JSON)) -> CAST(x AS JSON[]) ; ARRAY<varchar> -> varchar[]
      .replace(/\bARRAY\s*\(\s*([A-Za-z_][\w]*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)\s*\)/gi, "$1[]")
      .replace(/\bARRAY\s*<\s*([A-Za-z_][\w]*)\s*>/gi, "$1[]")
      // CAST(x AS ROW(a varchar)) -> STRUCT(a varchar)
      .replace(/\bAS\s+ROW\s*\(/gi, "AS STRUCT(")
      // TABLESAMPLE BERNOULLI (10): DuckDB reads a bare number as a row count.
      .replace(
        /\bTABLESAMPLE\s+(BERNOULLI|SYSTEM)\s*\(\s*([\d.]+)\s*\)/gi,
        "TABLESAMPLE $1($2 PERCENT)",
      );
    if (!trino) return fixed;
    return (
      fixed
        // CHAR(n): DuckDB's parser drops the length; a marker type keeps it for charCast (trino-ast.ts).
        .replace(/\bAS\s+CHAR\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${CHAR_MARKER}$1`)
        .replace(/\bAS\s+VARCHAR\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${VARCHAR_MARKER}$1`)
        .replace(/\bAS\s+TIMESTAMP\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${TIMESTAMP_MARKER}$1`)
    );
  });
}

/**
 * `DECIMAL '12.50'` is DECIMAL(4,2) in Trino (precision and scale from the text); DuckDB would read
 * it as CAST('12.50' AS DECIMAL), which is DECIMAL(18,3). The literal becomes an explicit cast.
 * `X'2312'` is a VARBINARY in Trino (DuckDB would read the text 'x2312'): it becomes from_hex.
 */
export function decimalLiterals(sql: string): string {
  const parts: { code: boolean; text: string }[] = [];
  mapCode(
    sql,
    (code) => {
      parts.push({ code: true, text: code });
      return code;
    },
    (other) => {
      parts.push({ code: false, text: other });
      return other;
    },
  );
  for (let i = 1; i < parts.length; i++) {
    const prev = parts[i - 1] as { code: boolean; text: string };
    const lit = parts[i] as { code: boolean; text: string };
    const hex = /\bX$/i.exec(prev.text);
    if (prev.code && !lit.code && hex && lit.text.startsWith("'")) {
      prev.text = prev.text.slice(0, hex.index);
      lit.text = `from_hex(${lit.text.replace(/\s+/g, "")})`;
      continue;
    }
    const m = /\bDECIMAL\s*$/i.exec(prev.text);
    if (!prev.code || lit.code || !m || !lit.text.startsWith("'")) continue;
    const digits = /^'\s*[+-]?(\d*)(?:\.(\d*))?\s*'$/.exec(lit.text);
    if (!digits) continue;
    const int = (digits[1] ?? "").replace(/^0+/, "");
    const scale = (digits[2] ?? "").length;
    // One integer digit at least, so that DuckDB prints -0.001 as Trino does (not -.001).
    const precision = Math.min(38, Math.max(1, int.length) + scale);
    if (int.length + scale > 38) {
      throw new RunMdError(
        "sql-error",
        `INVALID_LITERAL: DECIMAL ${lit.text} has more than 38 digits.`,
      );
    }
    prev.text = prev.text.slice(0, m.index);
    lit.text = `CAST(${lit.text} AS DECIMAL(${precision}, ${scale}))`;
  }
  return parts.map((p) => p.text).join("");
}

async function scalar(conn: DuckDBConnection, sql: string, value: string): Promise<string> {
  const reader = await conn.runAndReadAll(sql, [value]);
  const v = reader.getRows()[0]?.[0];
  return String(v);
}

interface Serialized {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: { node: Node; named_param_map?: unknown }[];
}

/** Parses SQL with DuckDB's parser; refuses anything but exactly one SELECT/WITH statement. */
export async function parseSelect(
  conn: DuckDBConnection,
  sql: string,
): Promise<{ statement: { node: Node; named_param_map?: unknown } }> {
  const json = await scalar(conn, "SELECT json_serialize_sql($1::VARCHAR)", sql);
  const parsed = parse(json) as Serialized;
  if (parsed.error) {
    const msg = parsed.error_message ?? "unknown error";
    if (/Only SELECT statements/i.test(msg)) {
      throw new RunMdError(
        "sql-refused",
        "Refused: a step may hold only one read-only SELECT or WITH statement; this one contains something else (DDL, DML, COPY, ATTACH, SET, PRAGMA, CALL, EXPORT, LOAD, INSTALL...).",
        {
          hint: "Steps are read-only queries over cloudtrail_logs. Remove the statement that is not a SELECT.",
        },
      );
    }
    const first = firstKeyword(sql);
    if (first !== undefined && WRITE_KEYWORDS.has(first)) {
      throw new RunMdError(
        "sql-refused",
        `Refused: a step may hold only one read-only SELECT or WITH statement; this one starts with ${first.toUpperCase()}.`,
        { hint: "Steps are read-only queries over cloudtrail_logs." },
      );
    }
    if (parsed.error_type === "parser") {
      throw new RunMdError("sql-syntax", `SQL syntax error: ${msg}`, {
        hint: "The local engine parses Athena (Trino) SQL with DuckDB's parser; check the query near the position given.",
      });
    }
    throw new RunMdError("sql-error", `The query could not be parsed: ${msg}`);
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) {
    throw new RunMdError(
      "sql-refused",
      `Refused: a step may hold exactly one statement, this one holds ${statements.length}.`,
      { hint: "Split the statements into separate steps (one fenced block each)." },
    );
  }
  return { statement: statements[0] as { node: Node; named_param_map?: unknown } };
}

/** Statement keywords that never start a read-only query (Athena's and DuckDB's). */
const WRITE_KEYWORDS = new Set(
  (
    "alter analyze attach begin call checkpoint comment commit copy create deallocate delete detach drop " +
    "execute explain export grant import insert install load merge msck optimize pragma prepare refresh " +
    "reset revoke rollback set start truncate unload update upsert use vacuum"
  ).split(" "),
);

/** The first keyword of a statement, comments and white space skipped, lower-cased. */
export function firstKeyword(sql: string): string | undefined {
  let masked = "";
  mapCode(
    sql,
    (code) => {
      masked += code;
      return code;
    },
    (other) => {
      masked += other.startsWith("'") || other.startsWith('"') ? "x" : " ";
      return other;
    },
  );
  const m = /^\s*(\(|[A-Za-z_]+)/.exec(masked);
  return m?.[1]?.toLowerCase();
}

export async function deserialize(
  conn: DuckDBConnection,
  statement: { node: Node; named_param_map?: unknown },
): Promise<string> {
  const text = stringify({ error: false, statements: [statement] }) as string;
  return scalar(conn, "SELECT json_deserialize_sql($1::JSON)", text);
}

let templateCache: Node | undefined;

async function unnestTemplate(conn: DuckDBConnection): Promise<Node> {
  if (!templateCache) {
    const { statement } = await parseSelect(
      conn,
      "SELECT * FROM (SELECT unnest(__runmd_x__, recursive := true)) AS t",
    );
    templateCache = (statement.node.from_table as Node).subquery as Node;
  }
  return clone(templateCache);
}

function constValue(n: unknown): string | undefined {
  if (!isNode(n) || n.class !== "CONSTANT") return undefined;
  const v = n.value as Node | undefined;
  if (!v || v.is_null) return undefined;
  const type = (v.type as Node | undefined)?.id;
  return type === "VARCHAR" ? String(v.value) : undefined;
}

function setConst(n: Node, value: string): void {
  (n.value as Node).value = value;
}

/** Deep copy keeping lossless numbers (structuredClone would turn them into plain objects). */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  if (isNode(v)) {
    const out: Node = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isLosslessNumber(v);
}

function collectCteNames(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) collectCteNames(x, out);
    return;
  }
  if (!isNode(v)) return;
  const map = (v.cte_map as Node | undefined)?.map;
  if (Array.isArray(map)) {
    for (const e of map) if (isNode(e) && typeof e.key === "string") out.add(e.key.toLowerCase());
  }
  for (const x of Object.values(v)) collectCteNames(x, out);
}

/**
 * any_match/all_match/none_match(array, lambda) as a macro over list_transform(array, lambda):
 * three-valued, as Trino (a NULL result decides when no element does; trino.ts).
 */
function matchCall(f: Node, name: string): Node {
  const inner = clone(f);
  inner.function_name = "list_transform";
  inner.alias = "";
  f.function_name = name === "all_match" ? "trino_all_match_list" : "trino_any_match_list";
  f.children = [inner];
  if (name !== "none_match") return f;
  const alias = f.alias;
  f.alias = "";
  return {
    class: "OPERATOR",
    type: "OPERATOR_NOT",
    alias,
    query_location: f.query_location,
    children: [f],
  };
}

/**
 * Rewrites Athena SQL into the DuckDB SQL that runs it: table aliases, constant formats,
 * JSON paths, lambdas' function names, UNNEST of rows, and parameter substitution.
 */
export async function rewriteAthena(
  conn: DuckDBConnection,
  sql: string,
  opts: RewriteOptions,
): Promise<{
  sql: string;
  tables: number;
  parameterIds: Set<string>;
  warnings: string[];
  /** Every column reference (lower-cased name paths), or "all" when the query has a `*`. */
  refs: string[][] | "all";
  /** The names the table is known by in the query (its aliases), lower-cased. */
  tableAliases: Set<string>;
  /** `SELECT filename FROM __runmd_files WHERE <partition filters>`, when every reference has one. */
  pruneSql: string | undefined;
}> {
  const { statement } = await parseSelect(
    conn,
    opts.trinoFunctions ? prePass(decimalLiterals(sql)) : prePass(sql, false),
  );
  const ctes = new Set<string>();
  collectCteNames(statement.node, ctes);
  let tables = 0;
  const parameterIds = new Set<string>();
  const warnings: string[] = [];
  const refs: string[][] = [];
  const tableAliases = new Set<string>();
  const targets = new Set<Node>();
  let star = false;
  const template = await unnestTemplate(conn);

  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = visit(v[i]);
      return v;
    }
    if (!isNode(v)) return v;
    for (const [k, x] of Object.entries(v)) v[k] = visit(x);

    if (v.type === "BASE_TABLE") {
      const parts = [v.catalog_name, v.schema_name, v.table_name]
        .filter((p): p is string => typeof p === "string" && p !== "")
        .map((p) => p.toLowerCase());
      const full = parts.join(".");
      const isCte = parts.length === 1 && ctes.has(full);
      if (!isCte && opts.aliases.has(full)) {
        tables++;
        targets.add(v);
        v.catalog_name = opts.target.catalog;
        v.schema_name = opts.target.schema;
        v.table_name = opts.target.table;
        // Keep the name it was written with usable as a qualifier (FROM cloudtrail t / FROM x.tbl).
        if (v.alias === "") v.alias = String(parts[parts.length - 1]);
        tableAliases.add(String(v.alias).toLowerCase());
      }
      return v;
    }
    if (v.class === "STAR" || v.class === "COLUMNS" || v.type === "SHOW_REF") star = true;
    if (v.class === "COLUMN_REF")
      refs.push((v.column_names as string[]).map((n) => String(n).toLowerCase()));
    if (v.class === "COLUMN_REF" && opts.jsonColumns) {
      const names = v.column_names as string[];
      const at = names.findIndex(
        (n, i) => i < names.length - 1 && opts.jsonColumns?.has(n.toLowerCase()),
      );
      if (at >= 0 && at <= 1) {
        const fields = names.slice(at + 1);
        const text = names.slice(0, at + 1).join(".");
        const note = `${text}.${fields.join(".")}: dot access into the JSON text column ${names[at]?.toLowerCase()} is a local-engine extension; on Athena's documented table write json_extract_scalar(${names[at]?.toLowerCase()}, '$.${fields.join(".")}')`;
        if (!warnings.includes(note)) warnings.push(note);
        const colRef = { ...v, column_names: names.slice(0, at + 1), alias: "" };
        return {
          class: "FUNCTION",
          type: "FUNCTION",
          alias: v.alias === "" ? String(fields[fields.length - 1]) : v.alias,
          query_location: v.query_location,
          function_name: "json_extract_string",
          schema: "",
          catalog: "",
          children: [
            colRef,
            strConst(`$.${fields.map((f) => `"${f.replaceAll('"', '\\"')}"`).join(".")}`),
          ],
          filter: null,
          order_bys: { type: "ORDER_MODIFIER", orders: [] },
          distinct: false,
          is_operator: false,
          export_state: false,
        };
      }
    }
    if (v.class === "PARAMETER") {
      const id = String(v.identifier);
      parameterIds.add(id);
      const rep = opts.parameters?.get(id);
      return rep ? clone(rep) : v;
    }
    if (opts.trinoFunctions) {
      // Trino semantics of constants, operators and casts (trino-ast.ts); Athena SQL only.
      if (v.class === "CONSTANT") return keepDouble(v);
      if (v.class === "BETWEEN") return rewriteBetween(v);
      if (v.class === "COMPARISON") return rewriteMapEquality(v);
      if (v.class === "CAST")
        return charCast(
          rewriteTimestampCast(rewriteToJsonCast(rewriteToVarcharCast(rewriteJsonCast(v)))),
        );
      if (v.class === "FUNCTION" && v.is_operator === true) return rewriteArithmetic(v);
    }
    // DuckDB's grammar writes SUBSTRING(x FROM a FOR b) and substring(...) as main.substring.
    if (
      v.class === "FUNCTION" &&
      (v.function_name === "substring" || v.function_name === "date_part") &&
      v.schema === "main"
    )
      v.schema = "";
    if (v.class === "FUNCTION" && typeof v.function_name === "string" && v.schema === "") {
      return rewriteFunction(v);
    }
    if (v.type === "TABLE_FUNCTION") return rewriteUnnest(v);
    return v;
  };

  const rewriteFunction = (f: Node): Node => {
    const name = (f.function_name as string).toLowerCase();
    const args = f.children as unknown[];
    if (name.startsWith("regexp_")) javaNamedGroups(f);
    const fmt = constValue(args[1]);
    switch (name) {
      case "date_parse":
      case "parse_datetime":
        if (fmt !== undefined && args.length === 2) {
          return name === "date_parse"
            ? twoDigitYearPivot(strptimeCall(f, mysqlFormat(fmt)))
            : strptimeCall(f, jodaFormat(fmt));
        }
        break;
      case "date_part":
        return extractField(f);
      // A timestamp of known precision prints that many fraction digits (Trino's to_iso8601).
      case "to_iso8601": {
        const p = args.length === 1 ? timestampPrecision(args[0]) : undefined;
        if (p !== undefined) return callNode("trino_iso8601_p", [args[0], intConst(p)], f);
        break;
      }
      case "ltrim":
      case "rtrim":
      case "trim":
        // One argument: Java's white space (trino.ts); then a CHAR(n) value loses its padding.
        if (opts.trinoFunctions?.has(name) && args.length === 1)
          f.function_name = `${TRINO_PREFIX}${name}`;
        return trimChar(f);
      case "mod":
        return rewriteArithmetic({ ...f, function_name: "%", is_operator: true });
      case "regexp_replace":
        checkReplacement(f);
        break;
      case "normalize":
        return normalizeCall(f);
      case "apply":
      case "reduce":
        return rewriteLambdaCall(f, name);
      case "regexp_extract":
        if (args.length === 3) {
          const call = regexpExtractGroup(f);
          if (call !== f) return call;
        }
        break;
      case "date_format":
      case "format_datetime":
        if (fmt !== undefined && args.length === 2) {
          f.function_name = "strftime";
          // Trino formats from milliseconds, rounded half up (56.5555 prints 56.556).
          if (!hasAggregate(args[0]))
            args[0] = callNode("trino_round_ms", [args[0]], { alias: "" });
          setConst(
            args[1] as Node,
            name === "date_format" ? mysqlFormat(fmt, true) : jodaFormat(fmt),
          );
        }
        break;
      case "json_extract_scalar":
      case "json_extract":
      case "json_size":
      case "json_array_length":
        if (fmt !== undefined) setConst(args[1] as Node, jsonPath(checkJsonPath(fmt)));
        if (name !== "json_size") numericKeyPath(f);
        break;
      case "transform":
        f.function_name = "list_transform";
        break;
      // Trino's format() takes Java's %s/%d/%.2f specifiers, which DuckDB's printf shares
      // (DuckDB's own format() uses {} and would return the pattern unchanged).
      case "format":
        f.function_name = "printf";
        // Java prints a timestamp argument as 2020-05-10T12:34:56.100 (trino_format_arg).
        f.children = args.map((a, i) =>
          i === 0 || hasAggregate(a) ? a : callNode("trino_format_arg", [a], { alias: "" }),
        );
        break;
      case "any_match":
      case "all_match":
      case "none_match":
        return matchCall(f, name);
      case "array_sort":
        return rewriteArraySort(f, clone);
      case "map_filter":
      case "transform_keys":
      case "transform_values":
        return rewriteMapLambda(f, name, clone);
    }
    // Functions with a Trino macro are called through it (after the constant rewrites above).
    const fname = String(f.function_name).toLowerCase();
    const untyped = UNTYPED_FALLBACK[fname];
    if (opts.trinoFunctions?.has(fname) && untyped && hasAggregate(f.children)) {
      f.function_name = untyped;
      return f;
    }
    if (opts.trinoFunctions?.has(fname)) f.function_name = `${TRINO_PREFIX}${fname}`;
    return f;
  };

  // Trino's UNNEST(array_of_row) AS t(a, b, c) expands the row's fields into columns, and
  // UNNEST(a1, a2) AS t(x, y) zips arrays; DuckDB binds one column per argument.
  const rewriteUnnest = (t: Node): Node => {
    const fn = t.function as Node | undefined;
    if (!fn || String(fn.function_name).toLowerCase() !== "unnest") return t;
    const args = (fn.children as Node[]).filter((a) => a.alias === "");
    const aliases = t.column_name_alias as string[];
    const ordinality = t.with_ordinality === "WITH_ORDINALITY";
    const expected = args.length + (ordinality ? 1 : 0);
    // WITH ORDINALITY over rows is left to DuckDB (it binds one column per argument plus the ordinal).
    if (ordinality || (aliases.length <= expected && args.length === 1)) return t;
    const sub = clone(template);
    const node = sub.node as Node;
    const list = node.select_list as Node[];
    const proto = list[0] as Node;
    if (args.length === 1) {
      (proto.children as Node[])[0] = args[0] as Node;
    } else {
      node.select_list = args.map((a) => {
        const u = clone(proto);
        u.children = [a];
        return u;
      });
    }
    return {
      type: "SUBQUERY",
      alias: t.alias,
      sample: null,
      query_location: t.query_location,
      subquery: sub,
      column_name_alias: aliases,
    };
  };

  statement.node = visit(statement.node) as Node;
  nameUnaliasedColumns(statement.node);
  const pruneSql = await partitionFilterSql(conn, statement.node, targets, opts.partitionColumns);
  const out = await deserialize(conn, statement);
  return {
    sql: out,
    tables,
    parameterIds,
    warnings,
    refs: star ? "all" : refs,
    tableAliases,
    pruneSql,
  };
}

/**
 * The conjuncts of the WHERE clauses that filter the table on partition columns only, as
 * `SELECT filename FROM __runmd_files WHERE ...`: which files a query can read, for its scanned
 * bytes. Undefined when some reference to the table has no such filter (every file counts).
 */
async function partitionFilterSql(
  conn: DuckDBConnection,
  root: Node,
  targets: Set<Node>,
  partitionColumns: Set<string> | undefined,
): Promise<string | undefined> {
  if (!partitionColumns || targets.size === 0) return undefined;
  const perTable: Node[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isNode(v)) return;
    if (v.type === "SELECT_NODE" && isNode(v.from_table) && targets.has(v.from_table)) {
      const alias = String(v.from_table.alias).toLowerCase();
      const kept = conjuncts(v.where_clause).filter((c) =>
        onlyPartitions(c, alias, partitionColumns),
      );
      if (kept.length > 0) {
        const and: Node =
          kept.length === 1
            ? (kept[0] as Node)
            : {
                class: "CONJUNCTION",
                type: "CONJUNCTION_AND",
                alias: "",
                query_location: 0,
                children: kept,
              };
        perTable.push(stripQualifiers(clone(and)));
      }
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(root);
  if (perTable.length !== targets.size) return undefined;
  const { statement } = await parseSelect(conn, "SELECT filename FROM __runmd_files WHERE true");
  statement.node.where_clause =
    perTable.length === 1
      ? perTable[0]
      : {
          class: "CONJUNCTION",
          type: "CONJUNCTION_OR",
          alias: "",
          query_location: 0,
          children: perTable,
        };
  return deserialize(conn, statement);
}

function conjuncts(n: unknown): Node[] {
  if (!isNode(n)) return [];
  if (n.class === "CONJUNCTION" && n.type === "CONJUNCTION_AND") {
    return (n.children as Node[]).flatMap((c) => conjuncts(c));
  }
  return [n];
}

/** Whether an expression refers to partition columns of the table and to nothing else but constants. */
function onlyPartitions(n: Node, alias: string, partitionColumns: Set<string>): boolean {
  let ok = true;
  let refs = 0;
  const walk = (v: unknown): void => {
    if (!ok) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isNode(v)) return;
    if (
      v.class === "SUBQUERY" ||
      v.class === "PARAMETER" ||
      v.class === "WINDOW" ||
      v.class === "LAMBDA"
    ) {
      ok = false;
      return;
    }
    if (v.class === "COLUMN_REF") {
      const names = (v.column_names as string[]).map((x) => String(x).toLowerCase());
      const col = names[names.length - 1] as string;
      const qualifierOk = names.length === 1 || (names.length === 2 && names[0] === alias);
      if (!qualifierOk || !partitionColumns.has(col)) ok = false;
      refs++;
      return;
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(n);
  return ok && refs > 0;
}

function stripQualifiers<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) stripQualifiers(x);
  } else if (isNode(v)) {
    const n = v as Node;
    if (n.class === "COLUMN_REF") {
      const names = n.column_names as string[];
      n.column_names = [names[names.length - 1]];
    }
    for (const x of Object.values(n)) stripQualifiers(x);
  }
  return v;
}

/** Athena labels an unaliased expression `_colN` (N its 0-based position); column references keep their name. */
function nameUnaliasedColumns(node: Node): void {
  let n: Node | undefined = node;
  while (n && n.type === "SET_OPERATION_NODE") n = n.left as Node | undefined;
  if (n?.type !== "SELECT_NODE") return;
  (n.select_list as Node[]).forEach((item, i) => {
    if (item.alias === "" && item.class !== "COLUMN_REF" && item.class !== "STAR")
      item.alias = `_col${i}`;
  });
}

/**
 * An Athena execution parameter (SQL literal text such as `'alice'` or `42`) as a constant node.
 * Anything that is not a literal (or a typed literal such as TIMESTAMP '...') is refused.
 */
export async function literalNode(
  conn: DuckDBConnection,
  text: string,
  index: number,
): Promise<Node> {
  let statement: { node: Node };
  try {
    ({ statement } = await parseSelect(conn, `SELECT ${text}`));
  } catch {
    throw notLiteral(text, index);
  }
  const node = statement.node;
  const list = node.select_list as Node[];
  const from = node.from_table as Node;
  const keys = ["where_clause", "having", "qualify", "sample"];
  if (
    node.type !== "SELECT_NODE" ||
    list.length !== 1 ||
    from.type !== "EMPTY" ||
    keys.some((k) => node[k] !== null && node[k] !== undefined) ||
    (node.group_expressions as unknown[]).length > 0 ||
    (node.modifiers as unknown[]).length > 0
  ) {
    throw notLiteral(text, index);
  }
  const item = list[0] as Node;
  const ok =
    item.class === "CONSTANT" ||
    (item.class === "CAST" && (item.child as Node | undefined)?.class === "CONSTANT") ||
    // A negative number arrives as -(constant) in some versions.
    (item.class === "FUNCTION" &&
      item.function_name === "-" &&
      (item.children as Node[]).length === 1 &&
      (item.children as Node[])[0]?.class === "CONSTANT");
  if (!ok || item.alias !== "") throw notLiteral(text, index);
  return item;
}

function notLiteral(text: string, index: number): RunMdError {
  return new RunMdError(
    "sql-refused",
    `INVALID_INPUT: execution parameter ${index} is not a literal: ${text.length > 80 ? `${text.slice(0, 80)}...` : text}`,
    {
      hint: "Execution parameters are SQL literals such as 'alice', 42 or TIMESTAMP '2024-01-01 00:00:00'.",
    },
  );
}
