/**
 * When a runbook runs unattended (`schedule:`): `manual` never, `nightly` every night, `weekly`
 * on the configured day (`nightly.weeklyDay`, default monday), or a cron expression
 * (`"0 6 * * 1-5"`, UTC, parsed by croner) on the nights after one of its times.
 */
import { Cron } from "croner";
import { didYouMean } from "./diagnostics.ts";

export const NAMED_SCHEDULES = ["manual", "nightly", "weekly"] as const;
export const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What a schedule written in other tools' words means here: cron's `@daily` macros, `daily`,
 * `hourly` (which nothing in edit distance suggests: `daily` is two edits from no name). The
 * nightly job runs a runbook once a night at most: `hourly` is `nightly` (a cron of every hour,
 * `"0 * * * *"`, would run nightly too, while reading as hourly).
 */
const SCHEDULE_WORDS: Readonly<Record<string, string>> = {
  daily: "nightly",
  everyday: "nightly",
  midnight: "nightly",
  hourly: "nightly",
  monthly: '"0 6 1 * *"',
  yearly: '"0 6 1 1 *"',
  annually: '"0 6 1 1 *"',
  never: "manual",
  none: "manual",
  off: "manual",
  disabled: "manual",
  false: "manual",
};

/** A hint for a schedule word that is not a name: ` (did you mean "nightly"?)`, or "". */
export function scheduleHint(schedule: string): string {
  if (/[\d*]/.test(schedule)) return "";
  const word = (schedule.trim().split(/\s+/)[0] ?? "").toLowerCase();
  const plain = word.replace(/^@/, "");
  const named = (NAMED_SCHEDULES as readonly string[]).includes(plain) ? plain : undefined;
  // By own key: `constructor` or `__proto__` is no word of the table (its prototype's).
  const meant = (Object.hasOwn(SCHEDULE_WORDS, plain) ? SCHEDULE_WORDS[plain] : undefined) ?? named;
  if (meant !== undefined) {
    const quoted = meant.startsWith('"') ? meant : `"${meant}"`;
    const why = plain === "hourly" ? " the nightly job runs a runbook once a night at most" : "";
    return ` (did you mean ${quoted}?${why})`;
  }
  return didYouMean(word, NAMED_SCHEDULES);
}

/** Why a schedule is not one, or undefined when it is valid (a name or a cron expression). */
export function scheduleProblem(schedule: string): string | undefined {
  if ((NAMED_SCHEDULES as readonly string[]).includes(schedule)) return undefined;
  // Words without a digit or `*` (`weekly monday`, `"nightly "`) meant a name, not cron.
  if (!/\s/.test(schedule.trim()) || !/[\d*]/.test(schedule)) {
    return `expected one of ${NAMED_SCHEDULES.join(", ")} or a cron expression such as "0 6 * * 1-5"`;
  }
  // Five fields, or six with seconds first, as the JSON Schema says: croner also takes a
  // seventh, a year, and a runbook whose year has passed was never due without a word (review).
  // Fewer are said so too (croner's message offered a seventh).
  const fields = schedule.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    return `a cron expression has 5 fields (minute hour day month weekday), or 6 with seconds first; this one has ${fields}${fields > 6 ? " (a year field is not taken)" : ""}`;
  }
  let cron: Cron;
  try {
    cron = new Cron(schedule, { timezone: "UTC", paused: true });
  } catch (e) {
    return `not a cron expression: ${(e as Error).message}`;
  }
  // `0 0 30 2 *` (February the 30th) parses, and would never run: said, not silently never due.
  // From 1970, not from now: the verdict does not depend on the day it is asked.
  return cron.nextRun(new Date(0)) === null
    ? "a cron expression whose time never comes"
    : undefined;
}

export interface DueOptions {
  /** The day `weekly` runbooks run on (default monday). */
  weeklyDay?: Weekday;
  /** How far back a cron time counts (the nightly job's period, default 24h). */
  periodMs?: number;
  /**
   * When the runbook last ran in full, if known: a cron time counts from then instead, so a job
   * that starts late does not skip a time, nor one that starts early run it twice (review: a
   * Monday 06:00 runbook had no run in a week a job started at 06:10 on Tuesday); a `weekly`
   * runbook not run since its day began is due on the days after it too.
   */
  lastRun?: Date;
}

/**
 * Whether the nightly job running at `now` runs a runbook with this schedule: `nightly` always,
 * `weekly` on its day (UTC), a cron expression when one of its times falls after its last run
 * (or, not known, in the period before `now`: the previous night's job ran then), `manual` never.
 */
export function isDue(schedule: string, now: Date, options: DueOptions = {}): boolean {
  switch (schedule) {
    case "manual":
      return false;
    case "nightly":
      return true;
    case "weekly":
      return weeklyDue(now, options.weeklyDay ?? "monday", options.lastRun);
  }
  if (scheduleProblem(schedule) !== undefined) return false;
  const since = options.lastRun ?? new Date(now.getTime() - (options.periodMs ?? DAY_MS));
  const next = new Cron(schedule, { timezone: "UTC", paused: true }).nextRun(since);
  return next !== null && next.getTime() <= now.getTime();
}

/**
 * `weekly`: on its day (UTC); with its last run known, also on a later day when it has not run
 * since its day began (a job that crossed midnight UTC, a night the job did not run: red-team,
 * the week was skipped without a word).
 */
function weeklyDue(now: Date, day: Weekday, lastRun: Date | undefined): boolean {
  const back = (now.getUTCDay() - WEEKDAYS.indexOf(day) + 7) % 7;
  if (back === 0 || lastRun === undefined) return back === 0;
  const dayBegan = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back);
  return lastRun.getTime() < dayBegan;
}

const HOUR_MS = 60 * 60 * 1000;
/** The days walked for a cron expression's longest gap: a year and a bit. */
const GAP_DAYS = 400;
/** A fixed start for the walk (a leap year's first day), so a page built any day says the same. */
const GAP_FROM = Date.UTC(2024, 0, 1);
const staleLimits = new Map<string, number | undefined>();

/**
 * How old a scheduled runbook's latest run may be before it is stale (its runs stopped), or
 * undefined for `manual` and a schedule that is none: a missed run and a margin. `nightly` 48
 * hours; `weekly` eight and a half days; a cron expression the longest gap between two UTC days
 * that hold one of its times (the nightly job runs a runbook at most once a night, after a day
 * that held a time), plus the day the job may take to get to a time and 12 hours
 * (`"0 6 * * 1-5"`: Friday to Monday, 3 days and 36 hours).
 */
export function staleAfterMs(schedule: string | undefined): number | undefined {
  if (schedule === undefined || schedule === "manual") return undefined;
  if (schedule === "nightly") return 48 * HOUR_MS;
  if (schedule === "weekly") return 8 * DAY_MS + 12 * HOUR_MS;
  if (!staleLimits.has(schedule)) staleLimits.set(schedule, cronStaleAfterMs(schedule));
  return staleLimits.get(schedule);
}

function cronStaleAfterMs(schedule: string): number | undefined {
  if (scheduleProblem(schedule) !== undefined) return undefined;
  const cron = new Cron(schedule, { timezone: "UTC", paused: true });
  const dayOf = (d: Date) => Math.floor(d.getTime() / DAY_MS) * DAY_MS;
  // From its first time on or after GAP_FROM, the days holding a time: from each such day, the
  // next time after its end.
  const first = cron.nextRun(new Date(GAP_FROM - 1));
  if (first === null) return undefined;
  let day = dayOf(first);
  const end = day + GAP_DAYS * DAY_MS;
  let gap = 0;
  while (day < end) {
    const next = cron.nextRun(new Date(day + DAY_MS - 1));
    if (next === null) break;
    gap = Math.max(gap, dayOf(next) - day);
    day = dayOf(next);
  }
  return gap === 0 ? undefined : gap + DAY_MS + 12 * HOUR_MS;
}
