/**
 * Athena SQL to DuckDB SQL: a text pre-pass for syntax DuckDB's parser rejects, then DuckDB's own
 * parser (`json_serialize_sql`) gives the statement as a JSON tree, which is rewritten and turned
 * back into SQL (`json_deserialize_sql`). The tree goes through lossless-json: plain JSON.parse would
 * turn the DOUBLE 1e3 into an integer and lose UINT64 query locations. Anything the parser does not
 * accept as exactly one SELECT is refused here, before it runs.
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { RunMdError, sqlCommentEnd } from "@run-md/core";
import { parse, stringify } from "lossless-json";
import { bindOuterColumns, keywordLambdas } from "./bind-late.ts";
import { expandDerivedRowStars } from "./derived-row-star.ts";
import { bindExpanding } from "./bind-expanding.ts";
import { guardGrowth } from "./guard-growth.ts";
import { macrosWhoseBodies } from "./macros.ts";
import { rewriteMapAggregate } from "./map-aggregates.ts";
import { havingColumns } from "./having-columns.ts";
import { orderByOutputColumns } from "./order-by-scope.ts";
import { callPrepared } from "./prepared.ts";
import { renameAggregate, rewriteFunction } from "./rewrite-functions.ts";
import { rowComparisons } from "./row-comparison.ts";
import { expandRowStars } from "./row-star.ts";
import { RECORD_FIELDS } from "./schema.ts";
import { clone, isNode, type Node } from "./tree.ts";
import { annotateLambdaDepths, arrayElementConcat } from "./trino-array-concat.ts";
import {
  arraySubscript,
  CHAR_MARKER,
  callNode,
  charCast,
  checkCharConcat,
  checkedSum,
  intConst,
  isMapValue,
  keepDouble,
  mapSubscript,
  notNullNode,
  rewriteArithmetic,
  rewriteArrayEquality,
  rewriteArrayOrdering,
  rewriteBetween,
  rewriteDecimalAvg,
  rewriteJsonCast,
  rewriteMapEquality,
  rewriteScalarCast,
  rewriteTimestampCast,
  rewriteToJsonCast,
  rewriteToVarcharCast,
  strConst,
  TIMESTAMP_CASTS,
  TIMESTAMP_MARKER,
  timestampPrecision,
  VARCHAR_MARKER,
} from "./trino-ast.ts";
import { containerCast } from "./trino-container-cast.ts";
import { ipAddressCast } from "./trino-ipaddress.ts";
import { annotateColumnTypes } from "./trino-scope.ts";
import { refuseMapGrouping } from "./map-grouping.ts";
import {
  ifWithoutElse,
  listaggWithinGroup,
  stringCastToJson,
  unicodeStrings,
  valuesRows,
} from "./trino-syntax.ts";
import { guardTry } from "./trino-try.ts";
import { trinoContainerTypes } from "./trino-types.ts";
import { isZoned, zonedComparison, zonedLiteral } from "./trino-zoned.ts";

export interface RewriteOptions {
  /** Lower-cased names (`table`, `schema.table`, `catalog.schema.table`) that mean cloudtrail_logs. */
  aliases: Set<string>;
  /** Where the table resolves to. */
  target: { catalog: string; schema: string; table: string };
  /** Replacement nodes for `?`/`$n` parameters, by identifier ("1", "2", ...). */
  parameters?: Map<string, Node>;
  /**
   * The types the `$n` parameters are bound with (INTEGER, BIGINT, DECIMAL(w,s)), by identifier:
   * the parameter becomes a cast to it, so that the rewrite sees `{{n}} / 3` as integers and
   * `{{x}} / 3` as a decimal division, as Athena types the literal it gets.
   */
  parameterTypes?: Map<string, string>;
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
    } else if (two === "--" || two === "/*") {
      // As Trino's grammar reads them (DuckDB ends a line comment at a carriage return too).
      end = sqlCommentEnd(sql, i);
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

/** An integer literal in hexadecimal, octal or binary, as Trino's grammar reads one. */
const RADIX_INTEGER =
  /(?<![\w$.])0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)(?![\w$])/g;

/**
 * A hexadecimal, octal or binary literal's value in decimal. Trino's LongLiteral parses a long,
 * so one past bigint is its parse error (DuckDB read the decimal as a HUGEINT and answered).
 */
function radixInteger(text: string): string {
  const value = BigInt(`0${text[1]?.toLowerCase()}${text.slice(2).replaceAll("_", "")}`);
  if (value > 9223372036854775807n) {
    throw new RunMdError("sql-syntax", `Invalid numeric literal: ${text}`, {
      hint: "An integer literal is a bigint on Athena (Trino), at most 0x7FFFFFFFFFFFFFFF.",
    });
  }
  return value.toString();
}

/** A decimal integer literal (digits, `_` between them), not part of a name or a decimal. */
const DECIMAL_INTEGER = /(?<![\w$.])\d(?:_?\d)*(?![\w$.])/g;

/** Words after which a minus is a sign: they end no operand. */
const SIGN_AFTER =
  /(?:^|[^\w$])(?:select|where|and|or|not|when|then|else|by|on|having|between|like|all|distinct|case|return)$/i;

/**
 * A decimal integer literal past bigint is Trino's parse error, as a hexadecimal one is: its
 * grammar reads `MINUS? INTEGER_VALUE` as one literal, a LongLiteral of a Java long, so
 * `-9223372036854775808` is bigint's least value and `9223372036854775808`, alone or after a
 * subtraction's minus, is "Invalid numeric literal". DuckDB read it as a HUGEINT (past 39 digits a
 * DOUBLE) and answered.
 */
function decimalIntegers(code: string): string {
  return code.replace(DECIMAL_INTEGER, (text: string, offset: number) => {
    const value = BigInt(text.replaceAll("_", ""));
    if (value <= 9223372036854775807n) return text;
    const literal = signed(code.slice(0, offset)) ? `-${text}` : text;
    if (value === 9223372036854775808n && literal !== text) return text;
    throw new RunMdError("sql-syntax", `Invalid numeric literal: ${literal}`, {
      hint: "An integer literal is a bigint on Athena (Trino), from -9223372036854775808 to 9223372036854775807: write DECIMAL '...' for a larger number (up to 38 digits).",
    });
  });
}

/**
 * Whether the text before a number ends with a minus that is its sign (after an operator, a
 * parenthesis, a comma or a keyword), not a subtraction's. Nothing before the minus in this
 * stretch of code: a string, a quoted name or a comment ends there, taken as an operand.
 */
function signed(before: string): boolean {
  const trimmed = before.trimEnd();
  if (!trimmed.endsWith("-")) return false;
  const operand = trimmed.slice(0, -1).trimEnd();
  return /[(,[=<>+\-*/%|]$/.test(operand) || SIGN_AFTER.test(operand);
}

/**
 * Block comments blanked (their newlines kept, so positions stay). Trino ends one at the first
 * star-slash after it, DuckDB nests them: with a second opener inside a comment, the text after
 * the first closer (`OR true`) was a comment to DuckDB and part of the query to Trino, so the
 * check passed it and the local engine ran without it (found by a red-team review). mapCode reads
 * comments, strings and quoted names as Trino's lexer does.
 */
export function trinoComments(sql: string): string {
  return mapCode(
    sql,
    (code) => code,
    (other) => (other.startsWith("/*") ? other.replace(/[^\n]/g, " ") : other),
  );
}

/**
 * Trino syntax DuckDB's parser rejects, fixed in the text (outside strings and comments). `trino`:
 * also the length and precision markers that only the Trino rewrite resolves (trino-ast.ts).
 */
export function prePass(sql: string, trino = true): string {
  return mapCode(sql, (code) => {
    const fixed = trinoContainerTypes(code)
      // ARRAY(JSON) -> JSON[] ; ARRAY<varchar> -> varchar[] (also where no AS comes before)
      .replace(/\bARRAY\s*\(\s*([A-Za-z_][\w]*(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)\s*\)/gi, "$1[]")
      .replace(/\bARRAY\s*<\s*([A-Za-z_][\w]*)\s*>/gi, "$1[]")
      // TABLESAMPLE BERNOULLI (10): DuckDB reads a bare number as a row count.
      .replace(
        /\bTABLESAMPLE\s+(BERNOULLI|SYSTEM)\s*\(\s*([\d.]+)\s*\)/gi,
        "TABLESAMPLE $1($2 PERCENT)",
      )
      // default.cloudtrail_logs: DEFAULT is reserved in DuckDB's grammar, not in Trino's.
      .replace(/(?<![\w$])default(?=\s*\.)/gi, '"default"');
    if (!trino) return fixed;
    // FETCH FIRST n ROWS WITH TIES: DuckDB's parser has no WITH TIES ("syntax error at WITH").
    if (/\bROWS?\s+WITH\s+TIES\b/i.test(fixed)) {
      throw new RunMdError(
        "sql-error",
        "FETCH FIRST ... WITH TIES is not supported locally (DuckDB has no WITH TIES).",
        {
          hint: "The query runs on Athena as written; for the same rows locally, keep those whose rank() OVER (ORDER BY ...) is at most n in a subquery.",
        },
      );
    }
    return decimalIntegers(
      fixed
        // CHAR(n): DuckDB's parser drops the length; a marker type keeps it for charCast (trino-ast.ts).
        .replace(/\bAS\s+CHAR\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${CHAR_MARKER}$1`)
        .replace(/\bAS\s+VARCHAR\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${VARCHAR_MARKER}$1`)
        .replace(/\bAS\s+TIMESTAMP\s*\(\s*(\d+)\s*\)(?=\s*\))/gi, `AS ${TIMESTAMP_MARKER}$1`)
        // 0x10, 0o17, 0b101 (digits may be split by _): Trino's integers, DuckDB's `0 AS x10`.
        .replace(RADIX_INTEGER, radixInteger)
        // lag(x) IGNORE NULLS OVER (...): Trino writes the null treatment after the call, DuckDB
        // inside it (lag(x IGNORE NULLS)), with the same meaning; its parser refused Trino's.
        .replace(/\)(\s*)(IGNORE|RESPECT)(\s+)NULLS(?=\s*OVER\b)/gi, " $2 NULLS)$1"),
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
    if (qualifiedInterval(parts, i)) continue;
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

const DAY_TIME_FIELDS = ["DAY", "HOUR", "MINUTE", "SECOND"] as const;
/** Each field's size in milliseconds and the separator before it in a literal's text. */
const FIELD_MS = [86_400_000, 3_600_000, 60_000, 1000];
const FIELD_SEP = ["", " ", ":", ":"];

/**
 * `INTERVAL '03:04' HOUR TO MINUTE`, `INTERVAL '12 10' DAY TO MINUTE` (DuckDB's parser rejects
 * the qualifier) → `to_minutes(184)` (a count of the last field's unit; `to_microseconds` when
 * seconds have a fraction), at parts[i] (the literal) between parts[i - 1] and parts[i + 1]. As
 * in Trino the text gives the fields from the first; the ones left out are zero.
 */
function qualifiedInterval(parts: { code: boolean; text: string }[], i: number): boolean {
  const [prev, lit, next] = [parts[i - 1], parts[i], parts[i + 1]];
  const kw = prev?.code ? /\bINTERVAL\s*$/i.exec(prev.text) : null;
  const unit = next?.code
    ? /^\s*(DAY|HOUR|MINUTE|SECOND)\s+TO\s+(DAY|HOUR|MINUTE|SECOND)\b/i.exec(next.text)
    : null;
  if (!prev || !lit || lit.code || !next || !kw || !unit) return false;
  const from = DAY_TIME_FIELDS.indexOf(unit[1]?.toUpperCase() as "DAY");
  const to = DAY_TIME_FIELDS.indexOf(unit[2]?.toUpperCase() as "DAY");
  const ms = to >= from ? dayTimeMillis(lit.text, from, to) : undefined;
  if (ms === undefined) {
    const qualifier = `${unit[1]} TO ${unit[2]}`.toUpperCase();
    throw new RunMdError("sql-syntax", `Invalid INTERVAL ${qualifier} value: ${lit.text}`, {
      hint: "Trino reads day-time interval text as D HH:MM:SS.fff from the first field of the qualifier.",
    });
  }
  // DuckDB's to_microseconds, not to_milliseconds: that name is Trino's (of an interval).
  const fraction = ms % 1000n !== 0n;
  const [fn, n] = fraction
    ? ["to_microseconds", ms * 1000n]
    : [`to_${["days", "hours", "minutes", "seconds"][to]}`, ms / BigInt(FIELD_MS[to] ?? 1)];
  prev.text = prev.text.slice(0, kw.index);
  lit.text = `${fn}(CAST(${n} AS BIGINT))`;
  next.text = next.text.slice(unit[0].length);
  return true;
}

/** Milliseconds of a day-time literal's text ('-1 02:03:04.5') with fields from..to, or undefined. */
function dayTimeMillis(text: string, from: number, to: number): bigint | undefined {
  let pattern = "";
  for (let f = to; f >= from; f--) {
    const digits = f === 3 ? "(\\d+)(?:\\.(\\d{1,3}))?" : "(\\d+)";
    pattern = f === from ? `${digits}${pattern}` : `(?:${FIELD_SEP[f]}${digits}${pattern})?`;
  }
  const m = new RegExp(`^'\\s*([+-]?)${pattern}\\s*'$`).exec(text);
  if (!m) return undefined;
  let ms = 0n;
  for (let f = from; f <= to; f++) ms += BigInt(m[2 + f - from] ?? 0) * BigInt(FIELD_MS[f] ?? 0);
  if (to === 3) ms += BigInt((m[2 + to - from + 1] ?? "").padEnd(3, "0"));
  return m[1] === "-" ? -ms : ms;
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
  const json = await callPrepared(conn, "SELECT json_serialize_sql($1::VARCHAR)", sql);
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
  return callPrepared(conn, "SELECT json_deserialize_sql($1::JSON)", text);
}

let templateCache: Node | undefined;

async function unnestTemplate(conn: DuckDBConnection): Promise<Node> {
  if (!templateCache) {
    const { statement } = await parseSelect(
      conn,
      "SELECT * FROM (SELECT unnest(__runmd_x__, max_depth := 2)) AS t",
    );
    templateCache = (statement.node.from_table as Node).subquery as Node;
  }
  return clone(templateCache);
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

/** Athena SQL's text made readable to DuckDB's parser as Trino reads it (rewriteAthena). */
function trinoTextPasses(sql: string, aliases: RewriteOptions["aliases"]): string {
  const text = expandRowStars(unicodeStrings(trinoComments(sql)), aliases);
  return prePass(
    decimalLiterals(valuesRows(listaggWithinGroup(ifWithoutElse(stringCastToJson(text))))),
  );
}

/** The Trino rewrites of the parsed tree that come before the walk (rewriteAthena). */
function trinoTreePasses(root: Node, aliases: RewriteOptions["aliases"]): Node {
  // A WITH query's or subquery's row's .* becomes its fields first: ORDER BY and outer queries see them.
  expandDerivedRowStars(root, aliases);
  // A HAVING name that is also a select alias is the column, qualified before DuckDB reads the alias.
  havingColumns(root, aliases);
  // First: the copies it makes of select expressions go through every pass below.
  orderByOutputColumns(root);
  // Column types before the row comparisons (a CTE's array column in an IN list) and after (the
  // copies of references they make).
  annotateColumnTypes(root);
  const node = rowComparisons(root) as Node;
  annotateColumnTypes(node);
  // Where the column types show a map: its grouping or deduplication is refused (map-grouping.ts).
  refuseMapGrouping(node);
  annotateLambdaDepths(node);
  return node;
}

/** What the walk of one statement finds and changes (rewriteAthena). */
interface RewriteState {
  opts: RewriteOptions;
  ctes: Set<string>;
  tables: number;
  parameterIds: Set<string>;
  warnings: string[];
  refs: string[][];
  tableAliases: Set<string>;
  targets: Set<Node>;
  star: boolean;
  template: Node;
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
  /** Each result column's timestamp precision, where the tree shows one other than 3. */
  precisions: (number | undefined)[];
}> {
  const { statement } = await parseSelect(
    conn,
    opts.trinoFunctions ? trinoTextPasses(sql, opts.aliases) : prePass(sql, false),
  );
  const st: RewriteState = {
    opts,
    ctes: new Set<string>(),
    tables: 0,
    parameterIds: new Set<string>(),
    warnings: [],
    refs: [],
    tableAliases: new Set<string>(),
    targets: new Set<Node>(),
    star: false,
    template: await unnestTemplate(conn),
  };
  collectCteNames(statement.node, st.ctes);
  if (opts.trinoFunctions) statement.node = trinoTreePasses(statement.node, opts.aliases);
  statement.node = visit(statement.node, st) as Node;
  if (opts.trinoFunctions) statement.node = bindOuterColumns(statement.node, opts.target.table);
  // DuckDB SQL may name DuckDB's own column names ("count_star()", col0) below the top.
  nameUnaliasedColumns(statement.node, opts.trinoFunctions !== undefined);
  if (opts.trinoFunctions) nameValuesColumns(statement.node);
  // Last: the step's calls of value-growing functions go through their size guards (bounds.ts).
  statement.node = guardGrowth(statement.node) as Node;
  // And a macro call whose expansion would be too large binds its arguments once.
  statement.node = bindExpanding(statement.node) as Node;
  const pruneSql = await partitionFilterSql(
    conn,
    statement.node,
    st.targets,
    opts.partitionColumns,
  );
  const out = await deserialize(conn, statement);
  return {
    sql: opts.trinoFunctions ? keywordLambdas(out) : out,
    tables: st.tables,
    parameterIds: st.parameterIds,
    warnings: st.warnings,
    refs: st.star ? "all" : st.refs,
    tableAliases: st.tableAliases,
    pruneSql,
    precisions: opts.trinoFunctions ? resultPrecisions(statement.node) : [],
  };
}

/**
 * The precision of each result column the top SELECT's list shows a timestamp of, when not 3:
 * Athena prints that many fraction digits, the values three. Fewer than 3 always (the value is
 * rounded to them); 4 to 6 only for a literal's text (`TIMESTAMP '...1236'`, `CAST('...' AS
 * timestamp(6))`): a Trino timestamp(3) expression holds microseconds here, which Trino has not
 * (`CAST(from_iso8601_timestamp('...123456Z') AS timestamp(6))` is .123000; found by review), and
 * DuckDB keeps no digit past the sixth. None for a `*`, which moves the columns, or a set operation.
 */
function resultPrecisions(node: Node): (number | undefined)[] {
  if (node.type !== "SELECT_NODE") return [];
  const list = node.select_list as Node[];
  if (list.some((x) => x.class === "STAR" || x.class === "COLUMNS")) return [];
  return list.map((x) => {
    const p = timestampPrecision(x);
    if (p === undefined || p === 3) return undefined;
    return p < 3 || (p <= 6 && fromLiteralText(x)) ? p : undefined;
  });
}

/** Whether a timestamp expression is a literal's text, cast and rounded (no other source). */
function fromLiteralText(x: Node): boolean {
  const name = String(x.function_name ?? "");
  if (x.class === "FUNCTION" && (name === "trino_timestamp_round" || TIMESTAMP_CASTS.has(name)))
    return fromLiteralText((x.children as Node[])[0] as Node);
  if (x.class === "CAST") return fromLiteralText(x.child as Node);
  return x.class === "CONSTANT";
}

/** The walk: children first, then the node itself, pass by pass. */
function visit(v: unknown, st: RewriteState): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = visit(v[i], st);
    return v;
  }
  if (!isNode(v)) return v;
  for (const [k, x] of Object.entries(v)) v[k] = visit(x, st);
  if (v.type === "BASE_TABLE") return visitTable(v, st);
  if (v.class === "STAR" || v.class === "COLUMNS" || v.type === "SHOW_REF") st.star = true;
  if (v.class === "COLUMN_REF") {
    st.refs.push((v.column_names as string[]).map((n) => String(n).toLowerCase()));
    const json = st.opts.jsonColumns ? jsonColumnAccess(v, st) : undefined;
    if (json) return json;
  }
  if (v.class === "PARAMETER") {
    const id = String(v.identifier);
    st.parameterIds.add(id);
    const rep = st.opts.parameters?.get(id);
    if (rep) return clone(rep);
    const type = typeNode(st.opts.parameterTypes?.get(id));
    if (!type) return v;
    return {
      class: "CAST",
      type: "OPERATOR_CAST",
      alias: v.alias,
      query_location: v.query_location ?? 0,
      child: { ...v, alias: "" },
      cast_type: type,
      try_cast: false,
    };
  }
  const trino = st.opts.trinoFunctions ? trinoNode(v) : undefined;
  if (trino) return trino;
  if (st.opts.trinoFunctions && v.class === "WINDOW") {
    const mapAggregate = rewriteMapAggregate(v);
    if (mapAggregate) return mapAggregate;
    renameAggregate(v);
    const sum = checkedSum(v);
    if (sum) return sum;
  }
  if (st.opts.trinoFunctions && v.class === "OPERATOR" && v.type === "ARRAY_EXTRACT") {
    const strict = arraySubscript(v) ?? mapSubscript(v);
    if (strict) return strict;
  }
  // DuckDB's grammar writes SUBSTRING(x FROM a FOR b), EXTRACT and AT TIME ZONE as main.<name>.
  if (v.class === "FUNCTION" && MAIN_SCHEMA.has(String(v.function_name)) && v.schema === "main")
    v.schema = "";
  if (v.class === "FUNCTION" && typeof v.function_name === "string" && v.schema === "") {
    return rewriteFunction(v, st.opts);
  }
  if (v.type === "TABLE_FUNCTION") {
    if (st.opts.trinoFunctions) nameUnnestColumns(v);
    return rewriteUnnest(v, st.template);
  }
  return v;
}

/** DuckDB's serialized type for INTEGER, BIGINT or DECIMAL(w,s); undefined for others. */
function typeNode(name: string | undefined): Node | undefined {
  if (name === "INTEGER" || name === "BIGINT") return { id: name, type_info: null };
  const d = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(name ?? "");
  if (!d) return undefined;
  return {
    id: "DECIMAL",
    type_info: {
      type: "DECIMAL_TYPE_INFO",
      alias: "",
      extension_info: null,
      width: Number(d[1]),
      scale: Number(d[2]),
    },
  };
}

const MAIN_SCHEMA = new Set(["substring", "date_part", "timezone", "trim", "ltrim", "rtrim"]);

/** A reference to cloudtrail_logs (by any of its names; not a CTE of that name) → the target. */
function visitTable(v: Node, st: RewriteState): Node {
  const parts = [v.catalog_name, v.schema_name, v.table_name]
    .filter((p): p is string => typeof p === "string" && p !== "")
    .map((p) => p.toLowerCase());
  const full = parts.join(".");
  const isCte = parts.length === 1 && st.ctes.has(full);
  if (isCte || !st.opts.aliases.has(full)) return v;
  st.tables++;
  st.targets.add(v);
  v.catalog_name = st.opts.target.catalog;
  v.schema_name = st.opts.target.schema;
  v.table_name = st.opts.target.table;
  // Keep the name it was written with usable as a qualifier (FROM cloudtrail t / FROM x.tbl).
  if (v.alias === "") v.alias = String(parts[parts.length - 1]);
  st.tableAliases.add(String(v.alias).toLowerCase());
  return v;
}

/**
 * `requestparameters.bucketName` (dot access into a JSON text column, a local-engine extension)
 * → json_extract_string(requestparameters, '$."bucketName"'), with a warning saying what to write
 * on Athena. Undefined when the reference is not one.
 */
function jsonColumnAccess(v: Node, st: RewriteState): Node | undefined {
  const names = v.column_names as string[];
  const at = names.findIndex(
    (n, i) => i < names.length - 1 && st.opts.jsonColumns?.has(n.toLowerCase()),
  );
  if (at < 0 || at > 1) return undefined;
  const fields = names.slice(at + 1);
  const text = names.slice(0, at + 1).join(".");
  const column = names[at]?.toLowerCase();
  const note = `${text}.${fields.join(".")}: dot access into the JSON text column ${column} is a local-engine extension; on Athena's documented table write json_extract_scalar(${column}, '$.${fields.join(".")}')`;
  if (!st.warnings.includes(note)) st.warnings.push(note);
  const colRef = { ...v, column_names: names.slice(0, at + 1), alias: "" };
  const path = `$.${fields.map((f) => `"${f.replaceAll('"', '\\"')}"`).join(".")}`;
  return callNode("json_extract_string", [colRef, strConst(path)], {
    alias: v.alias === "" ? String(fields[fields.length - 1]) : v.alias,
    query_location: v.query_location,
  });
}

/**
 * Trino semantics of constants, operators, comparisons and casts (trino-ast.ts); Athena SQL only.
 * Undefined for other nodes.
 */
function trinoNode(v: Node): Node | undefined {
  if (v.class === "CONSTANT") return keepDouble(v);
  if (v.class === "BETWEEN") return rewriteBetween(zonedComparison(v));
  if (v.class === "COMPARISON")
    return rewriteArrayOrdering(rewriteArrayEquality(rewriteMapEquality(zonedComparison(v))));
  if (v.class === "CAST") return containerCast(v, trinoCast) ?? trinoCast(v);
  if (v.class === "OPERATOR" && v.type === "OPERATOR_TRY") return guardTry(v);
  if (v.class === "OPERATOR" && v.type === "OPERATOR_COALESCE") return conditionalCoalesce(v);
  if (v.class === "FUNCTION") {
    checkCharConcat(v);
    const appended = arrayElementConcat(v);
    if (appended) return appended;
  }
  if (v.class === "FUNCTION" && v.is_operator === true) return rewriteArithmetic(v);
  const sum = checkedSum(v);
  if (sum) return sum;
  if (v.class === "FUNCTION" && v.function_name === "avg") return rewriteDecimalAvg(v);
  return undefined;
}

/** A cast with Trino's semantics: of a scalar, or a container's whole (trino-container-cast.ts). */
function trinoCast(v: Node): Node {
  return (
    ipAddressCast(v) ??
    zonedCast(v) ??
    rewriteScalarCast(
      charCast(rewriteTimestampCast(rewriteToJsonCast(rewriteToVarcharCast(rewriteJsonCast(v))))),
    )
  );
}

/** Macros that raise a Trino error or refuse, in their body or a macro they call. */
const RAISING = macrosWhoseBodies(/\btrino_(raise|refuse)\(/i);

/**
 * `coalesce(a, b, ...)` whose later arguments may raise, as `CASE WHEN a IS NOT NULL THEN a ELSE
 * coalesce(b, ...) END`: DuckDB's common-subexpression pass moved a call named twice out of a
 * COALESCE (not out of a CASE's branches) and ran it for every row, so a refusal or a Trino error
 * no row needed failed the query (found by review). Undefined for another COALESCE.
 */
function conditionalCoalesce(v: Node): Node | undefined {
  const [first, ...rest] = v.children as Node[];
  if (!first || rest.length === 0 || !rest.some(mayRaise)) return undefined;
  // The first argument is named twice: a random one would be drawn twice (found by review).
  if (callsAny(first, RANDOM)) return undefined;
  const tail: Node =
    rest.length === 1
      ? (rest[0] as Node)
      : (conditionalCoalesce({ ...v, alias: "", children: rest }) ?? {
          ...v,
          alias: "",
          children: rest,
        });
  const notNull = notNullNode(first);
  return {
    class: "CASE",
    type: "CASE_EXPR",
    alias: v.alias,
    query_location: v.query_location ?? 0,
    case_checks: [{ when_expr: notNull, then_expr: first }],
    else_expr: { ...tail, alias: "" },
  };
}

/** Trino's functions that draw a new value at each call (macros or DuckDB's own). */
const RANDOM = new Set(["rand", "random", "uuid", "shuffle"].flatMap((f) => [f, `trino_${f}`]));

/** Whether an expression calls a macro that may raise (RAISING). */
function mayRaise(v: unknown): boolean {
  return callsAny(v, RAISING);
}

/** Whether an expression calls a function of `names` (lower-case). */
function callsAny(v: unknown, names: ReadonlySet<string>): boolean {
  if (Array.isArray(v)) return v.some((x) => callsAny(x, names));
  if (!isNode(v)) return false;
  if (v.class === "FUNCTION" && names.has(String(v.function_name).toLowerCase())) return true;
  return Object.values(v).some((x) => callsAny(x, names));
}

/** The fields of the CloudTrail table's array of rows, `resources` (arn, accountid, type). */
const RESOURCE_FIELDS = (
  RECORD_FIELDS.find((f) => f.name === "resources") as { fields: { name: string }[] }
).fields.map((f) => f.name.toLowerCase());

/**
 * An UNNEST without a column list, named as Trino names it: `UNNEST(resources) AS r` has the
 * columns arn, accountid and type (a row's fields), wherever the array comes from (the table, a
 * CTE or a subquery passing the column on, an EXISTS over it); a map its keys and values; other
 * values, and the ordinal, have no name (`_colN` in the result). DuckDB would name them `unnest`
 * and `ordinality`, and keep the row whole. Another array named resources is refused when it has
 * not three fields (engine.ts: the message says to give it a column list).
 */
function nameUnnestColumns(t: Node): void {
  const fn = t.function as Node | undefined;
  if (!fn || String(fn.function_name).toLowerCase() !== "unnest") return;
  if ((t.column_name_alias as string[] | undefined)?.length) return;
  const args = (fn.children as Node[]).filter((a) => a.alias === "");
  const resources = args.length === 1 && isResources(args[0] as Node);
  // A map gives two columns, its keys and its values.
  const names = resources
    ? [...RESOURCE_FIELDS]
    : args.flatMap((a, i) =>
        isMapValue(a)
          ? [`${ANONYMOUS_COLUMN}_u${i}k`, `${ANONYMOUS_COLUMN}_u${i}v`]
          : [`${ANONYMOUS_COLUMN}_u${i}`],
      );
  if (t.with_ordinality === "WITH_ORDINALITY") names.push(`${ANONYMOUS_COLUMN}_ordinality`);
  t.column_name_alias = names;
  // Column names without a table alias are not written back as SQL DuckDB reads.
  if (!t.alias) t.alias = "unnest";
}

/** Whether an UNNEST argument is a column named resources (read as the table's: its rows' fields). */
function isResources(arg: Node): boolean {
  return (
    arg.class === "COLUMN_REF" &&
    String((arg.column_names as string[]).at(-1)).toLowerCase() === "resources"
  );
}

/**
 * `UNNEST(resources) AS r(...)` names each field of the rows (Trino) or the whole row once
 * (Athena's CloudTrail guide), one more WITH ORDINALITY; another count is refused as the check
 * refuses it (DuckDB named the first fields and answered).
 */
function resourcesAliases(t: Node, given: number): void {
  const ordinal = t.with_ordinality === "WITH_ORDINALITY" ? 1 : 0;
  if (given === 0 || given === 1 + ordinal || given === RESOURCE_FIELDS.length + ordinal) return;
  throw new RunMdError(
    "sql-invalid",
    `Column alias list has ${given} entries but '${t.alias}' has ${RESOURCE_FIELDS.length + ordinal} columns available (resources' rows have ${RESOURCE_FIELDS.length} fields, ${RESOURCE_FIELDS.join(", ")}: name each, or name the whole row once, as in r(res), and read res.arn)`,
  );
}

/**
 * Trino's UNNEST(array_of_row) AS t(a, b, c) expands the row's fields into columns, and
 * UNNEST(a1, a2) AS t(x, y) zips arrays; DuckDB binds one column per argument.
 */
function rewriteUnnest(t: Node, template: Node): Node {
  const fn = t.function as Node | undefined;
  if (!fn || String(fn.function_name).toLowerCase() !== "unnest") return t;
  const args = (fn.children as Node[]).filter((a) => a.alias === "");
  const aliases = t.column_name_alias as string[];
  const ordinality = t.with_ordinality === "WITH_ORDINALITY";
  const expected = args.length + (ordinality ? 1 : 0);
  if (args.length === 1 && isResources(args[0] as Node)) resourcesAliases(t, aliases.length);
  // One array (not a map) without a column list for the fields of its rows is DuckDB's own UNNEST.
  if (aliases.length <= expected && args.length === 1 && !isMapValue(args[0] as Node)) return t;
  const sub = clone(template);
  const node = sub.node as Node;
  const proto = (node.select_list as Node[])[0] as Node;
  // A map is unnested as its entries, each a key and a value (DuckDB unnests no map). One array's
  // rows, and a map's entries, expand into their fields, one level (max_depth := 2: recursive
  // also expanded a row inside the row); several arrays are zipped, each value whole.
  const lists = args.map((a) => (isMapValue(a) ? callNode("map_entries", [a], { alias: "" }) : a));
  const list = lists.map((a, i) => {
    const u = clone(proto);
    if (args.length === 1 || a !== args[i]) (u.children as Node[])[0] = a;
    else u.children = [a];
    return u;
  });
  // The ordinal unnested beside them, 1 to the longest's length: DuckDB zips a select list's
  // unnests. DuckDB's own ordinal kept a row whole, so `AS r(a, b, c, n)` made b the ordinal, and
  // it refused two arrays (found by review).
  if (ordinality) {
    const lengths = lists.map((a) => callNode("len", [clone(a)], { alias: "" }));
    const count = callNode("greatest", lengths, { alias: "" });
    const series = callNode("generate_series", [intConst(1), count], { alias: "" });
    list.push(callNode("unnest", [series], { alias: "" }));
  }
  node.select_list = list;
  return {
    type: "SUBQUERY",
    alias: t.alias,
    sample: null,
    query_location: t.query_location,
    subquery: sub,
    column_name_alias: aliases,
  };
}

/**
 * A zoned TIMESTAMP literal, or a cast of a value the tree shows is zoned: to VARCHAR its text
 * (trino-zoned.ts), to DATE or TIME its local time's. Undefined for other casts.
 */
function zonedCast(v: Node): Node | undefined {
  const literal = zonedLiteral(v);
  if (literal) return literal;
  const child = v.child as Node;
  if (v.try_cast === true || !isZoned(child)) return undefined;
  const id = (v.cast_type as Node).id;
  if (id === "VARCHAR") return callNode("trino_tz_text", [child], v);
  if (id === "DATE" || id === "TIME") v.child = callNode("trino_tz_local", [child], { alias: "" });
  return undefined;
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

/**
 * Athena labels a column without a name `_colN`, N its 0-based position in the query's output
 * (after `*` expands): an unaliased expression, at any depth (`SELECT * FROM (SELECT 1 + 1)`), and
 * a column of a VALUES list without names. The rewrite names them ANONYMOUS_COLUMN...; the result
 * is labelled by position (athenaColumnName). Column references keep their name.
 */
export const ANONYMOUS_COLUMN = "__runmd_anonymous";

/** The name Athena gives the result column `name` at position `i`. */
export function athenaColumnName(name: string, i: number): string {
  return name.startsWith(ANONYMOUS_COLUMN) ? `_col${i}` : name;
}

/**
 * The unaliased expressions of every SELECT (`deep`), or of the top one only, named
 * ANONYMOUS_COLUMN_<i> (unique in its list).
 */
function nameUnaliasedColumns(v: unknown, deep: boolean): void {
  if (Array.isArray(v)) {
    for (const x of v) nameUnaliasedColumns(x, deep);
    return;
  }
  if (!isNode(v)) return;
  if (v.type === "SET_OPERATION_NODE" && !deep) {
    nameUnaliasedColumns(v.left, deep);
    return;
  }
  if (v.type === "SELECT_NODE")
    (v.select_list as Node[]).forEach((item, i) => {
      if (item.alias === "" && item.class !== "COLUMN_REF" && item.class !== "STAR")
        item.alias = `${ANONYMOUS_COLUMN}_${i}`;
    });
  if (deep) for (const x of Object.values(v)) nameUnaliasedColumns(x, deep);
}

/**
 * The columns of a VALUES list named ANONYMOUS_COLUMN_<i> (DuckDB: `col0`); a list given column
 * names (`AS t(a, b)`) keeps them, they rename these.
 */
function nameValuesColumns(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) nameValuesColumns(x);
    return;
  }
  if (!isNode(v)) return;
  const n = v as Node;
  const rows = n.values as unknown[][] | undefined;
  const names = n.expected_names as string[] | undefined;
  if (n.type === "EXPRESSION_LIST" && names?.length === 0 && rows?.[0])
    n.expected_names = rows[0].map((_, i) => `${ANONYMOUS_COLUMN}_${i}`);
  for (const x of Object.values(n)) nameValuesColumns(x);
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
