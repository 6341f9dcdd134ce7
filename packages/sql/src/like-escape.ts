/**
 * `LIKE ... ESCAPE`, as Trino's LikeFunctions read it: an escape string of another length than one
 * character (`ESCAPE ''`, `ESCAPE '\\'`) is "Escape string must be a single character", and an
 * escape character in a literal pattern that is not followed by `%`, `_` or itself (`'a\'`,
 * `'\ab'`) is "Escape character must be followed by '%', '_' or the escape character itself"
 * (TestLikeFunctions). DuckDB took an empty escape as none and an escape before another character
 * as that character, and answered. Judged where the escape is a string literal; an empty escape
 * only with a pattern that is not a literal without wildcards (Trino's planner turns `x LIKE 'abc'`
 * into `x = 'abc'` without reading the escape: trinodb/trino#7273).
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  BasicStringLiteralContext,
  type LikeContext,
  StringLiteralContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { SqlProblem } from "./problem.ts";
import { at, unquote, unwrap } from "./types.ts";

/** The text of a plain string literal (`'a''b'` is `a'b`), else undefined. */
function literal(ctx: ParserRuleContext | undefined): string | undefined {
  const lit = ctx ? unwrap(ctx) : undefined;
  if (!(lit instanceof StringLiteralContext)) return undefined;
  const s = lit.string();
  return s instanceof BasicStringLiteralContext ? unquote(s.getText()) : undefined;
}

export function checkLikeEscape(like: LikeContext, out: SqlProblem[]): void {
  if (!like._escape) return;
  const esc = literal(like._escape);
  if (esc === undefined) return;
  const pattern = literal(like._pattern);
  // Java's String.length(): UTF-16 units, as JavaScript's.
  if (esc.length !== 1) {
    if (pattern !== undefined && !/[%_]/.test(pattern)) return;
    out.push({
      ...at(like._escape),
      severity: "error",
      rule: "sql-athena",
      message: `Escape string must be a single character (Athena, Trino): ESCAPE '${esc.replaceAll("'", "''")}' has ${esc.length} characters; write one character, such as ESCAPE '\\', or leave ESCAPE out`,
    });
    return;
  }
  if (pattern === undefined) return;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== esc) continue;
    const next = pattern[i + 1];
    if (next === "%" || next === "_" || next === esc) {
      i++;
      continue;
    }
    out.push({
      ...at(like._pattern!),
      severity: "error",
      rule: "sql-athena",
      message: `Escape character must be followed by '%', '_' or the escape character itself (Athena, Trino): the pattern has ${esc}${next === undefined ? " at its end" : ` before ${next}`}; write ${esc}${esc} for the character itself`,
    });
    return;
  }
}
