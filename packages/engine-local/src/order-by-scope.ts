/**
 * Trino resolves a name in an ORDER BY expression against the query's output columns first and
 * the FROM clause second (StatementAnalyzer's ORDER BY scope is the output relation, whose parent
 * is the source scope): `SELECT a * -2 AS a ... ORDER BY a * -1` orders by the select list's `a`,
 * `t.a` names the table's. DuckDB reads a bare `ORDER BY a` that way, but a name inside an
 * expression as the FROM clause's column, so a select alias that shadows a column (`lower(eventname)
 * AS eventname ... ORDER BY eventname LIKE 'delete%' DESC`) ordered, and with a LIMIT chose, other
 * rows. Such a name is replaced here by a copy of its select expression, which DuckDB evaluates as
 * Trino does. A name that two select items give is refused, as Trino's "Column 'a' is
 * ambiguous" (DuckDB picked one of them). Not replaced (left to DuckDB, which keeps
 * the FROM clause's column): names in a list with `*` (whose names the tree does not show), of a
 * volatile expression (evaluated again it would differ), and inside an aggregate's arguments
 * (Trino refuses an output column there), a subquery or a lambda.
 */
import { RunMdError } from "@run-md/core";
import { clone, isNode, type Node, outputName } from "./tree.ts";
import { AGGREGATES } from "./trino-ast.ts";

/** Functions whose every call gives another value: a copy would not be the output column. */
const VOLATILE = new Set(["random", "rand", "uuid", "gen_random_uuid", "shuffle", "setseed"]);

/** Rewrites the ORDER BY of every SELECT in the tree (CTEs and subqueries included), in place. */
export function orderByOutputColumns(root: unknown): void {
  if (Array.isArray(root)) {
    for (const x of root) orderByOutputColumns(x);
    return;
  }
  if (!isNode(root)) return;
  for (const x of Object.values(root)) orderByOutputColumns(x);
  if (root.type !== "SELECT_NODE") return;
  const list = root.select_list as Node[];
  const outputs = outputColumns(list);
  const ambiguous = ambiguousNames(list);
  for (const m of (root.modifiers as Node[] | undefined) ?? []) {
    if (m.type !== "ORDER_MODIFIER") continue;
    for (const order of m.orders as Node[]) {
      const name = namesIn(order.expression).find((n) => ambiguous.has(n));
      if (name !== undefined) throw ambiguousError(name);
      // A bare alias is the output column's on DuckDB too (and its position, a constant); the
      // name a dotted reference gives its column (`arn` of `useridentity.arn`) is not.
      const bare = oneName(order.expression);
      if (bare === undefined || isDotted(outputs.get(bare)))
        order.expression = substitute(order.expression, outputs);
    }
  }
}

/**
 * The select items a name in ORDER BY stands for: each aliased item or unaliased dotted reference
 * whose name no other item gives (an item's name is its alias, or a column reference's last
 * name), when the expression is not that column itself and is not volatile. Empty for a list
 * with `*`.
 */
function outputColumns(list: Node[]): Map<string, Node> {
  const named = new Map<string, Node[]>();
  for (const item of list) {
    if (item.class === "STAR" || item.class === "COLUMNS") return new Map();
    const name = outputName(item);
    if (name) named.set(name, [...(named.get(name) ?? []), item]);
  }
  const out = new Map<string, Node>();
  for (const [name, items] of named) {
    const item = items[0] as Node;
    if (items.length !== 1 || !(item.alias || isDotted(item))) continue;
    if (oneName(item) === name || volatile(item)) continue;
    out.set(name, item);
  }
  return out;
}

/**
 * Names that two select items give (`SELECT a, a * -1 AS a`; also `SELECT a, a`: Trino's
 * TestAnalyzer.testAmbiguousReferenceInOrderBy).
 */
function ambiguousNames(list: Node[]): Set<string> {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const item of list) {
    const name = outputName(item);
    if (name && seen.has(name)) out.add(name);
    seen.add(name);
  }
  return out;
}

/**
 * The unqualified names an ORDER BY expression reads from the select list (not inside an
 * aggregate's arguments, a subquery or a lambda, as `substitute`).
 */
function namesIn(expr: unknown): string[] {
  if (Array.isArray(expr)) return expr.flatMap(namesIn);
  if (!isNode(expr)) return [];
  const name = oneName(expr);
  if (name !== undefined) return [name];
  if (expr.class === "SUBQUERY" || expr.class === "LAMBDA") return [];
  const fn = String(expr.function_name ?? "").toLowerCase();
  if (expr.class === "FUNCTION" && AGGREGATES.has(fn)) return [];
  return Object.values(expr).flatMap(namesIn);
}

/** Trino's analysis error for such a name (its ORDER BY scope finds two output columns). */
function ambiguousError(name: string): RunMdError {
  return new RunMdError(
    "sql-error",
    `Column '${name}' is ambiguous: ORDER BY reads the select list's names first on Athena (Trino), and two select items are named ${name}.`,
    {
      hint: "Order by the column's position (ORDER BY 2), or give the select items different aliases.",
    },
  );
}

/** An unaliased reference of several names (`useridentity.arn`, `t.eventname`). */
function isDotted(n: Node | undefined): boolean {
  return n?.class === "COLUMN_REF" && !n.alias && (n.column_names as string[]).length > 1;
}

/** The lower-cased name of an unqualified column reference; undefined for anything else. */
function oneName(n: unknown): string | undefined {
  if (!isNode(n) || n.class !== "COLUMN_REF") return undefined;
  const names = n.column_names as string[];
  return names.length === 1 ? String(names[0]).toLowerCase() : undefined;
}

function volatile(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(volatile);
  if (!isNode(n)) return false;
  if (n.class === "FUNCTION" && VOLATILE.has(String(n.function_name).toLowerCase())) return true;
  return Object.values(n).some(volatile);
}

/** `expr` with each unqualified name of an output column replaced by a copy of its expression. */
function substitute(expr: unknown, outputs: Map<string, Node>): unknown {
  if (Array.isArray(expr)) return expr.map((x) => substitute(x, outputs));
  if (!isNode(expr)) return expr;
  const name = oneName(expr);
  const item = name === undefined ? undefined : outputs.get(name);
  if (item) return { ...clone(item), alias: "" };
  if (expr.class === "SUBQUERY" || expr.class === "LAMBDA") return expr;
  const fn = String(expr.function_name ?? "").toLowerCase();
  if (expr.class === "FUNCTION" && AGGREGATES.has(fn)) return expr;
  const out: Node = {};
  for (const [k, v] of Object.entries(expr)) out[k] = substitute(v, outputs);
  return out;
}
