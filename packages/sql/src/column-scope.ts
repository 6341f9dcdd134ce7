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
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  AliasedRelationContext,
  ColumnNameContext,
  ColumnRefContext,
  GroupByContext,
  HavingClauseContext,
  LambdaContext,
  NamedQueryContext,
  QualifiedNameContext,
  QueryContext,
  QuerySpecificationContext,
  WhereClauseContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { COLUMN_NAMES, nameText } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { nameKey, type Relation, type Relations, subqueryOf } from "./relations.ts";
import { at } from "./types.ts";

/** The relations a reference in `spec` sees (its own, then the enclosing queries'); undefined when one is not known. */
export function visibleRelations(
  spec: QuerySpecificationContext,
  relations: Relations,
): Relation[] | undefined {
  const out: Relation[] = [];
  for (let p: ParserRuleContext | null = spec; p; p = p.parent) {
    if (!(p instanceof QuerySpecificationContext)) continue;
    const own = relations.of(p);
    if (own === undefined || own.some((r) => r.columns === undefined)) return undefined;
    out.push(...own);
  }
  return out;
}

/** A column alias list of another length than its relation's columns, in Trino's words. */
export function checkAliasCount(n: ParserRuleContext, relations: Relations, out: SqlProblem[]) {
  let problem: string | undefined;
  if (n instanceof NamedQueryContext && n.columnAliases()) {
    const given = n.columnAliases()!.identifier().length;
    const columns = relations.queryColumns(n.query());
    if (columns && !columns.some((c) => c.table) && columns.length !== given)
      problem = `WITH column alias list has ${given} entries but WITH query(${nameText(n.identifier().getText())}) has ${columns.length} columns`;
  } else if (n instanceof AliasedRelationContext && n.columnAliases() && n.identifier()) {
    const given = n.columnAliases()!.identifier().length;
    const subquery = subqueryOf(n.relationPrimary());
    const columns = subquery ? relations.queryColumns(subquery.query()) : undefined;
    if (columns && !columns.some((c) => c.table) && columns.length !== given)
      problem = `Column alias list has ${given} entries but '${nameText(n.identifier()!.getText())}' has ${columns.length} columns available`;
  }
  if (problem !== undefined)
    out.push({ ...at(n), severity: "error", rule: "sql-column", message: problem });
}

/** Whether `name` is a parameter of a lambda around `n`. */
function lambdaParameter(n: ParserRuleContext, name: string): boolean {
  for (let p = n.parent; p && !(p instanceof QuerySpecificationContext); p = p.parent) {
    if (p instanceof LambdaContext && p.identifier().some((id) => nameKey(id.getText()) === name))
      return true;
  }
  return false;
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
  eachReference(spec, (ref) => {
    const parts = ref.identifier().map((id) => nameKey(id.getText()));
    const head = parts[0]!;
    if (hasColumn(head) || lambdaParameter(ref, head)) return;
    const relation = visible.find((r) => r.name === head);
    if (parts.length === 1 && relation) return; // `t` of `t.*`
    if (parts.length > 1 && relation) {
      if (relation.cloudtrail || relation.columns!.some((c) => c.name === parts[1])) return;
      out.push(unresolved(ref, `${head}.${parts[1]}`, [relation]));
    } else if (!cloudTrail && (COLUMN_NAMES.includes(head) || defined(head))) {
      if (aliases.has(head) && inFilterClause(ref)) return; // clause-aliases.ts
      out.push(unresolved(ref, head, visible));
    } else if (enclosingAlias(spec, head) || (aliases.has(head) && inLambda(ref))) {
      // Also over the CloudTrail table: DuckDB binds an enclosing query's alias, or this one's in
      // a lambda's body (clause-aliases.ts skips lambdas), and answered.
      out.push(unresolved(ref, head, visible));
    }
  });
}

/** Whether `n` stands in a lambda's body within its query. */
function inLambda(n: ParserRuleContext): boolean {
  for (let p = n.parent; p && !(p instanceof QuerySpecificationContext); p = p.parent) {
    if (p instanceof LambdaContext) return true;
  }
  return false;
}

/**
 * Whether `name` is a select alias of a query enclosing `spec`: a subquery sees the enclosing
 * queries' FROM clauses, not their select lists, so Trino cannot resolve it.
 */
function enclosingAlias(spec: QuerySpecificationContext, name: string): boolean {
  for (let p = spec.parent; p; p = p.parent) {
    if (!(p instanceof QuerySpecificationContext)) continue;
    const items = p.selectList().selectItem();
    if (items.some((i) => i.identifier() && nameKey(i.identifier()!.getText()) === name))
      return true;
  }
  return false;
}

function unresolved(ref: QualifiedNameContext, name: string, from: Relation[]): SqlProblem {
  const table = from.some((r) => r.columns!.some((c) => c.table));
  const own = from.flatMap((r) => r.columns!.flatMap((c) => (c.name && !c.table ? [c.name] : [])));
  const names = [
    ...(table ? ["the CloudTrail table's columns"] : []),
    ...(own.length > 0 ? [`the columns ${own.join(", ")}`] : []),
  ];
  const renamed = from.some((r) => r.renamed)
    ? " (a column alias list's names replace the query's own)"
    : "";
  return {
    ...at(ref),
    severity: "error",
    rule: "sql-column",
    message: `Column '${name}' cannot be resolved: on Athena (Trino) the relations it can name have ${names.join(" and ")}${renamed}`,
  };
}

/** The column references of `spec`'s own clauses (its subqueries have theirs). */
function eachReference(node: ParseTree, visit: (ref: QualifiedNameContext) => void): void {
  for (let i = 0; i < node.getChildCount(); i++) {
    const child = node.getChild(i) as ParserRuleContext;
    if (!("children" in child) || child instanceof QueryContext) continue;
    if (
      child instanceof QualifiedNameContext &&
      (child.parent instanceof ColumnRefContext || child.parent instanceof ColumnNameContext)
    )
      visit(child);
    else eachReference(child, visit);
  }
}
