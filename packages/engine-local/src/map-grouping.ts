/**
 * Grouping and deduplicating maps. Trino's maps are equal key by key, whatever the keys' order
 * (MapType's equal and hash operators); DuckDB groups and deduplicates maps by their entries in
 * their order, so `MAP(ARRAY[1, 2], ARRAY[1, 2])` and `MAP(ARRAY[2, 1], ARRAY[2, 1])` were two
 * groups where Trino has one. Where the tree shows a map (trino-ast.ts isMapValue: a constructor,
 * a function giving one, a cast to one, a CTE's, subquery's or VALUES list's map column), or a
 * row or array constructor holding one, these are refused before DuckDB answers: GROUP BY (also
 * by position or select alias), SELECT DISTINCT (also of a `*` giving a map column: trino-scope.ts
 * MAP_STARS), an aggregate's DISTINCT, PARTITION BY, and
 * UNION, INTERSECT, EXCEPT without ALL, `IN (subquery)` (`= ANY`), and a join's USING of a map
 * column (trino-scope.ts MAP_USING_JOINS). `=` of maps (a join's ON, a correlated subquery's
 * WHERE, a scalar subquery's `=` too) is rewritten key by key
 * elsewhere (rewriteMapEquality). A map the tree does not show (an UNNEST's column, a join's `*`) is
 * not seen here.
 */

import { RunMdError } from "@run-md/core";
import { isNode, type Node } from "./tree.ts";
import { hasAggregate, isMapValue } from "./trino-ast.ts";
import { MAP_STARS, MAP_USING_JOINS } from "./trino-scope.ts";

const MAP_AGGREGATES = new Set(["map_agg", "multimap_agg"]);
const CONSTRUCTORS = new Set(["row", "struct_pack", "list_value", "array_value"]);

/**
 * Whether the tree shows a map (also map_agg's, multimap_agg's), a row or array constructor
 * holding one, or a `*` giving one.
 */
function holdsMap(n: unknown): boolean {
  if (!isNode(n)) return false;
  if (isMapValue(n) || MAP_STARS.has(n)) return true;
  // map_agg and multimap_agg, before the walk renames them (rewriteMapAggregate).
  if (n.class === "FUNCTION" && MAP_AGGREGATES.has(String(n.function_name).toLowerCase()))
    return true;
  const built =
    (n.class === "FUNCTION" && CONSTRUCTORS.has(String(n.function_name).toLowerCase())) ||
    (n.class === "OPERATOR" && n.type === "ARRAY_CONSTRUCTOR");
  if (built) return (n.children as unknown[]).some(holdsMap);
  return false;
}

function refuse(construct: string): never {
  throw new RunMdError(
    "sql-error",
    `${construct} of a map is not supported locally: Trino finds maps equal key by key whatever the keys' order, DuckDB compares their entries in order and would answer otherwise.`,
    {
      hint: "Group or deduplicate by a key-ordered form instead, such as array_sort(map_keys(m)) with the values you need (element_at(m, k)), or compare the maps with = (key by key).",
    },
  );
}

/** The select item a GROUP BY expression names: by position (GROUP BY 1) or by its alias. */
function groupedItem(g: Node, list: Node[]): unknown {
  if (g.class === "CONSTANT") {
    // The number arrives as a lossless number ({ value: "1" }) in the parsed tree.
    const v = (g.value as Node | undefined)?.value;
    const i = Number(isNode(v) ? v.value : v);
    return Number.isInteger(i) ? list[i - 1] : undefined;
  }
  const names = g.class === "COLUMN_REF" ? (g.column_names as string[]) : [];
  if (names.length !== 1) return undefined;
  const name = String(names[0]).toLowerCase();
  // An aggregate's alias is never what GROUP BY names (a source column of that name is).
  return list.find((x) => String(x.alias).toLowerCase() === name && !hasAggregate(x));
}

/** The select lists of a set operation's queries, through nested set operations. */
function selectLists(n: unknown): Node[][] {
  if (!isNode(n)) return [];
  if (n.type === "SELECT_NODE") return [n.select_list as Node[]];
  if (n.type === "SET_OPERATION_NODE") return [...selectLists(n.left), ...selectLists(n.right)];
  return [];
}

/** Refuses (module comment) each grouping or deduplication of a map the statement shows. */
export function refuseMapGrouping(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) refuseMapGrouping(x);
    return;
  }
  if (!isNode(v)) return;
  if (v.type === "SELECT_NODE") {
    const list = (v.select_list as Node[] | undefined) ?? [];
    for (const g of (v.group_expressions as Node[] | undefined) ?? []) {
      if (holdsMap(g) || holdsMap(groupedItem(g, list))) refuse("GROUP BY");
    }
    const distinct = ((v.modifiers as Node[] | undefined) ?? []).some(
      (m) => m.type === "DISTINCT_MODIFIER",
    );
    if (distinct && list.some(holdsMap)) refuse("SELECT DISTINCT");
  }
  if (v.type === "SET_OPERATION_NODE" && v.setop_all !== true) {
    if (selectLists(v).some((list) => list.some(holdsMap))) refuse(String(v.setop_type));
  }
  if (v.class === "FUNCTION" && v.distinct === true && (v.children as unknown[]).some(holdsMap))
    refuse(`${String(v.function_name)}(DISTINCT ...)`);
  if (v.class === "SUBQUERY" && v.subquery_type === "ANY") {
    const sub = (v.subquery as Node | undefined)?.node;
    if (holdsMap(v.child) || selectLists(sub).some((list) => list.some(holdsMap)))
      refuse("IN (subquery)");
  }
  if (v.type === "JOIN" && MAP_USING_JOINS.has(v)) refuse("JOIN ... USING");
  if (v.class === "WINDOW" && ((v.partitions as unknown[] | undefined) ?? []).some(holdsMap))
    refuse("PARTITION BY");
  for (const x of Object.values(v)) refuseMapGrouping(x);
}
