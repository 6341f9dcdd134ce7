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
import { SUBQUERY_MACROS, TYPED_MACROS } from "./macros.ts";
import { mapCode } from "./rewrite.ts";
import { CLOUDTRAIL_COLUMNS, PARTITION_COLUMNS } from "./schema.ts";
import { isNode, type Node } from "./tree.ts";
import { BOUND_PREFIX, bindFirst, columnRefs, namesColumn } from "./trino-ast.ts";

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
  local: Local | undefined;
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
  const local = ctx.local;
  const outer = (a: Node) =>
    ctx.all ? namesColumn(a) : local !== undefined && columnRefs(a).some((r) => !isLocal(r, local));
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

/** What a SELECT's FROM provably defines: its columns, and each source's (undefined: not known). */
interface Local {
  columns: Set<string>;
  sources: Map<string, Set<string> | undefined>;
}

/**
 * Whether a column reference provably names a column of its own SELECT's FROM: `c` one of its
 * columns, `q.c` a column c of its source q (not an outer q an inner alias hides, as in Trino),
 * or a field of one of its columns (`useridentity.arn`).
 */
function isLocal(ref: Node, local: Local): boolean {
  const [q, c] = (ref.column_names as string[]).map(lower) as [string, string | undefined];
  if (c === undefined) return local.columns.has(q);
  if (local.sources.has(q)) return local.sources.get(q)?.has(c) === true;
  return local.columns.has(q);
}

/**
 * What a SELECT's FROM provably defines: the CloudTrail table's columns, a CTE's or derived
 * table's output names, column alias lists; a source whose columns are not known (another table,
 * a table function) defines none, so references to it are bound late (safe, only slower).
 */
function localNames(select: Node, w: Walk): Local {
  const local: Local = { columns: new Set(SPECIAL_VALUES), sources: new Map() };
  const visit = (f: unknown): void => {
    if (!isNode(f)) return;
    if (f.type === "JOIN") {
      visit(f.left);
      visit(f.right);
      return;
    }
    const aliases = ((f.column_name_alias as unknown[] | undefined) ?? []).map(lower);
    let cols: string[] | undefined;
    if (aliases.length > 0) cols = aliases;
    else if (f.type === "BASE_TABLE" && lower(f.table_name) === w.table) cols = TABLE_COLUMNS;
    else if (f.type === "BASE_TABLE") cols = outputNames(w.ctes.get(lower(f.table_name)));
    else if (f.type === "SUBQUERY") cols = outputNames((f.subquery as Node | undefined)?.node);
    for (const c of cols ?? []) local.columns.add(c);
    const name = lower(f.alias) || lower(f.table_name);
    if (name !== "") local.sources.set(name, cols && new Set(cols));
  };
  visit(select.from_table);
  return local;
}

/** The output column names of a query node, lower-cased; undefined when the text does not show them all. */
function outputNames(node: unknown): string[] | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === "SET_OPERATION_NODE") return outputNames(node.left);
  const names = ((node.select_list as Node[] | undefined) ?? []).map((item) =>
    item.alias !== ""
      ? lower(item.alias)
      : item.class === "COLUMN_REF"
        ? lower((item.column_names as string[]).at(-1))
        : "",
  );
  return names.includes("") ? undefined : names;
}

/**
 * The deserialized SQL's `(__runmd_bound -> ...)` written `(lambda __runmd_bound: ...)`, outside
 * strings, quoted names and comments. DuckDB reads an arrow as a JSON operator first, and in a
 * correlated subquery that binds the macro inside before the parameter's type is known
 * ("multiple overloads" for floor(x) there); the keyword is a lambda from the start. DuckDB's
 * serializer writes only arrows.
 */
export function keywordLambdas(sql: string): string {
  const arrow = new RegExp(`\\((${BOUND_PREFIX}) -> `, "g");
  return mapCode(sql, (code) => code.replace(arrow, "(lambda $1: "));
}
