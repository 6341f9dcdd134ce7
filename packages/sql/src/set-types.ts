/**
 * UNION, INTERSECT and EXCEPT of columns whose types Trino does not convert into one another
 * (text with a number, a time or a boolean...): Trino's analyzer refuses the query ("column 1 in
 * UNION query has incompatible types: varchar, bigint", StatementAnalyzer.visitSetOperation, which
 * asks for a common super type of each column), where DuckDB cast the number to text and
 * answered. Only the columns whose types the syntax shows (types.ts) are compared; a branch with
 * `*`, VALUES or TABLE is left alone.
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  QueryPrimaryDefaultContext,
  type QuerySpecificationContext,
  type QueryTermContext,
  QueryTermDefaultContext,
  SetOperationContext,
  SubqueryContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { SqlProblem } from "./problem.ts";
import { at, incomparable, type SqlType, type Typing, typeOf } from "./types.ts";
import { insteadOfMixing } from "./value-types.ts";

/** One SELECT of a set operation, with the operator that joins it to the ones before. */
interface Branch {
  spec: QuerySpecificationContext | undefined;
  operator: string;
}

function branches(term: QueryTermContext | undefined, operator: string): Branch[] {
  if (term instanceof SetOperationContext) {
    const op = term._operator?.text?.toUpperCase() ?? operator;
    const [first, ...rest] = branches(term._right, op);
    return [
      ...branches(term._left, operator),
      ...(first ? [{ ...first, operator: op }] : []),
      ...rest,
    ];
  }
  if (term instanceof QueryTermDefaultContext) {
    const primary = term.queryPrimary();
    if (primary instanceof QueryPrimaryDefaultContext) {
      return [{ spec: primary.querySpecification(), operator }];
    }
    if (primary instanceof SubqueryContext)
      return branches(primary.queryNoWith().queryTerm(), operator);
  }
  return [{ spec: undefined, operator }];
}

interface Column {
  expr: ParserRuleContext;
  type: SqlType | undefined;
}

/** A SELECT's columns and their types, or undefined when it has `*` (its columns are not shown). */
function columns(spec: QuerySpecificationContext, typing: Typing): Column[] | undefined {
  const out: Column[] = [];
  for (const item of spec.selectList().selectItem()) {
    const expr = item.selectLiteralColumnName()?.columnRef() ?? item.selectExpressionColumnName();
    if (!expr) return undefined;
    out.push({ expr, type: typeOf(expr, typing) });
  }
  return out;
}

function mismatch(
  index: number,
  operator: string,
  first: Column,
  other: Column,
  text: (ctx: ParserRuleContext) => string,
): SqlProblem {
  const [a, b] = [first.type!, other.type!];
  const instead = insteadOfMixing(first.expr, a, other.expr, b, text);
  return {
    ...at(other.expr),
    severity: "error",
    rule: "sql-athena",
    message: `column ${index + 1} in ${operator} query has incompatible types: ${a.name}, ${b.name} (${text(first.expr)} and ${text(other.expr)}): Athena (Trino) converts neither to the other, where DuckDB does; ${instead}`,
  };
}

/** The problem of a set operation (the outermost of a chain), if any: Trino reports the first. */
export function checkSetOperation(
  n: SetOperationContext,
  typing: Typing,
  text: (ctx: ParserRuleContext) => string,
  out: SqlProblem[],
): void {
  if (n.parent instanceof SetOperationContext) return; // checked with the outermost
  const typed = branches(n, "UNION").flatMap((b) => {
    const cols = b.spec ? columns(b.spec, typing) : undefined;
    return cols ? [{ cols, operator: b.operator }] : [];
  });
  const width = Math.max(0, ...typed.map((b) => b.cols.length));
  for (let i = 0; i < width; i++) {
    const known = typed.flatMap((b) => {
      const col = b.cols[i];
      return col?.type ? [{ col, operator: b.operator }] : [];
    });
    const first = known[0];
    const other = known.find((k) => first && incomparable(first.col.type!, k.col.type!));
    if (first && other) {
      out.push(mismatch(i, other.operator, first.col, other.col, text));
      return;
    }
  }
}
