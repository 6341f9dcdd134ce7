/**
 * Approvals in the server (spec §6): a run of a runbook an `access.approvals` rule selects is
 * recorded `pending-approval`, says so in its live events and tells the approvers; another
 * person whom `canApprove` (`@run-md/access`) accepts approves it (it is queued and runs) or
 * denies it (it ends `denied`); a request past its TTL ends `expired`, checked on every read of
 * the runs API and by a timer. Every decision is audited before it takes effect.
 */
import {
  type AccessConfig,
  approvalExpiresAt,
  type Caller,
  canApprove,
  isAllowed,
  needsApproval,
} from "@run-md/access";
import type { Runbook } from "@run-md/core";
import type { RetryPolicy } from "@run-md/notify";
import { type Auditor, SERVER_ACTOR } from "../audit.ts";
import type { Catalog } from "../catalog.ts";
import { HttpError } from "../http-error.ts";
import type { RunManager } from "../runs/manager.ts";
import type { ApprovalState, RunRecord } from "../runs/record.ts";
import { type ApprovalWebhook, notifyApprovers } from "./notify.ts";

export type Verdict = "approve" | "deny";

export interface ApprovalOptions {
  now: () => Date;
  webhooks: readonly ApprovalWebhook[];
  retry?: RetryPolicy;
  publicUrl: () => string;
  warn: (msg: string) => void;
}

/** The requester as the access rules know them (the record keeps who asked, and how). */
export function requesterOf(rec: RunRecord): Caller {
  return { ...rec.requester, via: rec.requester.via as Caller["via"] };
}

export class Approvals {
  constructor(
    private readonly cfg: AccessConfig,
    private readonly auditor: Auditor,
    private readonly runs: RunManager,
    private readonly catalog: Catalog,
    private readonly opts: ApprovalOptions,
  ) {}

  /**
   * A run left waiting for approval by a stopped server, under the restarted server's rules: the
   * runbook it may wait with (its deadline set by the current approval TTL, which the start's
   * sweep then applies), or why it cannot wait any longer: the runbook is no longer served, its
   * requester may no longer run it, or it needs no approval any more (asked again, it would run
   * under rules its request was not checked against).
   */
  resume(rec: RunRecord): Runbook | string {
    const served = this.catalog.get(rec.runbook);
    if (served === undefined)
      return `the server restarted while the run was waiting for approval, and no longer serves runbook ${rec.runbook}`;
    const requester = requesterOf(rec);
    if (!isAllowed(this.cfg, requester, "run", served.facts))
      return `the server restarted while the run was waiting for approval, and its rules no longer allow ${requester.user} to run ${rec.runbook}`;
    const need = needsApproval(this.cfg, served.facts);
    if (need === undefined)
      return `the server restarted while the run was waiting for approval, and its rules no longer require approval of ${rec.runbook}: request the run again`;
    const expiresAt = approvalExpiresAt(this.cfg, new Date(rec.requestedAt)).toISOString();
    rec.approval = {
      ...(rec.approval ?? { state: "requested" }),
      approvers: need.approvers,
      expiresAt,
    };
    return served.runbook;
  }

  /** The manager's admit hook: queued now, or waiting for an approver. */
  async admit(rec: RunRecord, _caller: Caller): Promise<"queued" | "pending-approval"> {
    const facts = this.catalog.get(rec.runbook)?.facts;
    const need = facts === undefined ? undefined : needsApproval(this.cfg, facts);
    if (need === undefined) return "queued";
    const expiresAt = approvalExpiresAt(this.cfg, new Date(rec.requestedAt)).toISOString();
    rec.approval = { approvers: need.approvers, expiresAt, state: "requested" };
    rec.status = "pending-approval";
    await this.runs.hub.emit(rec, "approval", { ...rec.approval });
    // Delivery is retried in the background; the request does not wait for the approvers' hook.
    void notifyApprovers(
      this.opts.webhooks,
      rec,
      this.opts.publicUrl(),
      this.opts.warn,
      this.opts.retry,
    );
    return "pending-approval";
  }

  /**
   * Approves or denies a waiting run for `caller`; throws 403/409/410 with the reason. Runs
   * under the run's lock (`RunManager.exclusive`), as do cancel and expiry: a run gets one
   * decision, and its status is checked again after each audit write.
   */
  decide(
    caller: Caller,
    rec: RunRecord,
    verdict: Verdict,
    /** The request's comment, read (400 for a malformed body) once the caller may decide. */
    commentOf: () => string | undefined,
  ): Promise<void> {
    return this.runs.exclusive(rec.id, async () => {
      if (rec.status === "pending-approval") await this.expireNow(rec);
      await this.refuseUnlessPending(caller, rec, verdict);
      const facts = this.catalog.get(rec.runbook)!.facts;
      const check = canApprove(
        this.cfg,
        { requester: requesterOf(rec), runbook: facts, requestedAt: new Date(rec.requestedAt) },
        caller,
        this.opts.now(),
      );
      if (!check.ok) {
        await this.auditor.record(caller, "access.refused", rec.runbook, {
          action: verdict,
          run: rec.id,
          reason: check.reason,
        });
        const status = check.reason === "expired" ? 410 : check.reason === "not-needed" ? 409 : 403;
        throw new HttpError(status, refusedText(verdict, rec, check.message), {
          code: check.reason,
        });
      }
      const comment = commentOf();
      await this.auditor.record(
        caller,
        verdict === "approve" ? "run.approve" : "run.deny",
        rec.runbook,
        {
          run: rec.id,
          ...(comment === undefined ? {} : { comment }),
        },
      );
      this.checkPending(rec);
      await this.settle(rec, verdict === "approve" ? "approved" : "denied", caller.user, comment);
      if (verdict === "approve") await this.runs.enqueue(rec);
      else await this.runs.finish(rec, "denied");
    });
  }

  /**
   * `checkPending`, with a refusal audited first (`access.refused`, the reason its code): a
   * decision on a run that no longer waits is a refusal like any other (spec §9).
   */
  private async refuseUnlessPending(caller: Caller, rec: RunRecord, verdict: Verdict) {
    if (rec.status === "pending-approval") return;
    await this.auditor.record(caller, "access.refused", rec.runbook, {
      action: verdict,
      run: rec.id,
      reason: rec.status === "expired" ? "expired" : "not-pending",
    });
    this.checkPending(rec);
  }

  /** 410 `expired` or 409 `not-pending` unless the run still waits for approval. */
  private checkPending(rec: RunRecord): void {
    if (rec.status === "expired") {
      throw new HttpError(410, `run ${rec.id} can no longer be approved: ${expiredText(rec)}`, {
        code: "expired",
      });
    }
    if (rec.status !== "pending-approval") {
      throw new HttpError(409, `run ${rec.id} is not waiting for approval (it is ${rec.status})`, {
        code: "not-pending",
      });
    }
  }

  /** Ends every waiting run whose request is past its TTL (the timer and every runs read). */
  async expireDue(): Promise<void> {
    for (const rec of this.runs.store.all()) {
      if (rec.status === "pending-approval" && this.isDue(rec)) {
        await this.runs.exclusive(rec.id, () => this.expireNow(rec));
      }
    }
  }

  private isDue(rec: RunRecord): boolean {
    const expiresAt = rec.approval?.expiresAt;
    return expiresAt !== undefined && this.opts.now().getTime() >= Date.parse(expiresAt);
  }

  /** Ends the run `expired` if it still waits and is past its TTL; under the run's lock. */
  private async expireNow(rec: RunRecord): Promise<void> {
    if (rec.status !== "pending-approval" || !this.isDue(rec)) return;
    const expiresAt = rec.approval!.expiresAt;
    await this.auditor.record(SERVER_ACTOR, "run.expire", rec.runbook, {
      run: rec.id,
      expiresAt,
    });
    if (rec.status !== "pending-approval") return;
    await this.settle(rec, "expired", undefined, undefined);
    await this.runs.finish(rec, "expired");
  }

  /** The approval's outcome on the record and in the live events. */
  private async settle(
    rec: RunRecord,
    state: ApprovalState["state"],
    by: string | undefined,
    comment: string | undefined,
  ): Promise<void> {
    rec.approval = {
      ...rec.approval!,
      state,
      at: this.opts.now().toISOString(),
      ...(by === undefined ? {} : { by }),
      ...(comment === undefined ? {} : { comment }),
    };
    await this.runs.hub.emit(rec, "approval", { ...rec.approval });
  }
}

/**
 * A refused decision's message: the action refused, on which run of which runbook, then why
 * (spec §3: a refusal says which action was refused).
 */
function refusedText(verdict: Verdict, rec: RunRecord, why: string): string {
  return `refused: you may not ${verdict} run ${rec.id} of runbook ${rec.runbook}: ${why}`;
}

function expiredText(rec: RunRecord): string {
  return `the request expired at ${rec.approval?.expiresAt ?? "its deadline"}`;
}
