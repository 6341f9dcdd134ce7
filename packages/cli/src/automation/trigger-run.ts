/**
 * `run-md trigger` as a function: which runbooks an EventBridge event starts (core's
 * `planTrigger`), then each matching runbook run with the parameters and window the event gives.
 * The command, the Lambda handler and the container's entry point all call `triggerEvent`.
 */
import path from "node:path";
import {
  configParamsFor,
  DELIVERY_LAG_MS,
  type Diagnostic,
  displayPath,
  EVENT_PARAMS,
  errorReport,
  formatDiagnostic,
  isRunMdError,
  jsonErrorPlace,
  type MaskOptions,
  maskText,
  NOT_RESOLVED,
  planTrigger,
  printable,
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
import { configuredRunbooksDir } from "../args.ts";
import { type Config, loadConfig, tableConfig } from "../config.ts";
import { type EngineFlags, EnginePool } from "../engines.ts";
import { docRefs, version } from "../package-files.ts";
import { summaryLine, TerminalReporter } from "../terminal.ts";
import { plural } from "../words.ts";
import { type LoadedRunbook, loadEachRunbook, loadError } from "./load-each.ts";

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
  /**
   * Why its report could not be written (a full disk, a folder in the way): the run is still
   * escalated from the report in memory, and the trigger exits 2.
   */
  reportError?: string;
  /**
   * The runbook did not load (parse or lint errors; `runbook` is then what its front matter
   * says), so it did not run. `escalated` when the event may have been for it: its triggers
   * matched, or could not be read. It then gets an errored report, which is escalated.
   */
  broken?: { file: string; problems: Diagnostic[]; escalated: boolean };
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
    const { message } = e as Error;
    throw new RunMdError(
      "bad-event",
      `${source}: not JSON${jsonErrorPlace(message, text)}: ${message}`,
      {
        hint: "Give the EventBridge event as one JSON object, as a rule's target receives it.",
      },
    );
  }
  return checkEvent(event, source);
}

/**
 * An event as parsed (the Lambda runtime parses it): an object, nested no deeper than an event
 * is, with its source and detail type. Checked as it is: written back to JSON first, a deep
 * one overflowed the stack of `JSON.stringify` (red-team: a RangeError, not a bad event).
 */
export function checkEvent(event: unknown, source: string): Record<string, unknown> {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new RunMdError("bad-event", `${source}: an EventBridge event is a JSON object`);
  }
  const depth = nesting(event);
  if (depth > MAX_EVENT_DEPTH) {
    throw new RunMdError(
      "bad-event",
      `${source}: nested ${depth} levels deep; no EventBridge event is nested more than ${MAX_EVENT_DEPTH}`,
    );
  }
  // Every EventBridge event names its source and detail type. Without them the input is
  // something else (an SNS message, a bare `detail`, a wrapper), which no pattern would match:
  // an incident that ran nothing and exited 0.
  const fields = event as Record<string, unknown>;
  const missing = ["source", "detail-type"].filter((k) => typeof fields[k] !== "string");
  if (missing.length > 0) {
    throw new RunMdError(
      "bad-event",
      `${source}: not an EventBridge event: it has no ${missing.map((k) => `"${k}"`).join(" or ")}`,
      {
        hint: "Give the event as an EventBridge rule's target receives it; unwrap an SNS message or a queue's record first.",
      },
    );
  }
  return fields;
}

/**
 * The deepest nesting a trigger's event may have: the pattern matcher walks it by recursion, and
 * a 241 KB event of 120,000 nested lists (under EventBridge's 256 KB) overflowed its stack.
 */
const MAX_EVENT_DEPTH = 100;

/** How deeply `value` nests lists and mappings (1 for a flat one), counted without recursion. */
function nesting(value: unknown): number {
  let deepest = 0;
  // An object reached twice is walked once: a caller's object that holds itself ends the walk.
  const seen = new Set<object>();
  const todo: [unknown, number][] = [[value, 1]];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    deepest = Math.max(deepest, depth);
    for (const x of Object.values(v)) todo.push([x, depth + 1]);
  }
  return deepest;
}

/**
 * Loads every runbook; any error in one of them stops everything (exit 2). For `rules`, whose
 * template must not drop a runbook's rule silently; `trigger` loads each on its own instead.
 */
export async function loadRunbooks(paths: string[], tables?: TableConfig): Promise<Runbook[]> {
  const loaded = await loadEachRunbook(paths, tables);
  const problems = loaded.flatMap((l) => l.problems);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new RunMdError(
      "bad-runbook",
      `${plural(problems.length, "problem")} in the runbooks, first ${first.file}:${first.line}:${first.column} ${first.message}`,
      { hint: "Run run-md check to see them all; nothing was run." },
    );
  }
  return loaded.map((l) => l.runbook);
}

/**
 * What the event does to one runbook. One that did not load is escalated (an errored report)
 * when its triggers match the event, or when they cannot be read: nobody can then say the event
 * would not have started it. Its problems' messages, and the plan's reason (which can quote the
 * event's values: `got "AKIA..."`), are masked like every output.
 */
function planOne(l: LoadedRunbook, event: Record<string, unknown>, mask: MaskOptions) {
  const plan: TriggerMatch | TriggerMiss = l.triggersRead
    ? planTrigger(l.runbook, event)
    : { matched: false, reason: "its triggers cannot be read" };
  const outcome: TriggerOutcome = {
    runbook: l.runbook,
    plan: { ...plan, reason: maskText(plan.reason, mask) },
  };
  if (l.problems.length === 0) return outcome;
  const p = outcome.plan;
  outcome.broken = {
    file: l.file,
    problems: l.problems.map((d) => ({ ...d, message: maskText(d.message, mask) })),
    escalated: p.matched || p.unresolved === true || !l.triggersRead,
  };
  return outcome;
}

/**
 * Runs every runbook the event starts, one after the other, and says why the others did not.
 * A runbook that does not load stops none of the others; it gets an errored report when the
 * event may have been for it (`planOne`).
 */
export async function triggerEvent(
  event: Record<string, unknown>,
  options: TriggerOptions = {},
): Promise<TriggerResult> {
  const config = loadConfig(options.configFile);
  const reportsDir = options.reportsDir ? path.resolve(options.reportsDir) : config.reportsDir;
  // The configured folder as typed from here (`runbooks/x.md` in messages and reports, as run
  // shows it), not the machine's absolute path.
  if (!options.runbooks?.length) configuredRunbooksDir(config);
  const runbooks = options.runbooks?.length ? options.runbooks : [displayPath(config.runbooksDir)];
  const loaded = await loadEachRunbook(runbooks, tableConfig(config));
  if (loaded.length === 0) {
    // No runbook to match: the event would start nothing and say nothing.
    const where = runbooks.map((r) => displayPath(r)).join(", ");
    throw new RunMdError("no-runbooks", `no runbooks (*.md) found in ${where}`);
  }
  const outcomes = loaded.map((l) => planOne(l, event, config.mask));
  const out = options.out;
  for (const o of outcomes) out?.write(`${planLine(o, config.mask)}\n`);
  const result = { outcomes, config, reportsDir };
  if (options.dryRun) return result;
  // Their reports first: no run that hangs or throws keeps them from being written.
  const broken = outcomes.filter((o) => o.broken?.escalated);
  await storeErrored(broken, (o) => loadError(o.broken!.file, o.broken!.problems), result, options);
  // A runbook whose pattern matched but that the event could not give its parameters or window
  // should have run: an errored report, escalated as any run that errored (the Lambda said it in
  // its result's problems alone, which nobody reads, and the finding told nobody).
  const unresolved = outcomes.filter((o) => !o.broken && !o.plan.matched && o.plan.unresolved);
  await storeErrored(unresolved, unresolvedError, result, options);
  const matched = outcomes.filter((o) => o.plan.matched && !o.broken);
  if (matched.length > 0) await runMatched(matched, result, options);
  return result;
}

/** The error of a runbook the event matched and could not run (`TriggerMiss.unresolved`). */
function unresolvedError(o: TriggerOutcome): RunMdError {
  return new RunMdError(
    "bad-event",
    `the event matched ${o.runbook.meta.id}'s trigger but cannot run it: ${o.plan.reason}`,
    {
      hint: "Map the trigger's parameters to paths every such event has, or widen what their declarations accept.",
    },
  );
}

/** Gives each outcome the errored report of `error` (its run stopped before its first step). */
async function storeErrored(
  outcomes: TriggerOutcome[],
  error: (o: TriggerOutcome) => unknown,
  result: TriggerResult,
  options: TriggerOptions,
  startedAt = new Date(),
): Promise<void> {
  const { config } = result;
  for (const o of outcomes) {
    o.report = errorReport(
      o.runbook,
      error(o),
      {
        toolVersion: version(),
        mask: config.mask,
        ...(options.engine === undefined ? {} : { engine: options.engine }),
        // The event's parameters and window, when it matched: what the on-call must look at.
        ...(o.plan.matched
          ? {
              kind: "investigation" as const,
              asked: {
                params: o.plan.params,
                window: { ...o.plan.window, source: "the event's trigger" },
              },
            }
          : // An event it could not run on: an investigation of it all the same, never the
            // runbook's latest run (its scheduled runs' place on the site).
            o.plan.unresolved
            ? { kind: "investigation" as const }
            : {}),
      },
      startedAt,
    );
    await store(o, result, options);
  }
}

/**
 * Writes the outcome's report and its summary line. A report that cannot be written is said and
 * kept on the outcome (`reportError`): the runs that are done are still escalated (red-team: a
 * full /tmp threw out of the Lambda after the runs, and nobody heard of what they found).
 */
async function store(
  o: TriggerOutcome,
  { config, reportsDir }: Pick<TriggerResult, "config" | "reportsDir">,
  options: TriggerOptions,
): Promise<void> {
  const report = o.report!;
  try {
    if (!options.noReport) o.reportFile = await storeReport(reportsDir, report);
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    o.reportError = maskText(e.message, config.mask);
    options.out?.write(`error ${printable(o.reportError)}\n`);
  }
  options.out?.write(
    `${summaryLine(report, o.reportFile && path.relative(process.cwd(), o.reportFile))}\n`,
  );
}

/** Runs the runbooks the event matched, one after the other. */
async function runMatched(
  matched: TriggerOutcome[],
  result: TriggerResult,
  options: TriggerOptions,
): Promise<void> {
  const { config } = result;
  const out = options.out;
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
      out?.write(`error ${printable(maskText(e.message, config.mask))}\n`);
      if (e.hint) out?.write(`hint: ${docRefs(printable(e.hint))}\n`);
      await storeErrored(matched, () => e, result, options, startedAt);
      return;
    }
    for (const o of matched) {
      if (options.signal?.aborted) break;
      o.report = await runOne(o.runbook, o.plan as TriggerMatch, config, pool, options);
      await store(o, result, options);
    }
  } finally {
    await pool.closeAll();
  }
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
  const report = await runOrErrorReport(
    runbook,
    {
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      configEngines: config.engines,
      configParams: configParamsFor(config.params, runbook.meta.id),
      configSource: config.located,
      cliParams: Object.fromEntries(Object.entries(plan.params).map(([k, v]) => [k, String(v)])),
      cliParamsSource: EVENT_PARAMS,
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
    // The message may quote an event's parameter (a bad value): masked and printable, as the
    // plan lines are.
    (e) => options.out?.write(`error ${printable(maskText(e.message, config.mask))}\n`),
  );
  return pool.markSampleData(report);
}

/**
 * `▸ runs access-key-activity: its trigger matched (access_key_id=AKIA…, window ...)`, masked as
 * configured; `✗ cannot run x: runbooks/x.md does not load (1 problem) and its trigger matched`.
 */
export function planLine(
  o: Pick<TriggerOutcome, "runbook" | "plan" | "broken">,
  mask: MaskOptions = {},
): string {
  const id = o.runbook.meta.id;
  // A reason may quote the event (`source is "…"`): shown, never acted on by the terminal.
  const reason = printable(o.plan.reason);
  if (o.broken) {
    const file = printable(o.broken.file);
    const load = `${file} does not load (${plural(o.broken.problems.length, "problem")})`;
    return o.broken.escalated
      ? `✗ cannot run ${id}: ${load} and ${reason}`
      : `· skips ${id}: ${reason} (and ${load})`;
  }
  // Its pattern matched and it could not run (a parameter the event could not give): an error.
  if (!o.plan.matched && o.plan.unresolved) return `✗ cannot run ${id}: ${reason}`;
  if (!o.plan.matched) return `· skips ${id}: ${reason}`;
  const { from, to } = windowArgs(o.plan.window);
  const params = Object.entries(o.plan.params).map(
    ([k, v]) => `${k}=${printable(maskText(String(v), mask))}`,
  );
  return `▸ runs ${id}: ${reason} (${[...params, `window ${from} → ${to}`].join(", ")})`;
}

/**
 * The runbooks an event matched (runbook, reason, the run's status, then `detail`) and those it
 * did not (runbook, reason): the trigger command's JSON and the Lambda handler's result. A
 * runbook that did not load has its `file` and `problems` (file:line:column lines); it is among
 * the matched when it was escalated.
 */
export function outcomeSummary<D extends object>(
  outcomes: readonly TriggerOutcome[],
  detail: (o: TriggerOutcome) => D,
) {
  const isMatched = (o: TriggerOutcome) => (o.broken ? o.broken.escalated : o.plan.matched);
  const broken = (o: TriggerOutcome) =>
    o.broken ? { file: o.broken.file, problems: o.broken.problems.map(formatDiagnostic) } : {};
  return {
    matched: outcomes.filter(isMatched).map((o) => ({
      runbook: o.runbook.meta.id,
      reason: o.plan.reason,
      ...(o.report ? { status: o.report.status } : {}),
      ...(o.reportError ? { reportError: o.reportError } : {}),
      ...broken(o),
      ...detail(o),
    })),
    skipped: outcomes.flatMap((o) =>
      isMatched(o)
        ? []
        : [
            {
              runbook: o.runbook.meta.id,
              reason: o.plan.reason,
              // Its pattern matched: it should have run and could not.
              ...(!o.plan.matched && o.plan.unresolved ? { unresolved: true } : {}),
              ...broken(o),
            },
          ],
    ),
  };
}

/**
 * The latest instant a run's window can be read whole (its end and CloudTrail's hour of
 * delivery), of the runs that began before it: a window that ended in the hour before its run
 * (an event handled late, a trigger with a short `after`) may lack its last events as much as
 * one that ends after the run (review: `again` was unset for it, and its last minutes were read
 * by no run). A run stopped before its window was resolved has no window to read again.
 */
export function againAt(outcomes: readonly TriggerOutcome[]): string | undefined {
  let latest: number | undefined;
  for (const { report: r } of outcomes) {
    if (r === undefined || r.window.source === NOT_RESOLVED) continue;
    const at = Date.parse(r.window.end) + DELIVERY_LAG_MS;
    if (at <= Date.parse(r.startedAt)) continue;
    if (latest === undefined || at > latest) latest = at;
  }
  return latest === undefined ? undefined : new Date(latest).toISOString();
}
