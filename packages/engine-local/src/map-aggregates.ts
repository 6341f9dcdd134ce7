/**
 * Trino's map_agg(k, v) and multimap_agg(k, v) as DuckDB's own aggregate `list(row(k, v))`,
 * finished by a scalar macro (trino.ts map_agg_entries, multimap_agg_entries). The call keeps
 * what the query wrote around it: FILTER, DISTINCT, ORDER BY, OVER (a macro can take none of
 * these; they failed with "is a Macro Function"), and a NULL key is left out by the FILTER, as
 * Trino skips it.
 */
import { RunMdError } from "@run-md/core";
import type { Node } from "./tree.ts";
import { callNode, notNullNode } from "./trino-ast.ts";

const FINISH: Record<string, string> = {
  map_agg: "trino_map_agg_entries",
  multimap_agg: "trino_multimap_agg_entries",
};

/** `a AND b` (b alone when a is null). */
function and(a: unknown, b: Node): Node {
  if (a === null || a === undefined) return b;
  return {
    class: "CONJUNCTION",
    type: "CONJUNCTION_AND",
    alias: "",
    query_location: 0,
    children: [a, b],
  };
}

/** The rewritten call, or undefined when `v` is not a two-argument map_agg or multimap_agg. */
export function rewriteMapAggregate(v: Node): Node | undefined {
  if (v.class !== "FUNCTION" && v.class !== "WINDOW") return undefined;
  const name = String(v.function_name).toLowerCase();
  const finish = FINISH[name];
  const args = v.children as Node[];
  if (finish === undefined || args.length !== 2) return undefined;
  if (v.class === "WINDOW" && name === "multimap_agg")
    throw new RunMdError(
      "sql-error",
      "multimap_agg as a window function (OVER) is not supported locally.",
      {
        hint: "The query runs on Athena as written; locally, aggregate with GROUP BY and join the result.",
      },
    );
  const [k, val] = args as [Node, Node];
  const notNull = notNullNode(k);
  const filterKey = v.class === "WINDOW" ? "filter_expr" : "filter";
  const list: Node = {
    ...v,
    alias: "",
    function_name: "list",
    children: [
      callNode(
        "row",
        [
          { ...k, alias: "" },
          { ...val, alias: "" },
        ],
        { alias: "" },
      ),
    ],
    [filterKey]: and(v[filterKey], notNull),
  };
  return callNode(finish, [list], v);
}
