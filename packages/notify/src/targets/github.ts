/**
 * GitHub issues through the REST API: one open issue per failing runbook (found again by its
 * labels), a comment while it keeps failing, a comment and closing on recovery. `apiUrl` points
 * at GitHub Enterprise Server (`https://github.example.com/api/v3`) or a test receiver.
 */
import type { TargetConfig } from "../config.ts";
import { clipEscaped, markdownCode, markdownText } from "../escape.ts";
import { digestLines, foundLines, headline, linkText, sinceText, subject } from "../message.ts";
import { type Alert, type Delivery, deliveryOf } from "../model.ts";
import { type RetryPolicy, requestJson, withRetry } from "../retry.ts";

type GitHubTarget = Extract<TargetConfig, { type: "github" }>;

/** The runbooks a digest's issue names (`Alert.digest`). */
const DIGEST_LINES = 150;

/**
 * The label an alert's issue is found again by: `runbook:<id>`, or for an investigation (see
 * `alertKey`) `investigation:<digest>` alone (GitHub allows 50 characters a label, and an issue
 * labelled with the runbook too would be found, and closed, by the runbook's full runs).
 */
export function alertLabel(alert: Pick<Alert, "runbook" | "investigation">): string {
  return alert.investigation
    ? `investigation:${alert.investigation}`
    : `runbook:${alert.runbook.id}`;
}

/** The issue or comment body, in GitHub Markdown with every value escaped. */
export function issueBody(alert: Alert): string {
  const lines = [
    `**${markdownText(headline(alert))}**`,
    "",
    // 4,000 characters a line: an issue body has at most 65,536 (a key policy may be 32 KB).
    ...foundLines(alert).map((l) => `- ${clipEscaped(l, 4000, markdownText)}`),
    // A digest names the runbooks it stands for: 150 lines of 300 characters fit in an issue
    // body's 65,536 characters with the rest.
    ...digestLines(alert)
      .slice(0, DIGEST_LINES)
      .map((l) => `- ${clipEscaped(l, 300, markdownText)}`),
    ...((alert.digest?.length ?? 0) > DIGEST_LINES
      ? [`- …and ${(alert.digest?.length ?? 0) - DIGEST_LINES} more`]
      : []),
    ...[sinceText(alert)].filter((s) => s !== undefined).map((s) => `- ${markdownText(s)}`),
    ...(alert.runUrl
      ? [
          "",
          `[${linkText(alert)}](${encodeURI(alert.runUrl).replace(/[()]/g, (c) => (c === "(" ? "%28" : "%29"))})`,
        ]
      : []),
    ...(alert.runbook.escalation && alert.kind !== "recovered"
      ? ["", `**What to do:** ${markdownText(alert.runbook.escalation)}`]
      : []),
    "",
    `<sub>run-md · runbook ${markdownCode(alert.runbook.id)} · run ${markdownCode(alert.runId)}</sub>`,
  ];
  return lines.join("\n");
}

function headers(target: GitHubTarget): Record<string, string> {
  return {
    authorization: `Bearer ${target.token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "run-md",
  };
}

/** The requests one alert needs, made in order; resolves with how many attempts they took. */
async function handle(target: GitHubTarget, alert: Alert, policy: RetryPolicy): Promise<number> {
  const api = `${target.apiUrl.replace(/\/+$/, "")}/repos/${target.repo}`;
  let attempts = 0;
  const call = async (method: "GET" | "POST" | "PATCH", url: string, body?: unknown) => {
    const r = await withRetry(policy, (signal) =>
      requestJson(
        {
          method,
          url,
          headers: headers(target),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        signal,
      ),
    );
    attempts += r.attempts;
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  const labels = [...target.labels, alertLabel(alert)];
  const open = (await call(
    "GET",
    `${api}/issues?state=open&per_page=1&labels=${encodeURIComponent(labels.join(","))}`,
  )) as { number: number }[];
  const issue = open[0]?.number;
  if (alert.kind === "recovered") {
    if (issue === undefined) return attempts;
    await call("POST", `${api}/issues/${issue}/comments`, { body: issueBody(alert) });
    await call("PATCH", `${api}/issues/${issue}`, { state: "closed", state_reason: "completed" });
  } else if (issue === undefined) {
    // An investigation says what it is about (its parameters): two keys' issues differ by title.
    const title = `run-md: ${subject(alert)} ${alert.status === "errored" ? "errored" : "failed"}`;
    await call("POST", `${api}/issues`, {
      title: title.slice(0, 256),
      body: issueBody(alert),
      labels,
    });
  } else {
    await call("POST", `${api}/issues/${issue}/comments`, { body: issueBody(alert) });
  }
  return attempts;
}

export async function sendGitHub(
  target: GitHubTarget,
  alerts: Alert[],
  policy: RetryPolicy,
): Promise<Delivery> {
  let attempts = 0;
  const errors: string[] = [];
  const failed: Alert[] = [];
  for (const alert of alerts) {
    try {
      attempts += await handle(target, alert, policy);
    } catch (e) {
      errors.push(`${alert.runbook.id}: ${(e as Error).message}`);
      failed.push(alert);
    }
  }
  return deliveryOf(target, alerts, { attempts, errors, failed });
}
