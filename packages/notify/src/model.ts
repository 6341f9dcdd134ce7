/** What a notification is about, and what each target is told. */
import type { MaskOptions, RunStatus, Severity } from "@run-md/core";
import type { Attempted } from "./retry.ts";

/**
 * `failing`: a runbook that passed (or never ran) now fails or errors; `reminder`: it still
 * fails and the reminder cadence has elapsed; `recovered`: it passes again.
 */
export type AlertKind = "failing" | "reminder" | "recovered";

/** What the run found, for people: the first failed check and its first offending value. */
export interface Finding {
  step?: string;
  check?: string;
  label?: string;
  /** `rows = 4, expected == 0`. */
  message: string;
  /** `actor = arn:aws:iam::111122223333:user/mallory`: the first offending actor or resource. */
  offender?: string;
  /**
   * The first offender the runbook's failure had not shown before, when that made this alert
   * (it was failing already: another actor, another address).
   */
  newOffender?: string;
  /** How many checks failed in all. */
  failedChecks: number;
  /** The run's error, when it errored. */
  error?: string;
}

export interface Alert {
  kind: AlertKind;
  runbook: { id: string; title: string; severity: Severity; owner?: string; escalation?: string };
  status: RunStatus;
  /** When the runbook started failing (ISO). */
  since: string;
  runId: string;
  /** The run's page on the site, when the site's URL is known. */
  runUrl?: string;
  /** Set when `runUrl` is the runbook's page: the run wrote no report, so it has no page. */
  runUrlIsRunbook?: true;
  finding?: Finding;
  /**
   * The run read the bundled sample data (`local.logDir: sample`; core `RunReport.sampleData`):
   * its headline says so, so planted incidents never page anyone as the account's findings. A
   * digest has it when one of its runbooks' runs did.
   */
  sampleData?: true;
  /**
   * For a triggered run, the digest of its runbook id and the event's parameters
   * (`investigationDigest`, given by the trigger handler): each investigation fails and recovers
   * on its own (`alertKey`), so a passing one for another access key never resolves the incident
   * of a failing one.
   */
  investigation?: string;
  /** An investigation's parameters as its report shows them (masked): `access_key_id=AKIA…`. */
  about?: string;
  /**
   * The targets this alert goes to, when not every one: those that missed the last alert about
   * its runbook (`RunbookState.untold`), told the news now while the others hear nothing new.
   */
  only?: string[];
  /**
   * The highest severity the runbook's failure was told at, when higher than its severity now
   * (`RunbookState.severity`): its reminders and recovery reach the targets that severity
   * reached (a pager paged for a `high` failure hears that it recovered after the runbook was
   * lowered to `medium`: review, its incident stayed open).
   */
  reach?: Severity;
  /**
   * A digest (`runbook.id` `digest-<time>`): the alerts it stands for, sent as one to a target
   * that sends each alert apart (PagerDuty, GitHub) when too many fail at once (`notify.digest`).
   */
  digest?: Alert[];
}

/** What the alert state and PagerDuty's dedup key follow: the runbook, or one investigation of it. */
export function alertKey(alert: Pick<Alert, "runbook" | "investigation">): string {
  return alert.investigation ? `${alert.runbook.id}#${alert.investigation}` : alert.runbook.id;
}

/**
 * A run that left no report (the runner refused the runbook, or died): it counts as errored.
 * Its stderr is raw here; `crashFindingOf` masks it before any target sees it.
 */
export interface CrashedRun {
  runbook: Alert["runbook"];
  startedAt: string;
  stderr: string;
  exitCode: number | null;
  /** The configuration's masking (`accessKeyIds: hide`), which the runner may not have applied. */
  mask?: MaskOptions;
}

/** The outcome filters a target may name. */
export const OUTCOMES = ["failed", "errored", "recovered", "reminder"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome an alert stands for, for the targets' `on:` filters. */
export function outcomeOf(alert: Pick<Alert, "kind" | "status">): Outcome {
  if (alert.kind === "recovered") return "recovered";
  if (alert.kind === "reminder") return "reminder";
  return alert.status === "errored" ? "errored" : "failed";
}

/** How a delivery went: one per target and call. */
export interface Delivery {
  target: string;
  /** The target's `id` (its name when it has none): who missed an alert, in the state. */
  targetId?: string;
  ok: boolean;
  /** HTTP requests (or SDK calls) made, retries included. */
  attempts: number;
  alerts: number;
  error?: string;
  /**
   * For a target that sends each alert apart (PagerDuty, GitHub): the alerts (`alertKey`) that
   * failed; the others were told (review: one failed issue had every alert sent again). Unset:
   * a failed delivery missed them all.
   */
  failedAlerts?: string[];
  /** The digests sent to this target: each digest's key and the alerts (`alertKey`) in it. */
  digests?: Record<string, string[]>;
}

/**
 * A target's delivery of `alerts`, from how its sending went (`errors`: one per failed send;
 * `failed`: the alerts of those sends, when each alert is sent apart).
 */
export function deliveryOf(
  target: { name: string },
  alerts: readonly Alert[],
  sent: { attempts: number; errors: readonly string[]; failed?: readonly Alert[] },
): Delivery {
  return {
    target: target.name,
    ok: sent.errors.length === 0,
    attempts: sent.attempts,
    alerts: alerts.length,
    ...(sent.errors.length > 0 ? { error: sent.errors.join("; ") } : {}),
    ...(sent.failed && sent.errors.length > 0 ? { failedAlerts: sent.failed.map(alertKey) } : {}),
  };
}

/** A target's delivery of `alerts` in one retried send (`withRetry`'s outcome). */
export function sentOnce(
  target: { name: string },
  alerts: readonly Alert[],
  r: Attempted<unknown>,
): Delivery {
  return deliveryOf(target, alerts, {
    attempts: r.attempts,
    errors: r.ok ? [] : [r.error ?? "failed"],
  });
}
