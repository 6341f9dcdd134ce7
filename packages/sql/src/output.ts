/**
 * The labels of a query's result columns, read from its outermost SELECT list (the left-most one
 * of a UNION): an item's alias, else the name of the column or field it is (`useridentity.arn`
 * is `arn`), lower-cased unless quoted, as Athena labels them. Loads the grammar: imported by
 * check.ts on demand only.
 */
import type { ParseTree } from "antlr4ng";
import {
  type IdentifierContext,
  QuerySpecificationContext,
  type SelectItemContext,
  WithContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { nameText } from "./cloudtrail.ts";
import { maskParams, parseTrino } from "./syntax.ts";

const PART = `(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
const PATH = new RegExp(`^${PART}(?:\\.${PART})*$`);
const LAST = new RegExp(`${PART}$`);

/** The outermost query's SELECT: the first met walking the tree, CTEs skipped. */
function outermost(node: ParseTree): QuerySpecificationContext | undefined {
  if (node instanceof WithContext) return undefined;
  if (node instanceof QuerySpecificationContext) return node;
  for (let i = 0; i < node.getChildCount(); i++) {
    const found = outermost(node.getChild(i)!);
    if (found) return found;
  }
  return undefined;
}

/** An item's label, or undefined when the syntax does not give it (`*`, an expression without AS). */
function itemLabel(item: SelectItemContext): string | undefined {
  const alias: IdentifierContext | null | undefined = item._alias ?? item.identifier();
  if (alias) return nameText(alias.getText());
  if (item.tableAllColumns() || item.selectAllWithoutTable()) return undefined;
  const text = item.getText();
  return PATH.test(text) ? nameText(LAST.exec(text)![0]) : undefined;
}

/**
 * The labels of the query's result columns; undefined when the query does not parse or an item's
 * label is not known from its text.
 */
export function outputLabels(query: string): string[] | undefined {
  const parsed = parseTrino(maskParams(query).text);
  if (parsed.problems.length > 0) return undefined;
  const spec = outermost(parsed.tree);
  if (!spec) return undefined;
  const labels = spec
    .selectList()
    .selectItem()
    .map((item) => itemLabel(item));
  return labels.every((l) => l !== undefined) ? labels : undefined;
}
