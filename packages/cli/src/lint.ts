import type { Diagnostic, Runbook } from "@run-md/core";
import { InsightsSyntaxError, parseInsights } from "@run-md/insights";

/**
 * Checks that go beyond the Markdown and front matter: the syntax of each `logs-insights` step,
 * with the error placed at its line and column in the file. (Core cannot do this: it knows no
 * query language.) Each `{{name}}` becomes a string literal of the same length, as at run time a
 * literal takes its place, so columns after it stay right.
 */
export function lintQueries(runbook: Runbook): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of runbook.steps) {
    if (step.dialect !== "logs-insights") continue;
    const text = step.query.replace(/\{\{[^}]*\}\}/g, (m) => `"${"x".repeat(m.length - 2)}"`);
    try {
      parseInsights(text);
    } catch (e) {
      if (!(e instanceof InsightsSyntaxError)) throw e;
      out.push({
        file: runbook.path,
        line: step.queryLine + e.line - 1,
        column: e.column,
        severity: "error",
        rule: "insights-syntax",
        message: e.message,
      });
    }
  }
  return out;
}
