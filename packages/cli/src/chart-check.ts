/**
 * `run-md check`'s look at a step's `chart=<mark>:x,y`: a named column that the SQL query's
 * SELECT list does not give is a chart the site will never draw (the run would only say so
 * afterwards, as a warning of the step). A warning at the attribute, `chart-column`; a query whose
 * labels its text does not say (`SELECT *`, an expression without AS) is not judged.
 */
import { readFile } from "node:fs/promises";
import { chartColumnIndex, chartText, type Diagnostic, type Step } from "@run-md/core";
import { sqlOutputLabels } from "@run-md/sql";

/** The column of `chart=` on the step's fence line, else 1. */
function chartColumn(lines: readonly string[], step: Step): number {
  const at = (lines[step.position.start.line - 1] ?? "").indexOf("chart=");
  return at < 0 ? 1 : at + 1;
}

export async function chartDiagnostics(
  file: string,
  steps: readonly Step[],
): Promise<Diagnostic[]> {
  const named = steps.filter(
    (s) =>
      s.dialect === "sql" &&
      s.attributes.sqlDialect !== "duckdb" &&
      s.attributes.chart?.x !== undefined,
  );
  if (named.length === 0) return [];
  const lines = (await readFile(file, "utf8")).split(/\r?\n/);
  const out: Diagnostic[] = [];
  for (const step of named) {
    const labels = await sqlOutputLabels(step.query);
    if (labels === undefined) continue;
    const spec = step.attributes.chart!;
    for (const name of [spec.x!, spec.y!]) {
      if (chartColumnIndex(labels, name) >= 0) continue;
      out.push({
        file,
        line: step.position.start.line,
        column: chartColumn(lines, step),
        severity: "warning",
        rule: "chart-column",
        message: `${chartText(spec)} names column "${name}", which the query's SELECT list does not give (its columns: ${labels.join(", ")}): no chart will be drawn`,
      });
    }
  }
  return out;
}
