/**
 * Deliveries with retries: network errors, timeouts, 429 and 5xx answers are retried with
 * exponential backoff, or after the wait their `Retry-After` asks (up to MAX_RETRY_AFTER_MS);
 * other answers are final. Nothing here throws: a target that is down is
 * a failed `Delivery`, reported by the caller, and never stops the other targets.
 */
import { sleep } from "@run-md/core";
import { clip } from "./escape.ts";
import { type Alert, type Delivery, sentOnce } from "./model.ts";

export interface RetryPolicy {
  /** Attempts in all (default 3). */
  attempts: number;
  /** Wait before the second attempt; doubled after each (default 500 ms). */
  backoffMs: number;
  /** Per request (default 10 s). */
  timeoutMs: number;
}

const NEVER = new AbortController().signal;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 500, timeoutMs: 10_000 };

export class FinalError extends Error {}

/**
 * The longest wait a target's `Retry-After` is followed for (Slack answers a burst with 429 and
 * the seconds to wait; PagerDuty and GitHub may too). A longer one ends the attempts: the alerts
 * are told at the next notify (pending), not after a Lambda's or a job's time is spent waiting.
 */
export const MAX_RETRY_AFTER_MS = 30_000;

/** A 429 or 503 answer that said when to try again (`Retry-After`). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP date; undefined when absent or neither. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface Attempted<T> {
  ok: boolean;
  attempts: number;
  value?: T;
  error?: string;
}

/** Runs `call` until it succeeds, throws a `FinalError`, or the attempts run out. */
export async function withRetry<T>(
  policy: RetryPolicy,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<Attempted<T>> {
  let error = "";
  let wait = 0;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return {
        ok: true,
        attempts: attempt,
        value: await call(AbortSignal.timeout(policy.timeoutMs)),
      };
    } catch (e) {
      error = (e as Error).message;
      if (e instanceof FinalError) return { ok: false, attempts: attempt, error };
      wait = e instanceof RetryLater ? e.afterMs : 0;
    }
    if (attempt === policy.attempts) break;
    if (wait > MAX_RETRY_AFTER_MS) {
      const s = Math.ceil(wait / 1000);
      return {
        ok: false,
        attempts: attempt,
        error: `${error} (asked to wait ${s} s, longer than ${MAX_RETRY_AFTER_MS / 1000} s)`,
      };
    }
    await sleep(Math.max(wait, policy.backoffMs * 2 ** (attempt - 1)), NEVER);
  }
  return { ok: false, attempts: policy.attempts, error };
}

/** POSTs a JSON `body` to `url`, retried as `policy` says. */
export function postJson(
  policy: RetryPolicy,
  url: string,
  body: string,
): Promise<Attempted<unknown>> {
  return withRetry(policy, (signal) => requestJson({ url, body }, signal));
}

/** A target that takes one JSON message of all the alerts at its URL (Slack, Teams). */
export async function postMessage(
  target: { name: string; url: string },
  message: unknown,
  alerts: readonly Alert[],
  policy: RetryPolicy,
): Promise<Delivery> {
  return sentOnce(target, alerts, await postJson(policy, target.url, JSON.stringify(message)));
}

export interface HttpRequest {
  method?: "GET" | "POST" | "PATCH";
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One HTTP request with `fetch`, as JSON. A 2xx answer resolves with its parsed body (or its
 * text); 429/5xx and network errors throw (retried); other answers throw `FinalError`.
 */
export async function requestJson(req: HttpRequest, signal: AbortSignal): Promise<unknown> {
  // fetch's own error quotes the whole address, which holds the secret of a Slack or Teams
  // webhook (red-team: `hooks.slack.com/services/...` without https:// printed it in the job's
  // log and summary); and no attempt makes it an address.
  if (!URL.canParse(req.url)) {
    throw new FinalError("the target's address is not a URL (not shown: it may hold a secret)");
  }
  const res = await fetchSameOrigin(req, signal);
  const body = await res.text();
  if (!res.ok) {
    const message = `HTTP ${res.status} from ${new URL(req.url).host}: ${clip(body.trim(), 200)}`;
    if (res.status >= 300 && res.status < 400) throw new FinalError(redirectRefused(req, res));
    if (res.status === 429 || res.status >= 500) {
      const after = retryAfterMs(res.headers.get("retry-after"));
      throw after === undefined ? new Error(message) : new RetryLater(message, after);
    }
    throw new FinalError(message);
  }
  try {
    return body === "" ? null : JSON.parse(body);
  } catch {
    return body;
  }
}

/** Redirects followed on the target's own origin, at most. */
const MAX_REDIRECTS = 5;

/**
 * `fetch` that follows a redirect only when the message goes on as it was, to the same origin: a
 * 307 or 308 (any 3xx for a GET). Followed as fetch does, a 301, 302 or 303 turned the POST into
 * a GET without its body, and the page it landed on (a proxy's sign-in page) answering 200 was a
 * delivery (red-team: a message nobody got); a redirect to another origin took the message and its
 * secrets there (PagerDuty's routing key, a webhook's signature). Any other redirect is answered
 * as it is, and refused (`redirectRefused`).
 */
async function fetchSameOrigin(req: HttpRequest, signal: AbortSignal): Promise<Response> {
  const method = req.method ?? "POST";
  let url = req.url;
  for (let hop = 0; ; hop++) {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...req.headers },
      ...(req.body === undefined ? {} : { body: req.body }),
      redirect: "manual",
      signal,
    });
    const to = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    const next = to === null ? undefined : URL.parse(to, url);
    const keeps = method === "GET" || res.status === 307 || res.status === 308;
    if (!next || !keeps || next.origin !== new URL(url).origin || hop === MAX_REDIRECTS) return res;
    await res.body?.cancel();
    url = next.href;
  }
}

/** Why a redirect was not followed, naming the hosts (an address may hold a secret). */
function redirectRefused(req: HttpRequest, res: Response): string {
  const to = URL.parse(res.headers.get("location") ?? "", req.url);
  return `HTTP ${res.status} from ${new URL(req.url).host}: a redirect${to ? ` (to ${to.host})` : ""}, not followed: a message sent on would be a GET without its body, or go to another host; give the target's own address`;
}
