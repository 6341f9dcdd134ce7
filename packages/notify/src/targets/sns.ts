/** Amazon SNS through the SDK: one Publish per call, a plain-text message and a short subject. */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { TargetConfig } from "../config.ts";
import { oneLine } from "../escape.ts";
import { foundLines, headline, sinceText, summaryLine } from "../message.ts";
import { type Alert, type Delivery, sentOnce } from "../model.ts";
import { FinalError, type RetryPolicy, withRetry } from "../retry.ts";

/** Client errors that are worth retrying: SNS says "Throttling" (query protocol). */
const THROTTLING = ["Throttling", "ThrottlingException", "ThrottledException"];

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
export function snsSubject(alerts: Alert[]): string {
  const text = alerts.length === 1 ? `run-md: ${headline(alerts[0]!)}` : summaryLine(alerts);
  return oneLine(text.replace(/[^\x20-\x7e]/g, "?"), 100);
}

export function snsMessage(alerts: Alert[]): string {
  return alerts
    .map((a) =>
      [
        headline(a),
        ...foundLines(a),
        ...[sinceText(a)].filter((s) => s !== undefined),
        ...(a.runUrl ? [`Run: ${a.runUrl}`] : []),
      ].join("\n"),
    )
    .join("\n\n");
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
