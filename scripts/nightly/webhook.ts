/**
 * The message posted when a nightly run fails or errors, in the form a Slack incoming webhook
 * accepts: `text` (the notification and fallback) and Block Kit `blocks`.
 */
import { type JsonValue, maskText, type RunReport, runbookPageUrl, runPageUrl } from "@run-md/core";

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
  /** The report's file in the reports directory: its run's page on the site is named after it. */
  reportFile?: string;
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

export function failedChecks(report: RunReport | undefined): FailedCheck[] {
  if (!report) return [];
  return report.steps.flatMap((step) =>
    step.checks
      .filter((c) => c.status === "failed")
      .map((c) => ({
        stepId: step.id,
        check: c.check,
        ...(c.label !== undefined ? { label: c.label } : {}),
        ...(c.actual !== undefined ? { actual: c.actual } : {}),
        message: c.message,
        ...(c.offendingCount !== undefined ? { offendingCount: c.offendingCount } : {}),
      })),
  );
}

/** The errors of a run: the run's own, each errored step's, or the runner's last words. */
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
    // A crashed runner's last words can hold anything it was handed, credentials included.
    const lines = maskText(outcome.stderr).trim().split("\n").filter(Boolean);
    errors.push(lines.slice(0, 5).join("\n") || `the runner exited with ${outcome.exitCode}`);
  }
  return errors;
}

/**
 * Slack's mrkdwn needs &, < and > escaped: unescaped, `<!channel>` pings everyone and
 * `<https://evil.example|click here>` disguises a link. The top-level `text` (the notification)
 * is mrkdwn too.
 */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function actualText(v: JsonValue | undefined): string {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The page the message links to: the run's own page when its report was stored, else the runbook's. */
export function outcomePageUrl(
  siteUrl: string | undefined,
  outcome: NightlyOutcome,
): string | undefined {
  if (!siteUrl) return undefined;
  return outcome.reportFile
    ? runPageUrl(siteUrl, outcome.runbookId, outcome.reportFile)
    : runbookPageUrl(siteUrl, outcome.runbookId);
}

const MAX_CHECKS = 10;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackMessage(outcome: NightlyOutcome, siteUrl: string | undefined): SlackMessage {
  const failed = failedChecks(outcome.report);
  const errors = runErrors(outcome);
  const url = outcomePageUrl(siteUrl, outcome);
  const verb = outcome.status === "failed" ? "failed" : outcome.status;
  const icon = outcome.status === "failed" ? ":red_circle:" : ":warning:";
  const text = `${icon} run-md: ${esc(outcome.title)} ${verb} (severity ${esc(outcome.severity)}${
    failed.length > 0 ? `, ${failed.length} failed check${failed.length === 1 ? "" : "s"}` : ""
  })`;

  const blocks: Record<string, unknown>[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(`${outcome.title} ${verb}`, 150), emoji: true },
    },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Runbook*\n\`${esc(outcome.runbookId)}\`` },
        { type: "mrkdwn", text: `*Severity*\n${esc(outcome.severity)}` },
        { type: "mrkdwn", text: `*Status*\n${verb}` },
        ...(outcome.owner ? [{ type: "mrkdwn", text: `*Owner*\n${esc(outcome.owner)}` }] : []),
      ],
    },
  ];
  if (failed.length > 0) {
    const lines = failed.slice(0, MAX_CHECKS).map((c) => {
      const actual = actualText(c.actual);
      return `• \`${esc(c.check)}\` in \`${esc(c.stepId)}\`${actual ? `: actual *${esc(clip(actual, 200))}*` : ""} (${esc(clip(c.message, 300))})${
        c.label ? ` _${esc(clip(c.label, 200))}_` : ""
      }`;
    });
    if (failed.length > MAX_CHECKS) lines.push(`…and ${failed.length - MAX_CHECKS} more`);
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(`*Failed checks*\n${lines.join("\n")}`, 3000) },
    });
  }
  if (errors.length > 0) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(`*Error*\n\`\`\`${esc(errors.join("\n"))}\`\`\``, 3000),
      },
    });
  }
  if (outcome.escalation) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(`*Escalation*\n${esc(outcome.escalation.trim())}`, 3000) },
    });
  }
  if (url) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: {
            type: "plain_text",
            text: outcome.reportFile ? "Open this run's report" : "Open the runbook and its report",
          },
          url,
        },
      ],
    });
  }
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `run-md nightly${outcome.report ? ` · run ${esc(outcome.report.runId)}` : ""}${url ? ` · <${url}|${esc(url)}>` : ""}`,
      },
    ],
  });
  return { text: url ? `${text} ${url}` : text, blocks };
}

export interface PostResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * POSTs the message as JSON. Retries network errors, 429 and 5xx answers (three attempts in
 * all, backing off); gives up on other answers at once. Never throws.
 */
export async function postWebhook(
  url: string,
  message: SlackMessage,
  options: { attempts?: number; timeoutMs?: number; backoffMs?: number } = {},
): Promise<PostResult> {
  const attempts = options.attempts ?? 3;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (res.ok) return { ok: true, attempts: attempt };
      lastError = `HTTP ${res.status} ${clip((await res.text()).trim(), 200)}`.trim();
      if (res.status !== 429 && res.status < 500)
        return { ok: false, attempts: attempt, error: lastError };
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (attempt < attempts) {
      await new Promise((r) => setTimeout(r, (options.backoffMs ?? 500) * 2 ** (attempt - 1)));
    }
  }
  return { ok: false, attempts, error: lastError };
}
