import { randomUUID } from "node:crypto";
import { chartWarning } from "./chart.ts";
import { type RowSink, StepRows } from "./collect.ts";
import type { ConfigSource } from "./config-source.ts";
import type { BoundParam, Engine, JsonValue, QueryResult, TimeWindow } from "./engine.ts";
import { ENGINE_ALIASES, engineChoices, engineInfo } from "./engine-registry.ts";
import { ERROR_CODES } from "./error-codes.ts";
import { isRunMdError, RunMdError } from "./errors.ts";
import { worstStatus } from "./evaluate.ts";
import { likePatternRegexWarnings } from "./like-as-regex.ts";
import { type MaskOptions, maskText, maskValue } from "./mask.ts";
import type { Dialect, ParamValue, Runbook, Step } from "./model.ts";
import { paramSourceOf, resolveParams } from "./params.ts";
import { checkRegexValues } from "./regex-values.ts";
import {
  type ErrorInfo,
  NOT_RESOLVED,
  REPORT_VERSION,
  type RunKind,
  type RunReport,
  type RunStatus,
  type Status,
  type StepReport,
  type StepStatus,
} from "./report.ts";
import { runKind, unknownStep } from "./run-plan.ts";
import { checkInsightsRegexValues } from "./template.ts";
import {
  futureWindowWarning,
  isoInstant,
  isoSeconds,
  type ResolvedWindow,
  type RunWindow,
  resolveWindow,
  stepWindow,
  type WindowSpec,
  windowParams,
} from "./window.ts";

/** Rows of a step kept in its report. */
export const REPORT_ROWS = 100;
/** How long an engine has to stop its query after a timeout or Ctrl-C before the run moves on. */
export const STOP_GRACE_MS = 15_000;

export interface RunOptions {
  /** `--engine`: moves every step whose dialect it runs. */
  engine?: string;
  /** The configuration's engine per dialect. */
  configEngines?: Partial<Record<Dialect, string>>;
  /** Values from configuration (lower precedence) and the command line (higher). */
  configParams?: Record<string, unknown>;
  /** Where the configured values were written: their mistakes name the file, line and key. */
  configSource?: ConfigSource;
  cliParams?: Record<string, string>;
  /** Where `cliParams` came from, as messages name it (default `--param`; a trigger's event). */
  cliParamsSource?: string;
  window?: WindowSpec;
  /**
   * Where a window given as a duration ends instead of the run's start (`RUN_MD_WINDOW_END`):
   * the runs of a job all end where its collect did. The run's kind does not change.
   */
  windowEnd?: Date;
  /**
   * Where a window given as a duration starts when that is earlier (`RUN_MD_WINDOW_START`): the
   * nightly job's previous run of the runbook ended there, and no time is left between them.
   */
  windowStart?: Date;
  /** `--step <id>`: run only this step. */
  step?: string;
  /** Timeout of steps without their own `timeout=`. */
  defaultTimeoutMs?: number;
  /** How long an engine may take to stop a cancelled query (default `STOP_GRACE_MS`). */
  stopGraceMs?: number;
  signal?: AbortSignal;
  /** What masking hides besides secrets (configuration `mask.accessKeyIds`). */
  mask?: MaskOptions;
  now?: () => Date;
  toolVersion: string;
  runId?: string;
}

/** Optional hooks: the terminal, JSON and JUnit outputs are all reporters of one run. */
export interface RunReporter {
  onRunStart?(info: {
    runbook: Runbook;
    window: { start: Date; end: Date; source: string };
    params: Record<string, ParamValue>;
  }): void;
  onStepStart?(info: { step: Step; engine: string }): void;
  /** The engine's state as it goes: its message, and its figures (bytes scanned) when it has them. */
  onStepProgress?(info: {
    step: Step;
    message: string;
    stats?: Record<string, number | string>;
  }): void;
  onStepEnd?(info: { step: Step; report: StepReport }): void;
  onRunEnd?(report: RunReport): void;
}

export interface RunEffects {
  /** Opens (once per run) the engine of that name. Unknown names throw `RunMdError`. */
  getEngine(name: string): Promise<Engine>;
  reporter?: RunReporter;
  /**
   * A consumer of every row of a step (masked), streamed as the engine reads them, for outputs
   * that want whole results; the report keeps only the first `REPORT_ROWS` either way.
   */
  rowSink?: (step: Step) => RowSink | undefined;
}

export function chooseEngine(
  step: Step,
  override: string | undefined,
  configEngines: Partial<Record<Dialect, string>> = {},
): string {
  const alias =
    override !== undefined && Object.hasOwn(ENGINE_ALIASES, override)
      ? ENGINE_ALIASES[override]![step.dialect]
      : undefined;
  if (alias !== undefined) return alias;
  if (override !== undefined && engineInfo(override)?.dialects.includes(step.dialect)) {
    return override;
  }
  return step.attributes.engine ?? configEngines[step.dialect] ?? "local";
}

function errorInfo(e: unknown, mask?: MaskOptions): ErrorInfo {
  if (isRunMdError(e)) {
    return {
      code: e.code,
      message: maskText(e.message, mask),
      ...(e.hint === undefined ? {} : { hint: e.hint }),
    };
  }
  return {
    code: "internal",
    message: maskText(e instanceof Error ? e.message : String(e), mask),
  };
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const STATUSES: readonly Status[] = ["passed", "warned", "failed", "errored"];
const STEP_STATUSES: readonly StepStatus[] = [...STATUSES, "skipped", "cancelled"];

/**
 * A step's contribution to the run: an optional step's failure only warns (spec §2). Its error
 * stays an error (§6 keeps them apart): an optional step over a wrong log directory, or whose
 * query the engine refused, read no logs, and exit 0 would read as "nothing found".
 */
function runContribution(s: StepReport): Status | "cancelled" | undefined {
  if (s.status === "skipped") return undefined;
  if (s.status === "cancelled") return "cancelled";
  if (s.optional && s.status === "failed") return "warned";
  return s.status;
}

export function runStatusOf(steps: StepReport[]): RunStatus {
  const contributions = steps.map(runContribution);
  if (contributions.includes("cancelled")) return "cancelled";
  return worstStatus(
    contributions.filter((c): c is Status => c !== undefined && c !== "cancelled"),
  );
}

/** Exit code of a run (spec section 6); 130 for a cancelled run. */
export function exitCodeOf(status: RunStatus): number {
  switch (status) {
    case "passed":
    case "warned":
      return 0;
    case "failed":
      return 1;
    case "errored":
      return 2;
    case "cancelled":
      return 130;
  }
}

/**
 * Why a cancelled step stopped: a run aborted with a `RunMdError` as its reason (the server
 * stopping a run that passed its scan budget) says so; any other abort is the user's.
 */
function cancelledError(reason: unknown): ErrorInfo {
  if (isRunMdError(reason)) {
    return {
      code: reason.code,
      message: reason.message,
      ...(reason.hint === undefined ? {} : { hint: reason.hint }),
    };
  }
  return { code: "cancelled", message: "cancelled by the user" };
}

/** `450ms`, `30s`, `1.5s`, `5m`: how a person would say a timeout. */
function durationText(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${ms / 60_000}m`;
}

/**
 * The signal a step's query runs under: aborted by the run's signal or by the step's timeout.
 * `gracePeriod` rejects when the engine has not stopped its query within `graceMs` of an abort:
 * an engine must stop when the signal aborts, and one that does not answer is left behind, so a
 * stuck engine cannot hang the run.
 */
class StepDeadline {
  readonly signal: AbortSignal;
  readonly gracePeriod: Promise<never>;
  timedOut = false;
  abandoned = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly onRunAbort = () =>
    this.controller.abort(this.runSignal?.reason ?? new Error("cancelled"));

  constructor(
    engineName: string,
    timeoutMs: number | undefined,
    private readonly runSignal: AbortSignal | undefined,
    graceMs: number,
  ) {
    this.signal = this.controller.signal;
    // The run may have been cancelled while the engine was opening: then the step starts cancelled.
    if (runSignal?.aborted) this.onRunAbort();
    else runSignal?.addEventListener("abort", this.onRunAbort, { once: true });
    this.timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            this.timedOut = true;
            this.controller.abort(new Error("timeout"));
          }, timeoutMs);
    this.gracePeriod = new Promise<never>((_, reject) => {
      const start = () => {
        this.graceTimer = setTimeout(() => {
          this.abandoned = true;
          reject(new RunMdError("engine-unresponsive", `${engineName} did not stop the query`));
        }, graceMs);
      };
      if (this.signal.aborted) start();
      else this.signal.addEventListener("abort", start, { once: true });
    });
    this.gracePeriod.catch(() => {});
  }

  /** Whether the user (the run's signal), not the timeout, stopped the step. */
  get cancelled(): boolean {
    return this.runSignal?.aborted === true && !this.timedOut;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.runSignal?.removeEventListener("abort", this.onRunAbort);
  }
}

interface StepContext {
  engine: Engine;
  params: Record<string, BoundParam>;
  runWindow: RunWindow;
  options: RunOptions;
  reporter: RunReporter | undefined;
  rowSink: RowSink | undefined;
  /** The runbook's file, as the run was given it (positions in errors name it). */
  file: string;
}

/** What every report of a step starts with, whatever its outcome (`startedAt` when it ran). */
function stepBase(
  step: Step,
  engineName: string,
  window: { start: Date; end: Date },
  startedAt?: number,
) {
  return {
    id: step.id,
    ...(step.title === undefined ? {} : { title: step.title }),
    dialect: step.dialect,
    engine: engineName,
    optional: step.attributes.optional,
    ...(startedAt === undefined ? {} : { startedAt: new Date(startedAt).toISOString() }),
    window: { start: isoInstant(window.start), end: isoInstant(window.end) },
  };
}

/**
 * A step's warnings: the parser's, a SQL LIKE pattern given to a Logs Insights regular
 * expression, the engine's (masked), a window ending after it ran, a `chart=` that draws nothing
 * of the rows the report keeps (`shown`, what the site draws from).
 */
function resultWarnings(
  step: Step,
  result: QueryResult,
  shown: JsonValue[][],
  window: TimeWindow,
  { options, params }: StepContext,
): string[] {
  return [
    ...(step.warnings ?? []),
    ...likePatternRegexWarnings(step, params).map((w) => maskText(w, options.mask)),
    ...result.warnings.map((w) => maskText(w, options.mask)),
    ...[
      futureWindowWarning(window, (options.now?.() ?? new Date()).getTime()),
      chartWarning(step.attributes.chart, { columns: result.columns, rows: shown }, step.checks),
    ].filter((w) => w !== undefined),
  ];
}

/** Runs one step on its engine, bounded by its timeout and the run's signal. */
async function runStep(step: Step, engineName: string, ctx: StepContext): Promise<StepReport> {
  const window = stepWindow(ctx.runWindow, step.attributes.window);
  const started = Date.now();
  const base = stepBase(step, engineName, window, started);
  const timeoutMs = step.attributes.timeoutMs ?? ctx.options.defaultTimeoutMs;
  const { options } = ctx;
  const deadline = new StepDeadline(
    engineName,
    timeoutMs,
    options.signal,
    options.stopGraceMs ?? STOP_GRACE_MS,
  );
  let result: QueryResult;
  const collected = new StepRows(step.checks, REPORT_ROWS, ctx.rowSink, options.mask);
  try {
    const query = ctx.engine.query({
      stepId: step.id,
      dialect: step.dialect,
      query: step.query,
      params: { ...ctx.params, ...windowParams(window) },
      window,
      attributes: step.attributes,
      signal: deadline.signal,
      onProgress: (p) => ctx.reporter?.onStepProgress?.({ step, ...p }),
      onRows: collected.onRows,
      rowsWanted: collected.rowsWanted,
    });
    query.catch(() => {}); // its late rejection, once abandoned, is not an unhandled one
    result = await Promise.race([query, deadline.gracePeriod]);
  } catch (e) {
    return {
      ...base,
      status: deadline.cancelled ? "cancelled" : "errored",
      durationMs: Date.now() - started,
      query: step.query,
      ...noStepResult(),
      warnings: [...(step.warnings ?? [])],
      error: deadline.cancelled
        ? cancelledError(options.signal?.reason)
        : inFile(stepError(e, step, engineName, deadline, timeoutMs, options.mask), e, step, ctx),
    };
  } finally {
    deadline.dispose();
  }
  const { checks, ...rows } = await collected.finish(result);
  const report: StepReport = {
    ...base,
    status: worstStatus(checks.map((c) => c.status)),
    durationMs: Date.now() - started,
    query: maskText(result.queryAsRun, options.mask),
    stats: result.stats,
    columns: result.columns,
    ...rows,
    warnings: resultWarnings(step, result, rows.rows, window, ctx),
    ...(result.notReadFrom === undefined ? {} : { notReadFrom: result.notReadFrom }),
    ...(result.capped === undefined ? {} : { capped: result.capped }),
    checks,
  };
  // A window whose unread files may hold events is not known to be empty: allow_empty does not
  // pass it (the files that could not be read make the step an error).
  const span = `the step's window ${report.window.start} → ${report.window.end}`;
  if ((result.unread ?? []).length === 0 && result.noEvents !== undefined)
    return noEventsOutcome(
      step,
      report,
      `no CloudTrail events in ${span}: ${result.noEvents}`,
      options.mask,
    );
  if ((result.unread ?? []).length === 0 && result.staleEnd !== undefined)
    return noEventsOutcome(
      step,
      report,
      `no CloudTrail events at the end of ${span}: ${result.staleEnd}`,
      options.mask,
    );
  return incompleteOutcome(step, report, result, options.mask);
}

/**
 * A step whose result is not the whole answer: files of its window were not read, or the engine
 * cut the rows at a limit of its own. Its checks are still shown, but the step is an error: a
 * pass on part of the data is no pass (spec section 2: no data is not the same as no findings).
 */
function incompleteOutcome(
  step: Step,
  report: StepReport,
  result: QueryResult,
  mask?: MaskOptions,
): StepReport {
  const unread = result.unread ?? [];
  if (unread.length > 0) {
    const named =
      unread.slice(0, 5).join(", ") + (unread.length > 5 ? `, and ${unread.length - 5} more` : "");
    const error = {
      code: "unread-files",
      message: maskText(
        `${unread.length} file${unread.length === 1 ? "" : "s"} of the step's window could not be read, so the result does not cover ${unread.length === 1 ? "its" : "their"} events: ${named}`,
        mask,
      ),
      hint: ERROR_CODES["unread-files"].hint,
    };
    return { ...report, status: "errored", error };
  }
  if (result.capped !== undefined && step.checks.length > 0) {
    const error = {
      code: "result-capped",
      message: `the engine returned its limit of ${result.capped.toLocaleString("en")} rows and there may be more: the expectations were not judged on part of the result`,
      hint: ERROR_CODES["result-capped"].hint,
    };
    return { ...report, status: "errored", error };
  }
  return report;
}

/** Errors the engines find in a query before running it, at a line and column of its text. */
const QUERY_POSITION_CODES = new Set([
  "sql-invalid",
  "sql-refused",
  "insights-syntax",
  "insights-field",
  "insights-param",
  "insights-invalid",
  "insights-unsupported",
]);

/**
 * An error the engine placed in the step's query (`details.line`/`column`) placed in the file
 * instead, as `check` places it: `runbooks/x.md:12:20: ...`, not `line 4:20: ...`, which a
 * reader of a report would look for in the front matter (review).
 */
function inFile(info: ErrorInfo, e: unknown, step: Step, ctx: StepContext): ErrorInfo {
  const details = isRunMdError(e) ? e.details : undefined;
  const line = details?.line;
  const column = details?.column;
  // A position in the query as sent (parameters filled in, by the service) is none in the file.
  if (
    !QUERY_POSITION_CODES.has(info.code) ||
    typeof line !== "number" ||
    typeof column !== "number" ||
    details?.sent === true
  )
    return info;
  const at = `${ctx.file}:${(step.queryAlone ? 1 : step.queryLine) + line - 1}:${column}: `;
  return { ...info, message: at + info.message.replace(/^line \d+:\d+: /, "") };
}

/** Why a step's query failed: its timeout, or what the engine threw. */
function stepError(
  e: unknown,
  step: Step,
  engineName: string,
  deadline: StepDeadline,
  timeoutMs: number | undefined,
  mask: MaskOptions | undefined,
): ErrorInfo {
  if (!deadline.timedOut) return errorInfo(e, mask);
  return {
    code: "timeout",
    message: `step "${step.id}" did not finish within ${durationText(timeoutMs ?? 0)} and was cancelled on ${engineName}${deadline.abandoned ? " (the engine did not confirm that it stopped)" : ""}`,
    hint: "Narrow the window or the query, or raise timeout= on the step (or --timeout).",
  };
}

/**
 * A step whose window held no CloudTrail events, or none at its end (`staleEnd`): an error of
 * the step (never a pass: no data is not the absence of findings), unless the step says
 * `allow_empty`, when it only warns.
 */
function noEventsOutcome(
  step: Step,
  report: StepReport,
  message: string,
  mask?: MaskOptions,
): StepReport {
  if (step.attributes.allowEmpty === true) {
    return { ...report, warnings: [...report.warnings, `${message} (allow_empty)`] };
  }
  return {
    ...report,
    status: "errored",
    checks: [],
    error: {
      code: "no-data",
      message: maskText(message, mask),
      hint: "Check the log directory or the configured table and the window (--since, window=); if an empty window is expected, mark the step allow_empty.",
    },
  };
}

/** The steps a run runs: all, or the one `--step` names. */
function stepsToRun(runbook: Runbook, only: string | undefined): Step[] {
  // Nothing to run is never a pass: a query block whose language was mistyped (```SQL-athena)
  // is documentation, and a runbook of nothing but documentation would pass every night.
  if (runbook.steps.length === 0) {
    throw new RunMdError("no-steps", `runbook ${runbook.meta.id} has no steps: nothing would run`);
  }
  if (only === undefined) return runbook.steps;
  const steps = runbook.steps.filter((s) => s.id === only);
  if (steps.length === 0) throw unknownStep(runbook, only);
  return steps;
}

/**
 * The run's window; one that ends at `windowEnd` instead of the run's start says so in its
 * source (the report shows where it ended and why).
 */
function runWindow(
  runbook: Runbook,
  options: RunOptions,
  startedAt: Date,
): ResolvedWindow & RunWindow {
  const spec = options.window ?? {};
  const end = options.windowEnd;
  const window = resolveWindow(spec, runbook.meta.window, end ?? startedAt);
  if (spec.to !== undefined) return window;
  let source = window.source;
  if (end !== undefined) source += `, ending at RUN_MD_WINDOW_END ${isoSeconds(end)}`;
  const start = options.windowStart;
  if (spec.from !== undefined || start === undefined) return { ...window, source };
  // A step's own window=24h starts there too when that is earlier (review: a missed night
  // was read by the runbook's window and not by such a step).
  if (start.getTime() >= window.start.getTime()) return { ...window, source, jobStart: start };
  source += `, from RUN_MD_WINDOW_START ${isoSeconds(start)} (where the previous run ended)`;
  return { ...window, start, source, jobStart: start };
}

/**
 * Runs a parsed runbook: parameters and window are resolved first (a bad value stops the run
 * before any query), then every step in document order on its engine. Never throws for what a
 * step does; throws `RunMdError` for a bad parameter, window or engine name.
 */
export async function runRunbook(
  runbook: Runbook,
  options: RunOptions,
  effects: RunEffects,
): Promise<RunReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const window = runWindow(runbook, options, startedAt);
  const params = runParams(runbook, options);
  // Masked like every output (a key id under `hide`, a secret): reports are published.
  const plainParams = maskedParams(
    Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.value])),
    options.mask,
  );
  assertEngineChoice(options.engine);
  const steps = stepsToRun(runbook, options.step);
  // Each step's own window too, before any query: one the run's end cannot give (a start before
  // the year 1) stopped the run at that step, after the steps above it had run.
  for (const step of steps) stepWindow(window, step.attributes.window);
  await regexValuesRefused(runbook, steps, params, options, effects);
  const reporter = effects.reporter;
  reporter?.onRunStart?.({ runbook, window, params: plainParams });

  const stepReports: StepReport[] = [];
  let cancelled = false;
  for (const step of steps) {
    const engineName = chooseEngine(step, options.engine, options.configEngines);
    if (cancelled || options.signal?.aborted) {
      cancelled = true;
      stepReports.push(skippedStep(step, engineName, window, "cancelled"));
      continue;
    }
    reporter?.onStepStart?.({ step, engine: engineName });
    let report: StepReport;
    try {
      const engine = await effects.getEngine(engineName);
      report = await runStep(step, engineName, {
        engine,
        params,
        runWindow: window,
        options,
        reporter,
        rowSink: effects.rowSink?.(step),
        file: runbook.path,
      });
    } catch (e) {
      report = {
        ...skippedStep(step, engineName, window, "errored"),
        error: errorInfo(e, options.mask),
      };
    }
    if (report.status === "cancelled") cancelled = true;
    stepReports.push(report);
    reporter?.onStepEnd?.({ step, report });
  }

  const endedAt = now();
  const status = runStatusOf(stepReports);
  const checks = emptyCounts(STATUSES);
  const stepCounts = emptyCounts(STEP_STATUSES);
  for (const s of stepReports) {
    stepCounts[s.status]++;
    for (const c of s.checks) checks[c.status]++;
  }
  const report: RunReport = {
    ...reportHeader(runbook, options),
    status,
    kind: runKind(runbook, options),
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    engine: options.engine ?? "default",
    params: plainParams,
    window: { start: isoInstant(window.start), end: isoInstant(window.end), source: window.source },
    steps: stepReports,
    summary: { checks, steps: stepCounts },
  };
  reporter?.onRunEnd?.(report);
  return report;
}

/** The run's parameter values: default, configured, given (`resolveParams`). */
function runParams(runbook: Runbook, o: RunOptions): Record<string, BoundParam> {
  const cliSource = o.cliParamsSource ?? "--param";
  const params = resolveParams(runbook, o.configParams, o.cliParams, o.configSource, cliSource);
  // A value a Logs Insights step cannot write as its regular expression stops the run here.
  checkInsightsRegexValues(runbook, params, (name) =>
    paramSourceOf(name, [
      ["configuration", o.configParams],
      [cliSource, o.cliParams],
    ]),
  );
  return params;
}

/** `--engine` (RunOptions.engine) names an engine or an alias. */
function assertEngineChoice(engine: string | undefined): void {
  if (engine !== undefined && !engineChoices().includes(engine)) {
    throw new RunMdError("unknown-engine", `unknown engine "${engine}"`, {
      hint: `Engines: ${engineChoices().join(", ")}.`,
    });
  }
}

/** A value a step's engine refuses as a regular expression stops the run here (regex-uses.ts). */
async function regexValuesRefused(
  runbook: Runbook,
  steps: readonly Step[],
  params: Record<string, BoundParam>,
  o: RunOptions,
  effects: RunEffects,
): Promise<void> {
  const engineOf = (step: Step) =>
    effects.getEngine(chooseEngine(step, o.engine, o.configEngines)).catch(() => undefined);
  await checkRegexValues(steps, runbook.path, params, engineOf, (name) =>
    paramSourceOf(name, [
      ["configuration", o.configParams],
      [o.cliParamsSource ?? "--param", o.cliParams],
    ]),
  );
}

/** A run's parameter values as its report and outputs show them: masked (by value and by name). */
function maskedParams(
  params: Record<string, ParamValue>,
  mask: MaskOptions | undefined,
): Record<string, ParamValue> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, maskValue(v, mask, k) as ParamValue]),
  );
}

function skippedStep(
  step: Step,
  engine: string,
  window: RunWindow,
  status: StepStatus,
): StepReport {
  return {
    ...stepBase(step, engine, stepWindow(window, step.attributes.window)),
    status,
    durationMs: 0,
    query: step.query,
    ...noStepResult(),
  };
}

/** The result part of a step report for a step that produced none (fresh arrays each time). */
export function noStepResult() {
  return {
    stats: {},
    columns: [],
    rows: [],
    rowCount: 0,
    truncated: false,
    warnings: [],
    checks: [],
  } satisfies Partial<StepReport>;
}

/** What every report of a runbook starts with: format and tool versions, run id, the runbook. */
function reportHeader(
  runbook: Runbook,
  options: Pick<RunOptions, "toolVersion" | "runId">,
): Pick<RunReport, "reportVersion" | "tool" | "runId" | "runbook"> {
  const meta = runbook.meta;
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: "run-md", version: options.toolVersion },
    runId: options.runId ?? randomUUID(),
    runbook: {
      id: meta.id,
      path: runbook.path,
      title: meta.title,
      ...(meta.description === undefined ? {} : { description: meta.description }),
      severity: meta.severity,
      ...(meta.owner === undefined ? {} : { owner: meta.owner }),
      tags: meta.tags,
      sourceHash: runbook.sourceHash,
      ...(meta.escalation === undefined ? {} : { escalation: meta.escalation }),
    },
  };
}

/**
 * `runRunbook`, or, when it stops before its first step with a `RunMdError` (a parameter, the
 * window, the engine), that run's errored report (`errorReport`, of the kind the run would
 * have been), after `onError` has seen the error. Any other exception is thrown.
 */
export async function runOrErrorReport(
  runbook: Runbook,
  options: RunOptions,
  effects: RunEffects,
  onError?: (error: RunMdError) => void,
): Promise<RunReport> {
  const startedAt = new Date();
  try {
    return await runRunbook(runbook, options, effects);
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    onError?.(e);
    return errorReport(runbook, e, { ...options, kind: runKind(runbook, options) }, startedAt);
  }
}

/**
 * The report of a run that stopped before its first step (a bad parameter, window or engine):
 * kept so the nightly job and the site show why nothing ran.
 */
export function errorReport(
  runbook: Runbook,
  error: unknown,
  options: Pick<RunOptions, "toolVersion" | "runId" | "engine" | "mask"> & {
    kind?: RunKind;
    /** What the run was asked (an event's parameters and window): the report says it. */
    asked?: { params: Record<string, ParamValue>; window: ResolvedWindow };
    /**
     * Without `asked`: the parameters its run had (the runbook's defaults and the configuration's
     * values, as a runner that died was given them).
     */
    params?: Record<string, ParamValue>;
  },
  startedAt: Date,
): RunReport {
  const endedAt = new Date();
  const asked = options.asked;
  return {
    ...reportHeader(runbook, options),
    status: "errored",
    kind: options.kind ?? "full",
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    engine: options.engine ?? "default",
    params: maskedParams(asked?.params ?? options.params ?? {}, options.mask),
    window: asked
      ? {
          start: isoInstant(asked.window.start),
          end: isoInstant(asked.window.end),
          source: asked.window.source,
        }
      : { start: isoSeconds(startedAt), end: isoSeconds(startedAt), source: NOT_RESOLVED },
    steps: [],
    summary: { checks: emptyCounts(STATUSES), steps: emptyCounts(STEP_STATUSES) },
    error: errorInfo(error, options.mask),
  };
}
