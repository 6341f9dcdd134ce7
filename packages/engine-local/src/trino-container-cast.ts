/**
 * `CAST(x AS array(T))`, `map(K, V)` and `row(...)` element by element, each element through the
 * scalar casts' Trino semantics (a row's fields by position): DuckDB casts a container's elements with its own text and
 * parsing (`CAST(ARRAY[1.5E0] AS array(varchar))` was ['1.5'], Trino's ['1.5E0']; a timestamp
 * lost its '.000'). A cast of JSON the tree shows keeps its own macros (trino-ast.ts
 * rewriteJsonCast); a value that is not an array, map or row where the query runs (JSON from a
 * CTE's column, a varchar) fails to bind the lambda, named by CAST_ELEMENT (engine.ts says why).
 */

import { clone } from "./tree.ts";
import {
  callNode,
  cast,
  columnRef,
  intConst,
  isJsonValued,
  lambdaNode,
  strConst,
} from "./trino-ast.ts";

type Node = Record<string, unknown>;

/** The lambda parameter of a container cast (depth appended): never a user's name. */
export const CAST_ELEMENT = "__runmd_cast_element";

const CONTAINERS = new Set(["LIST", "MAP", "STRUCT"]);
const NONE = { alias: "" };

/**
 * The element-wise form of a cast to a container type; undefined for another cast, a constant
 * (a NULL or a typed literal) or JSON the tree shows. `scalar` gives a scalar cast node its Trino
 * form (rewrite.ts's chain of cast rewrites). A TRY_CAST is try() of the whole: Trino's gives NULL
 * for the container, not for one element.
 */
export function containerCast(v: Node, scalar: (cast: Node) => Node): Node | undefined {
  if (v.class !== "CAST") return undefined;
  const type = v.cast_type as Node;
  const child = v.child as Node;
  if (!CONTAINERS.has(String(type.id)) || child.class === "CONSTANT" || isJsonValued(child))
    return undefined;
  const body = convert({ ...child, alias: "" }, type, 0, scalar);
  if (v.try_cast !== true) return { ...body, alias: v.alias, query_location: v.query_location };
  return {
    class: "OPERATOR",
    type: "OPERATOR_TRY",
    alias: v.alias,
    query_location: v.query_location ?? 0,
    children: [body],
  };
}

function convert(x: Node, type: Node, depth: number, scalar: (cast: Node) => Node): Node {
  const info = type.type_info as Node; // LIST, MAP and STRUCT have theirs
  // A constructor's elements are cast where they are: the tree still shows what each one is (a
  // timestamp's precision, JSON), which a lambda's parameter does not.
  const made = CONTAINERS.has(String(type.id)) && constructed(x, type, info, depth, scalar);
  if (made) return made;
  if (type.id === "LIST") {
    const el = element(depth);
    return callNode(
      "list_transform",
      [x, lambdaNode(el, convert(el, info.child_type as Node, depth + 1, scalar))],
      NONE,
    );
  }
  if (type.id === "MAP") return convertMap(x, info, depth, scalar);
  if (type.id === "STRUCT") return convertRow(x, info, depth, scalar);
  return scalar(cast(clone(x), type));
}

/** ARRAY[...], map(ARRAY[...], ARRAY[...]) or ROW(...) cast element by element; else undefined. */
function constructed(x: Node, type: Node, info: Node, depth: number, scalar: (c: Node) => Node) {
  const args = (x.children ?? []) as Node[];
  const each = (ts: Node[]) => args.map((a, i) => convert(a, ts[i] as Node, depth, scalar));
  if (type.id === "LIST" && x.type === "ARRAY_CONSTRUCTOR")
    return args.length === 0
      ? cast(clone(x), type) // ARRAY[] has no type of its own
      : { ...x, children: each(args.map(() => info.child_type as Node)) };
  const name = String(x.function_name ?? "").toLowerCase();
  if (type.id === "MAP" && /^(trino_)?map$/.test(name) && args.length === 2) {
    const [key, value] = mapTypes(info);
    return { ...x, children: each([listOf(key), listOf(value)]) };
  }
  const fields = (info.child_types ?? []) as Node[];
  if (type.id !== "STRUCT" || name !== "row" || args.length !== fields.length) return undefined;
  const named = each(fields.map((f) => f.second as Node));
  return callNode(
    "struct_pack",
    named.map((a, i) => ({ ...a, alias: String(fields[i]?.first) })),
    NONE,
  );
}

const mapTypes = (info: Node): Node[] =>
  (((info.child_type as Node).type_info as Node).child_types as Node[]).map(
    (e) => e.second as Node,
  );

const listOf = (child: Node | undefined): Node => ({
  id: "LIST",
  type_info: { type: "LIST_TYPE_INFO", alias: "", extension_info: null, child_type: child },
});

/** A map's entries, key and value each converted, made a map again (Trino keeps their order). */
function convertMap(x: Node, info: Node, depth: number, scalar: (c: Node) => Node): Node {
  const [key, value] = mapTypes(info);
  const el = element(depth);
  const field = (name: string, t: Node) =>
    ({
      ...convert(callNode("struct_extract", [el, strConst(name)], NONE), t, depth + 1, scalar),
      alias: name,
    }) as Node;
  const pair = callNode(
    "struct_pack",
    [field("key", key as Node), field("value", value as Node)],
    NONE,
  );
  const entries = callNode(
    "list_transform",
    [callNode("map_entries", [x], NONE), lambdaNode(el, pair)],
    NONE,
  );
  return callNode("map_from_entries", [entries], NONE);
}

/**
 * A row's fields by position, as Trino's RowToRowCast (DuckDB's cast matches named fields by
 * name: `CAST(r AS ROW(b, a))` swapped them). The operand is bound once, through a lambda (read
 * once per field, a random one mixed draws; found by review); its size must be the target's: one
 * field short fails to bind (engine.ts says why), one too many raises Trino's error.
 */
function convertRow(x: Node, info: Node, depth: number, scalar: (c: Node) => Node): Node {
  const fields = (info.child_types ?? []) as Node[];
  const el = element(depth);
  const field = (f: Node, i: number) => {
    const at = callNode("struct_extract_at", [el, intConst(i + 1)], NONE);
    return { ...convert(at, f.second as Node, depth + 1, scalar), alias: String(f.first) };
  };
  const checked = callNode(
    "trino_row_size",
    [el, intConst(fields.length), callNode("struct_pack", fields.map(field), NONE)],
    NONE,
  );
  const each = callNode(
    "list_transform",
    [callNode("list_value", [x], NONE), lambdaNode(el, checked)],
    NONE,
  );
  return callNode("array_extract", [each, intConst(1)], NONE);
}

const element = (depth: number): Node => columnRef(`${CAST_ELEMENT}${depth}`);
