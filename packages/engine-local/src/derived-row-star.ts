/**
 * A WITH query's or a subquery's row column with `.*` (`WITH x AS (SELECT useridentity AS u ...)
 * SELECT x.u.* FROM x`), which row-star.ts wrote as `__runmd_row_star(x.u, 'a', ...)` for DuckDB
 * to parse: here, on DuckDB's tree, the column is followed through the relations of the FROM
 * clause (a WITH query, a subquery, a column alias list) to the CloudTrail column it reads, and
 * the item becomes the row's fields, `x.u.type AS "type", ...`, named as Trino names them (the
 * fields, or the column list), by @run-md/sql's `rowStarFields`, the checker's rule too. A row
 * that reads no CloudTrail column is refused: its fields are not known before DuckDB binds it.
 */
import { RunMdError } from "@run-md/core";
import { rowStarFields } from "@run-md/sql";
import { ROW_STAR_CALL } from "./row-star.ts";
import { CLOUDTRAIL_COLUMNS } from "./schema.ts";
import { clone, constValue, isNode, type Node, outputName } from "./tree.ts";
import { eachSelect, type WithEnv, withQueries } from "./with-queries.ts";

const TABLE_COLUMNS = new Set(CLOUDTRAIL_COLUMNS.map((c) => c.name));

/** A relation of a FROM clause: its name, and the CloudTrail table or the query it is. */
interface Rel {
  name: string;
  cloudtrail: boolean;
  node?: Node;
  aliases: string[];
  env: Env;
  tables: ReadonlySet<string>;
}

type Env = WithEnv;

const lower = (v: unknown) => String(v ?? "").toLowerCase();

/** Writes out every `__runmd_row_star(...)` of `root`; `tables`: the table's spellings. */
export function expandDerivedRowStars(root: Node, tables: ReadonlySet<string>): void {
  eachSelect(root, (select, env) => {
    if (!Array.isArray(select.select_list)) return;
    select.select_list = (select.select_list as Node[]).flatMap((item) =>
      expand(item, select, env, tables),
    );
  });
}

function expand(item: Node, select: Node, env: Env, tables: ReadonlySet<string>): Node[] {
  if (item.class !== "FUNCTION" || item.function_name !== ROW_STAR_CALL) return [item];
  const [ref, ...names] = item.children as Node[];
  const parts = ((ref?.column_names as string[]) ?? []).map(lower);
  const path = pathOf(parts, relations(select.from_table, env, tables));
  const star = rowStarFields(parts, {
    isCloudTrail: () => false,
    isDefined: () => true,
    derivedPath: () => path,
  });
  const aliases = names.map((n) => constValue(n) ?? "");
  if (star?.kind !== "fields" || (aliases.length > 0 && aliases.length !== star.fields.length)) {
    throw new RunMdError(
      "sql-error",
      `${parts.join(".")}.* is not expanded by the local engine: it expands a row's .* when the row is a column of the CloudTrail table, read through WITH queries and subqueries (x.u of WITH x AS (SELECT useridentity AS u FROM cloudtrail_logs)).`,
      { hint: `Name the fields: ${parts.join(".")}.<field> AS <name>, ...` },
    );
  }
  return star.fields.map((f, i) => {
    const field = f.name.toLowerCase();
    const column = clone(ref!);
    column.column_names = [...(ref!.column_names as string[]), field];
    column.alias = aliases[i] ?? field;
    return column;
  });
}

/** The relations of a FROM clause; a relation other than a table or a subquery stops the list. */
function relations(from: unknown, env: Env, tables: ReadonlySet<string>): Rel[] {
  if (!isNode(from)) return [];
  if (from.type === "JOIN") {
    return [...relations(from.left, env, tables), ...relations(from.right, env, tables)];
  }
  const aliases = ((from.column_name_alias as string[] | undefined) ?? []).map(lower);
  if (from.type === "BASE_TABLE") {
    const full = [from.catalog_name, from.schema_name, from.table_name]
      .filter((p) => typeof p === "string" && p !== "")
      .map(lower)
      .join(".");
    const cte = full.includes(".") ? undefined : env.get(full);
    const name = lower(from.alias) || lower(from.table_name);
    if (cte)
      return [{ name, cloudtrail: false, node: cte.node, aliases: cte.aliases, env, tables }];
    return [{ name, cloudtrail: tables.has(full), aliases, env, tables }];
  }
  if (from.type === "SUBQUERY") {
    const node = (from.subquery as Node).node as Node;
    return [{ name: lower(from.alias), cloudtrail: false, node, aliases, env, tables }];
  }
  return [];
}

/** The CloudTrail path (from its column) a reference reads through `rels`, if it reads one. */
function pathOf(parts: string[], rels: Rel[]): string[] | undefined {
  const [head, ...rest] = parts;
  if (head === undefined) return undefined;
  const byName = rels.filter((r) => r.name === head);
  if (rest.length > 0 && byName.length === 1)
    return columnPath(byName[0]!, rest[0]!, rest.slice(1));
  const having = rels.filter((r) => columnPath(r, head, []) !== undefined);
  return having.length === 1 ? columnPath(having[0]!, head, rest) : undefined;
}

/** The path column `name` of `rel` reads, followed by `rest`. */
function columnPath(rel: Rel, name: string, rest: string[]): string[] | undefined {
  if (rel.cloudtrail) return TABLE_COLUMNS.has(name) ? [name, ...rest] : undefined;
  const node = rel.node;
  if (node?.type !== "SELECT_NODE") return undefined;
  const list = node.select_list as Node[];
  const inner = relations(node.from_table, withQueries(node, rel.env), rel.tables);
  // `SELECT * FROM ...` (the window's scoping writes one): the columns of its relations.
  if (
    list.length === 1 &&
    list[0]?.class === "STAR" &&
    !list[0]?.columns &&
    rel.aliases.length === 0
  )
    return pathOf([name, ...rest], inner);
  const at = rel.aliases.indexOf(name);
  const named = rel.aliases.length > 0 ? undefined : list.find((i) => outputName(i) === name);
  const item = at >= 0 ? list[at] : named;
  if (item?.class !== "COLUMN_REF") return undefined;
  const path = pathOf((item.column_names as string[]).map(lower), inner);
  return path === undefined ? undefined : [...path, ...rest];
}
