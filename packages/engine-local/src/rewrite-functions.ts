/**
 * Function calls of Athena SQL on DuckDB (rewriteAthena's walk calls `rewriteFunction` for each):
 * constant formats and JSON paths translated, lambda-taking functions, zoned timestamps, then the
 * Trino macros (`trino_<name>`, trino.ts) called in place of DuckDB's built-ins. Each group of
 * functions is one pass; a pass returns the finished call, or undefined to go on to the macros
 * (after changing the call in place where it needs to).
 */
import { RunMdError } from "@run-md/core";
import { rewriteMapAggregate } from "./map-aggregates.ts";
import type { RewriteOptions } from "./rewrite.ts";
import { clone, constValue, type Node, setConst } from "./tree.ts";
import { jodaFormat, jsonPath, mysqlFormat, TRINO_PREFIX, TYPED_FUNCTIONS } from "./trino.ts";
import {
  bindFirst,
  callNode,
  checkReplacement,
  extractField,
  hasAggregate,
  intConst,
  javaNamedGroups,
  javaReplacement,
  normalizeCall,
  notNullNode,
  regexpExtractByGroup,
  regexpExtractGroup,
  rewriteArithmetic,
  rewriteLambdaCall,
  strptimeCall,
  timestampPrecision,
  trimChar,
  twoDigitYearPivot,
  zonedParse,
} from "./trino-ast.ts";
import { formatCall } from "./trino-format.ts";
import { rewriteJsonPath } from "./trino-json-path.ts";
import {
  rewriteArraySort,
  rewriteMapLambda,
  rewriteMapZipWith,
  rewriteZipWith,
} from "./trino-map-lambda.ts";
import { joniRegex } from "./trino-regex-end.ts";
import { zonedFunction, zonedStrftime } from "./trino-zoned.ts";

export function rewriteFunction(f: Node, opts: RewriteOptions): Node {
  const name = (f.function_name as string).toLowerCase();
  if (name.startsWith("regexp_")) {
    javaNamedGroups(f);
    if (opts.trinoFunctions) joniRegex(f, name);
  }
  if (opts.trinoFunctions) {
    const zoned = zonedFunction(f, name, hasAggregate, timestampPrecision);
    if (zoned) return zoned;
  }
  const percentile = opts.trinoFunctions ? approxPercentile(f) : undefined;
  if (percentile) return percentile;
  if (opts.trinoFunctions && renameAggregate(f)) return f;
  const mapAggregate = opts.trinoFunctions ? rewriteMapAggregate(f) : undefined;
  if (mapAggregate) return mapAggregate;
  const done = timeCall(f, name, opts) ?? textCall(f, name, opts) ?? lambdaCall(f, name);
  return done ?? trinoMacro(f, opts);
}

/**
 * approx_percentile(x, p) (a call, not a window's) → trino_runmd_percentile(list(x), p), with the
 * call's FILTER and DISTINCT on list: Trino's answer while its t-digest holds each value alone
 * (trino.ts). An ARRAY of percentiles gives trino_runmd_percentiles. Undefined for other calls.
 */
function approxPercentile(f: Node): Node | undefined {
  const args = f.children as Node[];
  if (String(f.function_name).toLowerCase() !== "approx_percentile" || args.length !== 2)
    return undefined;
  const [x, p] = args as [Node, Node];
  const many =
    p.type === "ARRAY_CONSTRUCTOR" || /^(list_value|array_value)$/.test(String(p.function_name));
  const name = many ? "trino_runmd_percentiles" : "trino_runmd_percentile";
  if (!readsColumns(p)) {
    const values = { ...f, function_name: "list", children: [x], alias: "" };
    return callNode(name, [values, p], f);
  }
  // A percentage read from the rows: Trino keeps the last row's ("use last percentile", in an
  // order no query fixes) and skips a row whose percentage is NULL. The same in every row of a
  // group (a grouped column's) is that one; differing ones are refused (trino.ts
  // runmd_one_percentile). DuckDB refused the column as not grouped.
  const filter = f.filter ? andNode(f.filter as Node, notNullNode(p)) : notNullNode(p);
  const values = { ...f, function_name: "list", children: [x], alias: "", filter };
  const percentages = { ...values, children: [clone(p)], distinct: true };
  const one = callNode("trino_runmd_one_percentile", [percentages], { alias: "" });
  return callNode(name, [values, one], f);
}

/** Whether an expression reads a column (outside its subqueries): a value of each row. */
function readsColumns(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(readsColumns);
  if (v === null || typeof v !== "object") return false;
  const n = v as Node;
  if (n.class === "COLUMN_REF") return true;
  if (n.class === "SUBQUERY") return false;
  return Object.values(n).some(readsColumns);
}

/** `a AND b`. */
function andNode(a: Node, b: Node): Node {
  return {
    class: "CONJUNCTION",
    type: "CONJUNCTION_AND",
    alias: "",
    query_location: 0,
    children: [clone(a), b],
  };
}

/**
 * Trino aggregates that are DuckDB's under another name, renamed in place (a call, or a window's
 * function), so FILTER, DISTINCT and OVER still apply: max_by and min_by keep a NULL value (only
 * count, count_if, max_by, min_by and approx_distinct do not skip NULLs in Trino; DuckDB's arg_max
 * does), count_if counts its TRUE values (0 over no rows), arbitrary is any non-NULL value (DuckDB's arbitrary is first, which may be NULL). The
 * three-argument max_by and min_by are macros (trino.ts). Returns whether it renamed.
 */
export function renameAggregate(f: Node): boolean {
  const args = f.children as Node[];
  const name = String(f.function_name).toLowerCase();
  // approx_distinct(x[, e]) is count(DISTINCT x): Trino's HyperLogLog is exact while sparse
  // (small counts) and within its 2.3% error above; DuckDB's approx_count_distinct said 11 for
  // ten values.
  if (name === "approx_distinct" && (args.length === 1 || args.length === 2)) {
    f.function_name = "count";
    f.distinct = true;
    f.children = args.slice(0, 1);
    return true;
  }
  // count_if(x) is count(CASE WHEN x THEN 1 END) to Trino: 0 over no rows (DuckDB's count_if
  // gave NULL there, so a step's count of matching calls in a quiet window was NULL, not 0).
  if (name === "count_if" && args.length === 1) {
    f.function_name = "count";
    const x = { ...(args[0] as Node), alias: "" };
    f.children = [callNode("nullif", [x, BOOLEAN_FALSE], { alias: "" })];
    return true;
  }
  const renamed = AGGREGATE_NAMES[`${name}/${args.length}`];
  if (renamed) f.function_name = renamed;
  return renamed !== undefined;
}

/** FALSE, for nullif(x, FALSE): x where it is TRUE, NULL where it is FALSE or NULL. */
const BOOLEAN_FALSE: Node = {
  class: "CONSTANT",
  type: "VALUE_CONSTANT",
  alias: "",
  query_location: 0,
  value: { type: { id: "BOOLEAN", type_info: null }, is_null: false, value: false },
};

const AGGREGATE_NAMES: Record<string, string> = {
  "max_by/2": "arg_max_null",
  "min_by/2": "arg_min_null",
  "arbitrary/1": "any_value",
};

/** Functions whose format is translated to DuckDB's while the query is rewritten. */
const FORMATTED = new Set(["date_parse", "parse_datetime", "date_format", "format_datetime"]);

/** A format known only when the query runs (a column, a parameter): DuckDB has no such function. */
function refuseFormat(name: string, format: Node | undefined): void {
  // NULL as the format is Trino's NULL answer; DuckDB's strftime/strptime give it too.
  if (format?.class === "CONSTANT") return;
  throw new RunMdError(
    "sql-error",
    `${name} with a format that is not a constant is not supported locally (the local engine translates the format when it reads the query).`,
    {
      hint: "Write the format as a literal, for example '%Y-%m-%d'; the query runs on Athena as written.",
    },
  );
}

/** date_parse/parse_datetime, EXTRACT, to_iso8601, date_format/format_datetime. */
function timeCall(f: Node, name: string, opts: RewriteOptions): Node | undefined {
  const args = f.children as Node[];
  const fmt = args.length === 2 ? constValue(args[1]) : undefined;
  if (opts.trinoFunctions && fmt === undefined && args.length === 2 && FORMATTED.has(name))
    refuseFormat(name, args[1]);
  switch (name) {
    case "date_parse":
      return fmt === undefined ? undefined : twoDigitYearPivot(strptimeCall(f, mysqlFormat(fmt)));
    case "parse_datetime":
      return fmt === undefined ? undefined : zonedParse(strptimeCall(f, jodaFormat(fmt)));
    case "date_part":
      return extractField(f);
    // date(x) is CAST(x AS date) in Trino: yyyy-MM-dd text only (date(eventtime) is an error).
    case "date":
      return opts.trinoFunctions && args.length === 1
        ? callNode("trino_cast_date", [{ ...(args[0] as Node), alias: "" }], f)
        : undefined;
    // A timestamp of known precision prints that many fraction digits (Trino's to_iso8601).
    case "to_iso8601": {
      const p = args.length === 1 ? timestampPrecision(args[0]) : undefined;
      return p === undefined ? undefined : callNode("trino_iso8601_p", [args[0], intConst(p)], f);
    }
    // date_add keeps a timestamp(p)'s precision: 1 ms added to .55 is still .55.
    case "date_add": {
      const p = args.length === 3 ? timestampPrecision(args[2]) : undefined;
      if (p === undefined || p >= 3 || hasAggregate(args)) return undefined;
      const call = trinoMacro({ ...f, alias: "" }, opts);
      return callNode("trino_tz_cut", [call, intConst(p)], f);
    }
    case "date_format":
    case "format_datetime": {
      if (fmt === undefined) return undefined;
      if (name === "format_datetime") refuseZoneNames(fmt);
      f.function_name = "strftime";
      const duckFormat = name === "date_format" ? mysqlFormat(fmt, true) : jodaFormat(fmt);
      setConst(args[1] as Node, duckFormat);
      if (hasAggregate(args[0])) return undefined;
      // Trino formats from milliseconds, rounded half up (56.5555 prints 56.556); a zoned value
      // formats its local time and its offset (trino-zoned.ts).
      args[0] = callNode("trino_round_ms", [args[0]], { alias: "" });
      return zonedStrftime(f, duckFormat);
    }
  }
  return undefined;
}

/**
 * Joda's longer zone fields print what strftime has not: `ZZ` the offset with a colon (+00:00),
 * `ZZZ` the zone's id (UTC), `zzzz` its long name (Coordinated Universal Time). They printed
 * `+0000`, `+0000+0000` and `UTCUTCUTCUTC` (found by review): refused, outside quoted text.
 */
function refuseZoneNames(fmt: string): void {
  const run = fmt.replace(/'[^']*'?/g, "").match(/Z{2,}|z{4,}/)?.[0];
  if (run === undefined) return;
  throw new RunMdError(
    "sql-error",
    `The Joda pattern field '${run}' in '${fmt}' is not supported locally (format_datetime).`,
    {
      hint: "Use Z for the offset (+0000) or z for the zone's short name (UTC); the query runs on Athena as written.",
    },
  );
}

/** Trino's JSON paths start with `$` (DuckDB would also take a JSON pointer such as `/a`). */
function checkJsonPath(p: string): string {
  if (!p.trim().startsWith("$")) {
    throw new RunMdError("sql-error", `INVALID_FUNCTION_ARGUMENT: Invalid JSON path: '${p}'`);
  }
  return p;
}

/** Trims, regular expressions, normalize, JSON paths, format(). */
function textCall(f: Node, name: string, opts: RewriteOptions): Node | undefined {
  const args = f.children as Node[];
  switch (name) {
    case "ltrim":
    case "rtrim":
    case "trim":
      // One argument: Java's white space (trino.ts); then a CHAR(n) value loses its padding.
      if (opts.trinoFunctions?.has(name) && args.length === 1)
        f.function_name = `${TRINO_PREFIX}${name}`;
      return trimChar(f);
    case "regexp_replace":
      // Java's replacement syntax is Trino's; a dialect=duckdb step keeps DuckDB's.
      if (opts.trinoFunctions) {
        checkReplacement(f);
        javaReplacement(f);
      }
      return undefined;
    case "normalize":
      return normalizeCall(f);
    case "regexp_extract": {
      // A NULL, bigint or column group, or one the pattern lacks (Trino's; a dialect=duckdb
      // step keeps DuckDB's).
      const byGroup = opts.trinoFunctions
        ? regexpExtractByGroup(f, (g) => {
            const one = { ...clone(f), alias: "", children: [...args.slice(0, 2).map(clone), g] };
            const call = regexpExtractGroup(one);
            return call === one ? trinoMacro(one, opts) : call;
          })
        : undefined;
      if (byGroup) return byGroup;
      const call = args.length === 3 ? regexpExtractGroup(f) : f;
      return call === f ? undefined : call;
    }
    case "json_extract_scalar":
    case "json_extract":
    case "json_size":
    case "json_array_length": {
      const path = constValue(args[1]);
      // A path known only when the query runs (a parameter, a column) must read the same in
      // DuckDB and Trino: member names only (trino.ts trino_plain_json_path).
      if (path === undefined && opts.trinoFunctions && args.length === 2)
        args[1] = callNode("trino_plain_json_path", [args[1] as Node], { alias: "" });
      if (path === undefined) return undefined;
      // A dialect=duckdb step keeps DuckDB's paths.
      if (opts.trinoFunctions) rewriteJsonPath(f, path);
      else setConst(args[1] as Node, jsonPath(checkJsonPath(path)));
      return undefined;
    }
    // Trino's format() takes Java's %s/%d/%.2f specifiers, which DuckDB's printf shares
    // (DuckDB's own format() uses {} and would return the pattern unchanged).
    case "format":
      return formatCall(f);
  }
  return undefined;
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

/** Lambda-taking functions, and mod() as the % operator. */
function lambdaCall(f: Node, name: string): Node | undefined {
  switch (name) {
    case "mod":
      return rewriteArithmetic({ ...f, function_name: "%", is_operator: true });
    case "apply":
    case "reduce":
      return rewriteLambdaCall(f, name);
    case "transform":
      f.function_name = "list_transform";
      return undefined;
    case "any_match":
    case "all_match":
    case "none_match":
      return matchCall(f, name);
    case "array_sort":
      return rewriteArraySort(f, clone);
    case "zip_with":
      return rewriteZipWith(f, clone);
    case "map_zip_with":
      return rewriteMapZipWith(f, clone);
    case "map_filter":
    case "transform_keys":
    case "transform_values":
      return rewriteMapLambda(f, name, clone);
  }
  return undefined;
}

/**
 * Functions with a Trino macro are called through it; a typed-overload macro whose arguments hold
 * an aggregate binds them through lambdas first (trino-ast.ts bindFirst).
 */
function trinoMacro(f: Node, opts: RewriteOptions): Node {
  const fname = String(f.function_name).toLowerCase();
  if (!opts.trinoFunctions?.has(fname)) return f;
  // A separator that is not a constant: DuckDB's array_to_string refuses it (trino.ts).
  const separator = (f.children as Node[])[fname === "concat_ws" ? 0 : 1];
  if ((fname === "array_join" || fname === "concat_ws") && separator?.class !== "CONSTANT") {
    f.function_name = `${TRINO_PREFIX}${fname}_dynamic`;
    return f;
  }
  if (hasAggregate(f.children) && TYPED_FUNCTIONS.has(fname))
    return bindFirst(f.children as Node[], `${TRINO_PREFIX}${fname}`, f);
  f.function_name = `${TRINO_PREFIX}${fname}`;
  return f;
}
