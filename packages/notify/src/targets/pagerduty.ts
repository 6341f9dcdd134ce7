/**
 * PagerDuty Events API v2: one event per runbook, with a stable `dedup_key` so every run of a
 * failing runbook lands on the same incident; `resolve` when it passes again.
 */
import type { TargetConfig } from "../config.ts";
import { oneLine } from "../escape.ts";
import { digestLines, foundLines, headline, subject } from "../message.ts";
import { type Alert, alertKey, type Delivery, deliveryOf } from "../model.ts";
import { postJson, type RetryPolicy } from "../retry.ts";

const SEVERITY: Record<string, "critical" | "error" | "warning" | "info"> = {
  critical: "critical",
  high: "error",
  medium: "warning",
  low: "info",
  info: "info",
};

/** `run-md/<runbook id>`, or `run-md/<runbook id>#<investigation>` (see `alertKey`). */
export function dedupKey(alert: Pick<Alert, "runbook" | "investigation">): string {
  return `run-md/${alertKey(alert)}`;
}

export function pagerDutyEvent(
  alert: Alert,
  routingKey: string,
  now: Date,
): Record<string, unknown> {
  const base = { routing_key: routingKey, dedup_key: dedupKey(alert) };
  if (alert.kind === "recovered") return { ...base, event_action: "resolve" };
  // The incident is one: an offender its failure had not shown is what the new event says.
  const offender = alert.finding?.newOffender ?? alert.finding?.offender;
  return {
    ...base,
    event_action: "trigger",
    payload: {
      // PagerDuty shows the summary as plain text; it allows 1024 characters.
      summary: oneLine(
        alert.digest
          ? `${headline(alert)}: ${alert.digest.map(subject).join(", ")}`
          : `${headline(alert)}${offender ? `: ${offender}` : ""}`,
        1024,
      ),
      source: "run-md",
      severity: SEVERITY[alert.runbook.severity] ?? "error",
      timestamp: now.toISOString(),
      component: alert.runbook.id,
      class: "runbook",
      ...(alert.runbook.owner ? { group: alert.runbook.owner } : {}),
      custom_details: {
        found: foundLines(alert),
        ...(alert.digest ? { runbooks: digestLines(alert) } : {}),
        run_id: alert.runId,
        ...(alert.runbook.escalation ? { escalation: alert.runbook.escalation } : {}),
      },
    },
    ...(alert.runUrl
      ? {
          links: [
            {
              href: alert.runUrl,
              text: alert.runUrlIsRunbook ? "The runbook" : "This run of the runbook",
            },
          ],
        }
      : {}),
    client: "run-md",
  };
}

/** One request per alert (PagerDuty deduplicates per runbook); the delivery fails if one does. */
export async function sendPagerDuty(
  target: Extract<TargetConfig, { type: "pagerduty" }>,
  alerts: Alert[],
  policy: RetryPolicy,
  now: Date,
): Promise<Delivery> {
  let attempts = 0;
  const errors: string[] = [];
  const failed: Alert[] = [];
  for (const alert of alerts) {
    const body = JSON.stringify(pagerDutyEvent(alert, target.routingKey, now));
    const r = await postJson(policy, target.url, body);
    attempts += r.attempts;
    if (r.ok) continue;
    errors.push(`${alert.runbook.id}: ${r.error}`);
    failed.push(alert);
  }
  return deliveryOf(target, alerts, { attempts, errors, failed });
}
