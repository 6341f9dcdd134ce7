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
  let problems: SqlProblem[];
  try {
    const parsed = parseTrino(masked.text);
    problems =
      parsed.problems.length > 0
        ? parsed.problems
        : resolveQuery(parsed.tree, tables, masked.literals, masked.refs);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return [tooDeep()];
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * A query whose expression nests deeper than the grammar's recursion can follow (thousands of
 * `OR`s, an IOC list pasted as conditions, or of parentheses): one problem at its start, not a
 * crash of the whole check.
 */
function tooDeep(): SqlProblem {
  return {
    line: 1,
    column: 1,
    severity: "error",
    rule: "sql-syntax",
    message:
      "the query nests too deeply to be checked (thousands of OR conditions or parentheses): write a list as eventname IN ('a', 'b', ...), or join a table of the values (tables.extra)",
  };
}
