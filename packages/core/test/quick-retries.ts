/**
 * The SDK's own retry strategy (standard mode: which errors are retried, the retry quota, one
 * idempotency token per call) with a 1 ms backoff instead of the seconds a throttled call waits:
 * the throttling tests count the sends and check the error, not how long the SDK sleeps. The
 * number of attempts is the one `awsClientConfig` gives the engines, default included; `delayMs`
 * is the wait before each retry.
 */
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { awsClientConfig } from "../src/index.ts";

export function quickRetries(
  maxAttempts?: number,
  delayMs = 1,
): { retryStrategy: ConfiguredRetryStrategy } {
  const attempts = awsClientConfig(maxAttempts === undefined ? {} : { maxAttempts }).maxAttempts;
  return { retryStrategy: new ConfiguredRetryStrategy(attempts, delayMs) };
}
