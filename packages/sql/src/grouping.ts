/**
 * A column of the query's own relations named in HAVING or the select list of a grouped query
 * (`SELECT eventname ... GROUP BY 1 HAVING awsregion = 'x'`) outside an aggregate, and grouped
 * by nothing: Trino's AggregationAnalyzer refuses it ("'awsregion' must be an aggregate
 * expression or appear in GROUP BY clause"); DuckDB refused it too, in its own words. Lenient
 * where Trino is not (never refusing what it runs): a name is taken as grouped when any grouping
 * expression names it anywhere (`GROUP BY lower(eventname)` lets `eventname` by), and only
 * columns of relations whose columns the tree shows are judged.
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  GroupingTermContext,
  NumericLiteralContext,
  ParameterContext,
  type QualifiedNameContext,
  QueryContext,
  type QuerySpecificationContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { visibleRelations } from "./column-scope.ts";
import type { SqlProblem } from "./problem.ts";
import { eachColumnReference, referenceNames } from "./references.ts";
import { nameKey, type Relations } from "./relations.ts";
import { at, unwrap } from "./types.ts";

/**
 * Every name the grouping expressions use (an ordinal's select item's too, and an alias's, which
 * clause-aliases.ts refuses on its own); undefined when one is a parameter (whose value is not
 * known here; resolve.ts refuses it).
 */
function groupedNames(spec: QuerySpecificationContext): Set<string> | undefined {
  const names = new Set<string>();
  const add = (node: ParseTree) =>
    eachColumnReference(node, (ref) => {
      for (const name of referenceNames(ref)) names.add(name);
    });
  const items = spec.selectList().selectItem();
  const groupBy = spec.groupBy()!;
  add(groupBy);
  let parameter = false;
  const walk = (node: ParseTree) => {
    const ctx = node as ParserRuleContext;
    if (!("children" in ctx) || ctx instanceof QueryContext) return;
    if (ctx instanceof ParameterContext) parameter = true;
    const expr = ctx instanceof GroupingTermContext ? ctx.expression() : null;
    const literal = expr ? unwrap(expr) : undefined;
    if (literal instanceof NumericLiteralContext) {
      // `GROUP BY 2`: the second select item's expression. A number no item has (a number
      // parameter is masked as 0) is judged elsewhere.
      const item = /^\d+$/.test(literal.getText())
        ? items[Number(literal.getText()) - 1]
        : undefined;
      if (item) add(item);
      else parameter = true;
      return;
    }
    for (const child of ctx.children ?? []) walk(child);
  };
  for (const element of groupBy.groupingElement()) walk(element);
  // `GROUP BY e` for `lower(eventname) AS e`.
  for (const item of items) {
    const alias = item.identifier();
    if (alias && names.has(nameKey(alias.getText()))) add(item);
  }
  return parameter ? undefined : names;
}

export function checkGrouping(
  spec: QuerySpecificationContext,
  relations: Relations,
  text: (c: ParserRuleContext) => string,
  out: SqlProblem[],
): void {
  if (!spec.groupBy()) return;
  const own = relations.of(spec);
  const visible = visibleRelations(spec, relations);
  if (own === undefined || visible === undefined || own.some((r) => !r.columns)) return;
  const outer = visible.slice(own.length);
  const ownColumn = (name: string) => own.some((r) => r.columns!.some((c) => c.name === name));
  const outerName = (name: string) =>
    outer.some((r) => r.name === name || r.columns!.some((c) => c.name === name));
  const grouped = groupedNames(spec);
  if (grouped === undefined) return;
  let found: { ref: QualifiedNameContext; clause: string } | undefined;
  const judge = (clause: string) => (ref: QualifiedNameContext) => {
    if (found) return;
    const parts = referenceNames(ref);
    const head = parts[0]!;
    const relation = own.find((r) => r.name === head);
    const column = parts.length > 1 && relation ? parts[1]! : head;
    const isOwn = parts.length > 1 && relation ? true : ownColumn(head);
    if (!isOwn || (!relation && outerName(head))) return;
    if (parts.some((p) => grouped.has(p)) || grouped.has(column)) return;
    found = { ref, clause };
  };
  for (const item of spec.selectList().selectItem()) {
    const expr = item.selectExpressionColumnName() ?? item.selectLiteralColumnName();
    if (expr) eachColumnReference(expr, judge("select list"), { outsideAggregates: true });
  }
  const having = spec.havingClause();
  if (having) eachColumnReference(having, judge("HAVING"), { outsideAggregates: true });
  if (found === undefined) return;
  const name = text(found.ref).trim();
  const where = found.clause === "HAVING" ? " (in HAVING)" : "";
  out.push({
    ...at(found.ref),
    severity: "error",
    rule: "sql-column",
    message: `'${name}' must be an aggregate expression or appear in GROUP BY clause${where}: on Athena (Trino) a grouped query's ${found.clause} sees the grouped expressions and aggregates only; add it to GROUP BY, or aggregate it (arbitrary(${name}), max(${name}))`,
  });
}
