/**
 * DuckDB picks a typed macro's overload (trino.ts: `reverse(s VARCHAR)` or the array one) from
 * its arguments' types, and in two places it does not know them yet: a column of an outer query
 * named in a subquery (correlated), and anything given to a macro whose body is a subquery
 * (multimap_agg and split_to_multimap group through one), where the arguments become such outer
 * columns. It then chose silently the wrong overload (`(SELECT reverse(a))` reversed the array's
 * text, `(SELECT length(s))` read escapes as bytes) or none ("multiple overloads" for
 * `(SELECT date_trunc('hour', t.ts))`). After the rewrite, such a typed macro call binds its
 * arguments that name a column through a lambda first (trino-ast.ts bindFirst): a lambda's
 * parameter is bound with its list's type.
 *
 * Only calls naming a column their own SELECT's FROM does not provably define are bound: inside
 * a lambda DuckDB no longer folds the macros' `typeof` CASEs, and each dead branch runs for every
 * row (a CAST to varchar in a derived table took 950 ms for 2 million rows, against 60). A table
 * or derived table in FROM cannot be correlated (Athena has no implicit LATERAL), so only
 * expression subqueries (scalar, EXISTS, IN) and UNNEST's arguments are looked into.
 */
import { macrosWhoseBodies, TYPED_MACROS } from "./macros.ts";
import { mapCode } from "./rewrite.ts";
import { CLOUDTRAIL_COLUMNS, PARTITION_COLUMNS } from "./schema.ts";
import { isNode, type Node } from "./tree.ts";
import { BOUND_PREFIX, bindFirst, namesColumn } from "./trino-ast.ts";

/** Macros whose arguments end up in a subquery of their body. */
const SUBQUERY_MACROS = macrosWhoseBodies(/\(\s*SELECT\b/i);

/** The columns of the CloudTrail table, which the rewrite names `target` in FROM. */
const TABLE_COLUMNS = [...CLOUDTRAIL_COLUMNS.map((c) => c.name), ...PARTITION_COLUMNS].map((c) =>
  c.toLowerCase(),
);

/** Names DuckDB's parser reads as column references and binds as functions (SQL's special values). */
const SPECIAL_VALUES = [
  "current_date",
  "current_time",
  "current_timestamp",
  "localtime",
  "localtimestamp",
];

const nameOf = (f: Node) => String(f.function_name).toLowerCase();
const lower = (n: unknown) => (typeof n === "string" ? n.toLowerCase() : "");

/** The column references of an expression (not bindFirst's own lambda parameter). */
function columnRefs(v: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(v)) for (const x of v) columnRefs(x, out);
  else if (isNode(v)) {
    if (v.class === "COLUMN_REF") {
      if (!lower((v.column_names as string[])[0]).startsWith(BOUND_PREFIX)) out.push(v);
    } else
      for (const x of Object.values(v)) if (typeof x === "object" && x !== null) columnRefs(x, out);
  }
  return out;
}

interface Walk {
  /** The table name the rewrite gave the CloudTrail table. */
  table: string;
  /** The statement's CTEs (lower-cased name → its query node). */
  ctes: Map<string, Node>;
}

/**
 * Where a call is: `local`, inside an expression subquery, the names its SELECT's FROM defines
 * (undefined outside any); `all`, inside a subquery macro's arguments (every column is outer).
 */
interface Context {
  sub: boolean;
  local: Set<string> | undefined;
  all: boolean;
}

/** Rewrites, in place, the typed macro calls of a rewritten statement that need it. */
export function bindOuterColumns(root: Node, table: string): Node {
  const ctes = new Map<string, Node>();
  collectCtes(root, ctes);
  return walk(
    root,
    { sub: false, local: undefined, all: false },
    { table: lower(table), ctes },
  ) as Node;
}

function collectCtes(v: unknown, out: Map<string, Node>): void {
  if (Array.isArray(v)) for (const x of v) collectCtes(x, out);
  else if (isNode(v)) {
    const map = (v.cte_map as Node | undefined)?.map;
    if (Array.isArray(map))
      for (const e of map as Node[]) {
        const node = ((e.value as Node | undefined)?.query as Node | undefined)?.node;
        if (typeof e.key === "string" && isNode(node)) out.set(e.key.toLowerCase(), node);
      }
    for (const x of Object.values(v)) if (typeof x === "object" && x !== null) collectCtes(x, out);
  }
}

function walk(v: unknown, ctx: Context, w: Walk): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = walk(v[i], ctx, w);
    return v;
  }
  if (!isNode(v)) return v;
  const call = v.class === "FUNCTION";
  let inner = ctx;
  if (v.type === "TABLE_FUNCTION") inner = { ...ctx, all: true };
  else if (v.class === "SUBQUERY" || lateral(v)) inner = { ...ctx, sub: true };
  else if (v.type === "SELECT_NODE" && ctx.sub) inner = { ...ctx, local: localNames(v, w) };
  else if (call && SUBQUERY_MACROS.has(nameOf(v))) inner = { ...ctx, all: true };
  for (const [k, x] of Object.entries(v)) v[k] = walk(x, inner, w);
  if (!call || !TYPED_MACROS.has(nameOf(v))) return v;
  const args = v.children as Node[];
  const outer = (a: Node) =>
    ctx.all
      ? namesColumn(a)
      : ctx.local !== undefined &&
        columnRefs(a).some((r) => !ctx.local?.has(lower((r.column_names as string[])[0])));
  return args.some(outer) ? bindFirst(args, nameOf(v), v) : v;
}

/**
 * An UNNEST in FROM: its arguments name the columns of the tables before it (Trino's UNNEST is
 * lateral): here the derived table without a FROM that rewriteUnnest makes of one (a table
 * function's arguments are all bound, walk).
 */
function lateral(v: Node): boolean {
  const node = (v.subquery as Node | undefined)?.node as Node | undefined;
  return (
    v.type === "SUBQUERY" &&
    v.class === undefined &&
    (node?.from_table as Node | undefined)?.type === "EMPTY"
  );
}

/**
 * The names a SELECT's FROM provably defines: its sources' aliases and table names, and the
 * columns known of them (the CloudTrail table's, a CTE's or derived table's output names, column
 * alias lists). A table whose columns are not known adds only its name.
 */
function localNames(select: Node, w: Walk): Set<string> {
  const names = new Set<string>(SPECIAL_VALUES);
  const add = (n: unknown) => {
    if (lower(n) !== "") names.add(lower(n));
  };
  const visit = (f: unknown): void => {
    if (!isNode(f)) return;
    if (f.type === "JOIN") {
      visit(f.left);
      visit(f.right);
      return;
    }
    add(f.alias);
    for (const a of (f.column_name_alias as unknown[] | undefined) ?? []) add(a);
    if (f.type === "BASE_TABLE") {
      add(f.table_name);
      if (lower(f.table_name) === w.table) for (const c of TABLE_COLUMNS) names.add(c);
      const cte = w.ctes.get(lower(f.table_name));
      if (cte) for (const c of outputNames(cte)) add(c);
    } else if (f.type === "SUBQUERY") {
      for (const c of outputNames((f.subquery as Node | undefined)?.node)) add(c);
    }
  };
  visit(select.from_table);
  return names;
}

/** The output column names of a query node that the text shows (none for `*`). */
function outputNames(node: unknown): string[] {
  if (!isNode(node)) return [];
  if (node.type === "SET_OPERATION_NODE") return outputNames(node.left);
  return ((node.select_list as Node[] | undefined) ?? []).map((item) =>
    item.alias !== ""
      ? String(item.alias)
      : item.class === "COLUMN_REF"
        ? String((item.column_names as string[]).at(-1))
        : "",
  );
}

/**
 * The deserialized SQL's `(__runmd_bound -> ...)` written `(lambda __runmd_bound: ...)`, outside
 * strings, quoted names and comments. DuckDB reads an arrow as a JSON operator first, and in a
 * correlated subquery that binds the macro inside before the parameter's type is known
 * ("multiple overloads" for floor(x) there); the keyword is a lambda from the start. DuckDB's
 * serializer writes only arrows.
 */
export function keywordLambdas(sql: string): string {
  const arrow = new RegExp(`\\((${BOUND_PREFIX}(?:_\\d+)?) -> `, "g");
  return mapCode(sql, (code) => code.replace(arrow, "(lambda $1: "));
}
