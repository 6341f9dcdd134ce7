/** What a run found, taken from its report: the first failed check and its first offender. */
import { failedChecksOf, type JsonValue, type RunReport } from "@run-md/core";
import { lastWords } from "./escape.ts";
import type { CrashedRun, Finding } from "./model.ts";

/**
 * Columns that name who did something or what it was done to, in order of preference: the
 * first present in the offending row is the "first offending actor or resource".
 */
const OFFENDER_COLUMNS = [
  /^(actor|principal|caller|creator|user_?arn|arn|identity)$/i,
  /^(user(name)?|useridentity.*|key_owner|creator_name)$/i,
  /(resource|bucket|group_?id|key_?id|instance|trail|role|policy)/i,
  /(ip|address)$/i,
];

function text(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `column = value` of the row's most telling column, or undefined for an empty row. */
export function offenderOf(row: Record<string, JsonValue>): string | undefined {
  const names = Object.keys(row).filter((n) => text(row[n]) !== "");
  for (const pattern of OFFENDER_COLUMNS) {
    const name = names.find((n) => pattern.test(n));
    if (name) return `${name} = ${text(row[name])}`;
  }
  return undefined;
}

/** A step's rows as objects keyed by column. */
const rowObjects = (step: RunReport["steps"][number]) =>
  step.rows.map((row) => Object.fromEntries(step.columns.map((c, i) => [c.name, row[i] ?? null])));

/**
 * Every offender (`offenderOf`) of a report's failed checks, once each, in order: a quantifier
 * check's offending rows, else its step's rows (as the report keeps them: the first 100).
 */
export function offendersOf(report: RunReport): string[] {
  const out = new Set<string>();
  for (const { step, check } of failedChecksOf(report)) {
    for (const row of check.offendingRows ?? rowObjects(step)) {
      const offender = offenderOf(row);
      if (offender !== undefined) out.add(offender);
    }
  }
  return [...out];
}

/** The first failed check of a report (its first offending row), or its error. */
export function findingOf(report: RunReport): Finding | undefined {
  const failed = failedChecksOf(report);
  const errored = report.error ?? report.steps.find((s) => s.error)?.error;
  if (failed.length === 0) {
    if (!errored) return undefined;
    return { message: errored.message, error: errored.message, failedChecks: 0 };
  }
  const { step, check } = failed[0]!;
  const firstRow: Record<string, JsonValue> | undefined =
    check.offendingRows?.[0] ??
    (step.rows[0]
      ? Object.fromEntries(step.columns.map((c, i) => [c.name, step.rows[0]![i] ?? null]))
      : undefined);
  const offender = firstRow ? offenderOf(firstRow) : undefined;
  return {
    step: step.id,
    check: check.check,
    ...(check.label !== undefined ? { label: check.label } : {}),
    message: check.message,
    ...(offender !== undefined ? { offender } : {}),
    failedChecks: failed.length,
    ...(errored ? { error: errored.message } : {}),
  };
}

/** A run that left no report: the runner's own (masked) words are the error. */
export function crashFindingOf(crashed: CrashedRun): Finding {
  const error = lastWords(crashed.stderr, crashed.exitCode, 5, crashed.mask);
  return { message: error, error, failedChecks: 0 };
}
