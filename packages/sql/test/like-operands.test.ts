/**
 * Core's `sqlLikeUses` finds a SQL step's LIKE patterns on the text (the run's warning has no
 * grammar at hand); Trino's grammar is the truth: each LIKE predicate whose pattern is a string
 * literal or a `{{name}}` alone (masked as `?`), at the pattern's first character.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseRunbook, sqlLikeUses } from "@run-md/core";
import type { ParseTree } from "antlr4ng";
import {
  LikeContext,
  ParameterContext,
  StringLiteralContext,
  type ValueExpressionContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { describe, expect, it } from "vitest";
import { maskParams, parseTrino } from "../src/syntax.ts";

/** The offsets of the grammar's LIKE patterns that are a literal or a parameter alone. */
function grammarLikes(query: string): number[] {
  const { tree, problems } = parseTrino(maskParams(query).text);
  expect(problems).toEqual([]);
  const out: number[] = [];
  const walk = (node: ParseTree) => {
    if (node instanceof LikeContext && node._pattern && alone(node._pattern))
      out.push(node._pattern.start!.start);
    for (let i = 0; i < node.getChildCount(); i++) walk(node.getChild(i)!);
  };
  walk(tree);
  return out.sort((a, b) => a - b);
}

/** A pattern that is one string literal or one `?` (a masked reference), nothing around it. */
function alone(pattern: ValueExpressionContext): boolean {
  let node: ParseTree = pattern;
  while (node.getChildCount() === 1) {
    if (node instanceof StringLiteralContext || node instanceof ParameterContext) return true;
    node = node.getChild(0)!;
  }
  return node instanceof StringLiteralContext || node instanceof ParameterContext;
}

const textLikes = (query: string) => sqlLikeUses(query).map((u) => u.offset);

describe("sqlLikeUses agrees with Trino's grammar", () => {
  // query, the LIKE patterns that are a literal or a reference alone
  it.each<[string, number]>([
    [
      "SELECT 1 FROM cloudtrail_logs WHERE eventname LIKE 'Get%' AND eventsource NOT LIKE {{ p }}",
      2,
    ],
    [
      "SELECT 1 FROM cloudtrail_logs WHERE eventname LIKE 'a!_%' ESCAPE '!' OR (useragent LIKE {{q}})",
      2,
    ],
    [
      "SELECT 1 FROM cloudtrail_logs WHERE eventname LIKE '%' || {{p}} || '%' AND 'like' = eventname",
      0,
    ],
    [
      "SELECT CASE WHEN eventname LIKE 'Delete%' THEN 1 ELSE 0 END AS d FROM cloudtrail_logs -- LIKE 'x'",
      1,
    ],
    [
      "SELECT 1 FROM cloudtrail_logs WHERE /* LIKE 'y' */ eventname LIKE lower({{p}}) OR eventname LIKE 'it''s'",
      1,
    ],
  ])("%s", (query, n) => {
    const want = grammarLikes(query);
    expect(want).toHaveLength(n);
    expect(textLikes(query)).toEqual(want);
  });

  it("on every SQL step of the repository's runbooks", () => {
    const dir = path.resolve(fileURLToPath(import.meta.url), "../../../../runbooks");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".md") && f !== "README.md")
      .map((f) => path.join(dir, f));
    let likes = 0;
    for (const file of files) {
      const { runbook } = parseRunbook(readFileSync(file, "utf8"), file);
      for (const step of runbook?.steps ?? []) {
        if (step.dialect !== "sql" || step.attributes.sqlDialect === "duckdb") continue;
        const want = grammarLikes(step.query);
        likes += want.length;
        expect(textLikes(step.query), `${file} ${step.id}`).toEqual(want);
      }
    }
    expect(likes).toBeGreaterThan(0);
  });
});
