/**
 * A name in HAVING that is both a select alias and a column of the FROM clause (`SELECT
 * substr(eventname, 2) AS eventname ... GROUP BY 1 HAVING substr(eventname, 2) = '...'`): Trino
 * resolves HAVING against the FROM clause only, so it is the column (StatementAnalyzer; select
 * aliases are not visible there, trinodb/trino#8582), where DuckDB's HAVING binder reads the alias
 * first, so the condition tested `substr(substr(eventname, 2), 2)` and kept other groups. Such a
 * name is qualified here with the relation whose column it is, which DuckDB binds as the column.
 * A select alias that names no column is refused before the step runs (@run-md/sql's
 * clause-aliases.ts); here it stays as it is. Where the FROM clause's relations do not show which
 * one has the column (a join with a relation whose columns are unknown, or with two having it, or
 * a USING column), the step is refused rather than answered with the alias.
 */
import { RunMdError } from "@run-md/core";
import { CLOUDTRAIL_COLUMNS } from "./schema.ts";
import { isNode, type Node, outputName } from "./tree.ts";
import { lambdaParams } from "./trino-map-lambda.ts";
import { eachSelect, type WithEnv } from "./with-queries.ts";

const TABLE_COLUMNS = new Set(CLOUDTRAIL_COLUMNS.map((c) => c.name));

type Env = WithEnv;

const lower = (v: unknown) => String(v ?? "").toLowerCase();

/** The alias given to a relation without a name, so that a HAVING name can be qualified by it. */
const SOURCE_ALIAS = "__runmd_having_source";

/** Qualifies the HAVING names of every SELECT in the tree (module comment); `tables`: the table's spellings. */
export function havingColumns(root: unknown, tables: ReadonlySet<string>): void {
  eachSelect(root, (select, env) => {
    if (isNode(select.having)) qualify(select, env, tables);
  });
}

function qualify(select: Node, env: Env, tables: ReadonlySet<string>): void {
  const aliases = new Set<string>();
  for (const item of (select.select_list as Node[] | undefined) ?? []) {
    if (typeof item.alias === "string" && item.alias !== "") aliases.add(lower(item.alias));
  }
  if (aliases.size === 0) return;
  const refs: Node[] = [];
  collect(select.having, aliases, refs);
  for (const ref of refs) {
    const name = lower((ref.column_names as string[])[0]);
    const source = relationOf(select, name, env, tables);
    ref.column_names = [source, (ref.column_names as string[])[0]];
  }
}

/**
 * The unqualified column references in `v` that name a select alias: a subquery's own query is
 * skipped, not the left operand of its IN or ANY (`substr(eventname, 2) IN (SELECT ...)` is this
 * SELECT's expression), and a lambda's body is read without the names of its parameters.
 */
function collect(v: unknown, aliases: ReadonlySet<string>, out: Node[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collect(x, aliases, out);
    return;
  }
  if (!isNode(v)) return;
  if (v.class === "SUBQUERY") {
    collect(v.child, aliases, out);
    return;
  }
  if (v.class === "LAMBDA") {
    const params = new Set(lambdaParams(v));
    collect(v.expr, new Set([...aliases].filter((a) => !params.has(a))), out);
    return;
  }
  if (v.class === "COLUMN_REF") {
    const names = v.column_names as string[];
    if (names.length === 1 && aliases.has(lower(names[0]))) out.push(v);
    return;
  }
  for (const x of Object.values(v)) collect(x, aliases, out);
}

/** A relation of the FROM clause: its node and whether it has the column (undefined: unknown). */
interface Leaf {
  node: Node;
  has: boolean | undefined;
}

/** The name of the one relation of `select`'s FROM clause with column `name`, naming it if need be. */
function relationOf(select: Node, name: string, env: Env, tables: ReadonlySet<string>): string {
  const from = select.from_table;
  const leaves: Leaf[] = [];
  const using = leavesOf(from, name, env, tables, leaves);
  const having = leaves.filter((l) => l.has !== false);
  const only = leaves.length === 1 ? leaves[0] : having.length === 1 ? having[0] : undefined;
  if (using || only === undefined || (leaves.length > 1 && only.has !== true)) {
    throw new RunMdError(
      "sql-error",
      `HAVING names ${name}, which is both a select alias and a column: Athena (Trino) reads the column there and DuckDB the alias, and the local engine cannot tell which relation of the FROM clause the column is (not supported locally).`,
      {
        hint: `Qualify it with its relation (t.${name}), or give the select item another alias.`,
      },
    );
  }
  return nameOf(only.node);
}

/** Adds the relations of `from` to `out`; true when a join's USING names `name`. */
function leavesOf(
  from: unknown,
  name: string,
  env: Env,
  tables: ReadonlySet<string>,
  out: Leaf[],
): boolean {
  if (!isNode(from)) return false;
  if (from.type === "JOIN") {
    const using = ((from.using_columns as string[] | undefined) ?? []).map(lower);
    const left = leavesOf(from.left, name, env, tables, out);
    const right = leavesOf(from.right, name, env, tables, out);
    return left || right || using.includes(name) || from.ref_type === "NATURAL";
  }
  out.push({ node: from, has: hasColumn(from, name, env, tables) });
  return false;
}

function hasColumn(
  rel: Node,
  name: string,
  env: Env,
  tables: ReadonlySet<string>,
): boolean | undefined {
  const aliases = ((rel.column_name_alias as string[] | undefined) ?? []).map(lower);
  if (rel.type === "BASE_TABLE") {
    const full = [rel.catalog_name, rel.schema_name, rel.table_name]
      .filter((p) => typeof p === "string" && p !== "")
      .map(lower)
      .join(".");
    const cte = full.includes(".") ? undefined : env.get(full);
    if (cte) return queryHas(cte.node, aliases.length > 0 ? aliases : cte.aliases, name);
    if (tables.has(full))
      return aliases.length > 0 ? aliases.includes(name) : TABLE_COLUMNS.has(name);
    return aliases.length > 0 ? aliases.includes(name) : undefined;
  }
  if (rel.type === "SUBQUERY") return queryHas((rel.subquery as Node).node as Node, aliases, name);
  return aliases.length > 0 ? aliases.includes(name) : undefined;
}

/** Whether a query's output has column `name` (its alias list's, else its select list's names). */
function queryHas(node: Node, aliases: string[], name: string): boolean | undefined {
  if (aliases.length > 0) return aliases.includes(name);
  if (node.type !== "SELECT_NODE") return undefined;
  const list = (node.select_list as Node[] | undefined) ?? [];
  if (list.some((i) => i.class === "STAR" || i.class === "COLUMNS")) return undefined;
  return list.some((i) => outputName(i) === name);
}

/** The name a relation is qualified by: its alias, a table's name, or an alias given to it here. */
function nameOf(rel: Node): string {
  if (typeof rel.alias === "string" && rel.alias !== "") return rel.alias;
  if (rel.type === "BASE_TABLE") return String(rel.table_name);
  rel.alias = SOURCE_ALIAS;
  return SOURCE_ALIAS;
}
