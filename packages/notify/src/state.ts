/**
 * Alerting on change: a small JSON file next to the reports remembers, per runbook, whether it
 * was failing, since when, and when people were last told. A runbook that keeps failing does
 * not page again until the reminder cadence has elapsed, or until it finds an offender its
 * failure had not shown; its recovery is announced once.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type RunReport, type Severity, writeFileAtomic } from "@run-md/core";
import type { Alert, AlertKind } from "./model.ts";

export const STATE_FILE = ".notify-state.json";

export interface RunbookState {
  failing: boolean;
  /** When it started failing (or passing), ISO. */
  since: string;
  /** When people were last told about it, ISO. */
  notifiedAt?: string;
  lastStatus: string;
  /**
   * The targets that wanted the last alert about it and did not get it (down, refused): they
   * are told at the next run, whatever it finds, while the others are not told again.
   */
  untold?: string[];
  /**
   * With `untold`: the other targets configured then (they had that alert, or did not want it).
   * At the next run the news goes to every target that wants it and is not among them: one that
   * missed it, and one whose identity changed since (a Slack webhook whose literal URL was fixed
   * is a new target id, and its old self is among the untold). Absent in states written before:
   * `untold` alone is told.
   */
  told?: string[];
  /**
   * With `untold`: the alert they missed, as it was sent. Any later notify over this state tells
   * it to them, whether this runbook runs then or not: a weekly runbook's next run is a week
   * away, and a triggered investigation may never run again (red-team: Slack down the night a
   * weekly runbook failed, and nobody heard of it for a week). Absent in states written before.
   */
  pending?: Alert;
  /**
   * With `untold`: a notifier claimed this alert (stored the state before sending it, `claim`)
   * and is sending it until then (ISO): other notifiers at once do not send it too. A claim that
   * ran out is a notifier that died before its targets were told: the next notify tells them.
   */
  claimedUntil?: string;
  /**
   * When its last run started (ISO), failing ones too: an investigation without a run for
   * INVESTIGATION_QUIET_MS is over, and its next failure is news. Absent in states written
   * before (`notifiedAt`, else `since`, stands for it).
   */
  lastRunAt?: string;
  /**
   * With `claimedUntil`: who claimed it (`NotifyOptions.claimant`, the Lambda's event id). A
   * notifier of that claimant takes the claim for its own dead attempt's, not another's.
   */
  claimedBy?: string;
  /**
   * While it fails: the highest severity its failure was told at. A runbook raised while it
   * fails (`medium` to `high`) is news to a target that takes only the higher one, and one
   * lowered still reaches, with its reminders and recovery, the targets its failure reached.
   * Absent in states written before (the severity of the run stands for it).
   */
  severity?: Severity;
  /**
   * While it fails: the targets (`TargetBase.id`) this failure was told to. A target that wants
   * it and is not among them (added, its `minSeverity` lowered or its `on:` widened since the
   * failure began) has never heard of it: it is told once at the runbook's next run. Absent in
   * states written before: the targets that want it then count as told.
   */
  reached?: string[];
  /**
   * While it fails: its failure's last alert as sent, so a target that comes to want it (`reached`)
   * is told on the next notify, whether this runbook runs then or not (a weekly runbook's next
   * run is days away). Absent in states written before: told at its next run.
   */
  alert?: Alert;
  /**
   * While it fails: the digest (its key, `digest-<time>`) each target (`TargetBase.id`) was told
   * this failure in (`notify.digest`): its reminders go to that digest, which is resolved when the
   * last of its runbooks recovers.
   */
  digests?: Record<string, string>;
  /**
   * While it fails: the offenders (`offendersOf`, as digests) its runs have shown since it began
   * failing, the newest OFFENDERS_KEPT. One not among them is news: a root sign-in from another
   * address the next night, a second actor's DeleteTrail within an investigation's day, was
   * "still failing" and told to nobody. Absent in states written before: nothing is news then.
   */
  offenders?: string[];
}

/** How many offenders a failing entry remembers (16 hex digits each). */
export const OFFENDERS_KEPT = 500;

const offenderDigest = (o: string) => createHash("sha256").update(o).digest("hex").slice(0, 16);

/**
 * The run's offenders not among those `known` (none when nothing is known: an entry written
 * before, or no offenders given), and the digests known after the run, the newest last.
 */
function offenderNews(
  known: string[] | undefined,
  offenders: string[] | undefined,
): { fresh: string[]; offenders?: string[] } {
  if (offenders === undefined) return { fresh: [], ...(known ? { offenders: known } : {}) };
  // A run's first OFFENDERS_KEPT only: past them, the ones left out of the state were news again
  // at every run of the same findings (review).
  const mine = offenders.slice(0, OFFENDERS_KEPT);
  const seen = new Set(known ?? []);
  const fresh = known === undefined ? [] : mine.filter((o) => !seen.has(offenderDigest(o)));
  for (const d of mine.map(offenderDigest)) {
    seen.delete(d);
    seen.add(d);
  }
  return { fresh, offenders: [...seen].slice(-OFFENDERS_KEPT) };
}

/**
 * How long an investigation (a triggered run's entry) stays open without an event: a finding
 * updated every few hours is one incident, told once; a failure after a day without any is a
 * new one, told (it stayed "still failing" for months: a key's new finding in June was silent
 * because its investigation failed in March; red-team).
 */
export const INVESTIGATION_QUIET_MS = 24 * 3_600_000;

/** How long a claim stands: longer than any notifier takes to send (a Lambda lives 15 minutes). */
export const CLAIM_MS = 15 * 60_000;

/**
 * Whether another notifier is sending this entry's alert now (`claimedUntil` not run out, and
 * claimed by someone other than `claimant`: a claim of the same claimant is an attempt of its
 * own that died, and a retry must tell what it claimed).
 */
export function claimed(entry: RunbookState | undefined, now: Date, claimant?: string): boolean {
  if (entry?.claimedUntil === undefined) return false;
  if (claimant !== undefined && entry.claimedBy === claimant) return false;
  return Date.parse(entry.claimedUntil) > now.getTime();
}

export interface AlertState {
  version: 1;
  runbooks: Record<string, RunbookState>;
}

/** A state with no runbook in it. */
export function emptyState(): AlertState {
  return { version: 1, runbooks: {} };
}

/**
 * The last good copy of the state `file` (`.notify-state.json.backup`): the same text, written
 * just after it, so a state damaged since (truncated by a full disk or a sync, a hand edit, a
 * merge's conflict markers) is read from there instead of as empty.
 */
export function backupOf(file: string): string {
  return `${file}.backup`;
}

/** Where a damaged state is kept for whoever looks into it (`.notify-state.json.damaged`). */
export function damagedOf(file: string): string {
  return `${file}.damaged`;
}

/** The state in `text`, or why it is none (not JSON, another shape, an entry that is no entry). */
export function readStateText(text: string): { state: AlertState } | { damage: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { damage: `not JSON: ${(e as Error).message}` };
  }
  const runbooks = (parsed as Partial<AlertState> | undefined)?.runbooks;
  if (
    (parsed as Partial<AlertState> | null)?.version !== 1 ||
    typeof runbooks !== "object" ||
    runbooks === null ||
    Array.isArray(runbooks)
  ) {
    return { damage: "not a state file (version 1 with runbooks)" };
  }
  const state = emptyState();
  const bad: string[] = [];
  for (const [id, entry] of Object.entries(runbooks as Record<string, unknown>)) {
    const e = entry as Partial<RunbookState> | null;
    if (
      e &&
      typeof e === "object" &&
      typeof e.failing === "boolean" &&
      typeof e.since === "string"
    ) {
      state.runbooks[id] = e as RunbookState;
    } else bad.push(JSON.stringify(id));
  }
  if (bad.length > 0) {
    return {
      damage: `the entr${bad.length === 1 ? "y" : "ies"} of ${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} no alert entry (failing true or false, since a time)`,
    };
  }
  return { state };
}

/** `file`'s text, or why it cannot be read; undefined when there is no such file. */
async function textOf(file: string): Promise<{ text: string } | { damage: string } | undefined> {
  try {
    return { text: await readFile(file, "utf8") };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { damage: `could not be read: ${(e as Error).message}` };
  }
}

/**
 * The state in `file`; an empty state when there is none yet (a state deleted on purpose, both
 * files, forgets every alert). A file that cannot be read or is not a state (damaged) must not
 * stop the alerts, nor read as "nothing was failing" (every failing runbook told again as new, a
 * page storm, and every recovery lost): its last good copy (`backupOf`) is read instead, the
 * damaged text is kept as `damagedOf(file)`, and `problem` names both. With no good copy either,
 * the state is empty and `problem` says that every failing runbook is told again (`lost`: what
 * the state held is gone).
 */
export async function loadState(
  file: string,
  problem: (message: string, lost: boolean) => void = () => {},
): Promise<AlertState> {
  const main = await textOf(file);
  if (main === undefined) return emptyState();
  const read = "text" in main ? readStateText(main.text) : main;
  if ("state" in read) return read.state;
  let kept = "";
  if ("text" in main) {
    try {
      await writeFileAtomic(damagedOf(file), main.text);
      kept = `; the damaged file is kept as ${damagedOf(file)}`;
    } catch (e) {
      kept = `; it could not be kept as ${damagedOf(file)} (${(e as Error).message})`;
    }
  }
  const backup = backupOf(file);
  const copy = await textOf(backup);
  const good =
    copy === undefined
      ? { damage: "there is none" }
      : "text" in copy
        ? readStateText(copy.text)
        : copy;
  if ("state" in good) {
    problem(
      `the alert state ${file} is damaged (${read.damage}): read from its last good copy ${backup} instead${kept}`,
      false,
    );
    return good.state;
  }
  problem(
    `the alert state ${file} is damaged (${read.damage}) and has no good copy (${backup}: ${good.damage})${kept}: every failing runbook is told again as new, and a runbook that recovered since is not told`,
    true,
  );
  return emptyState();
}

/**
 * The state in `text` (of `source`, for the problem); empty when it is not a state file, and
 * without the entries that are no entries (each said).
 */
export function parseState(
  text: string,
  source: string,
  problem: (message: string) => void = () => {},
): AlertState {
  const read = readStateText(text);
  if ("state" in read) return read.state;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const runbooks = (parsed as Partial<AlertState> | null)?.runbooks;
  if (
    (parsed as Partial<AlertState> | null)?.version !== 1 ||
    typeof runbooks !== "object" ||
    runbooks === null ||
    Array.isArray(runbooks)
  ) {
    problem(`the alert state ${source} is not a state file: every failing runbook is told again`);
    return emptyState();
  }
  const state = emptyState();
  for (const [id, entry] of Object.entries(runbooks as Record<string, unknown>)) {
    const one = readStateText(JSON.stringify({ version: 1, runbooks: { [id]: entry } }));
    if ("state" in one) Object.assign(state.runbooks, one.state.runbooks);
  }
  problem(`the alert state ${source} is damaged: ${read.damage}: those runbooks are told again`);
  return state;
}

/** The state file's text. */
export function stateText(state: AlertState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** `saveState`'s error when the state was written and only its copy was not. */
export class CopyNotWritten extends Error {}

/**
 * Writes the state, then its copy (`backupOf`): each atomically, so one of the two is whole
 * whatever happens to the disk or the other.
 */
export async function saveState(file: string, state: AlertState): Promise<void> {
  const text = stateText(state);
  await writeFileAtomic(file, text);
  try {
    await writeFileAtomic(backupOf(file), text);
  } catch (e) {
    throw new CopyNotWritten(
      `its copy ${backupOf(file)} could not be written (the state itself was): ${(e as Error).message}`,
    );
  }
}

/**
 * `current` with the entries of the runbooks `ids` taken from `mine` (removed where `mine` has
 * none): a run rewrites only its own runbooks, so a run that stored the state meanwhile (another
 * invocation, another job) keeps its entries.
 */
export function withEntries(
  current: AlertState,
  mine: AlertState,
  ids: Iterable<string>,
): AlertState {
  const out: AlertState = { version: 1, runbooks: { ...current.runbooks } };
  for (const id of ids) {
    const entry = mine.runbooks[id];
    if (entry) out.runbooks[id] = entry;
    else delete out.runbooks[id];
  }
  return out;
}

/**
 * How much earlier than `reminder` a reminder may go: a tenth of it. The job that tells comes at
 * a time that moves (runs a minute quicker, a scheduler's delay), so `reminder: 24h` with a
 * nightly job compared to the exact day reminded every other night (red-team).
 */
export function reminderSlack(reminderMs: number): number {
  return reminderMs / 10;
}

/**
 * The alert a report calls for, given the runbook's previous state, and its next state. A
 * cancelled run changes nothing. `report.offenders`: what its failed checks name (`offendersOf`);
 * `newOffender` is the first of them the failure had not shown, when that is the news.
 */
export function transition(
  before: RunbookState | undefined,
  report: Pick<RunReport, "status" | "startedAt"> & {
    offenders?: string[];
    /** From when its window was not read (days without logs: `windowNotReadFrom`). */
    unreadFrom?: string;
  },
  now: Date,
  reminderMs: number | undefined,
  quietMs?: number,
): { kind?: AlertKind; next: RunbookState | undefined; newOffender?: string } {
  if (report.status === "cancelled") return { next: before };
  const failing = report.status === "failed" || report.status === "errored";
  // A pass over a window not read to the end is no recovery: nothing was checked over the days
  // without logs (a delivery outage), and the next run reads them again. The alert stays open.
  if (!failing && before?.failing && report.unreadFrom !== undefined) {
    return { next: { ...before, lastRunAt: report.startedAt } };
  }
  const at = now.toISOString();
  // An investigation quiet for `quietMs` is over: this failure opens another.
  const lastRun = before && Date.parse(before.lastRunAt ?? before.notifiedAt ?? before.since);
  const over =
    failing && before?.failing === true && quietMs !== undefined && lastRun !== undefined
      ? Date.parse(report.startedAt) - lastRun >= quietMs
      : false;
  const previous = over ? undefined : before;
  if (!failing) {
    const next: RunbookState = {
      failing: false,
      since: previous?.failing === false ? previous.since : report.startedAt,
      lastStatus: report.status,
      ...(previous?.failing ? { notifiedAt: at } : {}),
    };
    return previous?.failing ? { kind: "recovered", next } : { next };
  }
  const { fresh, offenders } = offenderNews(
    previous?.failing ? previous.offenders : [],
    report.offenders,
  );
  const ran = { lastRunAt: report.startedAt, ...(offenders ? { offenders } : {}) };
  if (!previous?.failing) {
    return {
      kind: "failing",
      next: {
        failing: true,
        since: report.startedAt,
        notifiedAt: at,
        lastStatus: report.status,
        ...ran,
      },
    };
  }
  // Failing in another way (a run that errored now finds something, or the reverse) is news:
  // a target that takes only one of the two outcomes has heard nothing of this runbook yet.
  // So is an offender the failure had not shown (another actor, another address).
  if (previous.lastStatus !== report.status || fresh.length > 0) {
    return {
      kind: "failing",
      next: { ...previous, notifiedAt: at, lastStatus: report.status, ...ran },
      ...(previous.lastStatus === report.status ? { newOffender: fresh[0] } : {}),
    };
  }
  const last = Date.parse(previous.notifiedAt ?? previous.since);
  const due =
    reminderMs !== undefined && now.getTime() - last >= reminderMs - reminderSlack(reminderMs);
  const next = {
    ...previous,
    lastStatus: report.status,
    ...ran,
    ...(due ? { notifiedAt: at } : {}),
  };
  return due ? { kind: "reminder", next } : { next };
}
