/**
 * `run-md check`'s look at the columns an `expect` block names: a check on a column that the SQL
 * query's SELECT list does not give is errored by every run ("column ... is not in the result"),
 * so a typo (`max(call)` for `calls`) is an error of check at the check, `expect-column`, not a
 * green check and a red night. Column names match without regard to case, as a run matches them;
 * a query whose labels its text does not say (`SELECT *`, an expression without AS), a
 * `dialect=duckdb` step and a Logs Insights step are not judged.
 */
import { type Check, type Diagnostic, type Step, suggest } from "@run-md/core";
import { sqlOutputLabels } from "@run-md/sql";

/** The column a check reads, if it reads one (`rows` reads none). */
function checkColumn(check: Check): string | undefined {
  if (check.kind === "quantified") return check.column;
  return check.metric.kind === "rows" ? undefined : check.metric.column;
}

export async function expectColumnDiagnostics(
  file: string,
  steps: readonly Step[],
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const step of steps) {
    if (step.dialect !== "sql" || step.attributes.sqlDialect === "duckdb") continue;
    const named = step.checks.filter((c) => checkColumn(c) !== undefined);
    if (named.length === 0) continue;
    const labels = await sqlOutputLabels(step.query);
    if (labels === undefined) continue;
    const lower = new Set(labels.map((l) => l.toLowerCase()));
    for (const check of named) {
      const column = checkColumn(check)!;
      if (lower.has(column.toLowerCase())) continue;
      const meant = suggest(column, labels);
      out.push({
        file,
        line: check.position.line,
        column: check.position.column,
        severity: "error",
        rule: "expect-column",
        message: `check on column "${column}", which the query's SELECT list does not give (its columns: ${labels.join(", ")}${meant === undefined ? "" : `; did you mean "${meant}"?`}): every run errors this check`,
      });
    }
  }
  return out;
}
