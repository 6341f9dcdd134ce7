/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a
 * message whose attachment is an Adaptive Card. TextBlocks render a Markdown subset, so every
 * value is Markdown-escaped.
 */
import { clipEscaped, markdownText } from "../escape.ts";
import {
  foundLines,
  headline,
  linkText,
  mostUrgentFirst,
  sinceText,
  summaryLine,
} from "../message.ts";
import type { Alert } from "../model.ts";

const COLOR: Record<string, string> = {
  failing: "attention",
  reminder: "warning",
  recovered: "good",
};
const MAX_ALERTS = 20;
const CARD_BYTES = 24 * 1024;

/**
 * A TextBlock's text: Markdown-escaped, and every `{` too (`\{`, which the Markdown shows as
 * `{`): Adaptive Cards replace `{{DATE(<instant>, SHORT)}}` and `{{TIME(...)}}` with a date of
 * the value's choosing before the Markdown is read (red-team: a user agent showed as a date).
 */
function cardText(text: string): string {
  return markdownText(text).replace(/\{/g, "\\{");
}

function alertItems(alert: Alert): Record<string, unknown>[] {
  const lines = [...foundLines(alert), ...[sinceText(alert)].filter((s) => s !== undefined)];
  return [
    {
      type: "TextBlock",
      text: cardText(headline(alert)),
      weight: "Bolder",
      color: COLOR[alert.kind],
      wrap: true,
      separator: true,
    },
    ...lines.map((l) => ({
      type: "TextBlock",
      text: clipEscaped(l, 500, cardText),
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

/**
 * The alerts' items that fit in a card: at most 20 alerts, and 24 KB of them (a Workflows
 * webhook refuses a request past 28 KB, and every alert of the night with it).
 */
function itemsThatFit(alerts: Alert[]): Record<string, unknown>[][] {
  const shown: Record<string, unknown>[][] = [];
  let bytes = 0;
  for (const alert of mostUrgentFirst(alerts).slice(0, MAX_ALERTS)) {
    const items = alertItems(alert);
    bytes += Buffer.byteLength(JSON.stringify(items));
    if (bytes > CARD_BYTES && shown.length > 0) break;
    shown.push(items);
  }
  return shown;
}

export function teamsMessage(alerts: Alert[]): Record<string, unknown> {
  const shown = itemsThatFit(alerts);
  const body = [
    {
      type: "TextBlock",
      text: cardText(summaryLine(alerts)),
      size: "Medium",
      weight: "Bolder",
      wrap: true,
    },
    ...shown.flat(),
    ...(alerts.length > shown.length
      ? [{ type: "TextBlock", text: `…and ${alerts.length - shown.length} more` }]
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
