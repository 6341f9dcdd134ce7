/**
 * Column references judged against the relations a query reads (relations.ts), as Trino's
 * analyzer resolves them: after a column alias list (`(SELECT eventname, useridentity.arn ...)
 * AS t(e, a)`, `WITH x(e, a) AS (...)`) only the new names exist, so `t.arn` and `eventname` are
 * "Column 't.arn' cannot be resolved"; a list of another length than the relation's columns is
 * Trino's "Column alias list has 1 entries but 't' has 2 columns available" ("WITH column alias
 * list has ... but WITH query(x) has ... columns"). Judged only where every relation the
 * reference can see (its query's and, for a correlated subquery, the enclosing queries') shows
 * its columns; a name that is no column anywhere is resolve.ts's "unknown column".
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  AliasedRelationContext,
  GroupByContext,
  HavingClauseContext,
  NamedQueryContext,
  type QualifiedNameContext,
  QuerySpecificationContext,
  SubqueryRelationContext,
  WhereClauseContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { COLUMN_NAMES, nameText, PARTITION_COLUMNS } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { eachColumnReference, referenceNames } from "./references.ts";
import { type Column, nameKey, type Relation, type Relations, subqueryOf } from "./relations.ts";
import { at } from "./types.ts";

/**
 * The relations a reference in `spec` sees (its own, then the enclosing queries'); undefined when
 * one is not known. A subquery in FROM (`FROM (SELECT ...) s`, a WITH query) sees no relation of
 * the query around it, as on Trino ("Column 'e' cannot be resolved"): only a subquery in an
 * expression (`WHERE EXISTS (...)`, `IN (SELECT ...)`) or a `LATERAL (...)` one does.
 */
export function visibleRelations(
  spec: QuerySpecificationContext,
  relations: Relations,
): Relation[] | undefined {
  const out: Relation[] = [];
  let p: ParserRuleContext | null = spec;
  while (p) {
    if (p instanceof QuerySpecificationContext) {
      const own = relations.of(p);
      if (own === undefined || own.some((r) => r.columns === undefined)) return undefined;
      out.push(...own);
    }
    if (p instanceof SubqueryRelationContext && !relations.lateral.has(p.start!.start)) break;
    p = p.parent;
  }
  return out;
}

/**
 * What `spec` cannot see of the queries around it (a correlated subquery sees their relations):
 * their select aliases, which Trino never resolves a name against outside their own ORDER BY; and
 * the names of the relations beside a subquery in FROM that is not LATERAL, which it cannot see.
 */
function unseen(
  spec: QuerySpecificationContext,
  relations: Relations,
): { aliases: Set<string>; relations: Set<string> } {
  const aliases = new Set<string>();
  const hidden = new Set<string>();
  let seen = true;
  for (let p: ParserRuleContext | null = spec.parent; p; p = p.parent) {
    if (p instanceof SubqueryRelationContext && !relations.lateral.has(p.start!.start))
      seen = false;
    if (!(p instanceof QuerySpecificationContext)) continue;
    if (!seen) {
      for (const r of relations.of(p) ?? []) if (r.name !== undefined) hidden.add(r.name);
      continue;
    }
    for (const item of p.selectList().selectItem()) {
      const id = item.identifier();
      if (id) aliases.add(nameKey(id.getText()));
    }
  }
  return { aliases, relations: hidden };
}

/**
 * How many columns `columns` are: exactly, or, with the CloudTrail table's `*` among them, between
 * the count without its partition columns and the count with every scheme's (a table has some).
 */
function columnCount(columns: Column[]): { min: number; max: number } {
  const partition = (c: Column) =>
    c.table === true && (PARTITION_COLUMNS as readonly string[]).includes(c.name ?? "");
  return { min: columns.filter((c) => !partition(c)).length, max: columns.length };
}

/** Trino's count of the columns, or the bound a list of `given` names is past. */
function countText(given: number, columns: Column[]): string | undefined {
  const { min, max } = columnCount(columns);
  if (given < min) return min === max ? `${min}` : `at least ${min}`;
  if (given > max) return min === max ? `${max}` : `at most ${max}`;
  return undefined;
}

/**
 * A column alias list of another length than its relation's columns, in Trino's words; with the
 * CloudTrail table's `*` (`(SELECT * FROM cloudtrail_logs) s(a)`), one shorter than the table's
 * columns without partitions or longer than with all of them.
 */
export function checkAliasCount(n: ParserRuleContext, relations: Relations, out: SqlProblem[]) {
  let problem: string | undefined;
  if (n instanceof NamedQueryContext && n.columnAliases()) {
    const given = n.columnAliases()!.identifier().length;
    const columns = relations.queryColumns(n.query());
    const count = columns && countText(given, columns);
    if (count !== undefined)
      problem = `WITH column alias list has ${given} entries but WITH query(${nameText(n.identifier().getText())}) has ${count} columns`;
  } else if (n instanceof AliasedRelationContext && n.columnAliases() && n.identifier()) {
    const given = n.columnAliases()!.identifier().length;
    const subquery = subqueryOf(n.relationPrimary());
    const columns = subquery ? relations.queryColumns(subquery.query()) : undefined;
    const count = columns && countText(given, columns);
    if (count !== undefined)
      problem = `Column alias list has ${given} entries but '${nameText(n.identifier()!.getText())}' has ${count} columns available`;
  }
  if (problem !== undefined)
    out.push({ ...at(n), severity: "error", rule: "sql-column", message: problem });
}

/** Whether `n` stands in `spec`'s WHERE, GROUP BY or HAVING (where clause-aliases.ts judges select aliases). */
function inFilterClause(n: ParserRuleContext): boolean {
  for (let p = n.parent; p && !(p instanceof QuerySpecificationContext); p = p.parent) {
    if (p instanceof WhereClauseContext || p instanceof GroupByContext) return true;
    if (p instanceof HavingClauseContext) return true;
  }
  return false;
}

/**
 * Every column reference of `spec` (not of its subqueries) that no visible relation has;
 * `defined` says whether a name is one the query defines somewhere (resolve.ts reports others).
 */
export function checkScopedColumns(
  spec: QuerySpecificationContext,
  relations: Relations,
  defined: (name: string) => boolean,
  out: SqlProblem[],
): void {
  const visible = visibleRelations(spec, relations);
  if (visible === undefined) return;
  const aliases = new Set(
    spec
      .selectList()
      .selectItem()
      .flatMap((i) => (i.identifier() ? [nameKey(i.identifier()!.getText())] : [])),
  );
  const hasColumn = (name: string) => visible.some((r) => r.columns!.some((c) => c.name === name));
  const cloudTrail = visible.some((r) => r.cloudtrail);
  const outer = unseen(spec, relations);
  eachColumnReference(spec, (ref) => {
    const parts = referenceNames(ref);
    const head = parts[0]!;
    if (hasColumn(head)) return;
    const relation = visible.find((r) => r.name === head);
    if (parts.length === 1 && relation) return; // `t` of `t.*`
    if (parts.length > 1 && relation) {
      if (relation.cloudtrail || relation.columns!.some((c) => c.name === parts[1])) return;
      out.push(unresolved(ref, `${head}.${parts[1]}`, [relation]));
    } else if (parts.length > 1 && outer.relations.has(head)) {
      // `FROM cloudtrail_logs c, (SELECT length(c.eventname) AS n) s`: DuckDB reads it as LATERAL.
      out.push(unresolved(ref, `${head}.${parts[1]}`, visible, "beside"));
    } else if (!cloudTrail && (COLUMN_NAMES.includes(head) || defined(head))) {
      if (aliases.has(head) && inFilterClause(ref)) return; // clause-aliases.ts
      out.push(unresolved(ref, head, visible));
    } else if (parts.length === 1 && outer.aliases.has(head) && !aliases.has(head)) {
      // An enclosing query's select alias (`SELECT lower(eventname) AS e ... WHERE EXISTS
      // (SELECT 1 FROM cloudtrail_logs c2 WHERE c2.eventname = e)`): no visible relation has it.
      out.push(unresolved(ref, head, visible, "outer alias"));
    }
  });
}

function unresolved(
  ref: QualifiedNameContext,
  name: string,
  from: Relation[],
  why?: "beside" | "outer alias",
): SqlProblem {
  const table = from.some((r) => r.columns!.some((c) => c.table));
  const own = from.flatMap((r) => r.columns!.flatMap((c) => (c.name && !c.table ? [c.name] : [])));
  const names = [
    ...(table ? ["the CloudTrail table's columns"] : []),
    ...(own.length > 0 ? [`the columns ${own.join(", ")}`] : []),
  ];
  const renamed = from.some((r) => r.renamed)
    ? " (a column alias list's names replace the query's own)"
    : "";
  const has =
    names.length > 0
      ? `the relations it can name have ${names.join(" and ")}${renamed}`
      : "no relation it can name has it";
  const note =
    why === "beside"
      ? "; a subquery in FROM sees no relation beside it (write LATERAL (SELECT ...) to see those before it)"
      : why === "outer alias"
        ? "; a subquery sees the columns of the query around it, not its select aliases (repeat the expression)"
        : "";
  return {
    ...at(ref),
    severity: "error",
    rule: "sql-column",
    message: `Column '${name}' cannot be resolved: on Athena (Trino) ${has}${note}`,
  };
}
