import {
  chooseEngine,
  type Diagnostic,
  type Dialect,
  type ParamDecl,
  patternReferences,
  queryLineAt,
  RULES,
  refsByOffset,
  type Step,
  sqlRegexUses,
} from "@run-md/core";
import { localSqlPattern, regexValueProblem } from "@run-md/engine-local/local-patterns";
import {
  checkInsights,
  InsightsSyntaxError,
  insightsRegexLiterals,
  serviceOnlyUses,
} from "@run-md/insights";
import { checkSql, type TableConfig } from "@run-md/sql";
import { re2Verdict } from "./check-cache.ts";

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
  /**
   * The engine choice (`--engine`, the configuration's `engines:`): a SQL step's pattern that RE2
   * refuses is an error where the step runs on the local engine, else a warning. Without it, a
   * warning (Athena reads Java's regular expressions; the caller does not know where steps run).
   */
  engines?: { override?: string | undefined; config?: Partial<Record<Dialect, string>> };
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
    const problems =
      step.dialect === "logs-insights"
        ? [...lintInsights(file, step, params), ...serviceOnly(file, step, opts.engines, params)]
        : await lintSql(file, step, tables, params);
    out.push(...problems);
    // What JavaScript's reading of a pattern misses, RE2 itself says (re2Diagnostics).
    if (!problems.some((d) => d.severity === "error"))
      out.push(...(await re2Diagnostics(file, step, opts.engines)));
  }
  return out;
}

/** The parser's errors after which a step's text is not what would run (lintQueries). */
const TEXT_BROKEN: ReadonlySet<string> = new Set([
  RULES.badTemplate,
  RULES.quotedParam,
  RULES.unclosedFence,
]);

/**
 * The rules of a query that cannot be parsed, and of a SQL pattern the local engine's RE2
 * refuses (an error only for a step that runs there): refused before the run's first step.
 */
const UNPARSED = new Set(["insights-syntax", "sql-syntax", "sql-regex"]);

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

/**
 * `insights-service-only`: what only CloudWatch Logs runs (a function the local translation does
 * not have, a map's or list's access), at each place: an error where the step runs on the local
 * engine (which refuses it), a warning elsewhere (`--engine local` would refuse it). Nothing for
 * a step that does not parse (lintInsights reports that).
 */
function serviceOnly(
  file: string,
  step: Step,
  engines: LintOptions["engines"],
  params: Readonly<Record<string, ParamDecl>>,
): Diagnostic[] {
  let uses: ReturnType<typeof serviceOnlyUses>;
  try {
    const types = Object.fromEntries(Object.entries(params).map(([k, d]) => [k, d.type]));
    uses = serviceOnlyUses(step.query, { types });
  } catch (e) {
    if (e instanceof InsightsSyntaxError) return [];
    throw e;
  }
  const local = engines && chooseEngine(step, engines.override, engines.config) === "local";
  return uses.map((u) => ({
    file,
    line: step.queryLine + u.line - 1,
    column: u.column,
    severity: local ? "error" : "warning",
    rule: "insights-service-only",
    message: `${u.message}${local ? ", and the local engine runs this step" : ""}`,
  }));
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

/** The place of `offset` in a step's query, in the file (the column in the query's line). */
function placeIn(step: Step, offset: number): { line: number; column: number } {
  const lineStart = step.query.slice(0, offset).lastIndexOf("\n") + 1;
  return { line: queryLineAt(step, offset), column: offset - lineStart + 1 };
}

/**
 * The patterns of a step that RE2 (DuckDB's, which the local engine matches with) refuses, asked
 * of RE2 itself as the local engine will hand them to DuckDB (engine-local re2.ts): what
 * JavaScript's reading misses (`[\b]`, `[a-\d]`, `\Q\E*`, a pattern past RE2's size) failed the
 * step mid-run. DuckDB is loaded only for a pattern with no kept verdict (check-cache.ts). Logs Insights: an
 * `insights-syntax` error, as JavaScript's refusals are. SQL (a constant pattern of a regexp
 * function): `sql-regex`, an error where the step runs on the local engine.
 */
async function re2Diagnostics(
  file: string,
  step: Step,
  engines: LintOptions["engines"],
): Promise<Diagnostic[]> {
  const insights = step.dialect === "logs-insights";
  const uses = insights
    ? insightsRegexLiterals(step.query)
    : sqlRegexUses(step.query).flatMap((u) => (u.kind === "literal" ? [u] : []));
  if (uses.length === 0) return [];
  const trino = step.attributes.sqlDialect !== "duckdb";
  const local = engines && chooseEngine(step, engines.override, engines.config) === "local";
  const out: Diagnostic[] = [];
  for (const use of uses) {
    const sent = "fn" in use ? localSqlPattern(use.fn, use.pattern, trino) : use.pattern;
    const problem = await re2Verdict(sent);
    if (problem === undefined) continue;
    const at = { file, ...placeIn(step, use.offset) };
    if ("written" in use) {
      const message = `invalid regular expression /${use.written}/: RE2, the local engine's regular expressions, refuses it: ${problem}`;
      out.push({ ...at, severity: "error", rule: "insights-syntax", message });
      continue;
    }
    const where = local
      ? "the local engine runs this step"
      : "Athena reads Java's regular expressions, but the step fails with --engine local";
    out.push({
      ...at,
      severity: local ? "error" : "warning",
      rule: "sql-regex",
      message: `${use.fn}'s pattern is no regular expression RE2 (DuckDB's) compiles: ${problem} (${where})`,
    });
  }
  return out;
}

/** Why a step's engine need not refuse a pattern RE2 refuses (re2ParamDiagnostics). */
const OTHER_ENGINE: Record<Dialect, string> = {
  sql: "Athena reads Java's regular expressions, but the step fails with --engine local",
  "logs-insights":
    "AWS does not say CloudWatch Logs Insights reads RE2's, but the step fails with --engine local",
};

/**
 * `param-regex`: a parameter's default or `enum` entry that RE2 refuses, where a step uses the
 * parameter as a whole regular expression (core `patternReferences`: `regexp_like(x, {{name}})`,
 * Logs Insights `like {{name}}`), at the reference, asked as a run asks the value it binds
 * (engine-local `regexValueProblem`, through the kept verdicts): a run that keeps such a value
 * stops before its first step on the local engine. An error where the step runs there, a
 * warning elsewhere. `run-md check` only: a run refuses the values it binds, not the declared ones.
 */
export async function re2ParamDiagnostics(
  file: string,
  steps: readonly Step[],
  params: Readonly<Record<string, ParamDecl>>,
  engines: NonNullable<LintOptions["engines"]>,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const step of steps) {
    const refs = refsByOffset(step);
    const local = chooseEngine(step, engines.override, engines.config) === "local";
    for (const [offset, name] of patternReferences(step)) {
      const decl = Object.hasOwn(params, name) ? params[name] : undefined;
      const ref = refs.get(offset);
      if (decl === undefined || ref === undefined) continue;
      const given = new Set([decl.default, ...(decl.enum ?? [])]);
      for (const value of given) {
        if (typeof value !== "string") continue;
        const problem = await regexValueProblem(value, step.dialect, name, re2Verdict);
        if (problem === undefined) continue;
        const what = decl.default === value ? "default" : "enum entry";
        const where = local ? "the local engine runs this step" : OTHER_ENGINE[step.dialect];
        out.push({
          file,
          ...ref.position,
          severity: local ? "error" : "warning",
          rule: "param-regex",
          message: `parameter "${name}" is a regular expression here, and its ${what} ${JSON.stringify(value)} is one RE2 (DuckDB's) refuses: ${problem} (${where})`,
        });
      }
    }
  }
  return out;
}
