import type { ColumnInfo, JsonValue } from "./engine.ts";
import type { ParamValue } from "./model.ts";

/** Outcome of a check, a step or a run, ordered from best to worst. */
export type Status = "passed" | "warned" | "failed" | "errored";
/** A step or run can also end without an outcome. */
export type StepStatus = Status | "skipped" | "cancelled";
export type RunStatus = Status | "cancelled";

export const REPORT_VERSION = 1;

/** The window `source` of a run stopped before its window was resolved (its bounds are its start). */
export const NOT_RESOLVED = "not resolved";

/**
 * `full`: the runbook as written (every step, default parameters, default window), what the
 * site's status, history and the nightly "latest" are made of; `investigation`: a run with
 * `--step`, a changed `--param` or another window, shown apart.
 */
export type RunKind = "full" | "investigation";

/** A report's kind; reports written before the field existed are full runs. */
export function reportKind(report: { kind?: RunKind }): RunKind {
  return report.kind ?? "full";
}

export interface CheckOutcome {
  /** The check as written (without its comment). */
  check: string;
  label?: string;
  line: number;
  warn: boolean;
  status: Status;
  /** The metric's value (`rows`, `max(calls)`), or the number of offending rows for quantifiers. */
  actual?: JsonValue;
  /** Human sentence: `max(calls) = 62, expected < 50`. */
  message: string;
  /** For failed `every`/`no`/`some`: the first offending rows (as objects keyed by column). */
  offendingRows?: Record<string, JsonValue>[];
  offendingCount?: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string;
}

export interface StepReport {
  id: string;
  title?: string;
  dialect: string;
  engine: string;
  optional: boolean;
  status: StepStatus;
  startedAt?: string;
  durationMs: number;
  /** The query as the engine ran it. */
  query: string;
  window: { start: string; end: string };
  stats: Record<string, number | string | boolean>;
  columns: ColumnInfo[];
  /** The first 100 rows. */
  rows: JsonValue[][];
  rowCount: number;
  truncated: boolean;
  warnings: string[];
  /**
   * From when (ISO) the step's window is not known to be read: the engine found no logs there
   * while the rest of the window has events (`QueryResult.notReadFrom`). Missing in reports older
   * than the field and when the whole window was read: read it with `windowNotReadFrom`.
   */
  notReadFrom?: string;
  /**
   * The engine stopped at this many rows, a limit the query did not set (`QueryResult.capped`,
   * Logs Insights' 10,000): the rows are part of the answer. Missing when the result is whole.
   */
  capped?: number;
  checks: CheckOutcome[];
  error?: ErrorInfo;
}

export interface RunReport {
  reportVersion: typeof REPORT_VERSION;
  tool: { name: "run-md"; version: string };
  runId: string;
  runbook: {
    id: string;
    path: string;
    title: string;
    description?: string;
    severity: string;
    owner?: string;
    tags: string[];
    sourceHash: string;
    escalation?: string;
  };
  status: RunStatus;
  /** Missing in reports older than the field: read it with `reportKind`. */
  kind?: RunKind;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Engine chosen on the command line, if any; each step records its own. */
  engine: string;
  params: Record<string, ParamValue>;
  window: { start: string; end: string; source: string };
  steps: StepReport[];
  summary: { checks: Record<Status, number>; steps: Record<StepStatus, number> };
  error?: ErrorInfo;
  /**
   * Its local steps read the bundled sample data (`local.logDir: sample`), not CloudTrail logs:
   * what it found is about generated events (SAMPLE_DATA_NOTE). Missing otherwise.
   */
  sampleData?: true;
}

/**
 * What every view says beside a run over the bundled sample data: published (a nightly job set
 * up before the logs were), its planted incidents read as the account's findings, and its passes
 * as a night of real logs checked.
 */
export const SAMPLE_DATA_NOTE =
  "this run read the bundled sample data (local.logDir: sample), not your CloudTrail logs: what it found is about generated events";

/**
 * The line a report gives a step whose own `window=` differs from the run's (it read less, or
 * more, than the window the report's header shows); undefined when it read the run's.
 */
export function ownWindowNote(
  run: { start: string; end: string },
  step: { start: string; end: string },
): string | undefined {
  if (run.start === step.start && run.end === step.end) return undefined;
  return `this step read its own window, ${step.start} → ${step.end}`;
}

/**
 * What a run that found nothing wrong still says of its steps, in one line: the first warning
 * (days of the window without logs, a window ending after the run, files not read) with its
 * step, and how many more; empty without any. A quiet night over logs that were never read must
 * not read as a quiet night (the nightly summary, the site's index).
 */
export function stepWarnings(report: Pick<RunReport, "steps"> | undefined): string {
  const all = (report?.steps ?? []).flatMap((s) => (s.warnings ?? []).map((w) => `${s.id}: ${w}`));
  if (all.length === 0) return "";
  return `warning in ${all[0]}${all.length > 1 ? ` (and ${all.length - 1} more)` : ""}`;
}

/**
 * From when a run's window is not known to be read: the earliest `notReadFrom` of its steps that
 * lies in the run's window (a step's own `window=` reaching before it says nothing of the run's),
 * or undefined (every day read, or a report older than the field). The nightly job's record of
 * how far a runbook was read stops there, so the next night reads those days again.
 */
export function windowNotReadFrom(
  report: Pick<RunReport, "steps" | "window"> | undefined,
): string | undefined {
  if (!report) return undefined;
  const start = Date.parse(report.window.start);
  const end = Date.parse(report.window.end);
  const from = (report.steps ?? [])
    .map((s) => (typeof s.notReadFrom === "string" ? Date.parse(s.notReadFrom) : Number.NaN))
    .filter((t) => t >= start && t < end);
  return from.length === 0 ? undefined : new Date(Math.min(...from)).toISOString();
}

/**
 * How many checks passed in steps that errored (a file not read, a result capped): they judged
 * part of the data, so every view counts them apart, as not judged, never as passed (the
 * runner's summary counts them as passed).
 */
export function unjudgedPasses(
  steps: readonly { error?: unknown; checks?: readonly { status: string }[] }[],
): number {
  return steps.reduce((n, s) => n + (s.checks ?? []).filter((c) => isUnjudged(s, c)).length, 0);
}

/** Whether a check is a pass of a step that errored: shown as not judged by every view. */
export function isUnjudged(step: { error?: unknown }, check: { status: string }): boolean {
  return step.error !== undefined && check.status === "passed";
}

/**
 * Whether a failed check fails the run: one of a step that is not `optional` (an optional step's
 * failure only warns the run, spec §2; core run.ts). JUnit counts no failure for the others.
 */
export function failsTheRun(step: { optional?: boolean }, check: { status: string }): boolean {
  return check.status === "failed" && step.optional !== true;
}

/** What is said beside a failed check of an `optional` step: the JUnit case, and the site. */
export const ONLY_WARNS_NOTE = "failed in an optional step: the run only warns";

/** Whether a check failed in an `optional` step, which only warns the run (spec §2). */
export function onlyWarnsTheRun(step: { optional?: boolean }, check: { status: string }): boolean {
  return check.status === "failed" && !failsTheRun(step, check);
}

/**
 * Whether the runbook's `escalation:` ("what a person does when an expectation fails", spec §1)
 * is for this run: a check failed that fails the run. Not for a failure of the tool (an errored
 * step), nor for an optional step's failed check, which only warns the run (exit 0, no alert):
 * the terminal and the Markdown summary said "Escalation: page the on-call" for such a run.
 */
export function escalates(report: Pick<RunReport, "steps">): boolean {
  return report.steps.some((s) => (s.checks ?? []).some((c) => failsTheRun(s, c)));
}

/**
 * The failed checks of a report, each with its step: those that fail the run first, then an
 * optional step's, which only warn it, each group in the report's order. What a failed run found
 * (an alert's headline, the nightly summary's line) starts with a check that failed it.
 */
export function failedChecksOf(
  report: Pick<RunReport, "steps">,
): { step: StepReport; check: CheckOutcome }[] {
  const failed = report.steps.flatMap((step) =>
    (step.checks ?? []).filter((c) => c.status === "failed").map((check) => ({ step, check })),
  );
  return [
    ...failed.filter((f) => failsTheRun(f.step, f.check)),
    ...failed.filter((f) => !failsTheRun(f.step, f.check)),
  ];
}

/** What a report says of a step beside its checks: its own window, then its warnings. */
export function stepNotes(run: RunReport, step: StepReport): string[] {
  const own = ownWindowNote(run.window, step.window);
  return [...(own === undefined ? [] : [own]), ...step.warnings];
}
