/**
 * What the rewrite can know about the columns of CTEs and subqueries: for each column reference
 * that names one (`n` of `WITH c AS (SELECT count(*) AS n ...)`), the static type of the
 * expression behind it (integer, or decimal with its scale), so that `n * 100.0 / (SELECT sum(n)
 * FROM c)` divides as Trino's decimals (scale 1, rounded half up) rather than as doubles. A
 * reference that cannot be resolved stays unknown (trino-ast.ts staticType: "other"); a decimal
 * division with such an operand is refused by trino_divide's DECIMAL overload (trino.ts). A column
 * whose expression shows an array is recorded as one (`array`), so that `=`, `<>`, the orderings
 * and IN lists compare it as Trino compares arrays (row-comparison.ts, trino-ast.ts shownArray).
 * A reference to a column a CTE or subquery computes (anything but a column passed through under
 * its own name: `useridentity.arn AS useridentity`) is recorded in COMPUTED_COLUMNS, so that a
 * check on the CloudTrail table's columns by name (row-comparison.ts) leaves it alone.
 */

import { outputName } from "./tree.ts";
import { COLUMN_TYPES, isMapValue, type Static, shownArray, staticType } from "./trino-ast.ts";

type Node = Record<string, unknown>;
type Columns = Map<string, Static>;

/** References to a column a CTE or subquery computes (module comment): no table's column. */
export const COMPUTED_COLUMNS = new WeakSet<object>();

/** Joins whose USING names a column a source shows a map in (map-grouping.ts refuses them). */
export const MAP_USING_JOINS = new WeakSet<object>();

/** `*` and `t.*` items giving a column a source shows a map in (map-grouping.ts). */
export const MAP_STARS = new WeakSet<object>();

/** The names of a query's output columns that it computes (not a column passed through). */
const COMPUTED = new WeakMap<Columns, Set<string>>();

/**
 * A query's output columns in their order, where each is known (an unnamed select item, a `*` of
 * sources whose columns are known, a VALUES list): an alias list renames them by position.
 */
const POSITIONS = new WeakMap<Columns, { name: string; type: Static }[]>();

interface Scope {
  /** Unqualified names; a name two sources share is unknown. */
  all: Columns;
  /** Unqualified names a source computes (none shared by two sources). */
  computed: Set<string>;
  /** The columns of each source, by its alias (lower-cased). */
  byAlias: Map<string, Columns>;
  /** A source whose columns are not known (a table): names not found here are not looked for outside. */
  opaque: boolean;
  outer: Scope | undefined;
}

interface Cte {
  entry: Node;
  columns?: Columns;
  busy?: boolean;
}

const OTHER: Static = { kind: "other" };

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** Records the static type of every column reference the statement lets the rewrite resolve. */
export function annotateColumnTypes(root: Node): void {
  query(root, new Map(), undefined);
}

function cteEntries(node: Node): [string, Node][] {
  const map = (node.cte_map as Node | undefined)?.map;
  if (!Array.isArray(map)) return [];
  return map
    .filter((e): e is Node => isNode(e) && typeof e.key === "string" && isNode(e.value))
    .map((e) => [String(e.key).toLowerCase(), e.value as Node]);
}

/** The output columns of a query node, annotating the references inside it on the way. */
function query(node: Node, ctes: Map<string, Cte>, outer: Scope | undefined): Columns {
  const local = new Map(ctes);
  for (const [name, entry] of cteEntries(node)) local.set(name, { entry });
  for (const name of local.keys()) if (!ctes.has(name)) cteColumns(local, name);
  if (node.type === "SET_OPERATION_NODE") {
    const left = POSITIONS.get(query(node.left as Node, local, outer));
    const right = POSITIONS.get(query(node.right as Node, local, outer));
    return setColumns(left, right);
  }
  if (node.type !== "SELECT_NODE") return new Map();
  const scope = source(node.from_table, local, outer);
  for (const key of ["select_list", "where_clause", "group_expressions", "having", "qualify"]) {
    expressions(node[key], scope, local);
  }
  const out: Columns = new Map();
  const computed = new Set<string>();
  const positions: { name: string; type: Static }[] = [];
  let ordered = true;
  for (const item of (node.select_list as Node[] | undefined) ?? []) {
    if (item.class === "STAR" || item.class === "COLUMNS") {
      // `*` of sources whose columns are all known: theirs, in order, passed through.
      const all = starColumns(item, scope);
      const named = item.relation_name
        ? scope.byAlias.get(String(item.relation_name).toLowerCase())
        : undefined;
      const kinds = [...(all ?? []).map((c) => c.type), ...(named?.values() ?? [])];
      if (kinds.some((t) => t.kind === "map")) MAP_STARS.add(item);
      if (!all) {
        ordered = false;
        continue;
      }
      for (const c of all) {
        if (out.has(c.name) || !c.computed) computed.delete(c.name);
        else computed.add(c.name);
        out.set(c.name, out.has(c.name) ? OTHER : c.type);
        positions.push({ name: c.name, type: c.type });
      }
      continue;
    }
    const key = outputName(item);
    const type: Static = shownArray(item)
      ? { kind: "array" }
      : isMapValue(item)
        ? { kind: "map" }
        : staticType(item);
    positions.push({ name: key, type });
    if (key === "") continue;
    if (out.has(key) || lastName(item)?.toLowerCase() === key) computed.delete(key);
    else computed.add(key);
    out.set(key, out.has(key) ? OTHER : type);
  }
  COMPUTED.set(out, computed);
  if (ordered) POSITIONS.set(out, positions);
  return out;
}

/**
 * The columns `*` gives, in order, when every source in scope has its columns known in order
 * (a subquery, a WITH query, a VALUES list; not a table), and the star has no qualifier,
 * EXCLUDE, REPLACE or pattern; else undefined.
 */
function starColumns(
  item: Node,
  scope: Scope,
): { name: string; type: Static; computed: boolean }[] | undefined {
  if (item.class !== "STAR" || item.relation_name || item.expr || item.columns) return undefined;
  const extra = ["exclude_list", "replace_list", "rename_list"].some(
    (k) => Array.isArray(item[k]) && (item[k] as unknown[]).length > 0,
  );
  if (extra || scope.opaque || scope.byAlias.size === 0) return undefined;
  const out: { name: string; type: Static; computed: boolean }[] = [];
  for (const columns of scope.byAlias.values()) {
    const positions = POSITIONS.get(columns);
    if (!positions) return undefined;
    const computed = COMPUTED.get(columns);
    for (const p of positions) out.push({ ...p, computed: computed?.has(p.name) === true });
  }
  return out;
}

/**
 * A set operation's columns: the first query's names (Trino's), each a map or an array when
 * either side's column in that place shows one (the two have one type); else unknown.
 */
function setColumns(
  left: { name: string; type: Static }[] | undefined,
  right: { name: string; type: Static }[] | undefined,
): Columns {
  const out: Columns = new Map();
  if (!left) return out;
  const positions = left.map((p, i) => {
    const kinds = [p.type.kind, right?.[i]?.type.kind];
    const type: Static = kinds.includes("map")
      ? { kind: "map" }
      : kinds.includes("array")
        ? { kind: "array" }
        : OTHER;
    return { name: p.name, type };
  });
  const computed = new Set<string>();
  for (const p of positions) {
    if (p.name === "") continue;
    out.set(p.name, out.has(p.name) ? OTHER : p.type);
    computed.add(p.name);
  }
  COMPUTED.set(out, computed);
  POSITIONS.set(out, positions);
  return out;
}

/**
 * A VALUES list's columns (DuckDB names them col0, col1, ...): a map or an array where any row's
 * value in that place shows one (the rows have one type); else unknown.
 */
function valuesColumns(f: Node): Columns {
  const rows = (Array.isArray(f.values) ? f.values : []) as Node[][];
  const width = Math.max(0, ...rows.map((r) => (Array.isArray(r) ? r.length : 0)));
  const positions = Array.from({ length: width }, (_, i) => {
    const cells = rows.map((r) => r?.[i]).filter(isNode);
    const type: Static = cells.some(isMapValue)
      ? { kind: "map" }
      : cells.some(shownArray)
        ? { kind: "array" }
        : OTHER;
    return { name: `col${i}`, type };
  });
  const out: Columns = new Map(positions.map((p) => [p.name, p.type]));
  COMPUTED.set(out, new Set(positions.map((p) => p.name)));
  POSITIONS.set(out, positions);
  return out;
}

/** The last name of a column reference (`arn` of `useridentity.arn`); undefined for anything else. */
function lastName(item: Node): string | undefined {
  return item.class === "COLUMN_REF" ? String((item.column_names as string[]).at(-1)) : undefined;
}

function cteColumns(ctes: Map<string, Cte>, name: string): Columns {
  const cte = ctes.get(name) as Cte;
  if (cte.columns) return cte.columns;
  if (cte.busy) return new Map();
  cte.busy = true;
  const inner = new Map(ctes);
  const node = ((cte.entry.query as Node | undefined)?.node ?? {}) as Node;
  const columns = renamed(query(node, inner, undefined), node, cte.entry.aliases);
  cte.columns = columns;
  cte.busy = false;
  return columns;
}

/**
 * Columns renamed by an alias list (`c(x, y)`, `AS s(k)`), by position; each computed unless its
 * select item is a column of that name passed through.
 */
function renamed(columns: Columns, node: Node, aliases: unknown): Columns {
  if (!Array.isArray(aliases) || aliases.length === 0) return columns;
  const positions = POSITIONS.get(columns);
  if (!positions) return new Map();
  const out: Columns = new Map();
  const computed = new Set<string>();
  const ordered: { name: string; type: Static }[] = [];
  const list = (node.select_list as Node[] | undefined) ?? [];
  const plain = !list.some((item) => item.class === "STAR" || item.class === "COLUMNS");
  for (const [i, a] of aliases.entries()) {
    const key = String(a).toLowerCase();
    const type = positions[i]?.type ?? OTHER;
    out.set(key, out.has(key) ? OTHER : type);
    ordered.push({ name: key, type });
    // Passed through under its own name: a select item of that name (not a `*`'s column).
    const item = plain ? list[i] : undefined;
    if (!item || lastName(item)?.toLowerCase() !== key) computed.add(key);
  }
  COMPUTED.set(out, computed);
  POSITIONS.set(out, ordered);
  return out;
}

function source(from: unknown, ctes: Map<string, Cte>, outer: Scope | undefined): Scope {
  const scope: Scope = {
    all: new Map(),
    computed: new Set(),
    byAlias: new Map(),
    opaque: false,
    outer,
  };
  const add = (alias: string, columns: Columns) => {
    scope.byAlias.set(alias.toLowerCase(), columns);
    for (const [k, t] of columns) {
      if (!scope.all.has(k) && COMPUTED.get(columns)?.has(k)) scope.computed.add(k);
      else scope.computed.delete(k);
      scope.all.set(k, scope.all.has(k) ? OTHER : t);
    }
  };
  const visit = (f: unknown): void => {
    if (!isNode(f)) return;
    if (f.type === "JOIN") {
      visit(f.left);
      visit(f.right);
      const using = (Array.isArray(f.using_columns) ? f.using_columns : []).map((c) =>
        String(c).toLowerCase(),
      );
      const sources = [...scope.byAlias.values()];
      if (using.some((c) => sources.some((cols) => cols.get(c)?.kind === "map")))
        MAP_USING_JOINS.add(f);
      expressions(f.condition, scope, ctes);
      return;
    }
    const parts = [f.catalog_name, f.schema_name, f.table_name].filter(
      (p) => typeof p === "string" && p !== "",
    );
    if (f.type === "BASE_TABLE" && parts.length === 1) {
      const name = String(parts[0]).toLowerCase();
      if (ctes.has(name)) {
        const columns = cteColumns(ctes, name);
        const node = ((ctes.get(name)?.entry.query as Node | undefined)?.node ?? {}) as Node;
        const cols =
          Array.isArray(f.column_name_alias) && f.column_name_alias.length > 0
            ? renamed(columns, node, f.column_name_alias)
            : columns;
        add(String(f.alias || name), cols);
        return;
      }
    }
    if (f.type === "SUBQUERY" && isNode(f.subquery) && isNode(f.subquery.node)) {
      const node = f.subquery.node;
      add(String(f.alias), renamed(query(node, ctes, undefined), node, f.column_name_alias));
      return;
    }
    if (f.type === "EXPRESSION_LIST") {
      expressions(f.values, scope, ctes);
      add(String(f.alias || "valueslist"), valuesColumns(f));
      return;
    }
    if (f.type === "EMPTY") return;
    // A table, a table function (UNNEST...): its columns are not known here.
    scope.opaque = true;
    expressions(f, scope, ctes);
  };
  visit(from);
  return scope;
}

function resolve(names: string[], scope: Scope | undefined): Static {
  if (!scope) return OTHER;
  if (names.length === 1) {
    const t = scope.all.get(names[0] as string);
    if (t) return t;
    return scope.opaque ? OTHER : resolve(names, scope.outer);
  }
  if (names.length === 2) {
    const columns = scope.byAlias.get(names[0] as string);
    if (columns) return columns.get(names[1] as string) ?? OTHER;
    return scope.opaque ? OTHER : resolve(names, scope.outer);
  }
  return OTHER;
}

/** Whether `names` (as `resolve` reads them) name a column a CTE or subquery computes. */
function isComputed(names: string[], scope: Scope | undefined): boolean {
  if (!scope) return false;
  if (names.length === 1) {
    const name = names[0] as string;
    if (scope.all.has(name)) return scope.computed.has(name);
    return !scope.opaque && isComputed(names, scope.outer);
  }
  if (names.length === 2) {
    const columns = scope.byAlias.get(names[0] as string);
    if (columns) return COMPUTED.get(columns)?.has(names[1] as string) === true;
    return !scope.opaque && isComputed(names, scope.outer);
  }
  return false;
}

/** Annotates the references of expressions; subqueries get their own scope (this one outside). */
function expressions(v: unknown, scope: Scope, ctes: Map<string, Cte>): void {
  if (Array.isArray(v)) {
    for (const x of v) expressions(x, scope, ctes);
    return;
  }
  if (!isNode(v)) return;
  // A lambda's parameters may shadow columns: nothing inside it is resolved.
  if (v.class === "LAMBDA") return;
  if (v.class === "COLUMN_REF") {
    const names = (v.column_names as string[]).map((n) => String(n).toLowerCase());
    const t = resolve(names, scope);
    if (t.kind !== "other") COLUMN_TYPES.set(v, t);
    if (isComputed(names, scope)) COMPUTED_COLUMNS.add(v);
    return;
  }
  if (v.class === "SUBQUERY" && isNode(v.subquery) && isNode(v.subquery.node)) {
    query(v.subquery.node, ctes, scope);
    expressions(v.child, scope, ctes);
    return;
  }
  for (const x of Object.values(v)) expressions(x, scope, ctes);
}
