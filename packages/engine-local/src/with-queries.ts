/**
 * The WITH queries in scope on DuckDB's tree, for the passes that follow a name through them
 * (having-columns.ts, derived-row-star.ts): a node's own `cte_map` shadows the outer ones.
 */
import { isNode, type Node } from "./tree.ts";

/** The WITH queries in scope, by lower-cased name: their query nodes and column alias lists. */
export type WithEnv = ReadonlyMap<string, { node: Node; aliases: string[] }>;

const lower = (v: unknown) => String(v ?? "").toLowerCase();

/** `env` with the WITH queries `node` defines (its `cte_map`), which shadow outer ones. */
export function withQueries(node: Node, env: WithEnv): WithEnv {
  const ctes = (node.cte_map as Node | undefined)?.map;
  if (!Array.isArray(ctes) || ctes.length === 0) return env;
  const next = new Map(env);
  for (const e of ctes as Node[]) {
    const value = e.value as Node;
    const query = (value.query as Node | undefined)?.node as Node | undefined;
    if (query)
      next.set(lower(e.key), { node: query, aliases: (value.aliases as string[]).map(lower) });
  }
  return next;
}

/**
 * Calls `at` on every SELECT node of the tree, before the nodes below it, with the WITH queries
 * in scope there.
 */
export function eachSelect(root: unknown, at: (select: Node, env: WithEnv) => void): void {
  const walk = (v: unknown, env: WithEnv): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, env);
      return;
    }
    if (!isNode(v)) return;
    const here = withQueries(v, env);
    if (v.type === "SELECT_NODE") at(v, here);
    for (const x of Object.values(v)) walk(x, here);
  };
  walk(root, new Map());
}
