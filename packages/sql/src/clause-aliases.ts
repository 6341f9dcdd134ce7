/**
 * A select alias named in WHERE, GROUP BY, HAVING (`count(*) AS n ... HAVING n > 5`) or another
 * select item (`awsregion AS r, upper(r) AS u`, DuckDB's "lateral" alias): Trino resolves those
 * against the FROM clause only ("Column 'n' cannot be resolved",
 * TestAnalyzer.testHavingReferencesOutputAlias; trinodb/trino#8582), where DuckDB reads the
 * alias. Judged wherever the columns the clause can name are known (relations.ts: the CloudTrail
 * table's, a WITH query's or a subquery's select list, a column alias list's): an alias that is
 * also such a column names the column there, as on Trino (`SELECT count(*) AS e FROM (SELECT
 * eventname AS e ...) GROUP BY e HAVING e ...` is the subquery's e). ORDER BY sees the aliases on
 * both engines and is not judged. The only place of the rule: every engine checks a query here
 * before it runs.
 */
import type { ParserRuleContext } from "antlr4ng";
import type {
  QualifiedNameContext,
  QuerySpecificationContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { nameText } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { eachColumnReference } from "./references.ts";
import { nameKey } from "./relations.ts";
import { at } from "./types.ts";

/** The select list's aliases that name no column of the table, with their expressions' text. */
function outputAliases(
  spec: QuerySpecificationContext,
  columns: ReadonlySet<string>,
  text: (c: ParserRuleContext) => string,
): Map<string, { text: string; position: number }> {
  const aliases = new Map<string, { text: string; position: number }>();
  for (const [i, item] of spec.selectList().selectItem().entries()) {
    const id = item.identifier();
    const expr = item.selectExpressionColumnName() ?? item.selectLiteralColumnName();
    if (!id || !expr) continue;
    const name = nameKey(id.getText());
    if (!columns.has(name) && !aliases.has(name))
      aliases.set(name, { text: text(expr).trim(), position: i + 1 });
  }
  return aliases;
}

/**
 * The first select alias named in WHERE, GROUP BY or HAVING of a query whose relations' columns
 * are known (`columns`: every column a name there can name, relations.ts; undefined when unknown).
 */
export function checkClauseAliases(
  spec: QuerySpecificationContext,
  columns: ReadonlySet<string> | undefined,
  text: (c: ParserRuleContext) => string,
  out: SqlProblem[],
): void {
  if (columns === undefined) return;
  const aliases = outputAliases(spec, columns, text);
  if (aliases.size === 0) return;
  const clauses: [string, ParserRuleContext | null][] = [
    ["WHERE", spec.whereClause()],
    ["GROUP BY", spec.groupBy()],
    ["HAVING", spec.havingClause()],
    ["the select list", spec.selectList()],
  ];
  for (const [clause, ctx] of clauses) {
    let found: QualifiedNameContext | undefined;
    if (ctx)
      eachColumnReference(ctx, (n) => {
        const ids = n.identifier();
        const name = ids.length === 1 ? nameKey(ids[0]!.getText()) : undefined;
        if (!found && name !== undefined && aliases.has(name)) found = n;
      });
    if (found === undefined) continue;
    const name = nameText(found.getText());
    const alias = aliases.get(nameKey(found.getText()))!;
    const position = clause === "GROUP BY" ? ` (or its position, GROUP BY ${alias.position})` : "";
    const message =
      clause === "the select list"
        ? `Column '${name}' cannot be resolved: on Athena (Trino) a select item sees the table's columns, not another item's alias (DuckDB reads it); repeat the expression, ${alias.text}, in its place, or compute it in a subquery`
        : `Column '${name}' cannot be resolved: on Athena (Trino) ${clause} sees the table's columns, not the select list's aliases; repeat the expression, ${alias.text}, in ${clause}${position}, or compute it in a subquery`;
    out.push({ ...at(found), severity: "error", rule: "sql-column", message });
    return; // Trino reports the first
  }
}
