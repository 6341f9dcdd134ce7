/**
 * `run-md compare <runbooks> --engines a,b`: each runbook run on two engines over one window, and
 * every step's answer compared (core compare.ts): what a team checks before it trusts the local
 * store, or a new engine, with the answers Athena gives. Nothing is written.
 */
import {
  checkRunInput,
  chooseEngine,
  compareExitCode,
  compareRuns,
  isRunMdError,
  maskComparison,
  printableJson,
  RowTally,
  type Runbook,
  type RunComparison,
  RunMdError,
  type RunReport,
  type RunSide,
  runOrErrorReport,
  sleep,
  tallyBudget,
} from "@run-md/core";
import pc from "picocolors";
import { type ArgValues, QUERY_OPTIONS, SOURCE_OPTIONS } from "../args.ts";
import { loadConfig } from "../config.ts";
import { checkEngineChoice, EnginePool, engineFlags } from "../engines.ts";
import { parseJsonCommandArgs, printStopJson } from "../output/stop-json.ts";
import { version as toolVersion } from "../package-files.ts";
import {
  cancelOnInterrupt,
  checkEngines,
  defaultTimeoutMs,
  jobBoundsOf,
  maxScanBytes as maxScanBytesOf,
} from "../run-settings.ts";
import { resolveRunbookIds } from "../runbook-ids.ts";
import { cliParamsOf, loadRunbooks, printError, runInput } from "./run.ts";

export const COMPARE_USAGE = `Usage: run-md compare <file|dir|id>... --engines <a,b> [options]

Runs each runbook on two engines over one window (resolved once, so both read the same
time) and compares every step's answer: its columns, its rows (in any order) and its
expectations' outcomes. Prints what differs, with rows found on one engine only. Writes no
report. Exit: 0 the same on both, 1 a step differs, 2 a step that could not be compared (it
errored on both, an engine cut its result at its row limit, or the runbook's rows on one engine
pass 64 MB) or an error in a runbook, parameter,
configuration or engine, 130 cancelled (Ctrl-C).

Options:
  --engines <a,b>               the two engines: local, athena, logs or aws (aws: SQL steps
                                on Athena, Logs Insights steps on CloudWatch Logs)
  --param <name=value>          a parameter value (repeatable)
  --since <duration>            window ending now (or at --to): 30m, 24h, 7d
  --from <iso> [--to <iso>]     explicit window [from, to): on a live trail, end it a while
                                ago (CloudTrail delivers minutes late, and the runs follow
                                each other)
  --to <iso>                    without --from: the window ends at this instant
  --step <id>                   compare only this step
  --timeout <duration>          timeout of steps without timeout= (default 10m)
  --max-scan <size>             Athena scan budget of steps without max_scan= (e.g. 10GB)
  --config <file>               configuration file (default: RUN_MD_CONFIG, else
                                run-md.config.yaml here or in the nearest folder above)
  --log-dir <dir>               local engine: directory of CloudTrail files
  --region <region>             AWS region
  --profile <name>              AWS shared-config profile
  --json                        print the comparison as JSON
  -h, --help                    this help
`;

const OPTIONS = {
  engines: { type: "string" },
  step: { type: "string" },
  json: { type: "boolean" },
  ...SOURCE_OPTIONS,
  ...QUERY_OPTIONS,
} as const;

/** `--engines a,b`: two engines, known and different. */
function enginesOf(text: string | undefined): [string, string] {
  const names = (text ?? "").split(",").map((s) => s.trim());
  if (text === undefined || names.length !== 2 || names.some((n) => n === ""))
    throw new RunMdError(
      "usage",
      `--engines ${text === undefined ? "is missing" : `"${text}" is not two engines`}`,
      {
        hint: "Name two engines separated by a comma: --engines local,athena (or local,aws).",
      },
    );
  for (const n of names) checkEngineChoice(n);
  if (names[0] === names[1])
    throw new RunMdError("usage", `--engines names ${names[0]} twice: nothing to compare`, {
      hint: "Name two different engines: --engines local,athena.",
    });
  return names as [string, string];
}

export async function compareCommand(argv: string[]): Promise<number> {
  const args = parseJsonCommandArgs(argv, "run-md compare", COMPARE_USAGE, OPTIONS);
  if (typeof args === "number") return args;
  const { values } = args;
  let plan: Plan | number | undefined;
  try {
    plan = await prepare(values, args.positionals);
    if (typeof plan === "number") return plan;
    await preflight(plan);
  } catch (e) {
    printError(e);
    printStopJson(values.json, e);
    if (typeof plan === "object") await plan.pool.closeAll();
    return 2;
  }
  return execute(plan);
}

/**
 * The engines both sides' steps run on, checked once before the first query; the bundled sample
 * data beside AWS is refused, as run refuses it: those answers cannot agree.
 */
async function preflight(plan: Plan): Promise<void> {
  const { values, engines, config } = plan;
  const names = plan.runbooks.flatMap((r) =>
    r.steps
      .filter((s) => values.step === undefined || s.id === values.step)
      .flatMap((s) => engines.map((e) => chooseEngine(s, e, config.engines))),
  );
  await plan.pool.preflight(
    [...new Set(names)],
    "Compare AWS with your own CloudTrail files: point local.logDir (or --log-dir) at a copy of the logs AWS reads, or set local.store to a store run-md collect filled from them.",
  );
}

type Values = ArgValues<typeof OPTIONS>;

/** Everything checked before a query starts, as run does; the window's end fixed once. */
async function prepare(values: Values, positionals: string[]) {
  if (positionals.length === 0)
    throw new RunMdError("usage", "no runbook given", {
      hint: "Try: run-md compare runbooks/audit-iam.md --engines local,athena",
    });
  const engines = enginesOf(values.engines);
  const cliParams = cliParamsOf(values);
  const config = loadConfig(values.config);
  const timeoutMs = defaultTimeoutMs(values.timeout, config);
  const maxScanBytes = maxScanBytesOf(values["max-scan"], config);
  checkEngines(undefined, config);
  // A pattern only the local engine's RE2 refuses is an error when one side runs on it.
  const engine = engines.includes("local") ? "local" : engines[0];
  const runbooks = await loadRunbooks(
    await resolveRunbookIds(positionals, config.runbooksDir),
    config,
    { json: values.json, engine },
  );
  if (typeof runbooks === "number") return runbooks;
  const now = new Date();
  const bounds = jobBoundsOf(process.env, now, { from: values.from, to: values.to });
  // Both runs end their windows at one instant: `now` moves between them.
  if (values.to === undefined) bounds.windowEnd ??= now;
  // What the command line asks of each runbook (a step, a parameter), refused as run refuses it.
  for (const runbook of runbooks) {
    const problem = checkRunInput(
      runbook,
      runInput(values, config, runbook, cliParams, bounds),
      now,
    );
    if (problem) throw problem;
  }
  const pool = new EnginePool(config, engineFlags(values, maxScanBytes));
  return { values, engines, cliParams, config, timeoutMs, runbooks, bounds, pool };
}

type Plan = Exclude<Awaited<ReturnType<typeof prepare>>, number>;

/** One runbook on one engine, every step's rows tallied. */
async function runOn(
  plan: Plan,
  runbook: Runbook,
  engine: string,
  signal: AbortSignal,
): Promise<RunSide> {
  // A terminal is told what runs (an Athena side can take minutes); a pipe gets the results only.
  if (process.stderr.isTTY && !plan.values.json)
    process.stderr.write(pc.dim(`running ${runbook.meta.id} on ${engine}...\n`));
  const tallies = new Map<string, RowTally>();
  const budget = tallyBudget();
  const report = await runOrErrorReport(
    runbook,
    {
      engine,
      configEngines: plan.config.engines,
      ...runInput(plan.values, plan.config, runbook, plan.cliParams, plan.bounds),
      ...(plan.timeoutMs === undefined ? {} : { defaultTimeoutMs: plan.timeoutMs }),
      signal,
      // Key ids compared as they are (maskComparison masks what is shown): hidden, two keys
      // would be one masked value on both engines.
      mask: { ...plan.config.mask, accessKeyIds: "show" },
      toolVersion: toolVersion(),
    },
    {
      getEngine: (name) => plan.pool.get(name),
      rowSink: (step) => {
        const tally = new RowTally(budget);
        tallies.set(step.id, tally);
        return tally.sink;
      },
    },
  );
  return { report, tallies };
}

/**
 * A runbook on both engines, the local engine's run first: a run stopped before its steps (a
 * parameter only RE2 refuses, say) leaves nothing to compare, and the other engine's queries,
 * which Athena bills, are not spent. The sides come back in `--engines` order, undefined if not run.
 */
async function runBoth(
  plan: Plan,
  runbook: Runbook,
  signal: AbortSignal,
): Promise<[RunSide | undefined, RunSide | undefined]> {
  const [a, b] = plan.engines;
  const swap = b === "local" && a !== "local";
  const first = await runOn(plan, runbook, swap ? b : a, signal);
  const second = first.report.error ? undefined : await runOn(plan, runbook, swap ? a : b, signal);
  return swap ? [second, first] : [first, second];
}

async function execute(plan: Plan): Promise<number> {
  const controller = new AbortController();
  const release = cancelOnInterrupt(controller);
  const runs: RunComparison[] = [];
  try {
    for (const runbook of plan.runbooks) {
      if (controller.signal.aborted) break;
      const [x, y] = await runBoth(plan, runbook, controller.signal);
      runs.push(maskComparison(compareRuns(x, y), plan.config.mask));
      const report = (x ?? y)!.report;
      if (!plan.values.json) process.stdout.write(describeRun(runs.at(-1)!, report));
    }
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    printError(e);
    return 2;
  } finally {
    release();
    const closed = new AbortController();
    await Promise.race([
      plan.pool.closeAll().finally(() => closed.abort()),
      sleep(5000, closed.signal),
    ]);
  }
  if (plan.values.json)
    process.stdout.write(`${printableJson({ engines: plan.engines, runbooks: runs }, 2)}\n`);
  else process.stdout.write(`${totals(runs)}\n`);
  return controller.signal.aborted ? 130 : compareExitCode(runs);
}

const MARK = { same: pc.green("="), differs: pc.red("≠"), "not-compared": pc.yellow("?") };

/** One runbook's comparison for people: a line a step, the rows one engine alone has. */
function describeRun(run: RunComparison, report: RunReport): string {
  const lines = [`${pc.bold(run.runbook)} (${report.window.start} to ${report.window.end})`];
  for (const e of run.errors) lines.push(`  ${pc.red("error")} ${e}`);
  for (const s of run.steps) {
    const rows = s.verdict === "same" ? `: ${s.rows[0]} row(s) on both` : "";
    lines.push(`  ${MARK[s.verdict]} ${s.step} ${s.verdict}${rows} (${s.engines.join(" / ")})`);
    for (const note of s.notes) lines.push(`      ${note}`);
    s.onlyExamples.forEach((rows, i) => {
      for (const row of rows) lines.push(`      only on ${s.engines[i]}: ${JSON.stringify(row)}`);
    });
  }
  return `${lines.join("\n")}\n`;
}

function totals(runs: readonly RunComparison[]): string {
  const steps = runs.flatMap((r) => r.steps);
  const n = (v: string) => steps.filter((s) => s.verdict === v).length;
  return `compared ${runs.length} runbook(s): ${n("same")} step(s) the same, ${n("differs")} differ, ${n("not-compared")} not compared`;
}
