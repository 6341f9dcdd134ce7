/**
 * Trino's `||` (and two-argument `concat`) between an array and an element: `ARRAY[2, 8] || 5`,
 * `TIMESTAMP '...' || ARRAY[...]`, `ARRAY[1, 2] || ARRAY[ARRAY[3]]` append or prepend the element
 * (DuckDB's `||` only joins two arrays of one type, or text). Which side is the element is read
 * from the tree: an array is a constructor, an array function or column (trino-ast.ts
 * isArrayValue), and its depth is known when it is a constructor; an element is a constant, a
 * cast to a type that is not a container (a typed literal), or arithmetic. Anything else is left to DuckDB (an
 * error there, not a guess). A NULL array or element gives NULL, as in Trino.
 */

import type { Node } from "./tree.ts";
import { callNode, isArrayValue } from "./trino-ast.ts";

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
  return undefined;
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
  if (isArrayValue(n)) return "array";
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
