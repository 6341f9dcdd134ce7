/** The summary the nightly job prints at the end, for a terminal and for a GitHub job summary. */
import {
  JOB_CATCH_UP_MS,
  markdownText,
  printable,
  printableLines,
  stepWarnings,
} from "@run-md/core";
import type { NightlyResult } from "./job.ts";
import { failedChecks, runErrors } from "./outcome.ts";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function actual(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * What failed, in one line: `rows == 0 in step = 3; max(calls) < 50 in step = 62`; for a run
 * where nothing failed, its first warning (`stepWarnings`).
 */
export function findings(o: NightlyResult["outcomes"][number]): string {
  if (o.status === "errored" || o.status === "cancelled") {
    return runErrors(o)
      .map((e) => e.split("\n")[0])
      .join("; ");
  }
  const failed = failedChecks(o.report)
    .map(
      (c) => `${c.check} in ${c.stepId}${c.actual !== undefined ? ` = ${actual(c.actual)}` : ""}`,
    )
    .join("; ");
  return failed === "" ? stepWarnings(o.report) : failed;
}

export function totals(result: NightlyResult): string {
  const counts = new Map<string, number>();
  for (const o of result.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  if (result.tried) {
    const n = result.tried.length;
    return `${n} runbook${n === 1 ? "" : "s"} due, none run (a date to come) · exit ${result.exitCode}`;
  }
  const parts = [
    `${result.outcomes.length} runbook${result.outcomes.length === 1 ? "" : "s"}${
      counts.size > 0
        ? `: ${["failed", "errored", "cancelled", "warned", "passed"]
            .filter((s) => counts.has(s))
            .map((s) => `${counts.get(s)} ${s}`)
            .join(", ")}`
        : ""
    }`,
  ];
  // Passes over generated events are no night of the account's logs checked (core
  // SAMPLE_DATA_NOTE): a job set up before its logs were says so where its exit code is read.
  const sample = result.outcomes.filter((o) => o.report?.sampleData).length;
  if (sample > 0)
    parts.push(
      `${sample} of them read the bundled sample data (local.logDir: sample), not your CloudTrail logs`,
    );
  if (result.notifications.length > 0) {
    const failed = result.notifications.filter((n) => !n.ok).length;
    parts.push(
      `${result.notifications.length} notification target${result.notifications.length === 1 ? "" : "s"} told${failed ? ` (${failed} failed)` : ""}`,
    );
  }
  // A night with a failure and nobody to tell it to says so: the exit code alone is easy to miss
  // (a workflow's webhook secret deleted is passed as "").
  if (result.noTarget && result.outcomes.some((o) => ["failed", "errored"].includes(o.status)))
    parts.push("nobody told: no notification target (notify: or RUN_MD_WEBHOOK_URL)");
  if (result.notifyProblem) parts.push(result.notifyProblem);
  if (result.collectFailed !== undefined)
    parts.push(`collect FAILED (exit ${result.collectFailed})`);
  if (result.heldBack) {
    const n = result.heldBack.length;
    parts.push(
      `${n} runbook${n === 1 ? "" : "s"} not read to the end (days without logs: read again the next night, ${JOB_CATCH_UP_MS / 86_400_000} days back at most)`,
    );
  }
  if (result.orphaned) {
    const n = result.orphaned.length;
    parts.push(
      `${n} alert${n === 1 ? "" : "s"} open for ${n === 1 ? "a runbook" : "runbooks"} the job no longer runs (${result.orphaned.join(", ")}): nothing resolves ${n === 1 ? "it" : "them"}`,
    );
  }
  parts.push(`${result.pruned.length} old report${result.pruned.length === 1 ? "" : "s"} pruned`);
  if (result.build?.ok) parts.push(`site built in ${seconds(result.build.durationMs)}`);
  else if (result.build) parts.push("site build FAILED");
  if (result.interrupted) parts.push("interrupted");
  parts.push(`exit ${result.exitCode}`);
  return parts.join(" · ");
}

/** Text of several lines as a quote: escaped (printable), each line behind `  │ `. */
function quoted(text: string): string {
  return printableLines(text)
    .split(/\r?\n/)
    .map((l) => `  │ ${l}`)
    .join("\n");
}

export function textSummary(result: NightlyResult): string {
  const clip = (t: string) => (t.length > 240 ? `${t.slice(0, 239)}…` : t);
  const rows = result.outcomes.map((o) => [
    o.status,
    // A runbook that does not parse is named by what its front matter says.
    printable(o.runbookId),
    seconds(o.durationMs),
    // Values from the logs and engines' messages: one line, nothing a terminal acts on.
    printable(clip(findings(o))),
  ]);
  const header = ["STATUS", "RUNBOOK", "DURATION", "FAILED CHECKS / ERRORS"];
  const widths = [0, 1, 2].map((i) =>
    Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)),
  );
  const line = (r: string[]) =>
    `  ${r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c))
      .join("  ")
      .trimEnd()}`;
  const out = ["", "run-md nightly summary", line(header), ...rows.map(line)];
  // The build's log, quoted: each line behind a bar, so none starts a workflow command in a CI log.
  if (result.build && !result.build.ok) out.push("", quoted(result.build.error));
  out.push("", totals(result), "");
  return out.join("\n");
}

export function markdownSummary(result: NightlyResult, siteUrl?: string): string {
  const link = (id: string) =>
    siteUrl ? `[${id}](${siteUrl.replace(/\/+$/, "")}/runbooks/${id}/)` : `\`${id}\``;
  return [
    "## run-md nightly",
    "",
    "| status | runbook | duration | failed checks / errors |",
    "|---|---|---|---|",
    ...result.outcomes.map(
      (o) =>
        `| ${o.status} | ${link(o.runbookId)} | ${seconds(o.durationMs)} | ${markdownText(findings(o))} |`,
    ),
    "",
    totals(result),
    "",
  ].join("\n");
}
