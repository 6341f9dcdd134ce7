/**
 * A generic webhook, signed: the body is JSON; `X-Run-Md-Timestamp` (Unix seconds) and
 * `X-Run-Md-Signature: v1=<hex>` (HMAC-SHA256 with the shared secret over `timestamp.body`).
 * Receivers check the signature and reject a timestamp older than a few minutes (a replay);
 * `X-Run-Md-Delivery` is a unique id they can also remember. `verifyWebhook` does both checks.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { TargetConfig } from "../config.ts";
import { type Alert, type Delivery, sentOnce } from "../model.ts";
import { type HttpRequest, type RetryPolicy, requestJson, withRetry } from "../retry.ts";

export const SIGNATURE_HEADER = "x-run-md-signature";
export const TIMESTAMP_HEADER = "x-run-md-timestamp";
export const DELIVERY_HEADER = "x-run-md-delivery";
/** How old a signed request may be when it arrives (5 minutes). */
export const DEFAULT_TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * A signed POST of `body` to a webhook: the timestamp is `now`'s, so sign each attempt afresh;
 * `delivery` is the id the receiver may remember (`X-Run-Md-Delivery`).
 */
export function signedRequest(
  hook: { url: string; secret: string },
  body: string,
  delivery: string,
  now: Date = new Date(),
): HttpRequest {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    url: hook.url,
    body,
    headers: {
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: sign(hook.secret, timestamp, body),
      [DELIVERY_HEADER]: delivery,
    },
  };
}

/** Checks a received request; returns why it must be rejected, or undefined when it is good. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now: Date = new Date(),
  toleranceS = DEFAULT_TOLERANCE_S,
): string | undefined {
  const ts = Number(headers[TIMESTAMP_HEADER]);
  const signature = headers[SIGNATURE_HEADER];
  if (!Number.isInteger(ts) || typeof signature !== "string")
    return "missing timestamp or signature";
  if (Math.abs(now.getTime() / 1000 - ts) > toleranceS)
    return "timestamp outside the tolerance (a replay?)";
  const want = Buffer.from(sign(secret, ts, body));
  const got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return "bad signature";
  return undefined;
}

export async function sendWebhook(
  target: Extract<TargetConfig, { type: "webhook" }>,
  alerts: Alert[],
  policy: RetryPolicy,
  now: () => Date = () => new Date(),
): Promise<Delivery> {
  const id = randomUUID();
  const body = JSON.stringify({ type: "run-md.alerts", version: 1, id, alerts });
  // Signed afresh on every attempt, so a retry is not rejected as stale.
  const r = await withRetry(policy, (signal) =>
    requestJson(signedRequest(target, body, id, now()), signal),
  );
  return sentOnce(target, alerts, r);
}
