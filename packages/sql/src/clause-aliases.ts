/**
 * A select alias named in WHERE, GROUP BY or HAVING (`count(*) AS n ... HAVING n > 5`): Trino
 * resolves those clauses against the FROM clause only ("Column 'n' cannot be resolved",
 * TestAnalyzer.testHavingReferencesOutputAlias; trinodb/trino#8582), where DuckDB reads the
 * alias. Judged, as the local engine's refusal at run time (engine-local select-aliases.ts) is,
 * only for a query over the CloudTrail table alone, whose columns are known: an alias that is
 * also a column of the table names the column there, as on Trino. ORDER BY sees the aliases on
 * both engines and is not judged.
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
import {
  ColumnNameContext,
  ColumnRefContext,
  JoinRelationContext,
  LambdaContext,
  LateralContext,
  ParenthesizedRelationContext,
  QualifiedNameContext,
  QueryContext,
  type QuerySpecificationContext,
  SubqueryRelationContext,
  TableFunctionCallContext,
  TableNameContext,
  UnnestContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { COLUMN_NAMES, nameText } from "./cloudtrail.ts";
import type { SqlProblem } from "./problem.ts";
import { at } from "./types.ts";

const TABLE_COLUMNS = new Set<string>(COLUMN_NAMES);

/** Relations whose columns are not the CloudTrail table's alone. */
const OTHER_SOURCES = [
  JoinRelationContext,
  SubqueryRelationContext,
  UnnestContext,
  LateralContext,
  TableFunctionCallContext,
  ParenthesizedRelationContext,
  QualifiedNameContext,
];

/** Every node below `node`, subqueries and lambdas skipped (they have names of their own). */
function each(node: ParseTree, visit: (n: ParserRuleContext) => void): void {
  for (let i = 0; i < node.getChildCount(); i++) {
    const child = node.getChild(i) as ParserRuleContext;
    if (!("children" in child) || child instanceof QueryContext || child instanceof LambdaContext)
      continue;
    visit(child);
    each(child, visit);
  }
}

/** A column's name as a reference writes it (also a GROUP BY term's). */
function isColumnName(n: ParserRuleContext): n is QualifiedNameContext {
  return (
    n instanceof QualifiedNameContext &&
    (n.parent instanceof ColumnRefContext || n.parent instanceof ColumnNameContext)
  );
}

/** Whether the query reads the CloudTrail table alone (`FROM cloudtrail_logs [AS] c`). */
function readsCloudTrailAlone(
  spec: QuerySpecificationContext,
  isCloudTrail: (t: TableNameContext) => boolean,
): boolean {
  const relations = spec.relation();
  if (relations.length !== 1) return false;
  const tables: TableNameContext[] = [];
  let other = false;
  each(relations[0]!, (n) => {
    if (n instanceof TableNameContext) tables.push(n);
    else if (OTHER_SOURCES.some((c) => n instanceof c)) other = true;
  });
  return !other && tables.length === 1 && isCloudTrail(tables[0]!);
}

/** The select list's aliases that name no column of the table, with their expressions' text. */
function outputAliases(
  spec: QuerySpecificationContext,
  text: (c: ParserRuleContext) => string,
): Map<string, { text: string; position: number }> {
  const aliases = new Map<string, { text: string; position: number }>();
  for (const [i, item] of spec.selectList().selectItem().entries()) {
    const id = item.identifier();
    const expr = item.selectExpressionColumnName() ?? item.selectLiteralColumnName();
    if (!id || !expr) continue;
    const name = nameText(id.getText());
    if (!TABLE_COLUMNS.has(name) && !aliases.has(name))
      aliases.set(name, { text: text(expr).trim(), position: i + 1 });
  }
  return aliases;
}

/** The first select alias named in WHERE, GROUP BY or HAVING of a query over the CloudTrail table. */
export function checkClauseAliases(
  spec: QuerySpecificationContext,
  isCloudTrail: (t: TableNameContext) => boolean,
  text: (c: ParserRuleContext) => string,
  out: SqlProblem[],
): void {
  if (!spec.whereClause() && !spec.groupBy() && !spec.havingClause()) return;
  if (!readsCloudTrailAlone(spec, isCloudTrail)) return;
  const aliases = outputAliases(spec, text);
  if (aliases.size === 0) return;
  const clauses: [string, ParserRuleContext | null][] = [
    ["WHERE", spec.whereClause()],
    ["GROUP BY", spec.groupBy()],
    ["HAVING", spec.havingClause()],
  ];
  for (const [clause, ctx] of clauses) {
    let found: QualifiedNameContext | undefined;
    if (ctx)
      each(ctx, (n) => {
        if (found || !isColumnName(n)) return;
        const ids = n.identifier();
        if (ids.length === 1 && aliases.has(nameText(ids[0]!.getText()))) found = n;
      });
    if (found === undefined) continue;
    const name = nameText(found.getText());
    const alias = aliases.get(name)!;
    const position = clause === "GROUP BY" ? ` (or its position, GROUP BY ${alias.position})` : "";
    out.push({
      ...at(found),
      severity: "error",
      rule: "sql-column",
      message: `Column '${name}' cannot be resolved: on Athena (Trino) ${clause} sees the table's columns, not the select list's aliases; repeat the expression, ${alias.text}, in ${clause}${position}, or compute it in a subquery`,
    });
    return; // Trino reports the first
  }
}
