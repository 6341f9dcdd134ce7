/**
 * Trino semantics that need the statement's tree rather than a macro (called from rewriteAthena's
 * visit, one function per construct):
 * - DOUBLE constants stay DOUBLE (`1.5E0` would otherwise print back as the DECIMAL `1.5`);
 * - `/` and `%` go through `trino_divide`/`trino_modulo`, whose typed overloads give Trino's integer
 *   division and DIVISION_BY_ZERO, and IEEE Infinity/NaN for doubles (no global integer_division);
 * - decimal division whose operand types are known from the tree (literals, casts, counts) keeps
 *   Trino's DECIMAL result: scale max(s1, s2), rounded half up (`1/3.0` = 0.3);
 * - `CAST(<json> AS VARCHAR)` unquotes a JSON string as Trino does.
 */
import { RunMdError } from "@run-md/core";
import {
  isLosslessNumber,
  parse as parseLossless,
  stringify as stringifyLossless,
} from "lossless-json";
import { namedGroupsRe2 } from "./local-patterns.ts";
import { clone, notNode } from "./tree.ts";
import { offsetPattern } from "./trino.ts";
import { JSON_CAST_ELEMENTS } from "./trino-helpers.ts";
import { packedReduce } from "./trino-map-lambda.ts";

type Node = Record<string, unknown>;

/** `x IS NOT NULL` of a copy of x. */
export function notNullNode(x: Node): Node {
  return {
    class: "OPERATOR",
    type: "OPERATOR_IS_NOT_NULL",
    alias: "",
    query_location: 0,
    children: [clone(x)],
  };
}

export function callNode(name: string, children: unknown[], like: Node): Node {
  return {
    class: "FUNCTION",
    type: "FUNCTION",
    alias: like.alias ?? "",
    query_location: like.query_location ?? 0,
    function_name: name,
    schema: "",
    catalog: "",
    children,
    filter: null,
    order_bys: { type: "ORDER_MODIFIER", orders: [] },
    distinct: false,
    is_operator: false,
    export_state: false,
  };
}

/** `CAST(child AS type)`: a cast node of DuckDB's tree. */
export function cast(child: Node, type: Node, alias: unknown = ""): Node {
  return {
    class: "CAST",
    type: "OPERATOR_CAST",
    alias,
    query_location: child.query_location ?? 0,
    child: { ...child, alias: "" },
    cast_type: type,
    try_cast: false,
  };
}

const decimalType = (width: number, scale: number): Node => ({
  id: "DECIMAL",
  type_info: { type: "DECIMAL_TYPE_INFO", alias: "", extension_info: null, width, scale },
});

export function intConst(n: number): Node {
  return {
    class: "CONSTANT",
    type: "VALUE_CONSTANT",
    alias: "",
    query_location: 0,
    value: { type: { id: "INTEGER", type_info: null }, is_null: false, value: n },
  };
}

/** A DOUBLE constant as CAST(<constant> AS DOUBLE), so that it does not come back as a DECIMAL. */
export function keepDouble(v: Node): Node {
  const value = v.value as Node | undefined;
  const id = (value?.type as Node | undefined)?.id;
  if (v.class !== "CONSTANT" || id !== "DOUBLE" || value?.is_null) return v;
  return cast({ ...v, alias: "" }, { id: "DOUBLE", type_info: null }, v.alias);
}

/** What the tree says about an expression's numeric type, without binding it. */
export type Static =
  | { kind: "integer" }
  | { kind: "decimal"; scale: number }
  | { kind: "other" }
  // Only in COLUMN_TYPES (a CTE's or subquery's column holding an array, shownArray, or a map,
  // isMapValue), never answered by staticType, whose callers compute with numbers.
  | { kind: "array" }
  | { kind: "map" };

/** Column references whose type the statement shows (a CTE's or subquery's column; trino-scope.ts). */
export const COLUMN_TYPES = new WeakMap<object, Static>();

const INTEGER_IDS = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"]);
const INTEGER_FUNCTIONS = new Set([
  "count",
  "count_star",
  "count_if",
  "approx_distinct",
  "length",
  "cardinality",
  "strpos",
  "trino_cardinality",
  "trino_approx_distinct",
  // CAST(x AS <integer type>) (rewriteScalarCast).
  ...["tinyint", "smallint", "integer", "bigint"].flatMap((t) => [
    `trino_cast_${t}`,
    `trino_try_cast_${t}`,
  ]),
]);
const SAME_TYPE_FUNCTIONS = new Set([
  "sum",
  "trino_checked_sum",
  "min",
  "max",
  "abs",
  "any_value",
  "arbitrary",
]);

/**
 * `sum(x)` and `sum(x) OVER (...)` → `trino_checked_sum(...)`: Trino's sum of integers is a bigint
 * that fails on overflow; DuckDB's is a HUGEINT, so a sum past 2^63 came out as a number no bigint
 * holds (found by review). Undefined for another node.
 */
export function checkedSum(v: Node): Node | undefined {
  if (v.class !== "FUNCTION" && v.class !== "WINDOW") return undefined;
  if (String(v.function_name).toLowerCase() !== "sum" || v.is_operator === true) return undefined;
  return callNode("trino_checked_sum", [{ ...v, alias: "" }], v);
}

export function staticType(v: unknown): Static {
  if (typeof v !== "object" || v === null) return { kind: "other" };
  const n = v as Node;
  if (n.class === "COLUMN_REF") {
    const t = COLUMN_TYPES.get(n);
    return t && t.kind !== "array" && t.kind !== "map" ? t : { kind: "other" };
  }
  // A scalar subquery has the type of its one column.
  if (n.class === "SUBQUERY" && n.subquery_type === "SCALAR") {
    const node = (n.subquery as Node | undefined)?.node as Node | undefined;
    const list = node?.type === "SELECT_NODE" ? (node.select_list as unknown[]) : [];
    return list.length === 1 ? staticType(list[0]) : { kind: "other" };
  }
  if (n.class === "CONSTANT") {
    const t = (n.value as Node).type as Node;
    if (INTEGER_IDS.has(String(t.id))) return { kind: "integer" };
    if (t.id === "DECIMAL") return { kind: "decimal", scale: Number((t.type_info as Node).scale) };
    return { kind: "other" };
  }
  if (n.class === "CAST") {
    const t = n.cast_type as Node;
    if (INTEGER_IDS.has(String(t.id))) return { kind: "integer" };
    if (t.id === "DECIMAL" && t.type_info)
      return { kind: "decimal", scale: Number((t.type_info as Node).scale) };
    return { kind: "other" };
  }
  // CASE (IF is one) and coalesce: the branches' common type, a decimal of the largest scale.
  if (n.class === "CASE") {
    const checks = (n.case_checks as Node[] | undefined) ?? [];
    return commonType([...checks.map((c) => c.then_expr), n.else_expr]);
  }
  if (n.class === "OPERATOR" && n.type === "OPERATOR_COALESCE")
    return commonType((n.children as unknown[] | undefined) ?? []);
  if (n.class !== "FUNCTION" && n.class !== "WINDOW" && n.class !== "AGGREGATE")
    return { kind: "other" };
  const name = String(n.function_name ?? "").toLowerCase();
  const args = (n.children as unknown[] | undefined) ?? [];
  if (INTEGER_FUNCTIONS.has(name)) return { kind: "integer" };
  if (SAME_TYPE_FUNCTIONS.has(name) && args.length === 1) return staticType(args[0]);
  if (["+", "-", "*", "/", "%", "trino_divide", "trino_modulo"].includes(name)) {
    if (args.length === 1) return staticType(args[0]);
    const [a, b] = [staticType(args[0]), staticType(args[1])];
    if (a.kind === "other" || b.kind === "other") return { kind: "other" };
    if (a.kind === "integer" && b.kind === "integer") return a;
    const sa = a.kind === "decimal" ? a.scale : 0;
    const sb = b.kind === "decimal" ? b.scale : 0;
    return { kind: "decimal", scale: name === "*" ? sa + sb : Math.max(sa, sb) };
  }
  return { kind: "other" };
}

/** The common static type of branches (NULL ones left out): integer, a decimal, or other. */
function commonType(branches: unknown[]): Static {
  const known = branches.filter(
    (b) =>
      b !== undefined &&
      b !== null &&
      !((b as Node).class === "CONSTANT" && ((b as Node).value as Node)?.is_null === true),
  );
  const types = known.map(staticType);
  if (types.length === 0 || types.some((t) => t.kind === "other")) return { kind: "other" };
  const scales = types.map((t) => (t.kind === "decimal" ? t.scale : -1));
  const scale = Math.max(...scales);
  return scale < 0 ? { kind: "integer" } : { kind: "decimal", scale };
}

/** `a / b`, `a % b`, `a + b`, `a - b` through Trino's semantics (see the module comment). */
export function rewriteArithmetic(f: Node): Node {
  const name = f.function_name;
  const args = f.children as Node[];
  // DATE ± INTERVAL stays a DATE (trino_add/trino_subtract fall back to + and - for other types).
  if (f.is_operator === true && (name === "+" || name === "-") && args.length === 2) {
    const other = (n: Node | undefined) =>
      n?.class === "CONSTANT" ||
      n?.class === "CAST" ||
      n?.class === "FUNCTION" ||
      n?.class === "COLUMN_REF";
    if (args.some((a) => isIntervalish(a)) && args.every(other) && !hasAggregate(args)) {
      return callNode(name === "+" ? "trino_add" : "trino_subtract", args, f);
    }
    return f;
  }
  if (f.is_operator === true && (name === "*" || name === "/") && args.length === 2)
    refuseScaledYearMonth(name, args as [Node, Node]);
  if (f.is_operator === true && name === "*" && args.length === 2) return wideProduct(f) ?? f;
  if (f.is_operator !== true || (name !== "/" && name !== "%") || args.length !== 2) return f;
  const [a, b] = [staticType(args[0]), staticType(args[1])];
  const aggregated = hasAggregate(args);
  const decimal =
    a.kind !== "other" && b.kind !== "other" && (a.kind === "decimal" || b.kind === "decimal");
  if (!decimal) {
    const macro = name === "/" ? "trino_divide" : "trino_modulo";
    // With an aggregate operand the typed macro goes inside a lambda, whose parameter has the
    // aggregate's type when the overload is chosen (DuckDB's // would give NULL on zero).
    return aggregated ? bindFirst(args, macro, f) : callNode(macro, args, f);
  }
  if (name === "%") return callNode("trino_decimal_modulo", args, f);
  const sa = a.kind === "decimal" ? a.scale : 0;
  const sb = b.kind === "decimal" ? b.scale : 0;
  const scale = Math.max(sa, sb);
  const scales = [intConst(sa), intConst(sb), intConst(scale)];
  const call = callNode("trino_decimal_divide", [...args, ...scales], { ...f, alias: "" });
  return cast(call, decimalType(38, scale), f.alias);
}

/** Trino's decimal of an integer type (integer is decimal(10,0)), as widths of DuckDB's ids. */
const INTEGER_WIDTHS: Readonly<Record<string, number>> = {
  TINYINT: 3,
  SMALLINT: 5,
  INTEGER: 10,
  BIGINT: 19,
};

/** A constant's or a cast's decimal width and scale (an integer's as Trino coerces it). */
function decimalShape(n: Node): { width: number; scale: number; decimal: boolean } | undefined {
  const t =
    n.class === "CONSTANT"
      ? ((n.value as Node).type as Node)
      : n.class === "CAST"
        ? (n.cast_type as Node)
        : undefined;
  const info = t?.type_info as Node | null | undefined;
  if (t?.id === "DECIMAL" && info)
    return { width: Number(info.width), scale: Number(info.scale), decimal: true };
  const width = INTEGER_WIDTHS[String(t?.id)];
  return width === undefined ? undefined : { width, scale: 0, decimal: false };
}

/**
 * `a * b` of decimals whose widths the tree shows (constants, casts, `DECIMAL '...'`): Trino's
 * product is decimal(p1 + p2, s1 + s2), exact; DuckDB keeps the product of two decimals of at
 * most 18 digits in 18, and fails past them (`DECIMAL '-12345678901234567' *
 * DECIMAL '-123456789012345670'`). One operand widened to 38 digits makes DuckDB multiply in 128
 * bits, and the product is cast to Trino's type, which holds it (p1 + p2 digits at most).
 */
function wideProduct(f: Node): Node | undefined {
  const [a, b] = f.children as [Node, Node];
  const [da, db] = [decimalShape(a), decimalShape(b)];
  if (!da || !db || !(da.decimal || db.decimal)) return undefined;
  if (da.width > 18 || db.width > 18 || da.width + db.width <= 18) return undefined;
  const product = { ...f, alias: "", children: [cast(a, decimalType(38, da.scale)), b] };
  return cast(product, decimalType(da.width + db.width, da.scale + db.scale), f.alias);
}

/**
 * `avg(x)` of a decimal the tree shows (`avg(n * 1.0)`): Trino's average is a decimal of x's
 * scale, rounded half up (0.05 and 0.10 average 0.08); DuckDB's is a double (0.075). Written as
 * the exact decimal division of sum(x) by count(x) (NULL over no rows); windows keep DuckDB's.
 * A decimal whose scale the tree does not show fails (trino_avg_unseen).
 */
export function rewriteDecimalAvg(f: Node): Node {
  if (f.class !== "FUNCTION" || String(f.function_name).toLowerCase() !== "avg") return f;
  const args = f.children as Node[];
  if (args.length !== 1) return f;
  const t = staticType(args[0]);
  if (t.kind === "integer") return f;
  if (t.kind !== "decimal") {
    // A decimal the tree does not show (a VALUES column) fails, rather than averaging as a double.
    const type = callNode("typeof", [callNode("any_value", [clone(args[0])], { alias: "" })], {
      alias: "",
    });
    return callNode("trino_avg_unseen", [{ ...f, alias: "" }, type], f);
  }
  const sum = { ...clone(f), function_name: "sum", alias: "" };
  const count = { ...clone(f), function_name: "count", alias: "" };
  const rows = callNode("nullif", [count, intConst(0)], { alias: "" });
  const scales = [intConst(t.scale), intConst(0), intConst(t.scale)];
  const call = callNode("trino_decimal_divide", [sum, rows, ...scales], { ...f, alias: "" });
  return cast(call, decimalType(38, t.scale), f.alias);
}

/** Cast targets whose Trino semantics a macro gives (trino-helpers.ts INT_CAST, BOOLEAN_CAST, DATE_CAST). */
const SCALAR_CASTS = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "BOOLEAN", "DATE"]);

/**
 * `CAST(x AS BIGINT)` (INTEGER, SMALLINT, TINYINT, BOOLEAN, DATE) and TRY_CAST →
 * `trino_[try_]cast_<type>(x)`: a double rounds half away from zero, a varchar must be Trino's text
 * for the type. Integers and decimals the tree shows keep DuckDB's cast (the same answer).
 */
export function rewriteScalarCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const id = String((v.cast_type as Node).id);
  if (!SCALAR_CASTS.has(id)) return v;
  const child = v.child as Node;
  if (INTEGER_IDS.has(id) && staticType(child).kind !== "other") return v;
  const name = `trino_${v.try_cast === true ? "try_" : ""}cast_${id.toLowerCase()}`;
  // A child's alias (requestparameters.x keeps x) would read as a named argument of the macro.
  return callNode(name, [{ ...child, alias: "" }], v);
}

/** The lambda parameter bindFirst introduces (never a user's name). */
export const BOUND_PREFIX = "__runmd_bound";

/** The column references of an expression (not bindFirst's own lambda parameter). */
export function columnRefs(v: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(v)) {
    for (const x of v) columnRefs(x, out);
    return out;
  }
  if (typeof v !== "object" || v === null) return out;
  const n = v as Node;
  if (n.class === "COLUMN_REF") {
    const first = String((n.column_names as string[])[0]).toLowerCase();
    if (!first.startsWith(BOUND_PREFIX)) out.push(n);
    return out;
  }
  for (const x of Object.values(n)) columnRefs(x, out);
  return out;
}

/** Whether an expression names a column (not bindFirst's own lambda parameter). */
export const namesColumn = (v: unknown): boolean => columnRefs(v).length > 0;

/** A reference to the column (or lambda parameter) `name`. */
export function columnRef(name: string): Node {
  return {
    class: "COLUMN_REF",
    type: "COLUMN_REF",
    alias: "",
    query_location: 0,
    column_names: [name],
  };
}

/** `lhs -> expr`: a lambda node of DuckDB's tree. */
export function lambdaNode(lhs: Node, expr: Node): Node {
  return { class: "LAMBDA", type: "LAMBDA", alias: "", query_location: 0, lhs, expr };
}

/** An untyped NULL constant. */
export const NULL_CONSTANT: Node = {
  class: "CONSTANT",
  type: "VALUE_CONSTANT",
  alias: "",
  query_location: 0,
  value: { type: { id: "NULL", type_info: null }, is_null: true },
};

/**
 * `fn(a, b, c)` as `list_transform([row(a, b)], lambda p: fn(p[1], p[2], c))[1]`, for a
 * typed-overload macro whose argument types DuckDB does not know when it picks the overload: an
 * aggregate's (reverse(array_agg(x)) reversed the array's text), an outer column's in a
 * subquery (bind-late.ts). A lambda's parameter is bound after its list, with the list's type.
 * The arguments naming a column (or holding an aggregate) go in one row, outside the lambda;
 * the others (constants a macro may need as such) stay in place. One row, not one lambda per
 * argument: DuckDB cannot bind a column inside a lambda's body in a correlated subquery
 * (`WHERE y % x = 0` with x the outer column: "Referenced column y not found"). Fields read by
 * position: in HAVING, DuckDB reads a lambda's `p.a` as the column a of a table p.
 */
export function bindFirst(args: Node[], fn: string, like: Node): Node {
  const none = { alias: "" };
  return bindArgs(
    args,
    (a) => namesColumn(a) || hasAggregate(a),
    (xs) => callNode(fn, xs, none),
    like,
  );
}

/**
 * bindFirst's binding for any expression `build` makes of the arguments: those `which` picks go
 * in the row, the others stay in place; `build` gets the arguments as the lambda's body reads
 * them.
 */
export function bindArgs(
  args: Node[],
  which: (a: Node) => boolean,
  build: (args: Node[]) => Node,
  like: Node,
): Node {
  const none = { alias: "" };
  const param = columnRef(BOUND_PREFIX);
  let at = 0;
  const body = build(
    args.map((a) => (which(a) ? callNode("struct_extract_at", [param, intConst(++at)], none) : a)),
  );
  const row = callNode(
    "row",
    args.filter(which).map((a) => ({ ...a, alias: "" })),
    none,
  );
  const each = callNode(
    "list_transform",
    [callNode("list_value", [row], none), lambdaNode(param, body)],
    none,
  );
  return callNode("array_extract", [each, intConst(1)], like);
}

/**
 * A year-to-month interval divided, or multiplied by anything but a whole number: Trino keeps
 * whole months (INTERVAL '3' MONTH / 2 is 0-1) where DuckDB makes days of the fraction.
 */
function refuseScaledYearMonth(op: string, [a, b]: [Node, Node]): void {
  const yearMonth = (n: Node) =>
    n.class === "FUNCTION" && /^to_(years|months)$/.test(String(n.function_name));
  const whole = (n: Node) =>
    n.class === "CONSTANT" && INTEGER_IDS.has(String(((n.value as Node).type as Node)?.id));
  const scaled =
    op === "/" ? yearMonth(a) : (yearMonth(a) && !whole(b)) || (yearMonth(b) && !whole(a));
  if (scaled)
    throw new RunMdError(
      "sql-error",
      "A year-to-month interval divided, or multiplied by a fraction, is not supported locally (Trino keeps whole months).",
      {
        hint: "The query runs on Athena as written; locally, use a day-to-second interval or whole multiples.",
      },
    );
}

/** An INTERVAL literal (`INTERVAL '3' DAY` parses as to_days(CAST('3' AS INTEGER))). */
function isIntervalish(n: Node | undefined): boolean {
  if (!n) return false;
  if (n.class === "CAST") return (n.cast_type as Node).id === "INTERVAL";
  if (n.class === "CONSTANT") return ((n.value as Node).type as Node).id === "INTERVAL";
  // A multiple of one (INTERVAL '1' MONTH * 2) is one too.
  if (n.class === "FUNCTION" && n.function_name === "*")
    return (n.children as Node[]).some((c) => isIntervalish(c));
  return (
    n.class === "FUNCTION" &&
    /^to_(years|months|days|hours|minutes|seconds|microseconds|weeks)$/.test(
      String(n.function_name),
    )
  );
}

/**
 * `CAST(x AS TIMESTAMP)` → `trino_cast_timestamp(x)`: strict about the text it accepts;
 * `CAST(x AS TIME)` → `trino_cast_time(x)`, which also takes a timestamp with time zone.
 */
export function rewriteTimestampCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const t = v.cast_type as Node;
  const child = v.child as Node;
  // A timestamp with time zone to TIME (DuckDB has no such cast): its time of day in UTC.
  if (t.id === "TIME" && child.class !== "CONSTANT" && v.try_cast !== true && !hasAggregate(child))
    return callNode("trino_cast_time", [child], v);
  if (t.id !== "TIMESTAMP") return v;
  // A literal keeps its text's digits: past the sixth, refused (trino_cast_timestamp_fine).
  const macro =
    v.try_cast === true
      ? "trino_try_cast_timestamp"
      : isTypedLiteral(v)
        ? "trino_cast_timestamp_fine"
        : "trino_cast_timestamp";
  // An aggregate's type is known only after the typed overload is chosen: bound first.
  const none = { alias: "" };
  const cast = hasAggregate(child)
    ? bindFirst([child], macro, none)
    : callNode(macro, [child], none);
  if (isTypedLiteral(v)) return { ...cast, alias: v.alias, query_location: v.query_location };
  // An explicit CAST(... AS timestamp) is timestamp(3): rounded to milliseconds, half up, as
  // CAST(... AS timestamp(3)) (only a TIMESTAMP literal keeps its text's digits).
  return callNode("trino_timestamp_ms", [cast], v);
}

/** Whether a CAST is a typed literal (`TIMESTAMP '...'`), not a CAST written in the query. */
export function isTypedLiteral(v: Node): boolean {
  return String(v.query_location) === NO_LOCATION;
}

/** Functions whose result is JSON: a CAST of them to VARCHAR unquotes strings as Trino does. */
const JSON_RESULT = new Set([
  "json_extract",
  "trino_json_extract",
  "json_parse",
  "json_array_get",
  "trino_json_parse",
  "trino_json_array_get",
]);

export function isJsonValued(v: Node): boolean {
  if (v.class === "FUNCTION") return JSON_RESULT.has(String(v.function_name).toLowerCase());
  return v.class === "CAST" && isJsonType(v.cast_type as Node);
}

function isJsonType(t: Node): boolean {
  const info = t.type_info as Node | null;
  return String(info?.name ?? info?.alias ?? "").toUpperCase() === "JSON";
}

/** `CAST(json_extract(...) AS VARCHAR)` → `trino_json_to_varchar(...)`. */
export function rewriteJsonCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const t = v.cast_type as Node;
  const child = v.child as Node;
  if (isJsonType(t) || !isJsonValued(child)) return v;
  const tried = v.try_cast === true ? "try_" : "";
  const nested = jsonContainerCast(t);
  if (nested !== undefined) return callNode(`trino_${tried}${nested}`, [child], v);
  if (t.id !== "VARCHAR") return v;
  if (tried) return callNode("trino_try_json_to_varchar", [child], v);
  // A string element of json_array_get is an error as JSON (trino.ts), not as varchar.
  const value =
    child.function_name === "trino_json_array_get"
      ? { ...child, function_name: "trino_json_array_get_quoted" }
      : child;
  return callNode("trino_json_to_varchar", [value], v);
}

/**
 * Whether a cast's element type has Trino's own cast from JSON (JsonUtil: a double's text,
 * half-up rounding). Read when called: the modules import one another.
 */
const jsonElement = (t: Node) => JSON_CAST_ELEMENTS.includes(String(t.id).toLowerCase());

/**
 * The macro for `CAST(<json> AS array(T))` or `map(varchar, T)` with T varchar or an integer
 * type (trino.ts json_array_<t>, json_map_<t>, prefixed trino_ or trino_try_); undefined otherwise.
 */
function jsonContainerCast(t: Node): string | undefined {
  const info = t.type_info as Node | null;
  const child = info?.child_type as Node | undefined;
  if (t.id === "LIST" && child && jsonElement(child) && !isJsonType(child))
    return `json_array_${String(child.id).toLowerCase()}`;
  const entries = ((child?.type_info as Node | undefined)?.child_types ?? []) as Node[];
  const [key, value] = entries.map((e) => e.second as Node);
  if (t.id !== "MAP" || key?.id !== "VARCHAR" || !value || isJsonType(key)) return undefined;
  return jsonElement(value) && !isJsonType(value)
    ? `json_map_${String(value.id).toLowerCase()}`
    : undefined;
}

/**
 * `CAST(x AS JSON)` of anything but a literal → `trino_to_json(x)`: NaN and Infinity as Trino
 * writes them (JSON strings), reals with their short text.
 */
export function rewriteToJsonCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const child = v.child as Node;
  if (!isJsonType(v.cast_type as Node)) return v;
  // TRY_CAST is try(CAST): DuckDB's own printed NaN inside an array as [NaN], not JSON.
  // A map the tree shows is written with its keys sorted, as Trino's MapToJsonCast. An aggregate
  // (typed overloads cannot take it) of another value: trino_agg_to_json, DuckDB's cast but for a
  // map, refused (CAST(map_agg(k, v) AS JSON) kept DuckDB's order: {"b":1,"a":2}; review).
  const fn = isMapValue(child)
    ? "trino_map_to_json"
    : hasAggregate(child)
      ? "trino_agg_to_json"
      : "trino_to_json";
  // DuckDB takes no aggregate inside TRY: a JSON cast of a value does not fail on Trino anyway.
  if (v.try_cast === true && hasAggregate(child)) return callNode(fn, [child], v);
  if (v.try_cast === true && child.class !== "CONSTANT") {
    const cast = callNode(fn, [child], { alias: "" });
    return {
      class: "OPERATOR",
      type: "OPERATOR_TRY",
      alias: v.alias,
      query_location: 0,
      children: [cast],
    };
  }
  if (v.try_cast === true) return v;
  if (child.class !== "CONSTANT") return callNode(fn, [child], v);
  // A JSON literal: Trino keeps it canonical, members sorted by name (so that key order does
  // not make two documents distinct).
  const text = (child.value as Node).value;
  if (typeof text === "string") (child.value as Node).value = canonicalJson(text);
  return v;
}

/** JSON text with the members of every object sorted by name; numbers keep their text. */
export function canonicalJson(text: string): string {
  let value: unknown;
  try {
    value = parseLossless(text);
  } catch {
    return text;
  }
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x === null || typeof x !== "object" || isLosslessNumber(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sort(o[k])]),
    );
  };
  return stringifyLossless(sort(value)) ?? text;
}

/**
 * `CAST(x AS VARCHAR)` and `TRY_CAST` → `trino_cast_varchar(x)` (a map, array or row refused, as Trino has no such cast; else trino_to_varchar): a double or real in Trino's text
 * (2.55E1), an interval as Trino prints it.
 */
export function rewriteToVarcharCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const t = v.cast_type as Node;
  const child = v.child as Node;
  if (t.id !== "VARCHAR" || isJsonType(t) || child.class === "CONSTANT") return v;
  // A timestamp of the precision the tree shows prints that many fraction digits.
  const p = timestampPrecision(child);
  const arg = { ...child, alias: "" };
  if (p !== undefined) return callNode("trino_timestamp_text", [arg, intConst(p)], v);
  // An aggregate's type is known only after the typed overloads are chosen: bound through a lambda.
  if (hasAggregate(child)) return bindFirst([arg], "trino_cast_varchar", v);
  return callNode("trino_cast_varchar", [arg], v);
}

/** Whether the tree shows a DOUBLE or REAL value (a cast to one, or nan()/infinity()). */
function isDoubleValued(n: Node | undefined): boolean {
  if (n?.class === "CAST") return ["DOUBLE", "FLOAT"].includes(String((n.cast_type as Node).id));
  return n?.class === "FUNCTION" && /^(trino_)?(nan|infinity)$/.test(String(n.function_name));
}

/**
 * `x BETWEEN a AND b` with a double operand → `trino_between(x, a, b)`: Trino's comparisons with
 * NaN are false (DuckDB orders NaN above every number).
 */
export function rewriteBetween(v: Node): Node {
  if (v.class !== "BETWEEN" || hasAggregate(v)) return v;
  const parts = [v.input, v.lower, v.upper] as Node[];
  if (!parts.some(isDoubleValued)) return v;
  return callNode("trino_between", parts, v);
}

const MAP_COMPARISONS: Record<string, [string, boolean]> = {
  COMPARE_EQUAL: ["trino_map_eq", false],
  COMPARE_NOTEQUAL: ["trino_map_eq", true],
  COMPARE_NOT_DISTINCT_FROM: ["trino_map_identical", false],
  COMPARE_DISTINCT_FROM: ["trino_map_identical", true],
};

/**
 * `=`, `<>`, `IS [NOT] DISTINCT FROM` where the tree shows a map on either side (a constructor, a
 * function giving one, a cast to one, a CTE's or subquery's column whose expression is one) →
 * `trino_map_eq` / `trino_map_identical`: Trino compares the values key by key, whatever the
 * keys' order, and for `=` a NULL value makes the answer NULL unless another value differs.
 * DuckDB compared the entries in their order and a NULL value as a value.
 */
export function rewriteMapEquality(v: Node): Node {
  const target = v.class === "COMPARISON" ? MAP_COMPARISONS[String(v.type)] : undefined;
  if (!target) return v;
  if (!isMapValue(v.left as Node) && !isMapValue(v.right as Node)) return v;
  const [fn, negated] = target;
  const eq = callNode(fn, [v.left, v.right], negated ? { alias: "" } : v);
  return negated ? notNode(eq, { alias: v.alias }) : eq;
}

/**
 * `=`/`<>` where the tree shows an array on either side (a constructor, an array function, a cast
 * to an array, the resources column), as Trino's three-valued array equality: `ARRAY[1, NULL] =
 * ARRAY[1, NULL]` is NULL (trinodb/trino#7809, #17208), where DuckDB compared NULL elements as
 * values (true; `<>` of a NULL and a value: true, and a WHERE kept the row).
 */
export function rewriteArrayEquality(v: Node): Node {
  if (v.class !== "COMPARISON" || !["COMPARE_EQUAL", "COMPARE_NOTEQUAL"].includes(String(v.type)))
    return v;
  if (!shownArray(v.left) && !shownArray(v.right)) return v;
  const equal = v.type === "COMPARE_EQUAL";
  const eq = callNode("trino_array_eq", [v.left, v.right], equal ? v : { alias: "" });
  if (equal) return eq;
  return notNode(eq, { alias: v.alias });
}

/**
 * Whether the tree shows an array: a constructor, an array function (transform is list_transform
 * once rewritten, rewrite-functions.ts lambdaCall), a cast to one, the resources column, or a CTE's
 * or subquery's column whose expression shows one (trino-scope.ts, COLUMN_TYPES).
 */
export function shownArray(n: unknown): boolean {
  if (typeof n !== "object" || n === null) return false;
  const v = n as Node;
  if (v.class === "COLUMN_REF" && COLUMN_TYPES.get(v)?.kind === "array") return true;
  if (v.class === "CAST") return (v.cast_type as Node).id === "LIST";
  return isArrayValue(v) || (v.class === "FUNCTION" && v.function_name === "list_transform");
}

const ARRAY_ORDERINGS = [
  "COMPARE_LESSTHAN",
  "COMPARE_GREATERTHAN",
  "COMPARE_LESSTHANOREQUALTO",
  "COMPARE_GREATERTHANOREQUALTO",
];

/**
 * `<`, `<=`, `>`, `>=` where the tree shows an array on either side: DuckDB's lexicographic order
 * is Trino's until an element pair holding a NULL decides, which Trino refuses ("ARRAY comparison
 * not supported for arrays with null elements", ArrayType's comparison; trinodb/trino#11397;
 * #30013 makes it NULL in later versions); DuckDB ordered the NULL last and answered.
 */
export function rewriteArrayOrdering(v: Node): Node {
  if (v.class !== "COMPARISON" || !ARRAY_ORDERINGS.includes(String(v.type))) return v;
  if (!shownArray(v.left) && !shownArray(v.right)) return v;
  const reaches = callNode("trino_order_reaches_null", [clone(v.left), clone(v.right)], {});
  const refuse = callNode(
    "trino_refuse",
    [
      strConst(
        "<, <=, >, >= of arrays reaching a NULL element is not supported locally (Trino fails: ARRAY comparison not supported for arrays with null elements); filter or coalesce the NULL elements first",
      ),
      // The arrays as its anchor: a constant refusal would be folded, and raised, at binding.
      callNode("row", [clone(v.left), clone(v.right)], {}),
    ],
    {},
  );
  return {
    class: "CASE",
    type: "CASE_EXPR",
    alias: v.alias,
    query_location: v.query_location ?? 0,
    case_checks: [{ when_expr: reaches, then_expr: refuse }],
    else_expr: { ...v, alias: "" },
  };
}

/** A VARCHAR constant node of DuckDB's serialized tree. */
export function strConst(value: string): Node {
  return {
    class: "CONSTANT",
    type: "VALUE_CONSTANT",
    alias: "",
    query_location: 0,
    value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value },
  };
}

function concatNode(a: Node, b: Node): Node {
  return { ...callNode("||", [a, b], { alias: "" }), is_operator: true };
}

/**
 * `date_parse`/`parse_datetime` as strptime with Trino's defaults: a 12-hour field without AM/PM
 * reads as AM (Joda's halfday default: '12' is 00), a format without a year starts in 1970 (DuckDB:
 * 1900), and an offset field accepts `Z` for UTC.
 */
export function strptimeCall(f: Node, duckFormat: string): Node {
  const args = f.children as Node[];
  let input = args[0] as Node;
  let format = duckFormat;
  if (/%-?I/.test(format) && !format.includes("%p")) {
    format = `${format} %p`;
    input = concatNode(input, strConst(" AM"));
  }
  if (!/%[YyG]/.test(format)) {
    format = `%Y ${format}`;
    input = concatNode(strConst("1970 "), input);
  }
  if (format.includes("%z")) {
    input = callNode("regexp_replace", [input, strConst("Z$"), strConst("+00:00")], { alias: "" });
  }
  return callNode("strptime", [input, strConst(format)], f);
}

/**
 * parse_datetime gives a timestamp with time zone: without an offset field the text's time in
 * Athena's session zone (UTC); with one (`%z`) the instant, refused at run time unless the offset
 * read (found by offsetPattern) is zero, since Trino would keep that offset as the value's zone
 * and the local engine keeps UTC instants.
 */
export function zonedParse(strptime: Node): Node {
  const [input, format] = strptime.children as Node[];
  const text = String(((format as Node).value as Node).value);
  const zoned = callNode("trino_parsed_tz", [{ ...strptime, alias: "" }], { alias: "" });
  if (!text.replaceAll("%%", "").includes("%z")) return { ...zoned, alias: strptime.alias };
  const offset = callNode(
    "regexp_extract",
    [clone(input as Node), strConst(offsetPattern(text)), intConst(1)],
    { alias: "" },
  );
  return callNode("trino_parsed_offset", [{ ...strptime, alias: "" }, offset], strptime);
}

/**
 * date_parse's two-digit year `%y` reads 00-69 as 20xx and 70-99 as 19xx (Trino's pivot); DuckDB
 * reads 69 as 1969, so a parsed 1969 from a `%y` format moves a century on.
 */
export function twoDigitYearPivot(strptime: Node): Node {
  const format = (strptime.children as Node[])[1] as Node;
  const text = String((format.value as Node).value);
  if (!/%y/.test(text.replaceAll("%%", ""))) return strptime;
  return callNode("trino_pivot_1969", [{ ...strptime, alias: "" }], strptime);
}

/** Trino EXTRACT fields → DuckDB date_part specifiers (Trino's day of week is ISO: Sunday 7). */
const EXTRACT_FIELDS: Record<string, string> = {
  dow: "isodow",
  day_of_week: "isodow",
  day_of_month: "day",
  day_of_year: "doy",
  year_of_week: "isoyear",
  yow: "isoyear",
  week_of_year: "week",
};

/** The fields Trino's EXTRACT accepts (not WEEK_OF_YEAR, which is a function only). */
const EXTRACT_NAMES = new Set(
  (
    "year quarter month week day day_of_month day_of_week dow day_of_year doy year_of_week yow " +
    "hour minute second timezone_hour timezone_minute"
  ).split(" "),
);

/** EXTRACT(DOW ...) and date_part('dow', ...) with Trino's field names and meanings. */
export function extractField(f: Node): Node {
  const unit = (f.children as Node[])[0];
  const value = unit?.class === "CONSTANT" ? ((unit.value as Node).value as unknown) : undefined;
  const field = typeof value === "string" ? value.toLowerCase() : undefined;
  const mapped = field === undefined ? undefined : EXTRACT_FIELDS[field];
  if (field !== undefined && !EXTRACT_NAMES.has(field)) {
    throw new RunMdError(
      "sql-syntax",
      `SYNTAX_ERROR: Invalid EXTRACT field: ${field.toUpperCase()}`,
    );
  }
  if (mapped) (unit?.value as Node).value = mapped;
  if (hasAggregate(f.children)) return f;
  if (field === "timezone_hour" || field === "timezone_minute") {
    return callNode("trino_zone_part", f.children as Node[], f);
  }
  // Intervals: Trino splits the whole interval into its fields (trino_interval_part).
  return callNode("trino_date_part", f.children as Node[], f);
}

/** Spans of the groups of a regular expression, whether each may be skipped, and whether it has `|`. */
function regexGroups(p: string): {
  groups: { capture: number; start: number; end: number; skippable: boolean }[];
  alternation: boolean;
} {
  const groups: { capture: number; start: number; end: number; skippable: boolean }[] = [];
  const open: { capture: number; start: number }[] = [];
  let captures = 0;
  let alternation = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === "\\") i++;
    else if (ch === "[") {
      i++;
      if (p[i] === "^") i++;
      if (p[i] === "]") i++;
      while (i < p.length && p[i] !== "]") i += p[i] === "\\" ? 2 : 1;
    } else if (ch === "|") alternation = true;
    else if (ch === "(") {
      const named =
        p.startsWith("(?P<", i) || (p.startsWith("(?<", i) && !/^\(\?<[=!]/.test(p.slice(i)));
      const capture = p[i + 1] !== "?" || named ? ++captures : 0;
      const bodyStart = named
        ? p.indexOf(">", i) + 1
        : p[i + 1] === "?"
          ? p.indexOf(":", i) + 1 || i + 1
          : i + 1;
      open.push({ capture, start: bodyStart });
    } else if (ch === ")") {
      const g = open.pop();
      if (g) groups.push({ ...g, end: i, skippable: /^(\?|\*|\{0[,}])/.test(p.slice(i + 1)) });
    }
  }
  return { groups, alternation };
}

/**
 * `regexp_extract(s, pattern, group)`: Trino gives NULL for a group that did not take part in the
 * match, DuckDB (RE2) gives ''. When the group may be skipped (an alternation, or a quantifier that
 * allows zero), '' becomes NULL if the group cannot match the empty string, and an error otherwise
 * (the two cannot be told apart locally).
 */
export function regexpExtractGroup(f: Node): Node {
  const args = f.children as Node[];
  const p = args[1]?.class === "CONSTANT" ? ((args[1].value as Node).value as unknown) : undefined;
  const g =
    args[2]?.class === "CONSTANT" ? Number(String((args[2].value as Node).value)) : Number.NaN;
  if (args.length !== 3 || typeof p !== "string" || !Number.isInteger(g) || g < 1) return f;
  const { groups, alternation } = regexGroups(p);
  const target = groups.find((x) => x.capture === g);
  if (!target) return f;
  const within = groups.filter((x) => x.start <= target.start && x.end >= target.end);
  if (!alternation && !within.some((x) => x.skippable)) return f;
  return callNode(
    "trino_regexp_extract_group",
    [...args, strConst(p.slice(target.start, target.end))],
    f,
  );
}

/** Whether a node is a NULL constant, cast or not (`NULL`, `CAST(NULL AS BIGINT)`). */
function isNullConstant(n: Node | undefined): boolean {
  if (n?.class === "CAST") return isNullConstant(n.child as Node);
  return n?.class === "CONSTANT" && (n.value as Node).is_null === true;
}

/**
 * `regexp_extract(s, pattern, group)` where DuckDB's would not answer as Trino's: a NULL group is
 * NULL (DuckDB: '' or a binder error for a typed NULL); a constant group the constant pattern
 * lacks, or a negative one, is Trino's error (JoniRegexpFunctions.validateGroup, matched or not;
 * DuckDB gave ''); a group that is not a constant (a bigint, a column) picks one of the constant
 * groups by CASE (DuckDB wants a constant INTEGER). `extract(i)` is the call with constant group i
 * as the rewrite writes it. Undefined where the call is left to the other rules.
 */
export function regexpExtractByGroup(f: Node, extract: (g: Node) => Node): Node | undefined {
  const args = f.children as Node[];
  if (args.length !== 3) return undefined;
  const [s, p, g] = args as [Node, Node, Node];
  const VARCHAR = { id: "VARCHAR", type_info: null };
  if (isNullConstant(g)) return cast(NULL_CONSTANT, VARCHAR, f.alias);
  const pattern = p.class === "CONSTANT" ? ((p.value as Node).value as unknown) : undefined;
  if (typeof pattern !== "string") return undefined;
  const n = regexGroups(pattern).groups.filter((x) => x.capture > 0).length;
  const check = () =>
    cast(
      callNode("trino_regexp_group_check", [clone(s), clone(g), intConst(n)], { alias: "" }),
      VARCHAR,
    );
  if (g.class === "CONSTANT") {
    const k = Number(String((g.value as Node).value));
    if (!Number.isInteger(k) || (k >= 0 && k <= n)) return undefined;
    return { ...check(), alias: f.alias };
  }
  if (n > 9) return undefined; // DuckDB's own error: groups 0 to 9 only
  return {
    class: "CASE",
    type: "CASE_EXPR",
    alias: f.alias,
    query_location: f.query_location ?? 0,
    case_checks: Array.from({ length: n + 1 }, (_, i) => ({
      when_expr: {
        class: "COMPARISON",
        type: "COMPARE_EQUAL",
        alias: "",
        query_location: 0,
        left: clone(g),
        right: intConst(i),
      },
      then_expr: extract(intConst(i)),
    })),
    else_expr: check(),
  };
}

/**
 * Lambda-taking Trino functions a macro cannot forward (DuckDB checks lambdas where a macro is
 * defined): `apply(v, f)` is `f(v)`, `reduce(a, initial, (s, x) -> ..., s -> ...)`.
 */
export function rewriteLambdaCall(f: Node, name: string): Node {
  const args = f.children as Node[];
  const first = (list: Node, lambda: Node) =>
    callNode(
      "array_extract",
      [
        callNode("list_transform", [callNode("list_value", [list], { alias: "" }), lambda], {
          alias: "",
        }),
        intConst(1),
      ],
      f,
    );
  if (name === "apply" && args.length === 2 && args[1]?.class === "LAMBDA") {
    return first(args[0] as Node, args[1]);
  }
  if (
    name === "reduce" &&
    args.length === 4 &&
    args[2]?.class === "LAMBDA" &&
    args[3]?.class === "LAMBDA"
  ) {
    const reduced =
      packedReduce(args) ?? callNode("list_reduce", [args[0], args[2], args[1]], { alias: "" });
    return first(reduced, args[3]);
  }
  return f;
}

/** The type name prePass gives `CHAR(n)` (`__runmd_char_<n>`), which charCast turns into padding. */
export const CHAR_MARKER = "__runmd_char_";

/** Trino's longest CHAR (CharType.MAX_LENGTH); a longer one is no type at all. */
const CHAR_MAX_LENGTH = 65_536;

/** What Trino says of `char(n)` past CHAR_MAX_LENGTH (TypeRegistry: TypeNotFoundException). */
function unknownChar(n: number): RunMdError {
  return new RunMdError("sql-error", `TYPE_NOT_FOUND: Unknown type: char(${n})`);
}

/**
 * `CAST(x AS CHAR(n))`: Trino's CHAR(n) holds the value padded with spaces to n characters (and cut
 * to n); DuckDB has no CHAR type, so the cast becomes `rpad(CAST(x AS VARCHAR), n, ' ')`.
 */
export function charCast(v: Node): Node {
  if (v.class !== "CAST") return v;
  const t = v.cast_type as Node;
  const name = String((t.type_info as Node | null)?.name ?? "").toLowerCase();
  if (t.id !== "UNBOUND") return v;
  const text = () => cast(v.child as Node, { id: "VARCHAR", type_info: null });
  if (name.startsWith(CHAR_MARKER)) {
    const n = Number(name.slice(CHAR_MARKER.length));
    if (n > CHAR_MAX_LENGTH) throw unknownChar(n);
    return callNode("rpad", [text(), intConst(n), strConst(" ")], v);
  }
  // TIMESTAMP(p) rounds to p fraction digits (half up), from Trino's strict text forms.
  if (name.startsWith(TIMESTAMP_MARKER)) {
    const p = Number(name.slice(TIMESTAMP_MARKER.length));
    const macro =
      p > 6
        ? "trino_cast_timestamp_fine"
        : p === 6
          ? "trino_cast_timestamp_6"
          : "trino_cast_timestamp";
    const strict = callNode(macro, [v.child as Node], { alias: "" });
    return callNode("trino_timestamp_round", [strict, intConst(p)], v);
  }
  // VARCHAR(n) keeps the first n characters.
  if (name.startsWith(VARCHAR_MARKER)) {
    const n = Number(name.slice(VARCHAR_MARKER.length));
    return callNode("left", [text(), intConst(n)], v);
  }
  return v;
}

/** The type name prePass gives `VARCHAR(n)` in a cast. */
export const VARCHAR_MARKER = "__runmd_varchar_";

/** The type name prePass gives `TIMESTAMP(p)` in a cast. */
export const TIMESTAMP_MARKER = "__runmd_timestamp_";

/**
 * Where DuckDB's parser puts a typed literal's cast (`TIMESTAMP '...'` has no place of its own;
 * `CAST('...' AS timestamp)` is where CAST is written).
 */
const NO_LOCATION = "18446744073709551615";

/**
 * The precision Trino gives a timestamp expression when the tree shows it: a literal
 * `TIMESTAMP '... 12:34:56.12'` has as many as its text has fraction digits, `CAST(x AS
 * TIMESTAMP(p))` has p, and `CAST('...' AS timestamp)` 3 (Trino's `timestamp` is timestamp(3),
 * whatever the text). Undefined otherwise.
 */
/** The strict casts of text to timestamp (trino.ts): to any precision, to 6, and past 6. */
export const TIMESTAMP_CASTS: ReadonlySet<string> = new Set([
  "trino_cast_timestamp",
  "trino_cast_timestamp_6",
  "trino_cast_timestamp_fine",
]);

export function timestampPrecision(n: unknown): number | undefined {
  if (typeof n !== "object" || n === null) return undefined;
  const v = n as Node;
  const args = (v.children as Node[] | undefined) ?? [];
  if (v.class === "FUNCTION" && v.function_name === "trino_timestamp_ms") return 3;
  if (v.class === "FUNCTION" && v.function_name === "trino_timestamp_round") {
    const p = ((args[1]?.value as Node | undefined)?.value as unknown) ?? undefined;
    return typeof p === "number" ? p : undefined;
  }
  const literal =
    v.class === "FUNCTION" && TIMESTAMP_CASTS.has(String(v.function_name))
      ? args[0]
      : v.class === "CAST" && (v.cast_type as Node).id === "TIMESTAMP"
        ? (v.child as Node)
        : undefined;
  const text = literal?.class === "CONSTANT" ? (literal.value as Node).value : undefined;
  if (typeof text !== "string") return undefined;
  if (String(v.query_location) !== NO_LOCATION) return 3;
  const m = /^\s*\S+ \d{1,2}:\d{1,2}(?::\d{1,2}(?:\.(\d*))?)?\s*$/.exec(text);
  return m ? (m[1] ?? "").length : /^\s*[\d-]+\s*$/.test(text) ? 0 : undefined;
}

/** Whether a node is what charCast makes of `CAST(x AS CHAR(n))`. */
function isCharValue(n: Node | undefined): boolean {
  const args = (n?.children as Node[] | undefined) ?? [];
  return (
    n?.class === "FUNCTION" &&
    n.function_name === "rpad" &&
    args[0]?.class === "CAST" &&
    args.length === 3
  );
}

/** A two-operand `||` or `concat` (the only concat Trino has for CHAR values). */
function twoOperandConcat(n: Node | undefined): [Node, Node] | undefined {
  const args = (n?.children as Node[] | undefined) ?? [];
  const name = String(n?.function_name ?? "").toLowerCase();
  const concat = n?.class === "FUNCTION" && (name === "concat" || (name === "||" && n.is_operator));
  return concat && args.length === 2 ? (args as [Node, Node]) : undefined;
}

/**
 * The length of a CHAR value where the tree shows it: `CAST(x AS CHAR(n))` is n, and Trino's
 * `concat(char(x), char(y))` is char(x + y), a string literal beside a CHAR being char(its length)
 * (Trino coerces varchar(n) to char(n) there). Undefined for anything else.
 */
function charLength(n: Node | undefined): number | undefined {
  if (n && isCharValue(n)) {
    const length = (((n.children as Node[])[1] as Node).value as Node | undefined)?.value;
    return typeof length === "number" ? length : undefined;
  }
  const operands = twoOperandConcat(n);
  if (!operands) return undefined;
  const chars = operands.map(charLength);
  if (chars.every((x) => x === undefined)) return undefined;
  const lengths = operands.map((o, i) => chars[i] ?? literalLength(o));
  return lengths.every((x) => x !== undefined) ? (lengths[0] ?? 0) + (lengths[1] ?? 0) : undefined;
}

/** A non-NULL string literal's length in code points (Trino's varchar(n) of it). */
function literalLength(n: Node): number | undefined {
  const value = n.class === "CONSTANT" ? (n.value as Node).value : undefined;
  return typeof value === "string" ? [...value].length : undefined;
}

/**
 * `char(x) || char(y)` (or `concat`) whose char(x + y) is past Trino's longest CHAR: Trino refuses
 * the query (`Unknown type: char(80000)`); DuckDB would join the padded texts.
 */
export function checkCharConcat(f: Node): void {
  const length = charLength(f);
  if (length !== undefined && length > CHAR_MAX_LENGTH) throw unknownChar(length);
}

/** Functions whose value is an array (their names with or without the macros' prefix). */
const ARRAY_FUNCTIONS = new Set(
  (
    "split regexp_extract_all regexp_split sequence array_agg array_distinct array_sort filter " +
    "transform slice array_remove array_union array_intersect array_except map_keys map_values " +
    "repeat flatten array_concat list_value zip"
  ).split(" "),
);

/** The CloudTrail table's array columns (`resources`, as Athena's DDL types it). */
const ARRAY_COLUMNS = new Set(["resources"]);

/**
 * `a[i]` of an array as Trino reads it: past the end, 0 or negative is an error (DuckDB answers
 * NULL, or counts a negative index from the end), so a step that fails on Athena fails locally.
 * Only where the value is known to be an array (an array column, constructor or function): a map
 * is read with the same brackets.
 */
export function arraySubscript(v: Node): Node | undefined {
  const [container, index] = v.children as Node[];
  if ((v.children as Node[]).length !== 2 || !container || !isArrayValue(container)) return;
  return callNode("trino_array_subscript", [container, index], v);
}

/**
 * `m[k]` of a map the tree shows (the table's map column,
 * `useridentity.sessioncontext.webidfederationdata.attributes`, a map constructor or function, a
 * cast to a map, a CTE's or subquery's map column; isMapValue) as Trino reads it: a key the map
 * lacks is an error (DuckDB answers NULL; `element_at` is the form that answers NULL on both).
 */
export function mapSubscript(v: Node): Node | undefined {
  const [container, key] = v.children as Node[];
  if ((v.children as Node[]).length !== 2 || !container || !isMapValue(container)) return;
  return callNode("trino_map_subscript", [container, key], v);
}

function isMapColumn(n: Node): boolean {
  if (n.class !== "COLUMN_REF") return false;
  const names = (n.column_names as string[]).map((x) => String(x).toLowerCase());
  return names.length >= 2 && names.slice(-2).join(".") === "webidfederationdata.attributes";
}

export function isArrayValue(n: Node): boolean {
  if (n.type === "ARRAY_CONSTRUCTOR") return true;
  if (n.class === "FUNCTION") {
    return ARRAY_FUNCTIONS.has(
      String(n.function_name)
        .toLowerCase()
        .replace(/^trino_/, ""),
    );
  }
  // A CTE's or subquery's column whose expression shows an array (trino-scope.ts): `parts[3]` of
  // `WITH c AS (SELECT split(arn, '/') AS parts ...)` is Trino's error past the end, not NULL.
  if (n.class === "COLUMN_REF" && COLUMN_TYPES.get(n)?.kind === "array") return true;
  const names = n.class === "COLUMN_REF" ? (n.column_names as string[]) : [];
  return names.length > 0 && ARRAY_COLUMNS.has(String(names[names.length - 1]).toLowerCase());
}

/** Functions whose value is a map (by their Trino name, or their macro's after trino_/try_). */
const MAP_FUNCTIONS = new Set(
  (
    "map map_from_entries multimap_from_entries map_concat map_filter transform_keys " +
    "transform_values map_zip_with split_to_map split_to_multimap histogram map_agg_entries " +
    "multimap_agg_entries"
  ).split(" "),
);

/** Whether the tree shows a map: a cast to one, a function giving one, or the table's map column. */
export function isMapValue(n: Node): boolean {
  if (n.class === "CAST") return (n.cast_type as Node).id === "MAP";
  if (n.class === "COLUMN_REF") return isMapColumn(n) || COLUMN_TYPES.get(n)?.kind === "map";
  if (n.class !== "FUNCTION") return false;
  const name = String(n.function_name)
    .toLowerCase()
    .replace(/^trino_(try_)?/, "");
  return MAP_FUNCTIONS.has(name) || name.startsWith("json_map_");
}

/**
 * ltrim/rtrim/trim of a CHAR(n) value: Trino trims and returns the value without the padding
 * (`ltrim(CAST('hello  ' AS CHAR(7)))` is 'hello').
 */
export function trimChar(f: Node): Node {
  if (!isCharValue((f.children as Node[])[0])) return f;
  return callNode("rtrim", [{ ...f, alias: "" }, strConst(" ")], f);
}

/** regexp_replace(s, p, r) with a constant pattern and replacement: r and p's capturing groups. */
function constantReplacement(f: Node): { r: string; groups: number } | undefined {
  const args = f.children as Node[];
  const constant = (n: Node | undefined) =>
    n?.class === "CONSTANT" ? ((n.value as Node).value as unknown) : undefined;
  const p = constant(args[1]);
  const r = constant(args[2]);
  if (args.length !== 3 || typeof p !== "string" || typeof r !== "string") return undefined;
  return { r, groups: regexGroups(p).groups.filter((g) => g.capture > 0).length };
}

/**
 * regexp_replace's replacement as Trino checks it: `$` must be followed by a group number that
 * exists or `{name}`, and a backslash must escape something.
 */
export function checkReplacement(f: Node): void {
  const c = constantReplacement(f);
  if (!c) return;
  const { r, groups } = c;
  for (let i = 0; i < r.length; i++) {
    const ch = r[i];
    let bad: string | undefined;
    if (ch === "\\") {
      if (i + 1 >= r.length) bad = "a trailing backslash";
      i++;
    } else if (ch === "$") {
      // Java reads the first digit as the group; later digits only while the group exists.
      const m = /^\$(\d|\{[A-Za-z][A-Za-z0-9]*\})/.exec(r.slice(i));
      if (!m) bad = "'$' not followed by a group number or {name}";
      else if (/^\d/.test(m[1] as string) && Number(m[1]) > groups)
        bad = `group ${m[1]} (the pattern has ${groups})`;
      // javaNamedGroups has numbered the names the pattern defines: any other name is unknown.
      else if (!/^\d/.test(m[1] as string)) bad = `no group named ${m[1]}`;
      else i += (m[0] as string).length - 1;
    }
    if (bad) {
      throw new RunMdError(
        "sql-error",
        `INVALID_FUNCTION_ARGUMENT: Illegal replacement sequence in regexp_replace: ${bad}`,
      );
    }
  }
}

/**
 * A constant replacement of regexp_replace in RE2's spelling, as Java's appendReplacement reads it
 * (checked by checkReplacement first): a backslash keeps the next character as it is (`\$` a
 * dollar, `\\` a backslash), `$n` is the group, its digits taken while that group exists. A
 * fourth argument tells the macro the replacement is RE2's already (trino.ts). More arguments
 * are Trino's error.
 */
export function javaReplacement(f: Node): void {
  const args = f.children as Node[];
  if (args.length > 3) {
    throw new RunMdError("sql-error", "regexp_replace takes two or three arguments.");
  }
  const c = constantReplacement(f);
  if (!c) return;
  ((args[2] as Node).value as Node).value = re2Replacement(c.r, c.groups);
  args.push(strConst("re2"));
}

function re2Replacement(r: string, groups: number): string {
  let out = "";
  for (let i = 0; i < r.length; i++) {
    const ch = r[i] as string;
    if (ch === "\\") {
      const next = r[++i] ?? "";
      out += next === "\\" ? "\\\\" : next;
    } else if (ch !== "$") {
      out += ch;
    } else {
      let n = Number(r[i + 1]);
      let j = i + 2;
      while (/\d/.test(r[j] ?? "") && n * 10 + Number(r[j]) <= groups) n = n * 10 + Number(r[j++]);
      if (n > 9) {
        throw new RunMdError(
          "sql-error",
          `regexp_replace with group ${n} in the replacement is not supported locally (RE2 names groups 0 to 9).`,
        );
      }
      out += `\\${n}`;
      i = j - 1;
    }
  }
  return out;
}

/**
 * Constant patterns of the regexp functions with Java's named groups, in RE2's spelling; a
 * `${name}` in regexp_replace's replacement becomes the group's number.
 */
export function javaNamedGroups(f: Node): void {
  const args = f.children as Node[];
  const value = (n: Node | undefined) =>
    n?.class === "CONSTANT" ? ((n.value as Node).value as unknown) : undefined;
  const p = value(args[1]);
  if (typeof p !== "string" || !/\(\?<(?![=!])/.test(p)) return;
  const names: string[] = [];
  const re2 = namedGroupsRe2(p);
  for (const m of re2.matchAll(/\((\?P<([A-Za-z]\w*)>)?(?!\?)/g)) names.push(m[2] ?? "");
  ((args[1] as Node).value as Node).value = re2;
  const r = value(args[2]);
  if (String(f.function_name).toLowerCase() === "regexp_replace" && typeof r === "string") {
    ((args[2] as Node).value as Node).value = r.replace(/\$\{([A-Za-z]\w*)\}/g, (all, name) => {
      const i = names.indexOf(name);
      return i < 0 ? all : `$${i + 1}`;
    });
  }
}

/**
 * normalize(s[, form]): the form is a bare word (NFC, NFD, NFKC, NFKD). NFC is DuckDB's
 * nfc_normalize; the others a JavaScript function (udfs.ts, through the trino_normalize macro).
 */
export function normalizeCall(f: Node): Node {
  const args = f.children as Node[];
  const form =
    args[1]?.class === "COLUMN_REF"
      ? String((args[1].column_names as string[])[0]).toUpperCase()
      : undefined;
  if (args.length === 1 || (args.length === 2 && form === "NFC"))
    return callNode("nfc_normalize", [args[0]], f);
  if (args.length === 2 && (form === "NFD" || form === "NFKC" || form === "NFKD"))
    return callNode("trino_normalize", [args[0], strConst(form)], f);
  return f;
}

/** Aggregate functions (DuckDB and Trino names, and the trino_ macros of Trino's). */
export const AGGREGATES = new Set(
  (
    "count count_star sum avg min max count_if approx_distinct approx_percentile arbitrary any_value " +
    "max_by min_by arg_max arg_min arg_max_null arg_min_null stddev stddev_samp stddev_pop variance var_samp var_pop bool_and bool_or " +
    "every array_agg map_agg multimap_agg histogram first last median mode string_agg listagg list checksum " +
    "geometric_mean corr covar_pop covar_samp kurtosis skewness bitwise_and_agg bitwise_or_agg " +
    "approx_count_distinct approx_quantile quantile quantile_cont quantile_disc product fsum entropy"
  ).split(" "),
);

/**
 * Whether an expression holds an aggregate or window call outside a subquery. DuckDB binds a typed
 * macro's arguments before the aggregates in them, so a typed overload cannot be chosen for them
 * ("multiple overloads", or the wrong one): such calls bind them first (bindFirst).
 */
export function hasAggregate(v: unknown): boolean {
  if (Array.isArray(v)) return v.some((x) => hasAggregate(x));
  if (typeof v !== "object" || v === null) return false;
  const n = v as Node;
  if (n.class === "SUBQUERY") return false;
  if (n.class === "WINDOW") return true;
  if (n.class === "FUNCTION" || n.class === "AGGREGATE") {
    const name = String(n.function_name ?? "")
      .toLowerCase()
      .replace(/^trino_/, "");
    if (AGGREGATES.has(name)) return true;
  }
  return Object.values(n).some((x) => typeof x === "object" && x !== null && hasAggregate(x));
}
