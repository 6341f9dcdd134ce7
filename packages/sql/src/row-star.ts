/**
 * A select list's `<chain>.*` over the CloudTrail table (row-fields.ts says what it names):
 * the names of the columns it gives, which a later `ORDER BY arn` or an outer query's `x.arn`
 * refers to, and what Trino's analyzer refuses, in its words: a column's name alone
 * (`useridentity.*`), a value that is no row (`useridentity.type.*`), and a column list of
 * another length than the row's fields (`AS (a, b)`). An alias without parentheses
 * (`useridentity.* AS u`) is a syntax error of the grammar already.
 */
import {
  SelectItemContext,
  type TableAllColumnsContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { nameText } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { athenaTypeOf, type RowStarNames, rowStarFields } from "./row-fields.ts";
import { article, at, referenceName } from "./types.ts";

/**
 * The names of the columns `star` gives (its column list's, else the row's fields'), after
 * adding to `out` what Trino refuses of it; none when it is not a CloudTrail row.
 */
export function rowStarColumns(
  star: TableAllColumnsContext,
  names: RowStarNames,
  out: SqlProblem[],
): string[] {
  const ids = referenceName(star.primaryExpression())?.identifier() ?? [];
  if (ids.length === 0) return [];
  const parts = ids.map((id) => nameText(id.getText()));
  const meaning = rowStarFields(parts, names);
  if (meaning === undefined) return [];
  const problem = (message: string): void => {
    out.push({
      ...at(star),
      severity: "error",
      rule: "sql-column",
      message,
    });
  };
  const text = star.primaryExpression().getText();
  if (meaning.kind === "unresolved") {
    problem(
      meaning.column.kind === "struct"
        ? `Unable to resolve reference ${meaning.name}: on Athena (Trino) a single name before .* is a table's; qualify the row with the table's alias, c.${meaning.name}.* (FROM cloudtrail_logs c), or its name, cloudtrail_logs.${meaning.name}.*`
        : `Unable to resolve reference ${meaning.name}: on Athena (Trino) a single name before .* is a table's, and ${meaning.name} is a column (${article(athenaTypeOf(meaning.column))}): write ${meaning.name}`,
    );
    return [];
  }
  if (meaning.kind === "not-row") {
    problem(
      `expected expression of type Row: ${text} is ${article(athenaTypeOf(meaning.field))}, and only a row's fields expand into columns on Athena (Trino): write ${text}`,
    );
    return [];
  }
  const fields = meaning.fields.map((f) => f.name.toLowerCase());
  const item = star.parent;
  const aliases =
    item instanceof SelectItemContext ? (item.columnAliases()?.identifier() ?? []) : [];
  if (aliases.length > 0 && aliases.length !== fields.length) {
    problem(
      `Column alias list has ${aliases.length} entries but relation has ${fields.length} columns: ${text}.* gives ${fields.join(", ")}`,
    );
    return [];
  }
  return aliases.length > 0 ? aliases.map((a) => nameText(a.getText())) : fields;
}
