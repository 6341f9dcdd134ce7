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
import { BOUND_PREFIX, callNode, intConst } from "./trino-ast.ts";

/** Macros whose arguments end up in a subquery of their body. */
const SUBQUERY_MACROS = macrosWhoseBodies(/\(\s*SELECT\b/i);

const columnRef = (name: string): Node => ({
  class: "COLUMN_REF",
  type: "COLUMN_REF",
  alias: "",
  query_location: 0,
  column_names: [name],
});

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
  return args.some(namesColumn) ? bindTogether(args, nameOf(v), v) : v;
}

/**
 * `fn(a, b, c)` as `list_transform([row(a, b)], lambda p: fn(p[1], p[2], c))[1]`: the arguments
 * naming a column in one row, outside the lambda. Not one lambda per argument (bindAggregates):
 * DuckDB cannot bind a column inside a lambda's body in a correlated subquery, so the second
 * argument's list, inside the first lambda, failed (`WHERE y % x = 0` with x the outer column:
 * "Referenced column y not found").
 */
function bindTogether(args: Node[], fn: string, like: Node): Node {
  const bound = args.filter(namesColumn);
  const param = columnRef(BOUND_PREFIX);
  let at = 0;
  const body = callNode(
    fn,
    args.map((a) =>
      namesColumn(a) ? callNode("struct_extract_at", [param, intConst(++at)], { alias: "" }) : a,
    ),
    { alias: "" },
  );
  const lambda: Node = {
    class: "LAMBDA",
    type: "LAMBDA",
    alias: "",
    query_location: 0,
    lhs: param,
    expr: body,
  };
  const row = callNode(
    "row",
    bound.map((a) => ({ ...a, alias: "" })),
    { alias: "" },
  );
  const each = callNode("list_transform", [callNode("list_value", [row], { alias: "" }), lambda], {
    alias: "",
  });
  return callNode("array_extract", [each, intConst(1)], like);
}
