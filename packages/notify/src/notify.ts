/**
 * Escalation: from the reports of one or more runs to the alerts they call for (only changes,
 * reminders and recoveries), to one message per target (PagerDuty and GitHub: one event or
 * issue per runbook, or per investigation of it: `alertKey`). Every target is tried; one that is
 * down never stops the others.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import {
  type ParamValue,
  type RunReport,
  reportKind,
  reportUrl,
  runbookPageUrl,
  type Severity,
  windowNotReadFrom,
} from "@run-md/core";
import { type NotifyConfig, severityRank, type TargetConfig, wants } from "./config.ts";
import { crashFindingOf, findingOf, offendersOf } from "./finding.ts";
import { type Alert, alertKey, type CrashedRun, type Delivery, outcomeOf } from "./model.ts";
import { postMessage } from "./retry.ts";
import {
  type AlertState,
  CLAIM_MS,
  CopyNotWritten,
  claimed,
  loadState,
  type RunbookState,
  STATE_FILE,
  saveState,
  transition,
  withEntries,
} from "./state.ts";
import { sendGitHub } from "./targets/github.ts";
import { sendPagerDuty } from "./targets/pagerduty.ts";
import { slackMessage } from "./targets/slack.ts";
import { sendSns } from "./targets/sns.ts";
import { teamsMessage } from "./targets/teams.ts";
import { sendWebhook } from "./targets/webhook.ts";

/**
 * A run's report (and its file, for the link to the run's page), or a run that left none. A run
 * that investigates one incident (a triggered run) carries `investigation`
 * (`investigationDigest`): it is alerted and recovered apart from the runbook's other runs.
 */
export type RunToNotify =
  | {
      report: RunReport;
      reportFile?: string;
      investigation?: string;
      /**
       * The parameters that tell this investigation apart (a trigger's, from its event): the
       * alert's `about` names these alone. Unset: every parameter of the report.
       */
      about?: string[];
    }
  | {
      crashed: CrashedRun;
      /**
       * A run over another window whose runner died (a nightly `--date` catch-up): that
       * investigation's, never the runbook's own alert.
       */
      investigation?: string;
    };

export interface NotifyOptions {
  /** The alert state file (default `<reportsDir>/.notify-state.json`). */
  stateFile?: string;
  reportsDir: string;
  now?: Date;
  /**
   * Where notifiers run at once over one stored state (the Lambda's invocations, one per event):
   * stores the state as planned, each alert claimed (`claimedUntil`), over the version the state
   * file was fetched as, before any message goes out. Resolves with nothing when stored, or with
   * the state another notifier stored meanwhile: the alerts are then planned again from it, and
   * one it claimed is not sent twice (red-team: findings about one key at once, each its own
   * invocation, told the key's failure once each). A claim that throws is said, and the alerts go
   * out unclaimed.
   */
  claim?: (planned: AlertState) => Promise<AlertState | undefined>;
  /**
   * Who claims (`RunbookState.claimedBy`): the same for a retry of one notifier and for no
   * other, such as the Lambda's request id (a failed asynchronous invocation is run again with
   * it within minutes; one event two rules match is two request ids). A claim of the same claimant is its own dead attempt's: it is told, not
   * waited for (red-team: the retry left it to the claim's end, and then to another event).
   */
  claimant?: string;
  /**
   * How long an investigation of an event stays open without a run (`INVESTIGATION_QUIET_MS`
   * for the triggered runs: the Lambda and the container): its next failure is then news, and
   * its entry is removed. Unset (the nightly job's catch-ups and `--since` windows, which are
   * recovered when their window is read again), investigations stay open until they pass.
   */
  investigationQuietMs?: number;
}

export interface NotifyResult {
  alerts: Alert[];
  deliveries: Delivery[];
  /** The alert state could not be read or written (said, never fatal): for the caller to log. */
  problems?: string[];
  /**
   * Those of `problems` after which an alert may be lost or told again: a damaged state read as
   * empty (no good copy), a state not written. For the caller's exit code: a warning alone was
   * the only trace of a recovery that will never be told (red-team).
   */
  stateLost?: string[];
}

/**
 * The run's page on the site (core's addresses, as the site builds them; an investigation's JSON,
 * which has no page), or the runbook's.
 */
export function runPageUrl(
  siteUrl: string | undefined,
  runbookId: string,
  reportFile?: string,
  full = true,
): string | undefined {
  if (!siteUrl) return undefined;
  return reportFile
    ? reportUrl(siteUrl, runbookId, reportFile, full)
    : runbookPageUrl(siteUrl, runbookId);
}

/** What alerting needs of a run, whether it left a report or crashed. */
function subjectOf(
  run: RunToNotify,
  siteUrl: string | undefined,
): Omit<Alert, "kind" | "since"> & {
  startedAt: string;
  offenders?: string[];
  unreadFrom?: string;
} {
  if ("crashed" in run) {
    const { runbook, startedAt } = run.crashed;
    const runUrl = runPageUrl(siteUrl, runbook.id);
    return {
      runbook,
      status: "errored" as const,
      startedAt,
      runId: "none (no report was written)",
      finding: crashFindingOf(run.crashed),
      ...(runUrl ? { runUrl, runUrlIsRunbook: true as const } : {}),
      ...(run.investigation ? { investigation: run.investigation } : {}),
    };
  }
  const { report, reportFile } = run;
  const finding = findingOf(report);
  const runUrl = runPageUrl(siteUrl, report.runbook.id, reportFile, reportKind(report) === "full");
  return {
    runbook: {
      id: report.runbook.id,
      title: report.runbook.title,
      severity: report.runbook.severity as Alert["runbook"]["severity"],
      ...(report.runbook.owner ? { owner: report.runbook.owner } : {}),
      ...(report.runbook.escalation ? { escalation: report.runbook.escalation } : {}),
    },
    status: report.status,
    startedAt: report.startedAt,
    offenders: offendersOf(report),
    ...unreadOf(report),
    runId: report.runId,
    ...(finding ? { finding } : {}),
    ...(report.sampleData ? { sampleData: true as const } : {}),
    ...(runUrl ? { runUrl } : {}),
    ...(run.investigation
      ? { investigation: run.investigation, ...aboutOf(report, run.about) }
      : {}),
  };
}

/** `{ unreadFrom }` when the run's window was not read to the end (days without logs). */
function unreadOf(report: RunReport): { unreadFrom?: string } {
  // A report without its window (another tool's, a hand-made one) says nothing of it.
  if (typeof (report as Partial<RunReport>).window !== "object") return {};
  const from = windowNotReadFrom(report);
  return from === undefined ? {} : { unreadFrom: from };
}

/** Parameters as `[name, value]` pairs sorted by name: one order, whatever the report's. */
function byName(params: Record<string, ParamValue>): [string, ParamValue][] {
  return Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `{ about: "k=v, …" }` of a report's parameters (as masked in it; only those named by `names`
 * when given), or nothing without any.
 */
function aboutOf(report: RunReport, names?: string[]): { about?: string } {
  const params = byName(report.params).filter(([k]) => names === undefined || names.includes(k));
  if (params.length === 0) return {};
  return { about: params.map(([k, v]) => `${k}=${String(v)}`).join(", ") };
}

/**
 * An investigation's digest: the first 16 hex digits of the SHA-256 of the runbook id and the
 * parameters it was given (before any masking: with `accessKeyIds: hide` every key would be one),
 * sorted by name, and the incident (core `incidentOf`) when a trigger mapped no parameter: one
 * finding's failure must not be taken for "still failing" after another's (red-team).
 */
export function investigationDigest(
  runbookId: string,
  params: Record<string, ParamValue>,
  incident?: string,
): string {
  const text = JSON.stringify([runbookId, byName(params), ...(incident ? [incident] : [])]);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** How bad a run's status is, for runs of one runbook id in one batch: the worst is told. */
const RANK: Record<string, number> = { failed: 4, errored: 3, warned: 2, passed: 1 };

type Subject = ReturnType<typeof subjectOf>;

/**
 * One subject per runbook id (or investigation, `alertKey`), the worst of its runs (two files
 * with one id must not cancel out).
 */
function worstPerKey(runs: RunToNotify[], siteUrl: string | undefined): Subject[] {
  const byKey = new Map<string, { subject: Subject; rank: number }>();
  for (const run of runs) {
    const subject = subjectOf(run, siteUrl);
    const rank = RANK[subject.status] ?? 0;
    const key = alertKey(subject);
    const seen = byKey.get(key);
    if (!seen || rank > seen.rank) byKey.set(key, { subject, rank });
  }
  return [...byKey.values()].map((v) => v.subject);
}

interface Plan {
  file: string;
  state: AlertState;
  /** The runbooks (or investigations) these runs are about: their entries are written back. */
  keys: string[];
  /** Those of `keys` that are investigations (`subject.investigation`). */
  investigations: Set<string>;
  alerts: Alert[];
  problems: string[];
  /** Those of `problems` that lost the state (`NotifyResult.stateLost`). */
  lost: string[];
  /** Each entry's digests as loaded (`RunbookState.digests`): a recovery's digest to resolve. */
  digestsBefore: Map<string, Record<string, string>>;
  /**
   * Each failing entry as loaded, for whom its failure had reached (`toldBefore`): a failure a
   * target was told apart is not made part of a new digest (its own incident would stay open).
   */
  failingBefore: Map<string, Pick<RunbookState, "since" | "reached" | "untold">>;
}

async function plan(
  runs: RunToNotify[],
  config: NotifyConfig,
  options: NotifyOptions,
): Promise<Plan> {
  const now = options.now ?? new Date();
  const file = options.stateFile ?? path.join(options.reportsDir, STATE_FILE);
  const loaded = await loadedState(file);
  const { state } = loaded;
  const keys: string[] = [];
  const investigations = new Set<string>();
  const alerts: Alert[] = [];
  for (const { startedAt, offenders, unreadFrom, ...told } of worstPerKey(runs, config.siteUrl)) {
    const key = alertKey(told);
    keys.push(key);
    if (told.investigation) investigations.add(key);
    const before = state.runbooks[key];
    const { kind, next, newOffender } = transition(
      before,
      {
        status: told.status,
        startedAt,
        ...(offenders ? { offenders } : {}),
        ...(unreadFrom ? { unreadFrom } : {}),
      },
      now,
      config.reminderMs,
      told.investigation ? options.investigationQuietMs : undefined,
    );
    if (!next) continue;
    state.runbooks[key] = next;
    const subject = stillOpen(before, next, told) ?? withNewOffender(told, newOffender);
    const since = next.since;
    const { reach, raisedFor } = severityReach(before, next, subject, config);
    const unreached = unreachedBy(before, next, subject, config, now, options.claimant);
    if (kind) alerts.push({ kind, ...subject, since, ...reach });
    else if (
      (before?.untold?.length && !claimed(before, now, options.claimant)) ||
      raisedFor.length > 0 ||
      unreached.length > 0
    ) {
      // Nothing new, but some targets missed the last alert: they get the news now, and so does
      // a target that was not told it under its present identity (renamed, re-addressed), that
      // takes the runbook's severity only since it was raised, or that was added, lowered its
      // minSeverity or widened its on: since the failure began.
      const news = next.failing ? "failing" : "recovered";
      const missed = before?.untold?.length ? untoldNow(before, config) : [];
      const only = [...new Set([...missed, ...raisedFor, ...unreached])];
      alerts.push({ kind: news, ...subject, since, ...reach, only });
    }
  }
  const others = { state, keys, investigations, alerts };
  fromState(others, now, options.claimant, (entry) => missedBefore(entry, config));
  fromState(others, now, options.claimant, (entry) => unreachedBefore(entry, config));
  if (options.investigationQuietMs !== undefined)
    closeQuiet({ state, keys }, now, options.investigationQuietMs);
  return { file, keys, investigations, alerts, ...loaded };
}

/**
 * The state file as loaded, its problems (those that lost it apart), and each entry's digests
 * and failure as they were before this night changes them (`Plan`).
 */
async function loadedState(
  file: string,
): Promise<Pick<Plan, "state" | "problems" | "lost" | "digestsBefore" | "failingBefore">> {
  const problems: string[] = [];
  const lost: string[] = [];
  const state = await loadState(file, (p, isLost) => {
    problems.push(p);
    if (isLost) lost.push(p);
  });
  const digestsBefore = new Map<string, Record<string, string>>();
  const failingBefore = new Map<string, Pick<RunbookState, "since" | "reached" | "untold">>();
  for (const [key, entry] of Object.entries(state.runbooks)) {
    if (entry.digests) digestsBefore.set(key, { ...entry.digests });
    if (entry.failing) {
      failingBefore.set(key, {
        since: entry.since,
        ...(entry.reached ? { reached: [...entry.reached] } : {}),
        ...(entry.untold ? { untold: [...entry.untold] } : {}),
      });
    }
  }
  return { state, problems, lost, digestsBefore, failingBefore };
}

/**
 * For a run that did not fail while its runbook's failure stays open (a pass over a window not
 * read to the end, a cancelled run): the failure's last alert (`RunbookState.alert`, else the
 * missed one), with the runbook as it is now, for whoever is told the failure now (it missed it,
 * or newly wants it). The run itself found nothing to tell: told from it, a pager heard "failed"
 * with no finding and the link of a run that passed, and the state kept that as the failure's
 * alert (review).
 */
function stillOpen(
  before: RunbookState | undefined,
  next: RunbookState,
  run: Omit<Alert, "kind" | "since">,
): Omit<Alert, "kind" | "since"> | undefined {
  if (!next.failing || run.status === "failed" || run.status === "errored") return undefined;
  const last =
    before?.alert ?? (before?.pending?.kind !== "recovered" ? before?.pending : undefined);
  if (!last) return undefined;
  const { kind: _, since: __, only: ___, reach: ____, ...failure } = last;
  return { ...failure, runbook: run.runbook };
}

/** The alert's subject naming the offender that made it news, when one did. */
function withNewOffender(
  subject: Omit<Alert, "kind" | "since">,
  newOffender: string | undefined,
): Omit<Alert, "kind" | "since"> {
  if (newOffender === undefined || subject.finding === undefined) return subject;
  return { ...subject, finding: { ...subject.finding, newOffender } };
}

/**
 * The severity a failing runbook's alerts reach (`RunbookState.severity`): the highest its failure
 * was told at, kept in `next` while it fails, and given to its alert (`reach`) when higher than
 * the run's. `raisedFor`: the targets that take the run's severity and not the one its failure
 * was told at (a runbook raised while it failed: they never heard of it; review).
 */
function severityReach(
  before: RunbookState | undefined,
  next: RunbookState,
  subject: Omit<Alert, "kind" | "since">,
  config: NotifyConfig,
): { reach: { reach?: Severity }; raisedFor: string[] } {
  const current = subject.runbook.severity;
  // The failure carried on (not a new one: an investigation over, or a runbook that passed).
  const told = before?.failing && next.since === before.since ? before.severity : undefined;
  const higher = told !== undefined && severityRank(told) > severityRank(current);
  if (next.failing) next.severity = higher ? told : current;
  else delete next.severity;
  // A recovery reaches whom the failure reached, whatever the severity now.
  const reachedBy = next.failing ? told : before?.failing ? before.severity : undefined;
  const reach =
    reachedBy !== undefined && severityRank(reachedBy) > severityRank(current)
      ? { reach: reachedBy }
      : {};
  if (!next.failing || told === undefined || severityRank(current) <= severityRank(told))
    return { reach, raisedFor: [] };
  const outcome = outcomeOf({ kind: "failing", status: subject.status });
  const raisedFor = config.targets
    .filter((t) => wants(t, current, outcome) && !wants(t, told, outcome))
    .map(idOf);
  return { reach, raisedFor };
}

/**
 * The targets that want a failure carried on from `before` and were never told it
 * (`RunbookState.reached`): a pager added while it fails, or whose `minSeverity` or `on:` now
 * takes it (red-team: it never heard of a failure that began before). Sets `next.reached`: empty
 * for a new failure (`settle` adds whom it reaches), and, in a state written before the field,
 * the targets that want it now (they were told then, or are untold and told that way).
 */
function unreachedBy(
  before: RunbookState | undefined,
  next: RunbookState,
  subject: Omit<Alert, "kind" | "since">,
  config: NotifyConfig,
  now: Date,
  claimant: string | undefined,
): string[] {
  if (!next.failing) {
    delete next.reached;
    return [];
  }
  if (!before?.failing || next.since !== before.since) {
    next.reached = [];
    return [];
  }
  const outcome = outcomeOf({ kind: "failing", status: subject.status });
  const severity = next.severity ?? subject.runbook.severity;
  const wanting = config.targets.filter((t) => wants(t, severity, outcome)).map(idOf);
  if (before.reached === undefined) {
    next.reached = wanting;
    return [];
  }
  const reached = before.reached;
  next.reached = [...reached];
  // A run that did not fail (cancelled) tells nothing; a claimed entry is another notifier's.
  if (subject.status !== "failed" && subject.status !== "errored") return [];
  if (claimed(before, now, claimant)) return [];
  return wanting.filter((id) => !reached.includes(id));
}

/**
 * Removes the investigations over (no run for `quietMs`, every target told): their
 * next failure is told as new all the same, and the state kept every failing key's entry for
 * good (it grew with each key ever investigated).
 */
function closeQuiet(p: Pick<Plan, "state" | "keys">, now: Date, quietMs: number): void {
  for (const [key, entry] of Object.entries(p.state.runbooks)) {
    if (!key.includes("#") || p.keys.includes(key) || entry.untold?.length) continue;
    if (claimed(entry, now)) continue;
    const last = Date.parse(entry.lastRunAt ?? entry.notifiedAt ?? entry.since);
    if (now.getTime() - last < quietMs) continue;
    delete p.state.runbooks[key];
    p.keys.push(key);
  }
}

/**
 * The alerts `alertOf` finds in the entries of runbooks (or investigations) these runs are not
 * about and no other notifier claimed, added to the plan: their next run is too late, or never.
 */
function fromState(
  p: Pick<Plan, "state" | "keys" | "investigations" | "alerts">,
  now: Date,
  claimant: string | undefined,
  alertOf: (entry: RunbookState) => Alert | undefined,
): void {
  for (const [key, entry] of Object.entries(p.state.runbooks)) {
    if (p.keys.includes(key) || claimed(entry, now, claimant)) continue;
    const alert = alertOf(entry);
    if (alert === undefined) continue;
    p.keys.push(key);
    if (alert.investigation) p.investigations.add(key);
    p.alerts.push(alert);
  }
}

/**
 * The alert some target missed, told now to the targets not told it, as it was
 * (`RunbookState.pending`), and settled with the others. A weekly runbook, a cron one, an
 * investigation whose event does not come again: their next run is too late, or never (red-team).
 */
function missedBefore(entry: RunbookState, config: NotifyConfig): Alert | undefined {
  if (!entry.pending || !entry.untold?.length) return undefined;
  return { ...entry.pending, only: untoldNow(entry, config) };
}

/**
 * A failure a target wants and was never told (`RunbookState.reached`: added, its `minSeverity`
 * or `on:` changed since): told now from the entry's `alert`, not at the runbook's next run (a
 * weekly one's is days away).
 */
function unreachedBefore(entry: RunbookState, config: NotifyConfig): Alert | undefined {
  if (!entry.failing || !entry.alert || !entry.reached || entry.untold?.length) return undefined;
  const reached = entry.reached;
  const told = entry.severity ?? entry.alert.runbook.severity;
  const outcome = outcomeOf({ kind: "failing", status: entry.alert.status });
  const only = config.targets
    .filter((t) => wants(t, told, outcome))
    .map(idOf)
    .filter((id) => !reached.includes(id));
  if (only.length === 0) return undefined;
  const reach =
    severityRank(told) > severityRank(entry.alert.runbook.severity) ? { reach: told } : {};
  return { ...entry.alert, kind: "failing", ...reach, only };
}

/**
 * Each runbook's state once the alerts went out: the targets that wanted an alert and did not
 * get it are remembered (`untold`); an investigation that does not fail, with every target told,
 * needs no entry (none means "not failing"): the state keeps the incidents still open.
 */
function settle(p: Plan, config: NotifyConfig, deliveries: Delivery[]): void {
  // Each failed target: the alerts it missed (null: all it was sent).
  const failed = new Map<string, Set<string> | null>();
  for (const d of deliveries.filter((d) => !d.ok)) {
    failed.set(d.targetId ?? d.target, d.failedAlerts ? new Set(d.failedAlerts) : null);
  }
  const missedBy = (id: string, key: string) =>
    failed.has(id) && (failed.get(id) === null || (failed.get(id) as Set<string>).has(key));
  for (const a of p.alerts) {
    const entry = p.state.runbooks[alertKey(a)];
    if (!entry) continue;
    const wanting = config.targets.filter((t) => receives(t, a)).map(idOf);
    const missed = wanting.filter((id) => missedBy(id, alertKey(a)));
    if (entry.failing && a.kind !== "recovered") {
      // Whom this failure reached: a target told of it is not told again when it changes.
      const delivered = wanting.filter((id) => !missed.includes(id));
      entry.reached = [...new Set([...(entry.reached ?? []), ...delivered])];
      const { only: _, reach: __, ...alert } = a;
      entry.alert = alert;
    } else delete entry.alert;
    delete entry.untold;
    delete entry.told;
    delete entry.pending;
    delete entry.claimedUntil;
    delete entry.claimedBy;
    if (missed.length > 0) {
      entry.untold = missed;
      const { only: _, ...sent } = a;
      entry.pending = sent;
      // Every other configured target: it had the news, or did not want this alert (a pager
      // without reminders was told of the failure already: review, it was paged again).
      entry.told = config.targets.map(idOf).filter((id) => !missed.includes(id));
    }
  }
  // The digests told: a failing runbook's later alerts to that target go to its digest; a
  // recovery whose digest's resolve was missed keeps it, so the next notify resolves it.
  for (const d of deliveries) {
    const tid = d.targetId ?? d.target;
    for (const [digest, members] of Object.entries(d.digests ?? {})) {
      for (const key of members) {
        const entry = p.state.runbooks[key];
        if (!entry) continue;
        if (entry.failing !== missedBy(tid, key))
          entry.digests = { ...entry.digests, [tid]: digest };
      }
    }
  }
  for (const key of p.investigations) {
    const entry = p.state.runbooks[key];
    if (entry && !entry.failing && !entry.untold) delete p.state.runbooks[key];
  }
}

/**
 * The targets a runbook's missed alert goes to now: each configured target not told it (by
 * `told`), or, in a state written before `told`, the untold ones.
 */
function untoldNow(before: RunbookState, config: NotifyConfig): string[] {
  const ids = config.targets.map(idOf);
  if (!before.told) {
    // A state written before `told`: whom the untold became, when one is gone, is unknown; every
    // target hears the news once rather than none (review: it was dropped without a word).
    const untold = before.untold ?? [];
    return untold.every((id) => ids.includes(id)) ? [...untold] : ids;
  }
  const told = new Set(before.told);
  return ids.filter((id) => !told.has(id));
}

/** A target's identity in the alert state (`TargetBase.id`). */
function idOf(target: TargetConfig): string {
  return target.id ?? target.name;
}

/** Whether a target gets an alert: it wants its outcome, and the alert is for it. */
function receives(target: TargetConfig, alert: Alert): boolean {
  if (alert.only && !alert.only.includes(idOf(target))) return false;
  const severity =
    alert.reach !== undefined && severityRank(alert.reach) > severityRank(alert.runbook.severity)
      ? alert.reach
      : alert.runbook.severity;
  return wants(target, severity, outcomeOf(alert));
}

/**
 * Writes the runbooks' new states. The file is read again first and only these runbooks'
 * entries replaced, so a run that notified meanwhile (another invocation, another job) keeps
 * its own. A state that cannot be written is a problem, never a lost alert.
 */
async function save(p: Plan): Promise<void> {
  try {
    await saveState(p.file, withEntries(await loadState(p.file), p.state, p.keys));
  } catch (e) {
    const problem = `the alert state ${p.file} could not be written: ${(e as Error).message}`;
    p.problems.push(problem);
    // Only its copy not written: the state itself was, nothing is lost.
    if (!(e instanceof CopyNotWritten)) p.lost.push(problem);
  }
}

/** The alerts the runs call for, updating the state file (alert on change). */
export async function alertsFor(
  runs: RunToNotify[],
  config: NotifyConfig,
  options: NotifyOptions,
): Promise<Alert[]> {
  const p = await plan(runs, config, options);
  settle(p, config, []);
  await save(p);
  return p.alerts;
}

/** Sends the alerts to every target that wants some of them, all targets at once. */
export async function deliver(
  alerts: Alert[],
  config: NotifyConfig,
  now = new Date(),
  group?: (target: TargetConfig, mine: Alert[]) => Grouped,
): Promise<Delivery[]> {
  const jobs = config.targets.flatMap((target) => {
    const mine = alerts.filter((a) => receives(target, a));
    if (mine.length === 0) return [];
    const { alerts: out, digests } = group ? group(target, mine) : { alerts: mine };
    if (out.length === 0) return [];
    return [
      send(target, out, config, now).then((d) => {
        const failedAlerts = d.failedAlerts?.flatMap((k) => digests?.[k] ?? [k]);
        return {
          ...d,
          alerts: mine.length,
          targetId: idOf(target),
          ...(failedAlerts ? { failedAlerts } : {}),
          ...(digests && Object.keys(digests).length > 0 ? { digests } : {}),
        };
      }),
    ];
  });
  return Promise.all(jobs);
}

/** A target's alerts as sent, and the digests among them (key: the alerts, `alertKey`, in it). */
interface Grouped {
  alerts: Alert[];
  digests?: Record<string, string[]>;
}

/** The targets that send each alert apart: one incident or issue each. */
const ONE_BY_ONE: ReadonlySet<TargetConfig["type"]> = new Set(["pagerduty", "github"]);

/**
 * A target's alerts with the storms made digests (`notify.digest`), for a target that sends each
 * alert apart: the alerts of runbooks told in a digest go to it (a reminder is one event on the
 * digest, not one page each); more new failures than `config.digest` are one new digest naming
 * them all; a digest's runbook that recovers resolves it when it is the last of them still
 * failing. Other targets send one message for all alerts already.
 */
function grouping(p: Plan, config: NotifyConfig, now: Date) {
  return (target: TargetConfig, mine: Alert[]): Grouped => {
    if (!ONE_BY_ONE.has(target.type)) return { alerts: mine };
    const tid = idOf(target);
    const told = new Map<string, Alert[]>();
    const recovered = new Map<string, Alert[]>();
    const fresh: Alert[] = [];
    const out: Alert[] = [];
    const add = (m: Map<string, Alert[]>, k: string, a: Alert) =>
      m.set(k, [...(m.get(k) ?? []), a]);
    for (const a of mine) {
      const key = alertKey(a);
      const current = p.state.runbooks[key]?.digests?.[tid];
      const before = p.digestsBefore.get(key)?.[tid];
      if (a.kind !== "recovered" && current !== undefined) add(told, current, a);
      else if (a.kind === "recovered" && before !== undefined) add(recovered, before, a);
      else if (a.kind === "failing" && !toldBefore(p, key, tid)) fresh.push(a);
      else out.push(a);
    }
    if (config.digest !== undefined && fresh.length > config.digest) {
      told.set(`digest-${now.toISOString()}`, fresh);
    } else out.push(...fresh);
    const digests: Record<string, string[]> = {};
    for (const [key, members] of told) {
      out.push(digestAlert(key, members));
      digests[key] = members.map(alertKey);
    }
    for (const [key, members] of recovered) {
      const open = Object.values(p.state.runbooks).some(
        (e) => e.failing && e.digests?.[tid] === key,
      );
      // Its other runbooks still fail: the digest stays open, and this recovery is in it.
      if (open) continue;
      out.push(digestAlert(key, members));
      digests[key] = members.map(alertKey);
    }
    return { alerts: out, digests };
  };
}

/**
 * Whether target `tid` was told the failure of `key` that goes on now (before this notify, apart:
 * not in a digest): it has its own incident or issue, which its news (a new offender, failing
 * another way) goes to and its recovery resolves. Made part of a new digest, its own incident
 * stayed open for good (review: six runbooks paged apart that all errored at once). In a state
 * written before `reached`, a target not among its `untold` was told.
 */
function toldBefore(p: Plan, key: string, tid: string): boolean {
  const before = p.failingBefore.get(key);
  const now = p.state.runbooks[key];
  if (!before || !now?.failing || now.since !== before.since) return false;
  return before.reached ? before.reached.includes(tid) : !(before.untold ?? []).includes(tid);
}

/** One alert standing for `members` (all of one kind: failing or reminder, or recovered). */
function digestAlert(key: string, members: Alert[]): Alert {
  const severity = members
    .map((m) => m.runbook.severity)
    .reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a));
  const kind = members.some((m) => m.kind === "failing")
    ? "failing"
    : members.some((m) => m.kind === "reminder")
      ? "reminder"
      : "recovered";
  const n = members.length;
  return {
    kind,
    runbook: {
      id: key,
      title: `${n} runbook${n === 1 ? "" : "s"} at once (run-md digest)`,
      severity,
    },
    status:
      kind === "recovered"
        ? "passed"
        : members.some((m) => m.status === "failed")
          ? "failed"
          : "errored",
    // The earliest (ISO times sort as text).
    since: members.map((m) => m.since).sort()[0] ?? "",
    runId: "digest",
    digest: members,
    // Its headline leads every target's message (a page's summary names only the titles): a
    // member over the bundled sample data is said there too, as its own alert would say it.
    ...(members.some((m) => m.sampleData) ? { sampleData: true as const } : {}),
  };
}

async function send(
  target: TargetConfig,
  alerts: Alert[],
  config: NotifyConfig,
  now: Date,
): Promise<Delivery> {
  const policy = config.retry;
  try {
    switch (target.type) {
      case "slack":
        return await postMessage(target, slackMessage(alerts), alerts, policy);
      case "teams":
        return await postMessage(target, teamsMessage(alerts), alerts, policy);
      case "pagerduty":
        return await sendPagerDuty(target, alerts, policy, now);
      case "sns":
        return await sendSns(target, alerts, policy);
      case "github":
        return await sendGitHub(target, alerts, policy);
      case "webhook":
        return await sendWebhook(target, alerts, policy);
      case "unusable":
        throw new Error(`the target is not usable: ${target.reason}`);
    }
  } catch (e) {
    return {
      target: target.name,
      ok: false,
      attempts: 0,
      alerts: alerts.length,
      error: (e as Error).message,
    };
  }
}

/** Alerts for the runs, delivered; the caller reports failed deliveries. */
export async function notify(
  runs: RunToNotify[],
  config: NotifyConfig,
  options: NotifyOptions,
): Promise<NotifyResult> {
  const p = await claimedPlan(runs, config, options);
  const now = options.now ?? new Date();
  const deliveries =
    p.alerts.length === 0 ? [] : await deliver(p.alerts, config, now, grouping(p, config, now));
  // The state is written after the messages went out: a target that wanted an alert and did not
  // get it (down, refused, a crash before sending) is remembered, and told at the next run; the
  // targets that got it are not told again (review: one broken target re-paged the others every
  // night, and lost their recovery).
  settle(p, config, deliveries);
  await save(p);
  return {
    alerts: p.alerts,
    deliveries,
    ...(p.problems.length > 0 ? { problems: p.problems } : {}),
    ...(p.lost.length > 0 ? { stateLost: p.lost } : {}),
  };
}

/** Attempts at claiming the alerts over other notifiers' states. */
const CLAIM_ATTEMPTS = 8;

/**
 * The plan, its alerts claimed in the stored state first when `options.claim` is given (planned
 * again from another notifier's state, written to the state file, when that one stored first).
 */
async function claimedPlan(
  runs: RunToNotify[],
  config: NotifyConfig,
  options: NotifyOptions,
): Promise<Plan> {
  let p = await plan(runs, config, options);
  if (!options.claim) return p;
  const now = options.now ?? new Date();
  for (let attempt = 1; p.alerts.length > 0; attempt++) {
    // The state as if every target still had to be told (as it is until the messages are out).
    const mine: Plan = structuredClone(p);
    const everyone = config.targets.map((t) => ({
      target: t.name,
      targetId: idOf(t),
      ok: false,
      attempts: 0,
      alerts: 0,
    }));
    settle(mine, config, everyone);
    for (const a of mine.alerts) {
      const entry = mine.state.runbooks[alertKey(a)];
      if (!entry?.untold) continue;
      entry.claimedUntil = new Date(now.getTime() + CLAIM_MS).toISOString();
      if (options.claimant !== undefined) entry.claimedBy = options.claimant;
    }
    let newer: AlertState | undefined;
    try {
      newer = await options.claim(mine.state);
    } catch (e) {
      p.problems.push(`the alerts could not be claimed (${(e as Error).message}): sent unclaimed`);
      return p;
    }
    if (newer === undefined) {
      await saveState(p.file, mine.state).catch(() => {});
      return p;
    }
    if (attempt === CLAIM_ATTEMPTS) {
      p.problems.push(
        `the alerts could not be claimed over other notifiers' states (${attempt} attempts): sent unclaimed`,
      );
      return p;
    }
    // Its copy that cannot be written is said, never a stop: the state itself was written, and
    // the plan is made from it (it stopped every alert). A state not written still throws: planned
    // from the older one, another notifier's claimed alerts would go out twice.
    const stored = await saveState(p.file, newer).then(
      () => undefined,
      (e: Error) => {
        if (!(e instanceof CopyNotWritten)) throw e;
        return `the alert state ${p.file} could not be written: ${e.message}`;
      },
    );
    const problems = stored ? [...p.problems, stored] : p.problems;
    const lost = p.lost;
    p = await plan(runs, config, options);
    p.problems.unshift(...problems);
    p.lost.unshift(...lost);
  }
  return p;
}

/**
 * `notification to pagerduty failed after 3 attempts: HTTP 503 ...` lines for failures, and
 * `notification to slack not sent: ...` for one never attempted (a target that is not usable):
 * "failed after 0 attempts" read as if it had been tried.
 */
export function deliveryProblems(deliveries: Delivery[]): string[] {
  return deliveries
    .filter((d) => !d.ok)
    .map((d) =>
      d.attempts === 0
        ? `notification to ${d.target} not sent: ${d.error}`
        : `notification to ${d.target} failed after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}: ${d.error}`,
    );
}
