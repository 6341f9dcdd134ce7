/**
 * The relations a query's FROM clause reads, and their columns when the tree shows them, by
 * Trino's analyzer: the CloudTrail table (its documented columns), a WITH query or a subquery
 * (its select list's names: an alias, else a column's or a field's name; an expression without
 * `AS` is a column without a name), and a column alias list, which renames them all (the old
 * names are gone: `(SELECT eventname ...) AS t(e)` has `e` only). Each column that is a plain
 * reference to the CloudTrail table also carries its path (`u` in `SELECT useridentity AS u`), so
 * that `x.u.*` expands as `useridentity.*` would (row-fields.ts). Anything else (UNNEST, LATERAL,
 * an extra table, a select list with `*`, a set operation) has columns the checker does not know,
 * and then nothing is judged. Grammar-bound: resolve.ts, clause-aliases.ts and row-star.ts ask it.
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  AliasedRelationContext,
  type ColumnAliasesContext,
  ExpressionSourceTableContext,
  LambdaContext,
  type NamedQueryContext,
  QueryContext,
  type QueryNoWithContext,
  QueryPrimaryDefaultContext,
  type QuerySpecificationContext,
  QueryStatementContext,
  QueryTermDefaultContext,
  SubqueryContext,
  SubqueryRelationContext,
  TableNameContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { COLUMN_NAMES, COLUMNS, nameText } from "./cloudtrail.ts";
import { outputName } from "./order-by.ts";
import { rowAt } from "./row-fields.ts";
import type { TableResolver } from "./tables.ts";
import { referenceName } from "./types.ts";

/** A column of a relation: its name (none for an expression without `AS`), its CloudTrail path. */
export interface Column {
  name: string | undefined;
  path?: string[];
  /**
   * A column of the CloudTrail table's `*`: every partitioning scheme's partition columns are
   * counted, of which a table has some, so such a list is no count of the columns.
   */
  table?: true;
}

export interface Relation {
  /** The name its columns are qualified with (its alias, else the table's or WITH query's). */
  name: string | undefined;
  cloudtrail: boolean;
  /** Its columns, or undefined when the tree does not show them. */
  columns: Column[] | undefined;
  /** Whether a column alias list named them (`AS t(e, a)`, `WITH x(e, a)`). */
  renamed: boolean;
}

const TABLE: Column[] = COLUMN_NAMES.map((name) =>
  COLUMNS.has(name) ? { name, path: [name], table: true } : { name, table: true },
);

/** What a query's relations are, asked of each query specification (cached by node). */
export class Relations {
  private readonly bySpec = new Map<QuerySpecificationContext, Relation[] | undefined>();
  private readonly byCte = new Map<NamedQueryContext, Column[] | undefined>();

  constructor(
    private readonly tables: TableResolver,
    /** The offsets of the `(` of each `LATERAL (...)` (syntax.ts `Parsed.lateral`). */
    readonly lateral: ReadonlySet<number> = new Set(),
  ) {}

  /** The relations of `spec`'s FROM clause, or undefined when one of them is not modelled. */
  of(spec: QuerySpecificationContext): Relation[] | undefined {
    if (this.bySpec.has(spec)) return this.bySpec.get(spec);
    this.bySpec.set(spec, undefined); // a query that reads itself is not modelled
    const found: Relation[] = [];
    let unknown = false;
    for (const r of spec.relation()) {
      walkRelations(r, (n) => {
        if (n instanceof AliasedRelationContext) found.push(this.relation(n));
        else unknown = true;
      });
    }
    const out = unknown ? undefined : found;
    this.bySpec.set(spec, out);
    return out;
  }

  /** The columns a WITH query gives (its column alias list's names, else its query's). */
  cteColumns(n: NamedQueryContext): Column[] | undefined {
    if (this.byCte.has(n)) return this.byCte.get(n);
    this.byCte.set(n, undefined);
    const columns = renamed(this.queryColumns(n.query()), n.columnAliases());
    this.byCte.set(n, columns);
    return columns;
  }

  /** The columns a query gives, when its select list shows them all. */
  queryColumns(q: QueryContext | QueryNoWithContext): Column[] | undefined {
    const spec = specOf(q);
    if (spec === undefined) return undefined;
    const relations = this.of(spec);
    const out: Column[] = [];
    for (const item of spec.selectList().selectItem()) {
      const star = item.tableAllColumns();
      if (item.selectAllWithoutTable()) {
        if (relations === undefined || relations.some((r) => !r.columns)) return undefined;
        out.push(...relations.flatMap((r) => r.columns!));
      } else if (star) {
        const parts = (referenceName(star.primaryExpression())?.identifier() ?? []).map((id) =>
          nameKey(id.getText()),
        );
        const given = starColumns(parts, relations);
        if (given === undefined) return undefined;
        out.push(...renamed(given, item.columnAliases())!);
      } else {
        const expr =
          item.selectLiteralColumnName()?.columnRef() ?? item.selectExpressionColumnName();
        const ids = expr ? (referenceName(expr)?.identifier() ?? []) : [];
        const parts = ids.map((id) => nameKey(id.getText()));
        const path = parts.length > 0 ? pathOf(parts, relations) : undefined;
        out.push({
          name: outputName(item),
          ...(path ? { path } : {}),
        });
      }
    }
    return out;
  }

  private relation(n: AliasedRelationContext): Relation {
    const alias = n.identifier() ? nameKey(n.identifier()!.getText()) : undefined;
    const primary = n.relationPrimary();
    let name = alias;
    let cloudtrail = false;
    let columns: Column[] | undefined;
    let cte: NamedQueryContext | undefined;
    if (primary instanceof TableNameContext) {
      const ref = primary.tableOrViewName().tableRef() ?? primary.tableOrViewName().viewRef();
      const parts = (ref?.identifier() ?? []).map((id) => nameKey(id.getText()));
      name ??= parts[parts.length - 1];
      cte = parts.length === 1 ? withQueryAt(n, parts[0]!) : undefined;
      if (cte) columns = this.cteColumns(cte);
      else if (this.tables.resolve(parts)?.kind === "cloudtrail") {
        cloudtrail = true;
        columns = TABLE;
      }
    } else {
      const subquery = subqueryOf(primary);
      if (subquery) columns = this.queryColumns(subquery.query());
    }
    const list = n.columnAliases();
    return {
      name,
      cloudtrail,
      columns: renamed(columns, list),
      renamed: list !== null || (cte ? cte.columnAliases() !== null : false),
    };
  }
}

/** The subquery a relation is (`(SELECT ...) t`), if it is one. */
export function subqueryOf(primary: ParserRuleContext): SubqueryRelationContext | undefined {
  if (!(primary instanceof ExpressionSourceTableContext)) return undefined;
  const source = primary.relationSourceTable();
  return source instanceof SubqueryRelationContext ? source : undefined;
}

/** The query specification a query is, through parentheses; undefined for a set operation, VALUES... */
function specOf(q: QueryContext | QueryNoWithContext): QuerySpecificationContext | undefined {
  if (q instanceof QueryContext && !(q instanceof QueryStatementContext)) return undefined;
  const noWith = q instanceof QueryStatementContext ? q.queryNoWith() : q;
  const term = noWith.queryTerm();
  if (!(term instanceof QueryTermDefaultContext)) return undefined;
  const primary = term.queryPrimary();
  if (primary instanceof QueryPrimaryDefaultContext) return primary.querySpecification();
  if (primary instanceof SubqueryContext) return specOf(primary.queryNoWith());
  return undefined;
}

/** Columns renamed by a column alias list (the paths kept); unchanged without one. */
function renamed(
  columns: Column[] | undefined,
  aliases: ColumnAliasesContext | null,
): Column[] | undefined {
  if (!aliases || columns === undefined) return columns;
  const names = aliases.identifier().map((id) => nameKey(id.getText()));
  // Refused where the list is, when the count is known.
  if (names.length !== columns.length || columns.some((c) => c.table)) return undefined;
  return names.map((name, i) => ({ ...columns[i]!, name }));
}

/**
 * The CloudTrail path a reference (`u`, `x.u.arn`, `c.useridentity`) reads through the relations,
 * or undefined when it reads none for sure.
 */
export function pathOf(parts: string[], relations: Relation[] | undefined): string[] | undefined {
  if (relations === undefined || parts.length === 0) return undefined;
  const [head, ...rest] = parts.map((p) => p.toLowerCase());
  const qualified = relations.filter((r) => r.name === head && r.columns);
  if (parts.length > 1 && qualified.length === 1) {
    const column = qualified[0]!.columns!.find((c) => c.name === rest[0]);
    return column?.path ? [...column.path, ...rest.slice(1)] : undefined;
  }
  const columns = relations.flatMap((r) => (r.columns ?? []).filter((c) => c.name === head));
  const column = columns.length === 1 ? columns[0] : undefined;
  return column?.path ? [...column.path, ...rest] : undefined;
}

/** The columns `<parts>.*` gives: a relation's columns, or a CloudTrail row's fields. */
function starColumns(parts: string[], relations: Relation[] | undefined): Column[] | undefined {
  if (relations === undefined) return undefined;
  if (parts.length === 1) {
    const r = relations.find((x) => x.name === parts[0]!.toLowerCase());
    return r && !r.cloudtrail ? r.columns : undefined;
  }
  const path = pathOf(parts, relations);
  const star = path ? rowAt(path) : undefined;
  if (star?.kind !== "fields") return undefined;
  return star.fields.map((f) => {
    const name = f.name.toLowerCase();
    return { name, path: [...star.path, name] };
  });
}

/** The relations below a FROM item: each aliased relation, and anything else as unknown. */
function walkRelations(node: ParseTree, visit: (n: ParserRuleContext) => void): void {
  const ctx = node as ParserRuleContext;
  if (!("children" in ctx)) return;
  if (ctx instanceof AliasedRelationContext) {
    visit(ctx);
    return;
  }
  if (ctx instanceof QueryContext || ctx instanceof LambdaContext) return;
  for (const child of ctx.children ?? []) walkRelations(child, visit);
}

/**
 * A name as Trino matches it: case-insensitively, quoted or not (`"EventName"` is `eventname`;
 * trinodb/trino#17). Only for matching: a label keeps its case (output.ts).
 */
export function nameKey(raw: string): string {
  return nameText(raw).toLowerCase();
}

/**
 * The WITH query a one-part table name `name` reads where `at` stands, as the standard and Trino
 * scope them: the nearest enclosing WITH that names it (a WITH inside a subquery shadows the
 * outer one there only); in a WITH query's own body, only the WITH queries before it (and itself,
 * under RECURSIVE). Undefined: a table.
 */
function withQueryAt(at: ParserRuleContext, name: string): NamedQueryContext | undefined {
  for (let p = at.parent; p; p = p.parent) {
    if (!(p instanceof QueryStatementContext)) continue;
    const w = p.with();
    const named = w?.namedQuery() ?? [];
    const inside = named.findIndex((q) => contains(q, at));
    const seen = inside < 0 ? named : named.slice(0, inside + (w?.KW_RECURSIVE() ? 1 : 0));
    const found = seen.find((q) => nameKey(q.identifier().getText()) === name);
    if (found) return found;
  }
  return undefined;
}

function contains(outer: ParserRuleContext, n: ParserRuleContext): boolean {
  for (let p: ParserRuleContext | null = n; p; p = p.parent) if (p === outer) return true;
  return false;
}
