/**
 * Trino's `||` (and two-argument `concat`) between an array and an element: `ARRAY[2, 8] || 5`,
 * `TIMESTAMP '...' || ARRAY[...]`, `ARRAY[1, 2] || ARRAY[ARRAY[3]]` append or prepend the element
 * (DuckDB's `||` only joins two arrays of one type, or text). Which side is the element is read
 * from the tree: an array is a constructor, an array function or column (trino-ast.ts
 * isArrayValue), or a CTE's or subquery's column whose expression is one (trino-scope.ts), and its depth is known when it is a constructor; an element is a constant, a
 * cast to a type that is not a container (a typed literal), or arithmetic; a lambda's parameter
 * has the depth of the elements (or map keys or values) its function is given, where the tree shows
 * theirs (`transform(ARRAY[2, 3], x -> ARRAY[1] || x)`: annotateLambdaDepths, before the rewrite).
 * An array beside a value the tree does not type (a column, a parameter over one) goes to a macro
 * whose typed overloads DuckDB chooses while binding: a text, boolean, integer, date or timestamp
 * is appended or prepended, anything else meets DuckDB's `||` (two arrays joined, or an error; not
 * a double or decimal, which DuckDB would cast to the one overload it finds). Two values of
 * unknown type are left to DuckDB. A NULL array or element gives NULL, as in Trino.
 */

import type { Node } from "./tree.ts";
import { bindFirst, COLUMN_TYPES, callNode, hasAggregate, isArrayValue } from "./trino-ast.ts";
import { lambdaParams } from "./trino-map-lambda.ts";

/** Lambda parameters' references whose depth the tree shows (annotateLambdaDepths). */
const PARAM_DEPTHS = new WeakMap<object, number>();

/** Functions whose first argument is an array and whose lambdas take its elements first. */
const ARRAY_LAMBDAS = new Set([
  "transform",
  "filter",
  "any_match",
  "all_match",
  "none_match",
  "find_first",
]);

/** Functions whose first argument is a map and whose lambdas take (key, value). */
const MAP_LAMBDAS = new Set(["transform_values", "transform_keys", "map_filter"]);

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null;

/**
 * Notes the depth of each reference to a lambda's parameter where the tree shows what the
 * parameter is given: the elements of an array whose depth is known (a constructor, or another
 * such parameter), or the keys and values of `map(ARRAY[...], ARRAY[...])`. Outer calls first, so
 * that `transform(ARRAY[ARRAY[1]], x -> transform(x, y -> ...))` knows y too.
 */
export function annotateLambdaDepths(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) annotateLambdaDepths(x);
    return;
  }
  if (!isNode(v)) return;
  if (v.class === "FUNCTION") {
    const name = String(v.function_name).toLowerCase();
    const args = (v.children as Node[] | undefined) ?? [];
    const depths = ARRAY_LAMBDAS.has(name)
      ? [elementDepth(args[0])]
      : MAP_LAMBDAS.has(name)
        ? mapDepths(args[0])
        : [];
    const lambda = args.find((a) => a?.class === "LAMBDA");
    if (lambda && depths.some((d) => d !== undefined)) {
      const params = lambdaParams(lambda);
      const known = new Map<string, number>();
      params.forEach((p, i) => {
        const d = depths[i];
        if (d !== undefined) known.set(p, d);
      });
      markParams(lambda.expr, known);
    }
  }
  for (const x of Object.values(v)) annotateLambdaDepths(x);
}

/** The depth of an array's elements, where the array's is known. */
function elementDepth(n: Node | undefined): number | undefined {
  const d = n ? depth(n) : undefined;
  return typeof d === "number" && d >= 1 ? d - 1 : undefined;
}

/** The depths of a `map(keys, values)` constructor's keys and values. */
function mapDepths(n: Node | undefined): (number | undefined)[] {
  const args = (n?.children as Node[] | undefined) ?? [];
  const name = String(n?.function_name ?? "").toLowerCase();
  if (n?.class !== "FUNCTION" || name !== "map" || args.length !== 2) return [];
  return args.map(elementDepth);
}

/** Notes the references to `known` parameters in a lambda's body (an inner lambda may hide one). */
function markParams(v: unknown, known: Map<string, number>): void {
  if (Array.isArray(v)) {
    for (const x of v) markParams(x, known);
    return;
  }
  if (!isNode(v) || known.size === 0) return;
  if (v.class === "COLUMN_REF") {
    const names = v.column_names as string[];
    const d = names.length === 1 ? known.get(String(names[0]).toLowerCase()) : undefined;
    if (d !== undefined) PARAM_DEPTHS.set(v, d);
    return;
  }
  if (v.class === "LAMBDA") {
    const inner = new Map(known);
    for (const p of lambdaParams(v)) inner.delete(p);
    markParams(v.expr, inner);
    return;
  }
  for (const x of Object.values(v)) markParams(x, known);
}

/** Depth of nesting where the tree tells it: 0 an element, n an array of n levels. */
type Depth = number | "array" | undefined;

const CONTAINER_TYPES = new Set(["ARRAY", "MAP", "STRUCT", "UNION", "JSON"]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%"]);
/** What the rewrite makes of a scalar cast (`TIMESTAMP '...'` and `DATE '...'` are ones). */
const SCALAR_CAST =
  /^trino_(?:try_)?cast_(?:timestamp(?:_6|_fine)?|time|tinyint|smallint|integer|bigint|boolean|date)$/;

/** The append or prepend call for `a || b`, or undefined when it is not an array and an element. */
export function arrayElementConcat(f: Node): Node | undefined {
  const name = String(f.function_name).toLowerCase();
  const args = f.children as Node[];
  const operator = f.is_operator === true && name === "||";
  if ((!operator && name !== "concat") || args.length !== 2) return undefined;
  const [a, b] = args as [Node, Node];
  const [da, db] = [depth(a), depth(b)];
  if (holds(da, db)) return callNode("trino_array_append", [a, b], f);
  if (holds(db, da)) return callNode("trino_array_prepend", [a, b], f);
  // One side an array, the other unknown (a column, a parameter): DuckDB's binding decides, by
  // the typed overloads of a macro (a scalar is appended, an array joined as before).
  // With an aggregate operand the macro goes inside a lambda, whose parameter has the aggregate's
  // type when the overload is chosen (trino-ast.ts bindFirst).
  const any = (macro: string) =>
    hasAggregate(args) ? bindFirst(args, macro, f) : callNode(macro, args, f);
  if (isArrayDepth(da) && db === undefined) return any("trino_array_append_any");
  if (isArrayDepth(db) && da === undefined) return any("trino_array_prepend_any");
  return undefined;
}

function isArrayDepth(d: Depth): boolean {
  return d === "array" || (typeof d === "number" && d >= 1);
}

/** Whether an array of depth `array` takes a value of depth `element` as one element. */
function holds(array: Depth, element: Depth): boolean {
  if (element === 0) return array === "array" || (typeof array === "number" && array === 1);
  return typeof array === "number" && typeof element === "number" && array === element + 1;
}

function depth(n: Node): Depth {
  if (n.type === "ARRAY_CONSTRUCTOR") {
    // The first element whose depth the tree shows decides (ARRAY[x, 8] is an array of scalars).
    const items = (n.children as Node[]).filter((c) => !isNullConstant(c));
    const d = items.map(depth).find((x) => typeof x === "number");
    return typeof d === "number" ? d + 1 : items.length > 0 ? "array" : undefined;
  }
  if (n.class === "FUNCTION" && n.function_name === "trino_array_append")
    return depth((n.children as Node[])[0] as Node);
  if (n.class === "FUNCTION" && n.function_name === "trino_array_prepend")
    return depth((n.children as Node[])[1] as Node);
  const param = PARAM_DEPTHS.get(n);
  if (param !== undefined) return param;
  // What the rewrite makes of a cast to an array type (trino-container-cast.ts).
  if (n.class === "FUNCTION" && n.function_name === "list_transform") return "array";
  // A CTE's or subquery's column whose expression is an array (trino-scope.ts), of unknown depth.
  if (isArrayValue(n) || COLUMN_TYPES.get(n)?.kind === "array") return "array";
  if (n.class === "CONSTANT") return isNullConstant(n) ? undefined : 0;
  if (n.class === "CAST") return typeDepth(n.cast_type as Node);
  if (n.class === "FUNCTION" && n.is_operator === true && ARITHMETIC.has(String(n.function_name)))
    return 0;
  if (n.class === "FUNCTION" && SCALAR_CAST.test(String(n.function_name))) return 0;
  return undefined;
}

/** A cast type's depth: arrays counted, other containers unknown. */
function typeDepth(t: Node): Depth {
  if (t.id === "LIST") {
    const inner = typeDepth((t.type_info as Node).child_type as Node);
    return typeof inner === "number" ? inner + 1 : undefined;
  }
  return CONTAINER_TYPES.has(String(t.id)) ? undefined : 0;
}

function isNullConstant(n: Node): boolean {
  return n.class === "CONSTANT" && (n.value as Node | undefined)?.is_null === true;
}
