import { statSync } from "node:fs";
import path from "node:path";
import {
  checkRunInput,
  configParamsFor,
  type Diagnostic,
  duplicateIdErrors,
  exitCodeOf,
  findRunbooks,
  formatDiagnostic,
  isRunMdError,
  loadRunbook,
  newFileRefusal,
  printableJson,
  type Runbook,
  RunMdError,
  type RunReport,
  reportKind,
  reportUrl,
  runOrErrorReport,
  runPageUrl,
  sleep,
  storeReport,
  toJUnit,
  toMarkdown,
} from "@run-md/core";
import pc from "picocolors";
import { type ArgValues, printUserError, QUERY_OPTIONS, RUN_OPTIONS } from "../args.ts";
import { type Config, loadConfig, tableConfig } from "../config.ts";
import { configParamProblems } from "../config-params.ts";
import { checkEngineChoice, EnginePool, engineFlags } from "../engines.ts";
import { checkOutputFile, writeOutputFile } from "../output/file-check.ts";
import { OUTPUT_OPTIONS, outputUsage } from "../output/options.ts";
import { RunOutput } from "../output/run-output.ts";
import { parseJsonCommandArgs, printStopJson } from "../output/stop-json.ts";
import { version as toolVersion } from "../package-files.ts";
import {
  cancelOnInterrupt,
  checkEngines,
  defaultTimeoutMs,
  type JobBounds,
  jobBoundsOf,
  maxScanBytes as maxScanBytesOf,
} from "../run-settings.ts";
import { resolveRunbookIds } from "../runbook-ids.ts";
import { summaryLine, TerminalReporter, totalLine } from "../terminal.ts";

export const RUN_USAGE = `Usage: run-md [run] <file|dir|id>... [options]

A runbook is a file, a folder of them, or an id as run-md list shows it (looked up in
runbooksDir, default runbooks/). Runs every step of each runbook in document order, checks
its expectations, prints what it found and writes a report. Exit: 0 passed or warned, 1 an
expectation failed, 2 an error in a runbook, parameter, configuration or engine, 130 cancelled
(Ctrl-C).

Options:
  --engine <local|athena|logs|aws>
                                run every step whose dialect the engine runs on it (aws: SQL
                                steps on Athena, Logs Insights steps on CloudWatch Logs)
  --param <name=value>          a parameter value (repeatable)
  --since <duration>            window ending now (or at --to): 30m, 24h, 7d
  --from <iso> [--to <iso>]     explicit window [from, to)
  --to <iso>                    without --from: the window (--since, else window:, else 24h)
                                ends at this instant instead of now
  --step <id>                   run only this step
  --timeout <duration>          timeout of steps without timeout= (default 10m)
  --max-scan <size>             Athena scan budget of steps without max_scan= (e.g. 10GB)
  --config <file>               configuration file (default: RUN_MD_CONFIG, else
                                run-md.config.yaml here or in the nearest folder above)
  --log-dir <dir>               local engine: directory of CloudTrail files
  --region <region>             AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the
                                configuration, the profile's region)
  --profile <name>              AWS shared-config profile (else AWS_PROFILE, the configuration)
  --reports-dir <dir>           where reports are written (default reports/)
  --no-report                   do not write a report file
  --junit <file>                also write JUnit XML (one test case per expectation)
  --markdown <file>             also write a Markdown summary
  --json                        print the reports as a JSON array instead of the terminal output
                                (a run stopped before its first step: one object,
                                {"status": "errored", "error": {...}, "problems": [...]})
  --quiet                       print only the summary line
${outputUsage(`
                                (one step's: give --step unless the runbook has one step;
                                written when the step's query completed)`)}
  -h, --help                    this help
`;

function fail(message: string, hint?: string): never {
  throw new RunMdError("usage", message, hint === undefined ? {} : { hint });
}

export function printError(e: unknown): void {
  if (isRunMdError(e)) {
    printUserError(e, true);
  } else {
    process.stderr.write(
      `${pc.red("internal error")} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  }
}

/**
 * The reports directory must be a directory or not exist yet (it is created), in a folder that
 * takes new files, and each runbook's folder in it (`ids`) a directory too: a path that is a
 * file, or that runs through one, is a configuration error before any query runs.
 */
function checkReportsDir(dir: string, source: string, ids: readonly string[]): void {
  for (let p = dir; ; p = path.dirname(p)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a parent is a file; the walk up finds it
    }
    if (st !== undefined) {
      if (!st.isDirectory()) notADirectory(dir, p, source);
      checkWritable(dir, p, source);
      // The folders of the runbooks exist only in a reports directory that does.
      if (p === dir) for (const id of ids) checkRunbookFolder(path.join(dir, id), source);
      return;
    }
    if (path.dirname(p) === p) return;
  }
}

function checkRunbookFolder(folder: string, source: string): void {
  const st = statSync(folder, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (!st.isDirectory()) notADirectory(folder, folder, source);
  checkWritable(folder, folder, source);
}

function notADirectory(dir: string, file: string, source: string): never {
  throw new RunMdError(
    "bad-config",
    `reports directory ${dir} (${source}) is not a directory: ${file} is a file`,
    { hint: "Point reportsDir (or --reports-dir) at a directory, or pass --no-report." },
  );
}

/** The reports folder's nearest existing folder `existing` takes new files (and folders). */
function checkWritable(dir: string, existing: string, source: string): void {
  const reason = newFileRefusal(existing);
  if (reason === undefined) return;
  throw new RunMdError(
    "bad-config",
    `reports directory ${dir} (${source}) cannot be written: ${existing} refuses new files (${reason})`,
    {
      hint: "Point reportsDir (or --reports-dir) at a folder you can write to, or pass --no-report.",
    },
  );
}

function reportsDirOf(flag: string | undefined, config: ReturnType<typeof loadConfig>): string {
  return flag ? path.resolve(flag) : config.reportsDir;
}

/** The command's exit code: the highest of its parts' (130, a stop, outranks 2 and 1). */
function worstExit(codes: number[]): number {
  return Math.max(0, ...codes);
}

/** The options of `run`: those it shares with `trigger`, then its own. */
const OPTIONS = {
  ...RUN_OPTIONS,
  ...QUERY_OPTIONS,
  step: { type: "string" },
  junit: { type: "string" },
  markdown: { type: "string" },
  ...OUTPUT_OPTIONS,
} as const;

type Values = ArgValues<typeof OPTIONS>;

/** A run checked and ready: nothing has been queried or written yet. */
interface RunPlan {
  values: Values;
  runbooks: Runbook[];
  pool: EnginePool;
  cliParams: Record<string, string>;
  /** `RUN_MD_WINDOW_END` and `RUN_MD_WINDOW_START`, read once. */
  bounds: JobBounds;
  timeoutMs?: number;
  config: ReturnType<typeof loadConfig>;
  /** `--output`: the one step's full result (undefined without the flag). */
  output?: RunOutput;
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseJsonCommandArgs(argv, "run-md run", RUN_USAGE, OPTIONS);
  if (typeof args === "number") return args;
  let plan: RunPlan | number;
  try {
    plan = await prepareRun(args.values, args.positionals);
  } catch (e) {
    printError(e);
    printStopJson(args.values.json, e);
    return 2;
  }
  if (typeof plan === "number") return plan;
  try {
    // Checked once before the first step: the profile, credentials, the log directory, and no
    // bundled sample data beside AWS.
    await plan.pool.preflightFor(plan.runbooks, plan.values.engine, plan.values.step);
  } catch (e) {
    printError(e);
    printStopJson(plan.values.json, e);
    await plan.output?.discard();
    await plan.pool.closeAll();
    return 2;
  }
  return executeRun(plan);
}

/** `--param name=value`s as a map (a usage error for one without `=`). */
export function cliParamsOf(values: Pick<Values, "param">): Record<string, string> {
  const params = Object.create(null) as Record<string, string>;
  for (const p of values.param ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) fail(`--param "${p}" is not name=value`, "Example: --param actor_pattern=%admin%");
    const name = p.slice(0, eq);
    // The first value would be dropped without a word (review): a parameter has one value.
    if (Object.hasOwn(params, name))
      fail(
        `--param ${name} is given twice (${JSON.stringify(params[name])} and ${JSON.stringify(p.slice(eq + 1))})`,
        "A parameter has one value: give it once.",
      );
    params[name] = p.slice(eq + 1);
  }
  return params;
}

/**
 * Everything that can be checked before a query starts: flags, configuration, the runbooks
 * (their syntax, and what the command line asks of them). A problem is exit 2 with nothing run
 * and no report written (a usage error is no run).
 */
async function prepareRun(values: Values, positionals: string[]): Promise<RunPlan | number> {
  if (positionals.length === 0) fail("no runbook given", "Try: run-md runbooks/audit-iam.md");
  checkEngineChoice(values.engine);
  const cliParams = cliParamsOf(values);
  const config = loadConfig(values.config);
  const timeoutMs = defaultTimeoutMs(values.timeout, config);
  const maxScanBytes = maxScanBytesOf(values["max-scan"], config);
  checkEngines(values.engine, config);
  const runbooks = await loadRunbooks(
    await resolveRunbookIds(positionals, config.runbooksDir),
    config,
    values,
  );
  if (typeof runbooks === "number") return runbooks;
  await warnUnusedConfigParams(config, runbooks);
  const now = new Date();
  const bounds = jobBoundsOf(process.env, now, { from: values.from, to: values.to });
  for (const runbook of runbooks) {
    const input = runInput(values, config, runbook, cliParams, bounds);
    const problem = checkRunInput(runbook, input, now);
    if (problem) throw problem;
  }
  if (!values["no-report"]) {
    const source = values["reports-dir"]
      ? "--reports-dir"
      : process.env.RUN_MD_REPORTS_DIR
        ? "RUN_MD_REPORTS_DIR"
        : `reportsDir in ${config.source}`;
    const ids = runbooks.map((r) => r.meta.id);
    checkReportsDir(reportsDirOf(values["reports-dir"], config), source, ids);
  }
  if (values.junit) checkOutputFile(values.junit, "--junit");
  if (values.markdown) checkOutputFile(values.markdown, "--markdown");
  const output = await RunOutput.open(values, runbooks);
  const pool = new EnginePool(config, engineFlags(values, maxScanBytes));
  return {
    values,
    runbooks,
    pool,
    cliParams,
    bounds,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    config,
    ...(output === undefined ? {} : { output }),
  };
}

/**
 * A `params.<id>` naming no runbook (`run-md check` reports it as an error): a warning before the
 * run, which uses the defaults where the section meant other values (a typo in the id).
 */
async function warnUnusedConfigParams(config: Config, runbooks: readonly Runbook[]) {
  const problems = await configParamProblems(
    config,
    runbooks.map((r) => r.meta.id),
  );
  for (const d of problems) {
    process.stderr.write(`${formatDiagnostic({ ...d, severity: "warning" })}\n`);
  }
}

/** What the command line asks of one runbook: its step, window and parameters. */
export function runInput(
  values: Pick<Values, "step" | "since" | "from" | "to">,
  config: ReturnType<typeof loadConfig>,
  runbook: Runbook,
  cliParams: Record<string, string>,
  bounds: JobBounds,
) {
  return {
    ...(values.step === undefined ? {} : { step: values.step }),
    ...bounds,
    window: {
      ...(values.since === undefined ? {} : { since: values.since }),
      ...(values.from === undefined ? {} : { from: values.from }),
      ...(values.to === undefined ? {} : { to: values.to }),
    },
    configParams: configParamsFor(config.params, runbook.meta.id),
    configSource: config.located,
    cliParams,
  };
}

/** The runbooks of the files, or exit 2 after printing their problems (nothing is run then). */
export async function loadRunbooks(
  paths: string[],
  config: Config,
  values: Pick<Values, "json" | "engine">,
): Promise<Runbook[] | number> {
  const tables = tableConfig(config);
  const engines = { override: values.engine, config: config.engines };
  const files = await findRunbooks(paths);
  // Loaded here, not at start-up: the SQL parser is large, and usage errors do not need it.
  const { unparsedQueries } = await import("../lint.ts");
  if (files.length === 0) fail(`no runbooks (*.md) found in ${paths.join(", ")}`);
  const runbooks: Runbook[] = [];
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const { runbook, diagnostics, steps } = await loadRunbook(file);
    // A query that cannot be parsed stops every run before its first query (lint.ts
    // unparsedQueries), at its line and column in the file; `run-md check` reports the rest.
    const params = runbook?.meta.params ?? {};
    problems.push(
      ...diagnostics,
      ...(await unparsedQueries(file, steps, { found: diagnostics, tables, params, engines })),
    );
    if (runbook) runbooks.push(runbook);
  }
  problems.push(
    ...duplicateIdErrors(runbooks.map((r) => ({ file: r.path, id: r.meta.id }))).values(),
  );
  const errors = problems.filter((d) => d.severity === "error");
  if (errors.length === 0) return runbooks;
  for (const d of problems) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const summary = `${errors.length} problem${errors.length === 1 ? "" : "s"} in the runbook${files.length === 1 ? "" : "s"}; nothing was run`;
  process.stderr.write(`${pc.red("error")} ${summary}\n`);
  const hint = "run-md check shows every problem with its file and line.";
  printStopJson(values.json, new RunMdError("bad-runbook", summary, { hint }), problems);
  return 2;
}

/** Runs one runbook; a run that stops before its first step still has a report saying why. */
async function runOne(
  plan: RunPlan,
  runbook: Runbook,
  signal: AbortSignal,
  terminal: TerminalReporter | undefined,
): Promise<RunReport> {
  const { values, config } = plan;
  const report = await runOrErrorReport(
    runbook,
    {
      ...(values.engine === undefined ? {} : { engine: values.engine }),
      configEngines: config.engines,
      ...runInput(values, config, runbook, plan.cliParams, plan.bounds),
      ...(plan.timeoutMs === undefined ? {} : { defaultTimeoutMs: plan.timeoutMs }),
      signal,
      mask: config.mask,
      toolVersion: toolVersion(),
    },
    {
      getEngine: (name) => plan.pool.get(name),
      ...(terminal === undefined ? {} : { reporter: terminal }),
      ...(plan.output === undefined ? {} : { rowSink: plan.output.rowSink }),
    },
    printError,
  );
  return plan.pool.markSampleData(report);
}

/** Runs the runbooks in turn, writes their reports and outputs; the exit code of the worst. */
async function executeRun(plan: RunPlan): Promise<number> {
  const { values, config } = plan;
  const controller = new AbortController();
  const release = cancelOnInterrupt(controller);
  const live = Boolean(process.stdout.isTTY) && !process.env.CI && !values.json && !values.quiet;
  const reports: RunReport[] = [];
  const codes: number[] = [];
  const reportsDir = reportsDirOf(values["reports-dir"], config);
  try {
    for (const [i, runbook] of plan.runbooks.entries()) {
      if (controller.signal.aborted) {
        // Stopped between two runbooks: those left never ran, and the run is no success.
        const left = plan.runbooks.slice(i).map((r) => r.meta.id);
        process.stderr.write(`cancelled: not run: ${left.join(", ")}\n`);
        codes.push(130);
        break;
      }
      const terminal = values.json
        ? undefined
        : new TerminalReporter({
            out: process.stdout,
            live,
            quiet: Boolean(values.quiet),
            wide: Boolean(values.wide),
          });
      const report = await runOne(plan, runbook, controller.signal, terminal);
      await plan.output?.settle(report, Boolean(values.json));
      let file: string | undefined;
      if (!values["no-report"]) {
        file = await storeReport(reportsDir, report);
        file = path.relative(process.cwd(), file) || file;
      }
      if (!values.json) {
        process.stdout.write(`${summaryLine(report, file)}\n`);
        if (file && config.site.url) {
          process.stdout.write(
            reportKind(report) === "full"
              ? `run page: ${runPageUrl(config.site.url, report.runbook.id, file)}\n`
              : `report: ${reportUrl(config.site.url, report.runbook.id, file, false)}\n`,
          );
        }
      }
      reports.push(report);
      codes.push(exitCodeOf(report.status));
    }
  } catch (e) {
    printError(e);
    codes.push(2);
  } finally {
    await plan.output?.discard();
    release();
    // Close the engines, but never wait long on one still busy with a query it failed to stop.
    const closed = new AbortController();
    await Promise.race([
      plan.pool.closeAll().finally(() => closed.abort()),
      sleep(5000, closed.signal),
    ]);
  }
  codes.push(await writeOutputs(values, reports));
  // Only when every runbook ran: a stop or an error between two says so itself.
  if (!values.json && reports.length > 1 && reports.length === plan.runbooks.length)
    process.stdout.write(`\n${totalLine(reports)}\n`);
  // One shape whatever the number of runbooks: an array of run reports.
  if (values.json) process.stdout.write(`${printableJson(reports, 2)}\n`);
  return worstExit(codes);
}

/** `--junit` and `--markdown`: 0, or 2 when one could not be written. */
async function writeOutputs(values: Values, reports: RunReport[]): Promise<number> {
  try {
    if (values.junit) await writeOutputFile(values.junit, "--junit", toJUnit(reports));
    if (values.markdown) await writeOutputFile(values.markdown, "--markdown", toMarkdown(reports));
    return 0;
  } catch (e) {
    printError(e);
    return 2;
  }
}
