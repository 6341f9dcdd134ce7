/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a
 * message whose attachment is an Adaptive Card. TextBlocks render a Markdown subset, so every
 * value is Markdown-escaped.
 */
import { clip, markdownText } from "../escape.ts";
import { foundLines, headline, linkText, sinceText, summaryLine } from "../message.ts";
import type { Alert } from "../model.ts";

const COLOR: Record<string, string> = {
  failing: "attention",
  reminder: "warning",
  recovered: "good",
};
const MAX_ALERTS = 20;

function alertItems(alert: Alert): Record<string, unknown>[] {
  const lines = [...foundLines(alert), ...[sinceText(alert)].filter((s) => s !== undefined)];
  return [
    {
      type: "TextBlock",
      text: markdownText(headline(alert)),
      weight: "Bolder",
      color: COLOR[alert.kind],
      wrap: true,
      separator: true,
    },
    ...lines.map((l) => ({
      type: "TextBlock",
      text: markdownText(clip(l, 500)),
      wrap: true,
      spacing: "Small",
    })),
    ...(alert.runUrl
      ? [
          {
            type: "ActionSet",
            actions: [{ type: "Action.OpenUrl", title: linkText(alert), url: alert.runUrl }],
          },
        ]
      : []),
  ];
}

export function teamsMessage(alerts: Alert[]): Record<string, unknown> {
  const body = [
    {
      type: "TextBlock",
      text: markdownText(summaryLine(alerts)),
      size: "Medium",
      weight: "Bolder",
      wrap: true,
    },
    ...alerts.slice(0, MAX_ALERTS).flatMap(alertItems),
    ...(alerts.length > MAX_ALERTS
      ? [{ type: "TextBlock", text: `…and ${alerts.length - MAX_ALERTS} more` }]
      : []),
  ];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
        },
      },
    ],
  };
}
