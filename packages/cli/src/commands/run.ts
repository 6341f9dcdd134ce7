import { statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  type Diagnostic,
  errorReport,
  exitCodeOf,
  findRunbooks,
  formatDiagnostic,
  isRunMdError,
  loadRunbook,
  parseBytes,
  parseDuration,
  type Runbook,
  RunMdError,
  type RunReport,
  runPageUrl,
  runRunbook,
  sleep,
  storeReport,
  toJUnit,
  toMarkdown,
  writeFileAtomic,
} from "@run-md/core";
import pc from "picocolors";
import { loadConfig } from "../config.ts";
import { ENGINE_NAMES, EnginePool } from "../engines.ts";
import { OUTPUT_OPTIONS, OUTPUT_USAGE } from "../output/options.ts";
import { RunOutput } from "../output/run-output.ts";
import { summaryLine, TerminalReporter } from "../terminal.ts";
import { version as toolVersion } from "../package-files.ts";

export const RUN_USAGE = `Usage: run-md [run] <file|dir>... [options]

Runs every step of each runbook in document order, checks its expectations, prints what it
found and writes a report. Exit: 0 passed or warned, 1 an expectation failed, 2 an error in a
runbook, parameter, configuration or engine, 130 cancelled (Ctrl-C).

Options:
  --engine <local|athena|logs>  run every step whose dialect the engine runs on it
  --param <name=value>          a parameter value (repeatable)
  --since <duration>            window ending now: 30m, 24h, 7d
  --from <iso> [--to <iso>]     explicit window [from, to)
  --step <id>                   run only this step
  --timeout <duration>          timeout of steps without timeout= (default 10m)
  --max-scan <size>             Athena scan budget of steps without max_scan= (e.g. 10GB)
  --config <file>               configuration file (default ./run-md.config.yaml)
  --log-dir <dir>               local engine: directory of CloudTrail files
  --region <region>             AWS region (Athena, CloudWatch Logs)
  --profile <name>              AWS shared-config profile
  --reports-dir <dir>           where reports are written (default reports/)
  --no-report                   do not write a report file
  --junit <file>                also write JUnit XML (one test case per expectation)
  --markdown <file>             also write a Markdown summary
  --json                        print the reports as a JSON array instead of the terminal output
  --quiet                       print only the summary line
${OUTPUT_USAGE}
                                (--output: one step's full result; give --step unless the
                                runbook has one step; written when the step's query completed)
  -h, --help                    this help
`;

function fail(message: string, hint?: string): never {
  throw new RunMdError("usage", message, hint === undefined ? {} : { hint });
}

function printError(e: unknown): void {
  if (isRunMdError(e)) {
    process.stderr.write(`${pc.red("error")} ${e.message}\n`);
    if (e.hint) process.stderr.write(`${pc.dim(`hint: ${e.hint}`)}\n`);
  } else {
    process.stderr.write(
      `${pc.red("internal error")} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  }
}

/**
 * The reports directory must be a directory or not exist yet (it is created): a path that is a
 * file, or that runs through one, is a configuration error before any query runs.
 */
function checkReportsDir(dir: string, source: string): void {
  for (let p = dir; ; p = path.dirname(p)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a parent is a file; the walk up finds it
    }
    if (st !== undefined) {
      if (st.isDirectory()) return;
      throw new RunMdError(
        "bad-config",
        `reports directory ${dir} (${source}) is not a directory: ${p} is a file`,
        { hint: "Point reportsDir (or --reports-dir) at a directory, or pass --no-report." },
      );
    }
    if (path.dirname(p) === p) return;
  }
}

function reportsDirOf(flag: string | undefined, config: ReturnType<typeof loadConfig>): string {
  return flag ? path.resolve(flag) : config.reportsDir;
}

function worstExit(codes: number[]): number {
  if (codes.includes(130)) return 130;
  return Math.max(0, ...codes);
}

export async function runCommand(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  let positionals: string[];
  function parse(args: string[]) {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        engine: { type: "string" },
        param: { type: "string", multiple: true },
        since: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        step: { type: "string" },
        timeout: { type: "string" },
        "max-scan": { type: "string" },
        config: { type: "string" },
        "log-dir": { type: "string" },
        region: { type: "string" },
        profile: { type: "string" },
        "reports-dir": { type: "string" },
        "no-report": { type: "boolean" },
        junit: { type: "string" },
        markdown: { type: "string" },
        json: { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...OUTPUT_OPTIONS,
      },
    });
  }
  try {
    ({ values, positionals } = parse(argv));
  } catch (e) {
    process.stderr.write(`${pc.red("error")} ${(e as Error).message}\n\n${RUN_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }

  // Everything that can be checked before a query starts is checked here: exit 2, nothing runs.
  let runbooks: Runbook[];
  let pool: EnginePool;
  let cliParams: Record<string, string>;
  let timeoutMs: number | undefined;
  let maxScanBytes: number | undefined;
  let config: ReturnType<typeof loadConfig>;
  let output: RunOutput | undefined;
  try {
    if (positionals.length === 0) fail("no runbook given", "Try: run-md runbooks/audit-iam.md");
    if (
      values.engine !== undefined &&
      !(ENGINE_NAMES as readonly string[]).includes(values.engine)
    ) {
      throw new RunMdError("unknown-engine", `unknown engine "${values.engine}"`, {
        hint: `Engines: ${ENGINE_NAMES.join(", ")}.`,
      });
    }
    cliParams = Object.create(null) as Record<string, string>;
    for (const p of values.param ?? []) {
      const eq = p.indexOf("=");
      if (eq <= 0)
        fail(`--param "${p}" is not name=value`, "Example: --param actor_pattern=%admin%");
      cliParams[p.slice(0, eq)] = p.slice(eq + 1);
    }
    config = loadConfig(values.config);
    const timeoutText = values.timeout ?? config.timeout ?? "10m";
    timeoutMs = parseDuration(timeoutText);
    if (timeoutMs === undefined)
      fail(`timeout "${timeoutText}" is not a duration`, "Use 30s, 5m or 1h.");
    const maxScanText = values["max-scan"] ?? config.maxScan;
    if (maxScanText !== undefined) {
      maxScanBytes = parseBytes(maxScanText);
      if (maxScanBytes === undefined)
        fail(`--max-scan "${maxScanText}" is not a size`, "Use 500MB, 10GB or 1TB.");
    }
    for (const [dialect, engine] of Object.entries(config.engines)) {
      if (engine !== undefined && !(ENGINE_NAMES as readonly string[]).includes(engine)) {
        throw new RunMdError(
          "bad-config",
          `${config.source}: unknown engine "${engine}" for ${dialect}`,
        );
      }
    }
    const files = await findRunbooks(positionals);
    // Loaded here, not at start-up: the SQL parser is large, and usage errors do not need it.
    const { lintQueries } = await import("../lint.ts");
    if (files.length === 0) fail(`no runbooks (*.md) found in ${positionals.join(", ")}`);
    runbooks = [];
    const problems: Diagnostic[] = [];
    for (const file of files) {
      const { runbook, diagnostics, steps } = await loadRunbook(file);
      // Insights syntax stops the run here; a sql step Athena would reject is refused by its
      // engine when it runs (the same checker), so the step errors with the reason in the
      // report and the other steps still run. `run-md check` reports both before any run.
      const insights = steps.filter((s) => s.dialect === "logs-insights");
      problems.push(...diagnostics, ...lintQueries(file, insights, undefined, diagnostics));
      if (runbook) runbooks.push(runbook);
    }
    const errors = problems.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      for (const d of problems) process.stderr.write(`${formatDiagnostic(d)}\n`);
      process.stderr.write(
        `${pc.red("error")} ${errors.length} problem${errors.length === 1 ? "" : "s"} in the runbook${files.length === 1 ? "" : "s"}; nothing was run\n`,
      );
      return 2;
    }
    if (!values["no-report"]) {
      const source = values["reports-dir"]
        ? "--reports-dir"
        : process.env.RUN_MD_REPORTS_DIR
          ? "RUN_MD_REPORTS_DIR"
          : `reportsDir in ${config.source}`;
      checkReportsDir(reportsDirOf(values["reports-dir"], config), source);
    }
    output = await RunOutput.open(values, runbooks);
    pool = new EnginePool(config, {
      ...(values["log-dir"] === undefined ? {} : { logDir: values["log-dir"] }),
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(values.profile === undefined ? {} : { profile: values.profile }),
    });
  } catch (e) {
    printError(e);
    return 2;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${pc.yellow("cancelling")} (Ctrl-C again to quit at once)\n`);
    controller.abort(new Error("cancelled"));
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  const live = Boolean(process.stdout.isTTY) && !process.env.CI && !values.json && !values.quiet;
  const reports: RunReport[] = [];
  const codes: number[] = [];
  const reportsDir = reportsDirOf(values["reports-dir"], config);
  const version = toolVersion();
  try {
    for (const runbook of runbooks) {
      if (controller.signal.aborted) break;
      const terminal = values.json
        ? undefined
        : new TerminalReporter({
            out: process.stdout,
            live,
            quiet: Boolean(values.quiet),
            wide: Boolean(values.wide),
          });
      const startedAt = new Date();
      let report: RunReport;
      try {
        report = await runRunbook(
          runbook,
          {
            ...(values.engine === undefined ? {} : { engine: values.engine }),
            configEngines: config.engines,
            configParams: Object.hasOwn(config.params, runbook.meta.id)
              ? (config.params[runbook.meta.id] ?? {})
              : {},
            cliParams,
            window: {
              ...(values.since === undefined ? {} : { since: values.since }),
              ...(values.from === undefined ? {} : { from: values.from }),
              ...(values.to === undefined ? {} : { to: values.to }),
            },
            ...(values.step === undefined ? {} : { step: values.step }),
            ...(timeoutMs === undefined ? {} : { defaultTimeoutMs: timeoutMs }),
            ...(maxScanBytes === undefined ? {} : { maxScanBytes }),
            signal: controller.signal,
            mask: config.mask,
            toolVersion: version,
          },
          {
            getEngine: (name) => pool.get(name),
            ...(terminal === undefined ? {} : { reporter: terminal }),
            ...(output === undefined ? {} : { rowSink: output.rowSink }),
          },
        );
      } catch (e) {
        if (!isRunMdError(e)) throw e;
        printError(e);
        report = errorReport(
          runbook,
          e,
          {
            toolVersion: version,
            mask: config.mask,
            ...(values.engine ? { engine: values.engine } : {}),
          },
          startedAt,
        );
      }
      await output?.settle(report, Boolean(values.json));
      let file: string | undefined;
      if (!values["no-report"]) {
        file = await storeReport(reportsDir, report);
        file = path.relative(process.cwd(), file) || file;
      }
      if (!values.json) {
        process.stdout.write(`${summaryLine(report, file)}\n`);
        if (file && config.site.url) {
          process.stdout.write(
            `run page: ${runPageUrl(config.site.url, report.runbook.id, file)}\n`,
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
    await output?.discard();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    // Close the engines, but never wait long on one still busy with a query it failed to stop.
    const closed = new AbortController();
    await Promise.race([pool.closeAll().finally(() => closed.abort()), sleep(5000, closed.signal)]);
  }
  try {
    if (values.junit) await writeFileAtomic(path.resolve(values.junit), toJUnit(reports));
    if (values.markdown) await writeFileAtomic(path.resolve(values.markdown), toMarkdown(reports));
  } catch (e) {
    printError(e);
    codes.push(2);
  }
  // One shape whatever the number of runbooks: an array of run reports.
  if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  return worstExit(codes);
}
