/**
 * A subscript (`x[i]`) of a CloudTrail STRING column: Trino's `[]` is the SUBSCRIPT operator of
 * arrays and maps (a row's is resolved by hand: ExpressionAnalyzer.visitSubscriptExpression), and
 * varchar has none, so Athena refuses the query, where DuckDB answered: a JSON text column read
 * with a key failed in words that say nothing of Athena (`requestparameters['bucketName']`:
 * "Could not convert string 'bucketName' to INT64"), and a number sliced the text
 * (`eventname[1]` gave its first letter). The JSON columns get the path to write.
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  NumericLiteralContext,
  StringLiteralContext,
  SubscriptContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { RECORD_FIELDS } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { at, jsonPathOf, type Typing, unquote, unwrap } from "./types.ts";

/** The columns holding JSON text (`requestparameters`...), by lower-case name. */
const JSON_COLUMNS = new Set(
  RECORD_FIELDS.filter((f) => f.kind === "json").map((f) => f.name.toLowerCase()),
);

/** What to write for `column[index]`: the JSON path of a key or a position, or substr. */
function instead(column: string, index: ParserRuleContext): string {
  const lit = unwrap(index);
  const json = JSON_COLUMNS.has(column);
  if (lit instanceof StringLiteralContext) {
    const path = jsonPathOf([unquote(lit.getText())]);
    return json
      ? `write json_extract_scalar(${column}, '${path.replaceAll("'", "''")}')`
      : "a STRING has no keys";
  }
  if (json && lit instanceof NumericLiteralContext) {
    const i = Number(lit.getText());
    if (Number.isInteger(i) && i >= 1) {
      return `write json_extract(${column}, '$[${i - 1}]') (JSON arrays count from 0, Trino's subscripts from 1)`;
    }
  }
  return json
    ? `read it with json_extract or json_extract_scalar (json_parse(${column}) for a JSON value)`
    : `write substr(${column}, ${lit instanceof NumericLiteralContext ? lit.getText() : "i"}, 1) for one character`;
}

/** `column[index]` where the column is one of the table's STRING (or JSON text) columns. */
export function checkSubscript(n: ParserRuleContext, typing: Typing, out: SqlProblem[]): void {
  if (!(n instanceof SubscriptContext)) return;
  const column = typing.column(n.primaryExpression());
  if (column === undefined) return;
  const kind = JSON_COLUMNS.has(column) ? "a STRING of JSON text" : "a STRING";
  out.push({
    ...at(n.valueExpression()),
    severity: "error",
    rule: "sql-athena",
    message: `${column} is ${kind} in Athena's table, and Trino's [] reads arrays, maps and rows only: Athena refuses it; ${instead(column, n.valueExpression())}`,
  });
}
