/**
 * An integer literal Trino's parser refuses: its grammar reads `MINUS? INTEGER_VALUE` as one
 * literal and AstBuilder makes a LongLiteral of its text, which parses a Java long, so a decimal
 * integer past bigint (`9223372036854775808`, `123456789012345678901234567890`) is its parse
 * error "Invalid numeric literal", and `-9223372036854775808` is bigint's least value. A minus
 * that is an operator (`1 - 9223372036854775808`) is not the literal's. DuckDB read such a literal
 * as a HUGEINT, or past 39 digits as a DOUBLE, and answered (1.2345678901234568e+39).
 */
import type { IntegerLiteralContext } from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { SqlProblem } from "./problem.ts";

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Whether a decimal integer literal's text (a minus, digits, `_` between them) is a long. */
export function isLongLiteral(text: string): boolean {
  const digits = text.replaceAll("_", "");
  if (!/^-?\d+$/.test(digits)) return true;
  const value = BigInt(digits);
  return value >= LONG_MIN && value <= LONG_MAX;
}

/** `Invalid numeric literal: <text>` at a decimal integer literal past bigint. */
export function checkIntegerLiteral(n: IntegerLiteralContext, out: SqlProblem[]): void {
  const text = n.getText();
  if (isLongLiteral(text)) return;
  out.push({
    line: n.start!.line,
    column: n.start!.column + 1,
    severity: "error",
    rule: "sql-syntax",
    message: `Invalid numeric literal: ${text} (Athena, Trino: an integer literal is a bigint, from -9223372036854775808 to 9223372036854775807; write DECIMAL '${text}' for a larger number, up to 38 digits)`,
  });
}
