/**
 * Approvals (spec access-proxy.md §6, `access.approvals`). A run of a runbook that an approval
 * rule selects waits until someone else approves it: a person (not an unbound token) in one of
 * the matching rules' approver groups whom the rules also allow `approve`, before the request
 * expires (`access.approvalTtl`, default 24h). "Someone else" compares persons: the requester
 * through another token bound to them, or in another group, is still the requester.
 */

import { type AccessConfig, type Caller, inGroups, type RunbookFacts, selects } from "./model.ts";
import { isAllowed } from "./rules.ts";

export interface ApprovalRequest {
  requester: Caller;
  runbook: RunbookFacts;
  /** When the run was requested: it expires `approvalTtlMs` later. */
  requestedAt: Date;
}

export type ApprovalRefusal =
  | "not-needed"
  | "expired"
  | "self-approval"
  | "not-a-person"
  | "not-approver";

export type ApprovalCheck = { ok: true } | { ok: false; reason: ApprovalRefusal; message: string };

/** The approver groups of every rule that selects the runbook; undefined when none does. */
export function needsApproval(
  cfg: AccessConfig,
  runbook: RunbookFacts,
): { approvers: string[] } | undefined {
  const groups = cfg.approvals
    .filter((a) => selects(a.runbooks, runbook))
    .flatMap((a) => a.approvers);
  return groups.length === 0 ? undefined : { approvers: [...new Set(groups)] };
}

export function approvalExpiresAt(cfg: AccessConfig, requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + cfg.approvalTtlMs);
}

/** The same person: users compared case-insensitively (e-mail addresses), whatever the groups or token. */
export function samePerson(a: Pick<Caller, "user">, b: Pick<Caller, "user">): boolean {
  return a.user.toLowerCase() === b.user.toLowerCase();
}

export function canApprove(
  cfg: AccessConfig,
  request: ApprovalRequest,
  approver: Caller,
  now: Date,
): ApprovalCheck {
  const need = needsApproval(cfg, request.runbook);
  const no = (reason: ApprovalRefusal, message: string): ApprovalCheck => ({
    ok: false,
    reason,
    message,
  });
  if (!need) return no("not-needed", `runbook ${request.runbook.id} needs no approval`);
  const expires = approvalExpiresAt(cfg, request.requestedAt);
  if (now.getTime() >= expires.getTime())
    return no("expired", `the request expired at ${expires.toISOString()}`);
  if (samePerson(request.requester, approver))
    return no(
      "self-approval",
      "the requester cannot approve or deny their own run (to withdraw it, cancel it)",
    );
  if (approver.via === "token" && approver.user.startsWith("token:"))
    return no(
      "not-a-person",
      "a token bound to no person (run-md token create --user) cannot approve",
    );
  if (!inGroups(approver, need.approvers) || !isAllowed(cfg, approver, "approve"))
    return no(
      "not-approver",
      `approving ${request.runbook.id} needs a member of ${need.approvers.join(", ")} whom the rules allow approve`,
    );
  return { ok: true };
}
