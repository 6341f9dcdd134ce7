import { type Diagnostic, type ParamDecl, RULES, type Step } from "@run-md/core";
import { checkInsights, InsightsSyntaxError } from "@run-md/insights";
import { checkSql, type TableConfig } from "@run-md/sql";

export interface LintOptions {
  /** Configured aliases of cloudtrail_logs and extra tables. */
  tables?: TableConfig | undefined;
  /** What the parser found already: a step with an error inside it is not checked again. */
  found?: readonly Diagnostic[];
  /**
   * The runbook's parameters: in SQL a boolean or number one is checked as the literal Athena
   * gets; in Logs Insights a boolean one may not be a condition, and limit's count is a number.
   */
  params?: Readonly<Record<string, ParamDecl>>;
}

/**
 * Checks that go beyond the Markdown and front matter, placed at their line and column in the
 * file: for each `logs-insights` step its syntax, its fields against CloudTrail's record and its
 * parameters where their type matters (`@run-md/insights` checkInsights), and for each `sql` step everything Athena would
 * reject (`@run-md/sql`: Trino's grammar, the tables a step may read, the CloudTrail columns and
 * struct fields, Athena's functions). Core cannot do this: it knows no query language. It runs
 * on the steps of files with other errors too, so one pass reports every problem.
 */
export async function lintQueries(
  file: string,
  steps: readonly Step[],
  opts: LintOptions = {},
): Promise<Diagnostic[]> {
  const { tables, found = [], params = {} } = opts;
  const out: Diagnostic[] = [];
  for (const step of steps) {
    // An empty query, an unclosed fence or a malformed {{name}} is reported by the parser
    // already, as is a quoted one; the text is not what would run, so checking it would only
    // add echoes. An undeclared parameter leaves the text as it runs: its columns and syntax
    // are still checked (review: an unknown column hid behind an undeclared parameter).
    if (step.query.trim() === "") continue;
    const { start, end } = step.position;
    const echoed = (d: Diagnostic) =>
      d.severity === "error" &&
      TEXT_BROKEN.has(d.rule) &&
      d.line >= start.line &&
      d.line <= end.line;
    if (found.some(echoed)) continue;
    if (step.dialect === "logs-insights") out.push(...lintInsights(file, step, params));
    else out.push(...(await lintSql(file, step, tables, params)));
  }
  return out;
}

/** The parser's errors after which a step's text is not what would run (lintQueries). */
const TEXT_BROKEN: ReadonlySet<string> = new Set([
  RULES.badTemplate,
  RULES.quotedParam,
  RULES.unclosedFence,
]);

/** The rules of a query that cannot be parsed. */
const UNPARSED = new Set(["insights-syntax", "sql-syntax"]);

/**
 * The steps whose query cannot be parsed (Insights or Trino syntax): such a runbook is refused
 * before its first query (`run`) or not served (`serve`), as the spec says of a runbook that
 * cannot be parsed. What Athena would refuse in a query that parses (a column, a table) is
 * refused by the step's engine when it runs: that step errors and the others still run.
 */
export async function unparsedQueries(
  file: string,
  steps: readonly Step[],
  opts: LintOptions = {},
): Promise<Diagnostic[]> {
  return (await lintQueries(file, steps, opts)).filter((d) => UNPARSED.has(d.rule));
}

function lintInsights(
  file: string,
  step: Step,
  params: Readonly<Record<string, ParamDecl>>,
): Diagnostic[] {
  // The query as written: the parser reads each `{{name}}` as a parameter (a value anywhere a
  // value goes, and limit's count), and its messages name it as written.
  const at = (
    line: number,
    column: number,
    rule: string,
    message: string,
    severity: Diagnostic["severity"] = "error",
  ): Diagnostic => ({
    file,
    line: step.queryLine + line - 1,
    column,
    severity,
    rule,
    message,
  });
  try {
    const types = Object.fromEntries(Object.entries(params).map(([k, d]) => [k, d.type]));
    return checkInsights(step.query, { types }).map((p) =>
      at(p.line, p.column, p.rule, p.message, p.severity),
    );
  } catch (e) {
    if (!(e instanceof InsightsSyntaxError)) throw e;
    return [at(e.line, e.column, "insights-syntax", e.message)];
  }
}

async function lintSql(
  file: string,
  step: Step,
  tables: TableConfig | undefined,
  params: Readonly<Record<string, ParamDecl>>,
): Promise<Diagnostic[]> {
  if (step.attributes.sqlDialect === "duckdb") {
    const at = { file, line: step.position.start.line, column: 1 };
    const out: Diagnostic[] = [
      {
        ...at,
        severity: "warning",
        rule: "sql-local-only",
        message: `step "${step.id}" is dialect=duckdb: it runs on the local engine only (Athena refuses it), and its SQL is not checked against Athena's`,
      },
    ];
    // What the local engine's sandbox refuses (another table, a file, several statements) is
    // refused here too (spec §4), with the engine's own rewrite and sandbox. Loaded on demand:
    // DuckDB is no part of checking Athena SQL.
    const { duckdbStepProblem } = await import("@run-md/engine-local");
    const problem = await duckdbStepProblem(step.query, tables);
    if (problem) {
      const rule = /\btable\b/.test(problem.message) ? "sql-table" : problem.code;
      out.push({ ...at, severity: "error", rule, message: problem.message });
    }
    return out;
  }
  return (await checkSql(step.query, { ...(tables ? { tables } : {}), params })).map((p) => ({
    file,
    line: step.queryLine + p.line - 1,
    column: p.column,
    severity: p.severity,
    rule: p.rule,
    message: p.message,
  }));
}
