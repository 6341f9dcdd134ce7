/**
 * A query's problems from Trino's grammar: the parse (syntax.ts), then the names it uses
 * (resolve.ts), in text order. The only module that loads the grammar (dt-sql-parser, ANTLR):
 * check.ts imports it when a query is not in a cache, since loading it costs about 0.35 s of CPU
 * and a run of runbooks checked before never needs it.
 */
import { sqlCommentEnd } from "@run-md/core";
import type { SqlProblem } from "./problem.ts";
import { resolveQuery } from "./resolve.ts";
import { type MaskedRef, maskParams, type ParamTypes, parseTrino } from "./syntax.ts";
import type { TableResolver } from "./tables.ts";

/**
 * Every problem of `query` in text order; its `{{name}}` references stand for values of the
 * declared `types` (syntax.ts `maskParams`).
 */
export function analyzeSql(
  query: string,
  tables: TableResolver,
  types: ParamTypes = {},
  boundPlaceholders = 0,
): SqlProblem[] {
  const masked = maskParams(query, types);
  // The grammar's prediction takes seconds past a few hundred levels (2,000: 17 s), and its
  // recursion overflows the stack past some thousands of ORs, at a count that depends on the
  // process: refused the same everywhere, before the parse.
  const depth = nesting(masked.text);
  if (depth.parentheses > MAX_NESTING || depth.conditions > MAX_CONDITIONS) return [tooDeep()];
  let problems: SqlProblem[];
  try {
    const parsed = parseTrino(masked.text);
    problems =
      parsed.problems.length > 0
        ? parsed.problems.map((p) => atReference(p, query, masked.refs))
        : resolveQuery(
            parsed.tree,
            tables,
            masked.literals,
            masked.refs,
            boundPlaceholders,
            parsed.lateral,
          );
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return [tooDeep()];
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * A syntax error at a masked parameter reference, in the author's terms: the grammar read the
 * `?` (or the typed literal) that stands for `{{name}}`, and said so (`syntax error at "?"`).
 */
function atReference(
  problem: SqlProblem,
  query: string,
  refs: ReadonlyMap<number, MaskedRef>,
): SqlProblem {
  if (!problem.syntax || !problem.message.startsWith("syntax error at ")) return problem;
  // The problem's place as a code point offset, as the references are keyed.
  let offset = problem.column - 1;
  for (const line of query.split("\n").slice(0, problem.line - 1)) offset += [...line].length + 1;
  const ref = refs.get(offset);
  if (ref === undefined) return problem;
  const written = [...query].slice(offset, offset + ref.length).join("");
  return {
    ...problem,
    message: `syntax error at ${written}: a parameter stands for one value, and a value is not valid at this position`,
  };
}

/**
 * Parentheses, brackets and CASE expressions nested deeper than any query people write (a level
 * costs the parser more each time: 256 took 2 to 4.5 s, 600 CASEs 12 s, 3,000 ARRAY[...] 120 s).
 */
const MAX_NESTING = 256;
/**
 * `AND`s and `OR`s in one query: a list longer than this is an `IN (...)` or a joined table. The
 * check's walk of the tree overflowed a fresh process's stack between 5,000 and 6,000 ORs (a warm
 * one took 6,000): refused below that, the same everywhere.
 */
const MAX_CONDITIONS = 4000;

/**
 * How deep the query's parentheses, brackets and CASE expressions nest (together: each is a level
 * of the grammar's recursion) and how many `AND`/`OR` it has, outside strings, quoted names and
 * comments.
 */
function nesting(text: string): { parentheses: number; conditions: number } {
  let depth = 0;
  let parentheses = 0;
  let conditions = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') i = endOf(text, c, i + 1);
    // A comment, as Trino's grammar reads it: on from its last character.
    else if ((c === "-" && text[i + 1] === "-") || (c === "/" && text[i + 1] === "*"))
      i = sqlCommentEnd(text, i) - 1;
    else if (c === "(" || c === "[") parentheses = Math.max(parentheses, ++depth);
    else if (c === ")" || c === "]") depth--;
    else if (/[\s)]/.test(c) && /^(and|or)[\s(]/i.test(text.slice(i + 1, i + 5))) conditions++;
    else if (/[cCeE]/.test(c) && !/[\w$]/.test(text[i - 1] ?? " ")) {
      // CASE ... END: 600 nested CASEs took the grammar 12 s, not counted as parentheses were.
      const word = /^(case|end)(?![\w$])/i.exec(text.slice(i, i + 5))?.[1]?.toLowerCase();
      if (word === "case") parentheses = Math.max(parentheses, ++depth);
      else if (word === "end") depth--;
    }
  }
  return { parentheses, conditions };
}

/** The index of the last character of `end`'s first occurrence from `from` (else the text's end). */
function endOf(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from);
  return at < 0 ? text.length : at + end.length - 1;
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
      "the query is too large to be checked (over 4,000 AND/OR conditions, or parentheses, brackets or CASE expressions nested over 256 deep): write a list as eventname IN ('a', 'b', ...), or join a table of the values (tables.extra)",
  };
}
