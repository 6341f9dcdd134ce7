/**
 * `run-md query`: one query, SQL or Logs Insights, run as the only step of an in-memory runbook
 * (adhoc.ts) through core's `runRunbook`, so window, parameters, engine choice, the sandbox,
 * scoping, no-data, timeouts and masking are a runbook step's. It is an investigation: it writes
 * no report. Rows go to the terminal as a table, or whole to standard output or `--output FILE`
 * as CSV, JSON or NDJSON.
 */
import { text } from "node:stream/consumers";
import {
  choiceDialects,
  type Dialect,
  isRunMdError,
  printable,
  type Runbook,
  RunMdError,
  runRunbook,
  type StepReport,
  sleep,
} from "@run-md/core";
import pc from "picocolors";
import { adhocParams, adhocRunbook, formatAdhoc } from "../adhoc.ts";
import {
  type ArgValues,
  parseCommandArgs,
  printUserError,
  QUERY_OPTIONS,
  SOURCE_OPTIONS,
} from "../args.ts";
import { type Config, loadConfig, tableConfig } from "../config.ts";
import { EnginePool, engineFlags } from "../engines.ts";
import type { FileFormat } from "../output/formats.ts";
import { OUTPUT_OPTIONS, outputChoice, outputUsage, settleOutput } from "../output/options.ts";
import { ResultOutput } from "../output/result-output.ts";
import { docRefs, version as toolVersion } from "../package-files.ts";
import {
  cancelOnInterrupt,
  checkEngines,
  defaultTimeoutMs,
  maxScanBytes,
} from "../run-settings.ts";
import { rowsTable } from "../table.ts";
import { seconds, statsText } from "../terminal.ts";

export const QUERY_USAGE = `Usage: run-md query ["<query>"] [options]
       run-md query [options] < query.sql

Runs one query as a runbook step would (same window, parameters, engines, sandbox, scoping,
timeouts and masking) and prints its rows. SQL (Athena's dialect, checked as \`check\` does) by
default; --insights for CloudWatch Logs Insights. With no query argument it is read from
standard input. Writes no report: a query is an investigation, not a runbook's status.
Exit: 0 the query ran (whatever it returned), 2 an error in the query, a parameter, the
configuration or the engine (--output is not written; rows already streamed to standard
output stay there: read the exit code), 130 cancelled (Ctrl-C).

Options:
  --insights                    the query is Logs Insights (default: SQL)
  --engine <local|athena|logs>  the engine (default: the configuration's for the dialect)
  --param <name[:type]=value>   a value for {{name}} in the query (repeatable; type string
                                unless given: integer, number, boolean, timestamp, ...)
  --since <duration>            window ending now (or at --to): 30m, 24h, 7d (default 24h)
  --from <iso> [--to <iso>]     explicit window [from, to)
  --allow-empty                 a window without CloudTrail events is not an error
  --timeout <duration>          timeout of the query (default 10m)
  --max-scan <size>             Athena scan budget (e.g. 10GB)
  --config <file>               configuration file (default: RUN_MD_CONFIG, else
                                run-md.config.yaml here or in the nearest folder above)
  --log-dir <dir>               local engine: directory of CloudTrail files
  --region <region>             AWS region (Athena, CloudWatch Logs)
  --profile <name>              AWS shared-config profile
${outputUsage()}
                                (a table shows the first 100 rows; csv, json and ndjson the
                                whole result, on standard output without --output)
  -h, --help                    this help
`;

const OPTIONS = {
  insights: { type: "boolean" },
  engine: { type: "string" },
  ...QUERY_OPTIONS,
  "allow-empty": { type: "boolean" },
  ...SOURCE_OPTIONS,
  ...OUTPUT_OPTIONS,
} as const;

type Values = ArgValues<typeof OPTIONS>;

function printError(e: unknown): void {
  if (!isRunMdError(e)) throw e;
  printUserError(e, true);
}

/** The query: the one argument, or standard input when there is none and it is not a terminal. */
async function queryText(positionals: string[]): Promise<{ text: string; source: string }> {
  if (positionals.length > 1) {
    throw new RunMdError(
      "usage",
      `run-md query takes one query, ${positionals.length} were given`,
      {
        hint: `Quote the query: run-md query "SELECT ... FROM cloudtrail_logs ..."`,
      },
    );
  }
  if (positionals.length === 1) return { text: positionals[0]!, source: "<query>" };
  if (process.stdin.isTTY) {
    throw new RunMdError("usage", "no query given", {
      hint: 'Give it as an argument (run-md query "SELECT ...") or on standard input (run-md query < q.sql).',
    });
  }
  return { text: await text(process.stdin), source: "<stdin>" };
}

/** `--engine` must run the query's dialect (`--engine logs` runs Logs Insights only). */
function checkEngineDialect(engine: string | undefined, dialect: Dialect): void {
  if (engine === undefined) return;
  const dialects = choiceDialects(engine);
  if (dialects !== undefined && !dialects.includes(dialect)) {
    throw new RunMdError(
      "usage",
      `--engine ${engine} does not run ${dialect === "sql" ? "SQL" : "Logs Insights"} queries`,
      {
        hint:
          dialect === "sql"
            ? "Pass --insights for a Logs Insights query, or --engine local|athena."
            : "Drop --insights for SQL, or use --engine local|logs.",
      },
    );
  }
}

/**
 * Everything checked before the query runs: flags, configuration, the query itself (parameters,
 * syntax, tables, columns, functions: `check`'s diagnostics). Throws `RunMdError`; returns 2
 * after printing the query's problems.
 */
async function prepare(
  values: Values,
  positionals: string[],
): Promise<{ runbook: Runbook; config: Config } | number> {
  const { text: query, source } = await queryText(positionals);
  const config = loadConfig(values.config);
  checkEngines(values.engine, config);
  const dialect: Dialect = values.insights ? "logs-insights" : "sql";
  checkEngineDialect(values.engine, dialect);
  const adhoc = adhocRunbook({
    text: query,
    dialect,
    source,
    params: values.param ?? [],
    allowEmpty: Boolean(values["allow-empty"]),
  });
  const { lintQueries } = await import("../lint.ts");
  const problems = [
    ...adhoc.diagnostics,
    ...(await lintQueries(source, adhoc.steps, {
      tables: tableConfig(config),
      found: adhoc.diagnostics,
      engines: { override: values.engine, config: config.engines },
      ...(adhoc.runbook ? { params: adhoc.runbook.meta.params } : {}),
    })),
  ].map(adhoc.place);
  const errors = problems.filter((d) => d.severity === "error");
  if (errors.length > 0 || adhoc.runbook === undefined) {
    for (const d of problems) process.stderr.write(`${formatAdhoc(d)}\n`);
    const n = errors.length;
    process.stderr.write(
      `${pc.red("error")} ${n} problem${n === 1 ? "" : "s"} in the query; nothing was run\n`,
    );
    return 2;
  }
  for (const d of problems) process.stderr.write(`${formatAdhoc(d)}\n`);
  return { runbook: adhoc.runbook, config };
}

/** The first rows as a table on standard output; what ran and how many rows on standard error. */
function printResult(step: StepReport, wide: boolean): void {
  if (step.columns.length > 0) {
    const width = process.stdout.columns || 120;
    process.stdout.write(
      `${rowsTable(
        step.columns.map((c) => c.name),
        step.rows,
        width,
        { wide },
      )}\n`,
    );
  }
  const shown = step.rows.length;
  const more =
    step.rowCount > shown
      ? `, first ${shown} shown (--format csv --output FILE writes them all)`
      : "";
  process.stderr.write(pc.dim(`${step.rowCount} row${step.rowCount === 1 ? "" : "s"}${more}\n`));
}

/** `query · local · window … · 0.4s · 3.5 MB scanned`, on standard error. */
function printStatus(step: StepReport, sampleData: boolean): void {
  const stats = statsText(step);
  // As a run's last line says it (terminal.ts summaryLine): the rows are of generated events.
  const sample = sampleData ? " · bundled sample data" : "";
  process.stderr.write(
    pc.dim(
      `${step.engine} · window ${step.window.start} → ${step.window.end} · ${seconds(step.durationMs)}${stats ? ` · ${stats}` : ""}${sample}\n`,
    ),
  );
  for (const w of step.warnings) {
    process.stderr.write(`${pc.yellow("!")} ${pc.yellow(printable(w))}\n`);
  }
  if (step.error) {
    const { code, message } = step.error;
    // A query is no runbook step: its way to accept an empty window is a flag.
    const hint =
      code === "no-data"
        ? "Check the log directory or the configured table and the window (--since, --from/--to); if an empty window is expected, add --allow-empty."
        : step.error.hint;
    process.stderr.write(`${pc.red("error")} ${code}: ${printable(message)}\n`);
    if (hint) process.stderr.write(`${pc.dim(`hint: ${docRefs(printable(hint))}`)}\n`);
  }
}

export async function queryCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, "run-md query", QUERY_USAGE, OPTIONS);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  let prepared: Awaited<ReturnType<typeof prepare>>;
  let output: ResultOutput | undefined;
  let timeoutMs: number;
  let maxScan: number | undefined;
  try {
    const { format, file } = outputChoice(values);
    prepared = await prepare(values, positionals);
    if (typeof prepared === "number") return prepared;
    timeoutMs = defaultTimeoutMs(values.timeout, prepared.config);
    maxScan = maxScanBytes(values["max-scan"], prepared.config);
    // Opened last: a usage error above leaves no temporary file behind.
    if (file !== undefined) output = await ResultOutput.toFile(file, format as FileFormat);
    else if (format !== "table") output = ResultOutput.toStdout(format);
  } catch (e) {
    printError(e);
    return 2;
  }
  return execute(values, prepared, { output, timeoutMs, maxScan });
}

/** Runs the prepared query and writes its rows; the exit code. */
async function execute(
  values: Values,
  { runbook, config }: { runbook: Runbook; config: Config },
  o: { output: ResultOutput | undefined; timeoutMs: number; maxScan: number | undefined },
): Promise<number> {
  const pool = new EnginePool(config, engineFlags(values, o.maxScan));
  const controller = new AbortController();
  const stopListening = cancelOnInterrupt(controller);
  let code: number;
  try {
    // As for a runbook: the profile, credentials and log directory checked once, before the query.
    await pool.preflightFor([runbook], values.engine);
    const report = await runRunbook(
      runbook,
      {
        ...(values.engine === undefined ? {} : { engine: values.engine }),
        configEngines: config.engines,
        window: {
          ...(values.since === undefined ? {} : { since: values.since }),
          ...(values.from === undefined ? {} : { from: values.from }),
          ...(values.to === undefined ? {} : { to: values.to }),
        },
        cliParams: Object.fromEntries(
          [...adhocParams(values.param ?? [])].map(([name, p]) => [name, p.value]),
        ),
        defaultTimeoutMs: o.timeoutMs,
        signal: controller.signal,
        mask: config.mask,
        toolVersion: toolVersion(),
      },
      {
        getEngine: (name) => pool.get(name),
        ...(o.output === undefined ? {} : { rowSink: () => o.output?.sink }),
      },
    );
    const step = report.steps[0]!;
    if (o.output === undefined && !step.error) printResult(step, Boolean(values.wide));
    printStatus(step, pool.markSampleData(report).sampleData === true);
    const said = o.output === undefined ? "" : await settleOutput(o.output, step);
    if (said) process.stderr.write(`${said}\n`);
    code = step.status === "cancelled" ? 130 : step.status === "errored" ? 2 : 0;
  } catch (e) {
    printError(e);
    code = 2;
  } finally {
    await o.output?.discard();
    stopListening();
    const closed = new AbortController();
    await Promise.race([pool.closeAll().finally(() => closed.abort()), sleep(5000, closed.signal)]);
  }
  return code;
}
