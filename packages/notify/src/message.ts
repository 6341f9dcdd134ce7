/**
 * The words every target uses, before its own escaping. What comes from the logs (an
 * investigation's subject, a finding's offender, check message and error) is made one line of
 * visible characters here (core's `printable`: line breaks, control, direction and invisible
 * characters as `\uXXXX`), so no value adds a line of its own to an alert (a forged
 * "recovered") or shows other text than it holds.
 */
import { printable, SAMPLE_DATA_NOTE, SEVERITIES } from "@run-md/core";
import type { Alert } from "./model.ts";

const KIND_ORDER: Record<Alert["kind"], number> = { failing: 0, reminder: 1, recovered: 2 };

/**
 * The alerts as a message lists them: new failures first, then reminders, then recoveries, the
 * most severe first within each, in their order otherwise. A message shows 20 (red-team: a night
 * of 25 recoveries put a new failure in "…and 6 more", where nobody saw which runbook it was).
 */
export function mostUrgentFirst(alerts: readonly Alert[]): Alert[] {
  const severity = (a: Alert) => SEVERITIES.indexOf(a.runbook.severity);
  return [...alerts].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || severity(b) - severity(a),
  );
}

export function verb(alert: Alert): string {
  if (alert.kind === "recovered") return "recovered";
  if (alert.kind === "reminder")
    return `still ${alert.status === "errored" ? "erroring" : "failing"}`;
  return alert.status === "errored" ? "errored" : "failed";
}

/** The runbook's title, and what an investigation is about: `What an access key did (access_key_id=AKIA…)`. */
export function subject(alert: Alert): string {
  return printable(`${alert.runbook.title}${alert.about ? ` (${alert.about})` : ""}`);
}

/** `Access key lifecycle failed (severity high)`, and core's SAMPLE_DATA_NOTE when it is so. */
export function headline(alert: Alert): string {
  const sample = alert.sampleData ? `; ${SAMPLE_DATA_NOTE}` : "";
  return `${subject(alert)} ${verb(alert)} (severity ${alert.runbook.severity})${sample}`;
}

/** The words of the alert's link: its run's page, or the runbook's when the run left no report. */
export function linkText(alert: Alert): string {
  return alert.runUrlIsRunbook ? "Open the runbook" : "Open this run";
}

/** One line for a list of alerts: `run-md: 2 runbooks failed, 1 recovered`. */
export function summaryLine(alerts: Alert[]): string {
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(verb(a), (counts.get(verb(a)) ?? 0) + 1);
  const parts = [...counts].map(([v, n]) => `${n} runbook${n === 1 ? "" : "s"} ${v}`);
  return `run-md: ${parts.join(", ")}`;
}

/** What was found, as plain sentences (each target escapes them): check, offender, error. */
export function foundLines(alert: Alert): string[] {
  const f = alert.finding;
  if (alert.kind === "recovered" || !f) return [];
  const lines: string[] = [];
  if (f.check !== undefined) {
    lines.push(
      `Failed check: ${f.check} in step ${f.step}${f.label ? ` (${f.label})` : ""}: ${f.message}${f.failedChecks > 1 ? ` (and ${f.failedChecks - 1} more)` : ""}`,
    );
  }
  if (f.newOffender !== undefined)
    lines.push(`New offender: ${f.newOffender} (failing since ${alert.since}, now about another)`);
  if (f.offender !== undefined) lines.push(`First offender: ${f.offender}`);
  if (f.error !== undefined) lines.push(`Error: ${f.error}`);
  return lines.map(printable);
}

/** `failing since 2026-11-24T02:00:00Z` for reminders. */
export function sinceText(alert: Alert): string | undefined {
  return alert.kind === "reminder" ? `failing since ${alert.since}` : undefined;
}

/**
 * A digest's lines (`Alert.digest`): each runbook it stands for, most urgent first, what happened
 * and its run's page: `Audit IAM changes failed (severity high): https://…`; a runbook still
 * failing that names an offender its failure had not shown says it (`(new offender: actor = …)`),
 * as that is the digest's news.
 */
export function digestLines(alert: Alert): string[] {
  return mostUrgentFirst(alert.digest ?? []).map(
    (m) =>
      `${headline(m)}${m.finding?.newOffender !== undefined ? ` (new offender: ${printable(m.finding.newOffender)})` : ""}${m.runUrl ? `: ${m.runUrl}` : ""}`,
  );
}
