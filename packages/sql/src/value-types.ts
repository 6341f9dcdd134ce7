/**
 * Values Trino's analyzer types and refuses where DuckDB converts and answers: the results of one
 * CASE, IF, COALESCE or NULLIF of types Trino converts into no common type (`CASE WHEN ... THEN
 * 'ok' ELSE 1 END`: "All CASE results must be the same type", ExpressionAnalyzer
 * coerceToSingleType), and a condition that is not a boolean (`WHERE readonly`: readonly is a
 * STRING of Athena's table, "WHERE clause must evaluate to a boolean: actual type varchar"; DuckDB
 * cast 'true' to true). Only the types the syntax shows (types.ts) are compared.
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  AndContext,
  FunctionCallContext,
  HavingClauseContext,
  JoinCriteriaContext,
  LogicalNotContext,
  OrContext,
  SearchedCaseContext,
  SimpleCaseContext,
  WhereClauseContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { SqlProblem } from "./problem.ts";
import { at, functionName, incomparable, type SqlType, type Typing, typeOf } from "./types.ts";

export type SourceText = (ctx: ParserRuleContext) => string;

const TO_TEXT: Partial<Record<SqlType["group"], (text: string) => string>> = {
  number: (x) => `CAST(${x} AS varchar)`,
  boolean: (x) => `CAST(${x} AS varchar)`,
  temporal: (x) => `to_iso8601(${x})`,
};

/**
 * What to write instead of mixing `a` (of type `ta`) with `b` (of type `tb`): the value that is
 * not text, converted to text, when one of them is text.
 */
export function insteadOfMixing(
  a: ParserRuleContext,
  ta: SqlType,
  b: ParserRuleContext,
  tb: SqlType,
  text: SourceText,
): string {
  const [value, type] = ta.group === "varchar" ? [b, tb] : tb.group === "varchar" ? [a, ta] : [];
  const convert = type ? TO_TEXT[type.group] : undefined;
  return value && convert
    ? `write ${convert(text(value))} in its place`
    : "convert one of them to the other's type with CAST";
}

/** The arguments of `if(condition, a, b)`, or undefined for anything else. */
function ifArguments(n: ParserRuleContext): ParserRuleContext[] | undefined {
  if (!(n instanceof FunctionCallContext) || n.over()) return undefined;
  const args = n.expression();
  return functionName(n) === "if" && args.length === 3 ? args : undefined;
}

/** The operands whose types must have a common one, with Trino's words for the construct. */
function operands(n: ParserRuleContext): [string, ParserRuleContext[]] | undefined {
  if (n instanceof SearchedCaseContext || n instanceof SimpleCaseContext) {
    const results = n.whenClause().flatMap((w) => (w._result ? [w._result] : []));
    const rest = n instanceof SimpleCaseContext ? n._elseExpression : n.expression();
    return ["All CASE results must be the same type", [...results, ...(rest ? [rest] : [])]];
  }
  if (!(n instanceof FunctionCallContext) || n.over()) return undefined;
  const name = functionName(n);
  const args = n.expression();
  const ifArgs = ifArguments(n);
  if (ifArgs) return ["Result types for IF must be the same", ifArgs.slice(1)];
  if (name === "nullif" && args.length === 2) return ["Types are not comparable with NULLIF", args];
  if (name === "coalesce") return ["All COALESCE operands must be the same type", args];
  return undefined;
}

/** CASE, IF, NULLIF, COALESCE of values Trino converts into no common type. */
export function checkCommonType(
  n: ParserRuleContext,
  typing: Typing,
  text: SourceText,
  out: SqlProblem[],
): void {
  const found = operands(n);
  if (found === undefined) return;
  const [reason, values] = found;
  const typed = values.flatMap((v) => {
    const t = typeOf(v, typing);
    return t ? [{ v, t }] : [];
  });
  const first = typed[0];
  const other = typed.find((x) => first && incomparable(first.t, x.t));
  if (!first || !other) return;
  out.push({
    ...at(other.v),
    severity: "error",
    rule: "sql-athena",
    message: `${reason}: ${first.t.name} vs ${other.t.name} (${text(first.v)} and ${text(other.v)}): Athena (Trino) converts neither to the other, where DuckDB does; ${insteadOfMixing(first.v, first.t, other.v, other.t, text)}`,
  });
}

/** The conditions `n` holds, with how Trino names each in its refusal. */
function conditions(n: ParserRuleContext): [ParserRuleContext, string][] {
  if (n instanceof WhereClauseContext) return [[n.booleanExpression(), "WHERE clause"]];
  if (n instanceof HavingClauseContext) return [[n.booleanExpression(), "HAVING clause"]];
  if (n instanceof JoinCriteriaContext) {
    const on = n.booleanExpression();
    return on ? [[on, "JOIN ON clause"]] : [];
  }
  if (n instanceof AndContext || n instanceof OrContext) {
    return n.booleanExpression().map((b) => [b, "Logical expression term"]);
  }
  if (n instanceof LogicalNotContext) {
    return [[n.booleanExpression(), "Value of logical NOT expression"]];
  }
  if (n instanceof SearchedCaseContext) {
    return n
      .whenClause()
      .flatMap((w) => (w._condition ? [[w._condition, "CASE WHEN clause"]] : []));
  }
  const ifArgs = ifArguments(n);
  if (ifArgs) return [[ifArgs[0]!, "IF condition"]];
  return [];
}

/** A condition of a type other than boolean (`WHERE readonly`), which Trino refuses. */
export function checkCondition(
  n: ParserRuleContext,
  typing: Typing,
  text: SourceText,
  out: SqlProblem[],
): void {
  for (const [cond, what] of conditions(n)) {
    const type = typeOf(cond, typing);
    if (type === undefined || type.group === "boolean") continue;
    const value = text(cond).trim();
    const instead =
      type.group === "varchar"
        ? `write a comparison (${value} = 'true', for a flag held as text)`
        : type.group === "number"
          ? `write a comparison (${value} <> 0)`
          : "write a comparison";
    out.push({
      ...at(cond),
      severity: "error",
      rule: "sql-athena",
      message: `${what} must evaluate to a boolean, and ${value} is ${/^[aeiou]/.test(type.name) ? "an" : "a"} ${type.name}: Athena (Trino) refuses it, where DuckDB converts it; ${instead}`,
    });
  }
}
