/**
 * A query's problems from Trino's grammar: the parse (syntax.ts), then the names it uses
 * (resolve.ts), in text order. The only module that loads the grammar (dt-sql-parser, ANTLR):
 * check.ts imports it when a query is not in a cache, since loading it costs about 0.35 s of CPU
 * and a run of runbooks checked before never needs it.
 */
import type { SqlProblem } from "./problem.ts";
import { resolveQuery } from "./resolve.ts";
import { maskParams, type ParamTypes, parseTrino } from "./syntax.ts";
import type { TableResolver } from "./tables.ts";

/**
 * Every problem of `query` in text order; its `{{name}}` references stand for values of the
 * declared `types` (syntax.ts `maskParams`).
 */
export function analyzeSql(
  query: string,
  tables: TableResolver,
  types: ParamTypes = {},
): SqlProblem[] {
  const masked = maskParams(query, types);
  const parsed = parseTrino(masked.text);
  const problems =
    parsed.problems.length > 0
      ? parsed.problems
      : resolveQuery(parsed.tree, tables, masked.literals, masked.refs);
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
