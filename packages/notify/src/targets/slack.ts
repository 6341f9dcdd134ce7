/** Slack incoming webhooks: `text` (the notification) and Block Kit `blocks`, in mrkdwn. */
import { clip, clipEscaped, slackLink, slackText } from "../escape.ts";
import {
  foundLines,
  headline,
  linkText,
  mostUrgentFirst,
  sinceText,
  summaryLine,
} from "../message.ts";
import type { Alert } from "../model.ts";

const ICON: Record<string, string> = {
  failing: ":red_circle:",
  reminder: ":large_orange_circle:",
  recovered: ":large_green_circle:",
};
/** Slack allows 50 blocks a message. */
const MAX_ALERTS = 20;

function alertBlock(alert: Alert): Record<string, unknown> {
  const lines = [
    `${ICON[alert.kind]} *${slackText(headline(alert))}*`,
    ...foundLines(alert).map((l) => clipEscaped(l, 500, slackText)),
    ...[sinceText(alert)].filter((s) => s !== undefined).map((s) => slackText(s)),
    ...(alert.runbook.owner ? [`Owner: ${slackText(alert.runbook.owner)}`] : []),
    ...(alert.runbook.escalation && alert.kind !== "recovered"
      ? [`Escalation: ${slackText(clip(alert.runbook.escalation.trim(), 500))}`]
      : []),
    ...(alert.runUrl ? [slackLink(alert.runUrl, linkText(alert))] : []),
  ];
  // verbatim: Slack would otherwise make links of a value's URLs and #channel names.
  return {
    type: "section",
    text: { type: "mrkdwn", text: clip(lines.join("\n"), 3000), verbatim: true },
  };
}

export function slackMessage(alerts: Alert[]): { text: string; blocks: Record<string, unknown>[] } {
  const text =
    alerts.length === 1
      ? `${ICON[alerts[0]!.kind]} run-md: ${slackText(headline(alerts[0]!))}`
      : slackText(summaryLine(alerts));
  const blocks = mostUrgentFirst(alerts).slice(0, MAX_ALERTS).map(alertBlock);
  if (alerts.length > MAX_ALERTS) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `…and ${alerts.length - MAX_ALERTS} more` }],
    });
  }
  return { text, blocks };
}
