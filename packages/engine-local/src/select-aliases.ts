/**
 * Trino resolves WHERE, GROUP BY and HAVING against the FROM clause only: a select-list alias
 * there is "Column 'n' cannot be resolved" on Athena, while DuckDB accepts it. Over the CloudTrail
 * table, whose columns are known, such a query is refused locally, so that a step that runs here
 * also runs on Athena. Other sources (CTEs, joins, subqueries other than `SELECT *` of the
 * table) are not checked.
 */
import { RunMdError } from "@run-md/core";
import type { Node } from "./tree.ts";
import { isNode } from "./tree.ts";

/** Throws for the first select alias used in a WHERE, GROUP BY or HAVING over one of `tables`. */
export function refuseSelectAliases(root: unknown, tables: Set<Node>, columns: Set<string>): void {
  forEachNode(root, (n) => {
    if (n.type !== "SELECT_NODE" || !readsTable(n.from_table, tables)) return false;
    const aliases = new Set(
      (n.select_list as Node[])
        .map((e) => String(e.alias ?? "").toLowerCase())
        .filter((a) => a !== "" && !columns.has(a)),
    );
    if (aliases.size === 0) return false;
    const clauses: [string, unknown][] = [
      ["WHERE", n.where_clause],
      ["GROUP BY", n.group_expressions],
      ["HAVING", n.having],
    ];
    for (const [clause, expr] of clauses) {
      const name = aliasIn(expr, aliases);
      if (name !== undefined) throw aliasError(name, clause);
    }
    return false;
  });
}

/**
 * Whether a FROM item is the table, or a subquery `SELECT * FROM <the table> [WHERE ...]` (how
 * the Athena engine scopes it to the window), whose columns are the table's.
 */
function readsTable(from: unknown, tables: Set<Node>): boolean {
  if (!isNode(from)) return false;
  if (tables.has(from)) return true;
  const sub = from.type === "SUBQUERY" && isNode(from.subquery) ? from.subquery.node : undefined;
  if (!isNode(sub) || sub.type !== "SELECT_NODE") return false;
  const list = sub.select_list as Node[];
  const star = list.length === 1 && list[0]?.class === "STAR" && !list[0]?.columns;
  return star && readsTable(sub.from_table, tables);
}

/** A column reference in `expr` (not inside a subquery or lambda) naming one of `aliases`. */
function aliasIn(expr: unknown, aliases: Set<string>): string | undefined {
  let found: string | undefined;
  forEachNode(expr, (n) => {
    const names = n.class === "COLUMN_REF" ? (n.column_names as string[]) : [];
    const name = names.length === 1 ? String(names[0]).toLowerCase() : "";
    if (found === undefined && aliases.has(name)) found = name;
    // A subquery has its own scope; a lambda's parameters are its own names (x -> x.type).
    return n.class === "SUBQUERY" || n.class === "LAMBDA";
  });
  return found;
}

/** Visits every node of a tree; `visit` returning true skips the node's children. */
function forEachNode(v: unknown, visit: (n: Node) => boolean): void {
  if (Array.isArray(v)) {
    for (const x of v) forEachNode(x, visit);
    return;
  }
  if (!isNode(v) || visit(v) === true) return;
  for (const x of Object.values(v)) forEachNode(x, visit);
}

function aliasError(name: string, clause: string): RunMdError {
  return new RunMdError(
    "sql-error",
    `Column '${name}' cannot be resolved: on Athena (Trino) ${clause} sees the table's columns, not the select list's aliases.`,
    {
      hint: `Repeat the expression in ${clause}${clause === "GROUP BY" ? " (or write its position, GROUP BY 1)" : ""}, or compute it in a subquery or CTE.`,
    },
  );
}
