/**
 * The column references of an expression or clause, one walk for every rule that judges names
 * (grouping.ts, order-by.ts, column-scope.ts): a qualified name in a column's place (`eventname`,
 * `c.eventname`, `useridentity.arn`), outside subqueries (their names are theirs) and not a name a
 * lambda around it binds (`x` of `x -> x + 1`).
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  ColumnNameContext,
  ColumnRefContext,
  FunctionCallContext,
  LambdaContext,
  QualifiedNameContext,
  QueryContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { AGGREGATES } from "./functions.ts";
import { nameKey } from "./relations.ts";
import { functionName } from "./types.ts";

export interface ReferenceWalk {
  /** Leave out the names inside aggregate calls (without OVER): a grouped query's rule. */
  outsideAggregates?: boolean;
}

/** Whether `n` is a column reference's name (not a function's, a type's or a relation's). */
export function isColumnName(n: ParseTree): n is QualifiedNameContext {
  return (
    n instanceof QualifiedNameContext &&
    (n.parent instanceof ColumnRefContext || n.parent instanceof ColumnNameContext)
  );
}

/** The names of a column reference, as Trino matches them (unquoted, lower-cased). */
export function referenceNames(ref: QualifiedNameContext): string[] {
  return ref.identifier().map((id) => nameKey(id.getText()));
}

/**
 * Visit the column references under `node`, in the order they are written. A walk with a stack of
 * its own: 4,000 ORs are some 30,000 levels of the parse tree, past the call stack of some
 * processes (the syntax test's 4,000-condition query failed so on one machine and not another).
 */
export function eachColumnReference(
  node: ParseTree,
  visit: (ref: QualifiedNameContext) => void,
  walk: ReferenceWalk = {},
  bound: ReadonlySet<string> = new Set(),
): void {
  const todo: { node: ParseTree; bound: ReadonlySet<string> }[] = [{ node, bound }];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (!("children" in next.node)) continue;
    const ctx = next.node as ParserRuleContext;
    if (ctx instanceof QueryContext) continue;
    if (walk.outsideAggregates && ctx instanceof FunctionCallContext && !ctx.over()) {
      const name = functionName(ctx);
      if (name !== undefined && AGGREGATES.has(name)) continue;
    }
    if (isColumnName(ctx)) {
      if (!next.bound.has(referenceNames(ctx)[0]!)) visit(ctx);
      continue;
    }
    const inner =
      ctx instanceof LambdaContext
        ? new Set([...next.bound, ...ctx.identifier().map((id) => nameKey(id.getText()))])
        : next.bound;
    const children = ctx.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) todo.push({ node: children[i]!, bound: inner });
  }
}

/** The column references under `node` (as `eachColumnReference` finds them) whose first name `wanted` accepts. */
export function columnReferencesWhere(
  node: ParseTree,
  wanted: (name: string) => boolean,
): QualifiedNameContext[] {
  const found: QualifiedNameContext[] = [];
  eachColumnReference(node, (ref) => {
    if (wanted(referenceNames(ref)[0]!)) found.push(ref);
  });
  return found;
}
