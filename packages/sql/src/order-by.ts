/**
 * What Trino's analyzer refuses in a SELECT's ORDER BY that DuckDB answers (so the step answered
 * locally and failed on Athena): an aggregate over an output column (`SELECT count(*) AS n ...
 * ORDER BY sum(n)`, `SELECT eventname ... ORDER BY count(eventname)`), and under SELECT DISTINCT an
 * ORDER BY expression that is not in the select list. Only what the syntax shows for sure: a select
 * list with `*` (whose names the tree does not show) is left alone, and so are names inside a
 * subquery or bound by a lambda.
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  AliasedRelationContext,
  ColumnRefContext,
  ColumnReferenceContext,
  DereferenceContext,
  FunctionCallContext,
  NumericLiteralContext,
  type QualifiedNameContext,
  QueryContext,
  type QueryNoWithContext,
  QueryPrimaryDefaultContext,
  type QuerySpecificationContext,
  type QueryTermContext,
  QueryTermDefaultContext,
  type SelectItemContext,
  SetOperationContext,
  type SortItemContext,
  SubqueryContext,
  SubqueryExpressionContext,
  TableNameContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { AGGREGATES } from "./functions.ts";
import type { SqlProblem } from "./problem.ts";
import { columnReferencesWhere, referenceNames } from "./references.ts";
import { nameKey } from "./relations.ts";
import { at, functionName, referenceName, unwrap } from "./types.ts";

/** The SELECT a query's ORDER BY sorts, when it is one SELECT (not a UNION, VALUES or TABLE). */
function sortedSelect(n: QueryNoWithContext): QuerySpecificationContext | undefined {
  const term = n.queryTerm();
  if (!(term instanceof QueryTermDefaultContext)) return undefined;
  const primary = term.queryPrimary();
  return primary instanceof QueryPrimaryDefaultContext ? primary.querySpecification() : undefined;
}

/**
 * The name of a select item's output column: its alias, else the name of the column or field it
 * is (`useridentity.arn` is `arn`, and so are `resources[1].arn` and `(x.u).arn`: Trino names a
 * dereference by its field, whatever its base); undefined for an expression without an alias.
 */
export function outputName(item: SelectItemContext): string | undefined {
  const alias = item._alias ?? item.identifier();
  if (alias) return nameKey(alias.getText());
  const expr = item.selectLiteralColumnName()?.columnRef() ?? item.selectExpressionColumnName();
  if (!expr) return undefined;
  const parts = referenceParts(expr);
  if (parts) return parts[parts.length - 1];
  const at = unwrap(expr);
  return at instanceof DereferenceContext ? nameKey(at.identifier().getText()) : undefined;
}

/**
 * The names of a column reference (`t.a` is `["t", "a"]`), through parentheses; undefined for
 * anything else.
 */
function referenceParts(ctx: ParserRuleContext): string[] | undefined {
  const name = referenceName(ctx);
  return name && name.identifier().length > 0 ? referenceNames(name) : undefined;
}

/** The select list's output names, or undefined when it has a `*` (names the tree does not show). */
function outputNames(spec: QuerySpecificationContext): Set<string> | undefined {
  const names = new Set<string>();
  for (const item of spec.selectList().selectItem()) {
    if (item.tableAllColumns() || item.selectAllWithoutTable()) return undefined;
    const name = outputName(item);
    if (name !== undefined) names.add(name);
  }
  return names;
}

/** The aggregate calls (without OVER) under `node`, outside subqueries. */
function aggregateCalls(node: ParseTree): FunctionCallContext[] {
  if (!("children" in node)) return [];
  const ctx = node as ParserRuleContext;
  if (ctx instanceof QueryContext) return [];
  if (ctx instanceof FunctionCallContext && !ctx.over()) {
    const name = functionName(ctx);
    if (name !== undefined && AGGREGATES.has(name)) return [ctx];
  }
  return (ctx.children ?? []).flatMap(aggregateCalls);
}

/** The text of `ctx` as written, whitespace kept. */
function written(ctx: ParserRuleContext): string {
  const [start, stop] = [ctx.start, ctx.stop];
  const input = start?.inputStream;
  if (!start || !stop || !input) return ctx.getText();
  return input.getText(start.start, stop.stop);
}

/**
 * An aggregate in ORDER BY over a name the select list outputs: Trino resolves a name in ORDER BY
 * against the select list's output columns first, and refuses an output column inside an ORDER BY
 * aggregate ("Invalid reference to output projection attribute from ORDER BY aggregation",
 * AggregationAnalyzer); DuckDB read the FROM clause's column and answered. A name qualified by a
 * relation of the FROM clause (`c.eventtime`, even under `... AS c`) is that relation's column:
 * the output columns have no qualifier to match.
 */
function aggregateOverOutput(
  sort: SortItemContext,
  names: Set<string>,
  relations: Set<string>,
  out: SqlProblem[],
): void {
  const qualified = (ref: QualifiedNameContext) => {
    const parts = referenceNames(ref);
    return parts.length > 1 && relations.has(parts[0]!);
  };
  for (const call of aggregateCalls(sort)) {
    for (const arg of call.expression()) {
      const ref = columnReferencesWhere(arg, (name) => names.has(name)).find((r) => !qualified(r));
      if (ref === undefined) continue;
      const name = written(ref);
      out.push({
        ...at(ref),
        severity: "error",
        rule: "sql-athena",
        message: `${name} in ${functionName(call)}(...) of ORDER BY is the select list's output column on Athena (Trino reads ORDER BY names there first), which an ORDER BY aggregate may not read ("Invalid reference to output projection attribute from ORDER BY aggregation"): qualify the table's column (t.${name}, with FROM ... t), or order by the output column itself or its position`,
      });
      return;
    }
  }
}

/** The relation names (aliases, table names) of a SELECT's FROM clause, lower-cased. */
function relationNames(spec: QuerySpecificationContext): Set<string> {
  const names = new Set<string>();
  const visit = (node: ParseTree): void => {
    if (!("children" in node)) return;
    const ctx = node as ParserRuleContext;
    if (ctx instanceof SubqueryExpressionContext) return;
    if (ctx instanceof AliasedRelationContext) {
      const alias = ctx.identifier();
      if (alias) names.add(nameKey(alias.getText()));
    }
    if (ctx instanceof TableNameContext) {
      const ref = ctx.tableOrViewName().tableRef() ?? ctx.tableOrViewName().viewRef();
      const parts = ref?.identifier() ?? [];
      const last = parts[parts.length - 1];
      if (last) names.add(nameKey(last.getText()));
    }
    for (const c of ctx.children ?? []) visit(c);
  };
  for (const r of spec.relation()) visit(r);
  return names;
}

/**
 * An expression's text for comparing two expressions as Trino does (structurally): no whitespace,
 * names lower-cased unless quoted, outer parentheses and a leading relation qualifier dropped.
 * Looser than Trino's comparison (so that nothing Trino accepts is refused).
 */
function shape(ctx: ParserRuleContext, relations: Set<string>): string {
  const at = ctx instanceof ColumnRefContext ? ctx : unwrap(ctx);
  const tokens: string[] = [];
  const visit = (node: ParseTree): void => {
    const names =
      node instanceof ColumnReferenceContext || node instanceof ColumnRefContext
        ? referenceParts(node)
        : undefined;
    if (names !== undefined) {
      if (names.length > 1 && relations.has(names[0]!)) names.shift();
      tokens.push(names.join("."));
    } else if ("children" in node) {
      for (const c of (node as ParserRuleContext).children ?? []) visit(c);
    } else {
      const text = node.getText();
      tokens.push(text.startsWith("'") ? text : text.toLowerCase());
    }
  };
  visit(at);
  return tokens.join(" ");
}

/**
 * SELECT DISTINCT with an ORDER BY expression that is not in the select list: Trino refuses it
 * ("For SELECT DISTINCT, ORDER BY expressions must appear in select list", StatementAnalyzer
 * verifySelectDistinct; AbstractTestOrderByQueries.testDistinctWithOrderByNotInSelect); DuckDB
 * ordered the distinct rows by it and answered.
 */
function distinctOrderedOutside(
  spec: QuerySpecificationContext,
  sort: SortItemContext,
  names: Set<string>,
  relations: Set<string>,
  out: SqlProblem[],
): void {
  const expr = sort.expression() ?? sort.columnRef();
  if (!expr) return;
  const inner = unwrap(expr);
  if (inner instanceof NumericLiteralContext) return; // a position
  const key = shape(expr, relations);
  if (referenceParts(expr) !== undefined && names.has(key)) return; // an output column
  const items = spec.selectList().selectItem();
  const selected = items.flatMap((item) => {
    const e = item.selectLiteralColumnName()?.columnRef() ?? item.selectExpressionColumnName();
    return e ? [shape(e, relations)] : [];
  });
  if (selected.includes(key)) return;
  out.push({
    ...at(expr),
    severity: "error",
    rule: "sql-athena",
    message: `ORDER BY ${written(expr)} under SELECT DISTINCT orders by what the select list does not give: Athena (Trino) refuses it ("For SELECT DISTINCT, ORDER BY expressions must appear in select list"): add it to the select list, or order by a selected column or its position`,
  });
}

/** The SELECT whose names a set operation's columns take (its first), through parentheses. */
function firstSelect(term: QueryTermContext): QuerySpecificationContext | undefined {
  if (term instanceof SetOperationContext) return term._left && firstSelect(term._left);
  if (!(term instanceof QueryTermDefaultContext)) return undefined;
  const primary = term.queryPrimary();
  if (primary instanceof QueryPrimaryDefaultContext) return primary.querySpecification();
  if (primary instanceof SubqueryContext) return firstSelect(primary.queryNoWith().queryTerm());
  return undefined;
}

/**
 * A name in the ORDER BY of a set operation (`... UNION SELECT awsregion AS b ... ORDER BY b`)
 * that is not a column of its first SELECT: Trino names the set operation's columns by the first
 * SELECT alone ("Column 'b' cannot be resolved"), where DuckDB orders by the later one's name.
 * Judged when the first SELECT's names all show (no `*`).
 */
function setOrderBy(term: SetOperationContext, sorts: SortItemContext[], out: SqlProblem[]): void {
  const first = firstSelect(term);
  const names = first && outputNames(first);
  if (names === undefined) return;
  for (const sort of sorts) {
    const expr = sort.expression() ?? sort.columnRef();
    const ref = expr ? columnReferencesWhere(expr, (name) => !names.has(name))[0] : undefined;
    if (ref === undefined) continue;
    const name = referenceNames(ref).join(".");
    out.push({
      ...at(ref),
      severity: "error",
      rule: "sql-column",
      message: `Column '${name}' cannot be resolved: on Athena (Trino) the ORDER BY of a set operation (UNION, INTERSECT, EXCEPT) sees its columns as the first SELECT names them (${[...names].join(", ") || "none named"}): order by one of those, or by its position (ORDER BY 1)`,
    });
    return; // Trino reports the first
  }
}

/** The ORDER BY rules of one query (`n` is a query's body with its ORDER BY, LIMIT...). */
export function checkOrderBy(n: QueryNoWithContext, out: SqlProblem[]): void {
  const sorts = n.sortItem();
  if (sorts.length === 0) return;
  const term = n.queryTerm();
  if (term instanceof SetOperationContext) {
    setOrderBy(term, sorts, out);
    return;
  }
  const spec = sortedSelect(n);
  if (spec === undefined) return;
  const names = outputNames(spec);
  if (names === undefined) return;
  const distinct = spec.setQuantifier()?.KW_DISTINCT() != null;
  const relations = relationNames(spec);
  for (const sort of sorts) {
    aggregateOverOutput(sort, names, relations, out);
    if (distinct) distinctOrderedOutside(spec, sort, names, relations, out);
  }
}
