/**
 * DuckDB picks a typed macro's overload (trino.ts: `reverse(s VARCHAR)` or the array one) from
 * its arguments' types, and in two places it does not know them yet: a column of an outer query
 * named in a subquery (correlated, or a lateral join), and anything given to a macro whose body
 * is a subquery (map_agg, multimap_agg and split_to_multimap group through one), where the
 * arguments become such outer columns. It then chose silently the wrong overload
 * (`map_agg(x, reverse(a))` reversed the array's text, `(SELECT length(s))` read escapes as
 * bytes) or none ("multiple overloads"). After the rewrite, each typed macro call there binds its
 * arguments that name a column through single-value lambdas first (trino-ast.ts bindAggregates):
 * a lambda's parameter is bound with its list's type. About 5 ns a row.
 */
import { macrosWhoseBodies, TYPED_MACROS } from "./macros.ts";
import { isNode, type Node } from "./tree.ts";
import { BOUND_PREFIX, bindAggregates } from "./trino-ast.ts";

/** Macros whose arguments end up in a subquery of their body. */
const SUBQUERY_MACROS = macrosWhoseBodies(/\(\s*SELECT\b/i);

const nameOf = (f: Node) => String(f.function_name).toLowerCase();

/** Whether an expression names a column (not one of bindAggregates' own lambda parameters). */
function namesColumn(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(namesColumn);
  if (!isNode(v)) return false;
  if (v.class === "COLUMN_REF") {
    const first = String((v.column_names as string[])[0] ?? "");
    return !first.startsWith(BOUND_PREFIX);
  }
  return Object.values(v).some((x) => typeof x === "object" && x !== null && namesColumn(x));
}

/** Rewrites, in place, the typed macro calls of a rewritten statement that need it. */
export function bindOuterColumns(root: Node): Node {
  return walk(root, false) as Node;
}

function walk(v: unknown, inside: boolean): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = walk(v[i], inside);
    return v;
  }
  if (!isNode(v)) return v;
  const call = v.class === "FUNCTION";
  const enters =
    v.class === "SUBQUERY" || v.type === "SUBQUERY" || (call && SUBQUERY_MACROS.has(nameOf(v)));
  for (const [k, x] of Object.entries(v)) v[k] = walk(x, inside || enters);
  if (!inside || !call || !TYPED_MACROS.has(nameOf(v))) return v;
  const args = v.children as Node[];
  return args.some(namesColumn) ? bindAggregates(args, nameOf(v), v, namesColumn) : v;
}
