/** What one nightly run came to, and what it found, in words for the job's summary. */
import { failedChecksOf, type JsonValue, type RunReport } from "@run-md/core";
import { lastWords } from "@run-md/notify";

export interface NightlyOutcome {
  runbookId: string;
  title: string;
  severity: string;
  owner?: string;
  escalation?: string;
  status: "passed" | "warned" | "failed" | "errored" | "cancelled";
  exitCode: number | null;
  durationMs: number;
  report?: RunReport;
  /**
   * For a runner that ended without a report: the errored report the job stored for it
   * (`lost-run.ts`), an investigation for a `--date` catch-up or another `--since` window.
   */
  lostReport?: RunReport;
  /** The report's file in the reports directory: its run's page on the site is named after it. */
  reportFile?: string;
  /** When the run started (ISO), for runs that left no report. */
  startedAt: string;
  /** What the runner printed on stderr (for runs that produced no report); raw, unmasked. */
  stderr: string;
}

export interface FailedCheck {
  stepId: string;
  check: string;
  label?: string;
  actual?: JsonValue;
  message: string;
  offendingCount?: number;
}

/** A report's failed checks, those that fail the run first (core `failedChecksOf`). */
export function failedChecks(report: RunReport | undefined): FailedCheck[] {
  if (!report) return [];
  return failedChecksOf(report).map(({ step, check: c }) => ({
    stepId: step.id,
    check: c.check,
    ...(c.label !== undefined ? { label: c.label } : {}),
    ...(c.actual !== undefined ? { actual: c.actual } : {}),
    message: c.message,
    ...(c.offendingCount !== undefined ? { offendingCount: c.offendingCount } : {}),
  }));
}

/** The errors of a run: the run's own, each errored step's, or the runner's (masked) last words. */
export function runErrors(outcome: NightlyOutcome): string[] {
  const report = outcome.report;
  const errors: string[] = [];
  if (report?.error) {
    errors.push(
      `${report.error.message}${report.error.hint ? ` (hint: ${report.error.hint})` : ""}`,
    );
  }
  for (const step of report?.steps ?? []) {
    if (step.error && step.error.message !== report?.error?.message) {
      errors.push(
        `${step.id}: ${step.error.message}${step.error.hint ? ` (hint: ${step.error.hint})` : ""}`,
      );
    }
  }
  if (errors.length === 0 && outcome.status === "errored") {
    errors.push(lastWords(outcome.stderr, outcome.exitCode));
  }
  return errors;
}
