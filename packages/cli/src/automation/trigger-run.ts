/**
 * `run-md trigger` as a function: which runbooks an EventBridge event starts (core's
 * `planTrigger`), then each matching runbook run with the parameters and window the event gives.
 * The command, the Lambda handler and the container's entry point all call `triggerEvent`.
 */
import path from "node:path";
import {
  type Diagnostic,
  errorReport,
  findRunbooks,
  isRunMdError,
  loadRunbook,
  type MaskOptions,
  maskText,
  planTrigger,
  type Runbook,
  RunMdError,
  type RunReport,
  runOrErrorReport,
  storeReport,
  type TriggerMatch,
  type TriggerMiss,
  windowArgs,
} from "@run-md/core";
import type { TableConfig } from "@run-md/sql";
import { type Config, loadConfig, tableConfig } from "../config.ts";
import { type EngineFlags, EnginePool } from "../engines.ts";
import { lintQueries } from "../lint.ts";
import { version } from "../package-files.ts";
import { summaryLine, TerminalReporter } from "../terminal.ts";

export interface TriggerOptions {
  /** Files and folders of runbooks (default `runbooks/`). */
  runbooks?: string[];
  configFile?: string;
  engine?: string;
  flags?: EngineFlags;
  reportsDir?: string;
  /** Do not write report files. */
  noReport?: boolean;
  /** Only say which runbooks match; run nothing. */
  dryRun?: boolean;
  /** Where the terminal output goes (nothing when undefined). */
  out?: NodeJS.WritableStream;
  quiet?: boolean;
  signal?: AbortSignal;
}

export interface TriggerOutcome {
  runbook: Runbook;
  plan: TriggerMatch | TriggerMiss;
  report?: RunReport;
  /** The report file written, when one was. */
  reportFile?: string;
}

export interface TriggerResult {
  outcomes: TriggerOutcome[];
  config: Config;
  reportsDir: string;
}

/** Parses an event's text; a mistake names where the event came from. */
export function parseEvent(text: string, source: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (e) {
    throw new RunMdError("bad-event", `${source}: not JSON: ${(e as Error).message}`, {
      hint: "Give the EventBridge event as one JSON object, as a rule's target receives it.",
    });
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new RunMdError("bad-event", `${source}: an EventBridge event is a JSON object`);
  }
  return event as Record<string, unknown>;
}

/** Loads every runbook; any error in one of them stops everything (exit 2, nothing run). */
export async function loadRunbooks(paths: string[], tables?: TableConfig): Promise<Runbook[]> {
  const files = await findRunbooks(paths.length > 0 ? paths : ["runbooks"]);
  const runbooks: Runbook[] = [];
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const { runbook, diagnostics } = await loadRunbook(file);
    problems.push(...diagnostics.filter((d) => d.severity === "error"));
    if (runbook) {
      problems.push(
        ...(await lintQueries(runbook.path, runbook.steps, tables)).filter(
          (d) => d.severity === "error",
        ),
      );
      runbooks.push(runbook);
    }
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new RunMdError(
      "bad-runbook",
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in the runbooks, first ${first.file}:${first.line}:${first.column} ${first.message}`,
      { hint: "Run run-md check to see them all; nothing was run." },
    );
  }
  return runbooks;
}

/** Runs every runbook the event starts, one after the other, and says why the others did not. */
export async function triggerEvent(
  event: Record<string, unknown>,
  options: TriggerOptions = {},
): Promise<TriggerResult> {
  const config = loadConfig(options.configFile);
  const reportsDir = options.reportsDir ? path.resolve(options.reportsDir) : config.reportsDir;
  const runbooks = await loadRunbooks(options.runbooks ?? [], tableConfig(config));
  const outcomes: TriggerOutcome[] = runbooks.map((runbook) => ({
    runbook,
    plan: planTrigger(runbook, event),
  }));
  const out = options.out;
  for (const o of outcomes) out?.write(`${planLine(o, config.mask)}\n`);
  const matched = outcomes.filter((o) => o.plan.matched);
  if (matched.length === 0 || options.dryRun) return { outcomes, config, reportsDir };

  const pool = new EnginePool(config, options.flags ?? {});
  try {
    // Setup problems (profile, credentials, log directory, sample data beside AWS) stop the
    // trigger once, before any runbook runs. Each runbook the event matched still gets its
    // (errored) report, so the escalation says the investigation did not happen and why:
    // an incident's runbooks that silently never ran would tell the on-call nothing.
    const startedAt = new Date();
    try {
      await pool.preflightFor(
        matched.map((o) => o.runbook),
        options.engine,
      );
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      out?.write(`error ${maskText(e.message, config.mask)}\n`);
      for (const o of matched) {
        o.report = errorReport(
          o.runbook,
          e,
          {
            toolVersion: version(),
            mask: config.mask,
            ...(options.engine === undefined ? {} : { engine: options.engine }),
          },
          startedAt,
        );
        if (!options.noReport) o.reportFile = await storeReport(reportsDir, o.report);
        out?.write(
          `${summaryLine(o.report, o.reportFile && path.relative(process.cwd(), o.reportFile))}\n`,
        );
      }
      return { outcomes, config, reportsDir };
    }
    for (const o of matched) {
      if (options.signal?.aborted) break;
      o.report = await runOne(o.runbook, o.plan as TriggerMatch, config, pool, options);
      if (!options.noReport) o.reportFile = await storeReport(reportsDir, o.report);
      out?.write(
        `${summaryLine(o.report, o.reportFile && path.relative(process.cwd(), o.reportFile))}\n`,
      );
    }
  } finally {
    await pool.closeAll();
  }
  return { outcomes, config, reportsDir };
}

async function runOne(
  runbook: Runbook,
  plan: TriggerMatch,
  config: Config,
  pool: EnginePool,
  options: TriggerOptions,
): Promise<RunReport> {
  // A run stopped before its first step still has its report: with the event's parameters and
  // window, an investigation, like the run it would have been.
  return runOrErrorReport(
    runbook,
    {
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      configEngines: config.engines,
      configParams: config.params[runbook.meta.id] ?? {},
      cliParams: Object.fromEntries(Object.entries(plan.params).map(([k, v]) => [k, String(v)])),
      window: windowArgs(plan.window),
      ...(options.signal ? { signal: options.signal } : {}),
      mask: config.mask,
      toolVersion: version(),
    },
    {
      getEngine: (name) => pool.get(name),
      ...(options.out && !options.quiet
        ? { reporter: new TerminalReporter({ out: options.out, live: false, quiet: false }) }
        : {}),
    },
    (e) => options.out?.write(`error ${e.message}\n`),
  );
}

/** `▸ runs access-key-activity: its trigger matched (access_key_id=AKIA…, window ...)`, masked as configured. */
export function planLine(
  o: Pick<TriggerOutcome, "runbook" | "plan">,
  mask: MaskOptions = {},
): string {
  const id = o.runbook.meta.id;
  if (!o.plan.matched) return `· skips ${id}: ${o.plan.reason}`;
  const { from, to } = windowArgs(o.plan.window);
  const params = Object.entries(o.plan.params).map(([k, v]) => `${k}=${maskText(String(v), mask)}`);
  return `▸ runs ${id}: ${o.plan.reason} (${[...params, `window ${from} → ${to}`].join(", ")})`;
}

/**
 * The runbooks an event matched (runbook, reason, the run's status, then `detail`) and those it
 * did not (runbook, reason): the trigger command's JSON and the Lambda handler's result.
 */
export function outcomeSummary<D extends object>(
  outcomes: readonly TriggerOutcome[],
  detail: (o: TriggerOutcome) => D,
) {
  return {
    matched: outcomes
      .filter((o) => o.plan.matched)
      .map((o) => ({
        runbook: o.runbook.meta.id,
        reason: o.plan.reason,
        ...(o.report ? { status: o.report.status } : {}),
        ...detail(o),
      })),
    skipped: outcomes.flatMap((o) =>
      o.plan.matched
        ? []
        : [
            {
              runbook: o.runbook.meta.id,
              reason: o.plan.reason,
              // Its pattern matched: it should have run and could not.
              ...(o.plan.unresolved ? { unresolved: true } : {}),
            },
          ],
    ),
  };
}
