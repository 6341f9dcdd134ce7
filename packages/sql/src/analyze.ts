/**
 * A query's problems from Trino's grammar: the parse (syntax.ts), then the names it uses
 * (resolve.ts), in text order. The only module that loads the grammar (dt-sql-parser, ANTLR):
 * check.ts imports it when a query is not in a cache, since loading it costs about 0.35 s of CPU
 * and a run of runbooks checked before never needs it.
 */
import type { SqlProblem } from "./problem.ts";
import { resolveQuery } from "./resolve.ts";
import { maskParams, parseTrino } from "./syntax.ts";
import type { TableResolver } from "./tables.ts";

/** Every problem of `query` (with `{{name}}` references as parameters), in text order. */
export function analyzeSql(query: string, tables: TableResolver): SqlProblem[] {
  const parsed = parseTrino(maskParams(query));
  const problems = parsed.problems.length > 0 ? parsed.problems : resolveQuery(parsed.tree, tables);
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
