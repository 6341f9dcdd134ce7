/**
 * Telling the approvers (spec §6): every webhook target of the `notify:` section receives a
 * signed `run-md.approval` message with a link to the run's page, through `@run-md/notify`'s
 * signing and retries (the receiver checks it with `verifyWebhook`). A failed delivery is
 * reported as a warning; it never stops the request (the run page still shows it waiting).
 */

import { randomUUID } from "node:crypto";
import {
  DEFAULT_RETRY,
  type RetryPolicy,
  requestJson,
  signedRequest,
  withRetry,
} from "@run-md/notify";
import type { RunRecord } from "../runs/record.ts";

export interface ApprovalWebhook {
  url: string;
  secret: string;
}

/** The run's page on the served site. */
export function runPageUrl(publicUrl: string, runId: string): string {
  return `${publicUrl}/run/?id=${encodeURIComponent(runId)}`;
}

export async function notifyApprovers(
  hooks: readonly ApprovalWebhook[],
  rec: RunRecord,
  publicUrl: string,
  warn: (msg: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  const body = JSON.stringify({
    type: "run-md.approval",
    version: 1,
    id: randomUUID(),
    run: rec.id,
    runbook: rec.runbook,
    requester: rec.requester.user,
    approvers: rec.approval?.approvers ?? [],
    expiresAt: rec.approval?.expiresAt,
    url: runPageUrl(publicUrl, rec.id),
    text: `${rec.requester.user} asks to run ${rec.runbook}: approve or deny at ${runPageUrl(publicUrl, rec.id)}`,
  });
  await Promise.all(
    hooks.map(async (hook) => {
      const r = await withRetry(policy, (signal) =>
        requestJson(signedRequest(hook, body, randomUUID()), signal),
      );
      if (!r.ok) warn(`approval request for run ${rec.id} not delivered: ${r.error}`);
    }),
  );
}
