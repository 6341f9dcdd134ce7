/** Amazon SNS through the SDK: one Publish per call, a plain-text message and a short subject. */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { TargetConfig } from "../config.ts";
import { clip, oneLine } from "../escape.ts";
import { foundLines, headline, mostUrgentFirst, sinceText, summaryLine } from "../message.ts";
import { type Alert, type Delivery, sentOnce } from "../model.ts";
import { FinalError, type RetryPolicy, withRetry } from "../retry.ts";

/** Client errors that are worth retrying: SNS says "Throttling" (query protocol). */
const THROTTLING = ["Throttling", "ThrottlingException", "ThrottledException"];

/**
 * SNS subjects: at most 100 printable ASCII characters, no line breaks. A longer one is cut with
 * "..." (oneLine's "…" is not ASCII: SNS refused the subject, and the alert with it, when a
 * finding's parameters made the headline long).
 */
export function snsSubject(alerts: Alert[]): string {
  const text = alerts.length === 1 ? `run-md: ${headline(alerts[0]!)}` : summaryLine(alerts);
  const flat = oneLine(text, Number.MAX_SAFE_INTEGER).replace(/[^\x20-\x7e]/g, "?");
  return flat.length <= 100 ? flat : `${flat.slice(0, 97)}...`;
}

/** SNS refuses a message past 256 KB; what is left out is said in the room kept for it. */
const MESSAGE_BYTES = 256 * 1024 - 100;

function alertText(a: Alert): string {
  return [
    headline(a),
    // 4,000 characters a line: one value (a 20 KB policy) must not crowd out the others.
    ...foundLines(a).map((l) => clip(l, 4000)),
    ...[sinceText(a)].filter((s) => s !== undefined),
    ...(a.runUrl ? [`Run: ${a.runUrl}`] : []),
  ].join("\n");
}

/**
 * The alerts as plain text, most urgent first, within SNS's 256 KB (red-team: hostile values
 * made it larger, Publish refused it, and the topic missed the alerts every night).
 */
export function snsMessage(alerts: Alert[]): string {
  const ordered = mostUrgentFirst(alerts);
  const shown: string[] = [];
  let bytes = 0;
  for (const a of ordered) {
    const text = alertText(a);
    bytes += Buffer.byteLength(text) + 2;
    if (bytes > MESSAGE_BYTES && shown.length > 0) break;
    shown.push(text);
  }
  const more = ordered.length - shown.length;
  return [...shown, ...(more > 0 ? [`…and ${more} more`] : [])].join("\n\n");
}

export async function sendSns(
  target: Extract<TargetConfig, { type: "sns" }>,
  alerts: Alert[],
  policy: RetryPolicy,
): Promise<Delivery> {
  const region = target.region ?? /^arn:[^:]+:sns:([^:]+):/.exec(target.topicArn)?.[1];
  // The SDK retries throttling itself; ours covers the rest, so its own attempts are one.
  const client = new SNSClient({
    ...(region ? { region } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    maxAttempts: 1,
  });
  try {
    const r = await withRetry(policy, async (signal) => {
      try {
        return await client.send(
          new PublishCommand({
            TopicArn: target.topicArn,
            Subject: snsSubject(alerts),
            Message: snsMessage(alerts),
          }),
          { abortSignal: signal },
        );
      } catch (e) {
        const fault = (e as { $fault?: string }).$fault;
        if (fault === "client" && !THROTTLING.includes((e as Error).name)) {
          throw new FinalError(`${(e as Error).name}: ${(e as Error).message}`);
        }
        throw e;
      }
    });
    return sentOnce(target, alerts, r);
  } finally {
    client.destroy();
  }
}
