import type { BoundParam, TimeWindow } from "./engine.ts";
import { RunMdError } from "./errors.ts";
import { parseDuration } from "./units.ts";

export interface WindowSpec {
  since?: string;
  from?: string;
  to?: string;
}

export interface ResolvedWindow extends TimeWindow {
  /** Where the window came from: `--since 24h`, `--from/--to`, `window: 7d`, `default 24h`. */
  source: string;
}

/**
 * An ISO-8601 instant as `readInstant` reads it: `yyyy-mm-ddThh:mm[:ss[.fraction]]` (`T` may be
 * `t` or a space, as RFC 3339 allows) and a zone, `Z` or an offset `±hh:mm`, `±hhmm` or `±hh`.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?))?$/;

/** The instant a text names, or why it names none (`problem`, when it has the form but not a real date or time). */
export type InstantReading = { date: Date } | { date?: undefined; problem?: string };

/**
 * Reads an ISO-8601 instant (see INSTANT; a bare date, midnight UTC, only when `dateOnly`).
 * A day the calendar does not have (2026-02-30) or a time the clock does not (24:00, 10:60) is
 * refused, never moved to another day as `Date` would move it.
 */
export function readInstant(text: string, dateOnly: boolean): InstantReading {
  const m = INSTANT.exec(text);
  if (!m || (m[4] === undefined && !dateOnly)) return {};
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  if (!isCalendarDay(text.slice(0, 10))) {
    return { problem: `${text.slice(0, 10)} is not a day of the calendar` };
  }
  const oh = Number(m[9] ?? 0);
  const om = Number(m[10] ?? 0);
  if (h! > 23 || mi! > 59 || s! > 59 || oh > 23 || om > 59) {
    return { problem: `${text.slice(11)} is not a time of day with a zone` };
  }
  const local = utcDay(y!, mo!, d!);
  local.setUTCHours(h!, mi!, s!, Number((m[7] ?? "").slice(0, 3).padEnd(3, "0")));
  const offset = (m[8] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  return { date: new Date(local.getTime() - offset) };
}

/** Midnight UTC of a day (years below 100 too, which `Date.UTC` would move to the 1900s). */
function utcDay(y: number, m: number, d: number): Date {
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return day;
}

/** An ISO-8601 date (midnight UTC) or date-time with a zone; a RunMdError naming `flag` otherwise. */
export function parseInstant(text: string, flag: string): Date {
  const { date } = readInstant(text, true);
  if (date === undefined) {
    throw new RunMdError("bad-window", `${flag} "${text}" is not an ISO-8601 instant`, {
      hint: "Use a form like 2026-11-23T00:00:00Z or 2026-11-23.",
      details: { field: flag.replace(/^--/, "") },
    });
  }
  return date;
}

/** Whether `yyyy-mm-dd` is a day of the calendar (`Date` reads 2026-02-30 as March 2nd). */
function isCalendarDay(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const day = utcDay(y, m, d);
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/**
 * The run's window (spec section 4): `--since 24h`, or `--from`/`--to`, else the front matter's
 * `window:`, else 24h, ending now. Half-open: [start, end). `now` is floored to the second so
 * `{{start}}`/`{{end}}` print without fractions. Where the spec is silent: `--to` without
 * `--from` ends the duration (`--since`, else `window:`, else 24h) there instead of now, so that
 * a job can run every runbook "as of" one instant (the end of what it collected, say).
 */
export function resolveWindow(
  spec: WindowSpec,
  frontMatterWindow: string | undefined,
  now: Date,
): ResolvedWindow {
  if (spec.since !== undefined && spec.from !== undefined) {
    throw new RunMdError("bad-window", "--since cannot be combined with --from", {
      hint: "Give either --since 24h (optionally with --to, its end), or --from (and optionally --to).",
      details: { field: "since" },
    });
  }
  const end0 = new Date(Math.floor(now.getTime() / 1000) * 1000);
  if (spec.from !== undefined) return fromTo(spec.from, spec.to, end0);
  const end = spec.to === undefined ? end0 : parseInstant(spec.to, "--to");
  const until = spec.to === undefined ? "" : ` --to ${spec.to}`;
  if (spec.since !== undefined) {
    const ms = parseDuration(spec.since);
    if (ms === undefined) {
      throw new RunMdError("bad-window", `--since "${spec.since}" is not a duration`, {
        hint: "Use a duration such as 30m, 24h or 7d (units in lower case).",
        details: { field: "since" },
      });
    }
    const start = startBefore(end, ms, `--since ${spec.since}`, "since");
    return { start, end, source: `--since ${spec.since}${until}` };
  }
  const text = frontMatterWindow ?? "24h";
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new RunMdError("bad-window", `window "${text}" is not a duration`);
  }
  const source = frontMatterWindow === undefined ? "default 24h" : `window: ${text}`;
  return {
    start: startBefore(end, ms, `window: ${text}`, "window"),
    end,
    source: `${source}${until}`,
  };
}

/**
 * The longest window: a hundred years, where CloudTrail began in 2013. Each engine walks a
 * window's days (partitions, store days, delivery folders): a window from year 1 to 9999 ran
 * for good on the local store (red-team).
 */
export const MAX_WINDOW_MS = 36_525 * 86_400_000;

/**
 * Why a runbook's own window length (`window:`, a step's `window=`) is one every run refuses, if
 * it is: over 100 years (`tooLong`), or under a second, which holds no whole second when it ends
 * at one, as a run's end does (`500ms` is most often `500m` mistyped). `check` says it at its
 * place; the run said it only when it reached the step, after the steps above it had run.
 */
export function windowLengthProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return undefined;
  if (ms > MAX_WINDOW_MS) {
    return "longer than 100 years (CloudTrail began in 2013, and every run refuses it)";
  }
  if (ms < 1000) {
    const meant = /^(.*\d)ms$/.exec(text.trim())?.[1];
    return `shorter than a second, it holds no whole second of CloudTrail's event times${meant === undefined ? "" : ` (did you mean ${meant}m?)`}`;
  }
  return undefined;
}

function tooLong(what: string, field: string): RunMdError {
  return new RunMdError("bad-window", `${what} is longer than 100 years`, {
    hint: "Give a shorter window: CloudTrail began in 2013, and no log it wrote is that old.",
    details: { field },
  });
}

/** The earliest start a window may have: the first instant of year 1 (four-digit years). */
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");

/**
 * `end` less a duration, refused when it falls before year 1: engines and partitions write
 * four-digit years, and past JavaScript's range the date is no date at all (`--since 300000000d`
 * gave the server a 500; found by review).
 */
function startBefore(end: Date, ms: number, what: string, field: string): Date {
  if (ms > MAX_WINDOW_MS) throw tooLong(what, field);
  const start = end.getTime() - ms;
  if (!Number.isFinite(start) || start < EARLIEST) {
    throw new RunMdError("bad-window", `${what} starts before the year 1`, {
      hint: "Give a shorter duration: the window starts at its end less the duration.",
      details: { field },
    });
  }
  // Under a second (`--since 500ms`): a window between two whole seconds holds no event, and
  // Logs Insights, which takes whole seconds, was asked for the second at its end (as --from/--to).
  if (!holdsWholeSecond({ start: new Date(start), end })) {
    throw new RunMdError(
      "bad-window",
      `${what} ending at ${isoInstant(end)} holds no whole second: CloudTrail's event times are whole seconds`,
      { hint: "Give a duration of a second or more.", details: { field } },
    );
  }
  return new Date(start);
}

/** `--from` and an optional `--to` (else now: the run's start, or `RUN_MD_WINDOW_END`). */
function fromTo(from: string, to: string | undefined, now: Date): ResolvedWindow {
  const start = parseInstant(from, "--from");
  const end = to === undefined ? now : parseInstant(to, "--to");
  if (end.getTime() <= start.getTime()) {
    const until = to === undefined ? `the window's end, ${isoSeconds(now)}` : `--to ${to}`;
    throw new RunMdError("bad-window", `--from ${from} is not before ${until}`, {
      hint: "The window is [from, to): from must be earlier than to.",
      details: { field: "from" },
    });
  }
  // CloudTrail's event times are whole seconds: a window between two of them holds no event on
  // any engine (and Logs Insights, which takes whole seconds, would be asked for one outside it).
  if (!holdsWholeSecond({ start, end })) {
    throw new RunMdError(
      "bad-window",
      `--from ${from} --to ${to ?? isoInstant(end)} holds no whole second: CloudTrail's event times are whole seconds`,
      { hint: "Widen the window to hold at least one second.", details: { field: "from" } },
    );
  }
  const source = to === undefined ? `--from ${from}` : `--from ${from} --to ${to}`;
  if (end.getTime() - start.getTime() > MAX_WINDOW_MS) throw tooLong(source, "from");
  return { start, end, source };
}

/**
 * How far back a job's `RUN_MD_WINDOW_START` may reach before the window's end: the nightly job
 * catches up a week of nights it did not run at most, and `run` refuses an earlier start (a value
 * left over in a shell would stretch every window back to it).
 */
export const JOB_CATCH_UP_MS = 7 * 24 * 3_600_000;

/**
 * A run's window as steps take it: `jobStart` is a job's `RUN_MD_WINDOW_START` (where its
 * previous run of the runbook ended), for a window given as a duration.
 */
export type RunWindow = TimeWindow & { jobStart?: Date };

/**
 * A step's own `window=30d`: the same end, a different length, starting at the job's
 * `jobStart` when that is earlier (the nightly's windows leave no time unread, a step's too).
 */
export function stepWindow(run: RunWindow, stepWindowText: string | undefined): TimeWindow {
  if (stepWindowText === undefined) return { start: run.start, end: run.end };
  const ms = parseDuration(stepWindowText);
  if (ms === undefined) {
    throw new RunMdError("bad-window", `step window "${stepWindowText}" is not a duration`);
  }
  const start = startBefore(run.end, ms, `step window "${stepWindowText}"`, "window");
  const earlier = run.jobStart !== undefined && run.jobStart.getTime() < start.getTime();
  return { start: earlier ? run.jobStart! : start, end: run.end };
}

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `2026-11-23T00:00:00Z`, milliseconds only when there are some (a window as it was asked). */
export function isoInstant(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/** The UTC day of an instant as the delivery layout and the store name it: `2026/11/23`. */
export function slashDate(d: Date): string {
  return isoSeconds(d).slice(0, 10).replaceAll("-", "/");
}

/** Whether a text names a day of the calendar as slashDate does (`2024/02/29`, not `2023/02/29`). */
export function isSlashDay(day: string): boolean {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(day);
  if (!m) return false;
  const month = Number(m[2]);
  const d = Number(m[3]);
  if (month < 1 || month > 12 || d < 1) return false;
  if (d <= 28) return true;
  const last = new Date(0);
  last.setUTCFullYear(Number(m[1]), month, 0);
  return d <= last.getUTCDate();
}

/** Midnight (UTC) at the start of a day named as slashDate names it; a RangeError for another text. */
export function slashDayStart(day: string): Date {
  if (!isSlashDay(day)) throw new RangeError(`not a day of the calendar (yyyy/mm/dd): ${day}`);
  return new Date(`${day.replaceAll("/", "-")}T00:00:00Z`);
}

/** The day `n` days from a day named as slashDate names it (`2026/11/30`, 1: `2026/12/01`). */
export function slashDayFrom(day: string, n: number): string {
  return slashDate(new Date(slashDayStart(day).getTime() + n * 86_400_000));
}

/** Every day from `first` to `last` (`yyyy/MM/dd`, both included); none when `last` comes first. */
export function slashDaysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = slashDayFrom(d, 1)) days.push(d);
  return days;
}

/** Consecutive days written as ranges: `2024/03/01..2024/03/03, 2024/03/05`. */
export function dayRanges(days: string[]): string {
  const out: string[] = [];
  const sorted = [...days].sort();
  let first: string | undefined;
  let prev: string | undefined;
  const next = (d: string) => slashDayFrom(d, 1);
  for (const d of [...sorted, ""]) {
    if (prev !== undefined && d === next(prev)) {
      prev = d;
      continue;
    }
    if (first !== undefined) out.push(first === prev ? first : `${first}..${prev}`);
    first = d;
    prev = d;
  }
  return out.join(", ");
}

/**
 * The days of a warning, dashed (`2026-11-20..2026-11-22, 2026-11-25`): their first `shown`
 * ranges, and how many days in all when there are more ranges.
 */
export function dayRangesShown(days: string[], shown = 5): string {
  const ranges = dayRanges(days).replaceAll("/", "-").split(", ");
  const first = ranges.slice(0, shown).join(", ");
  return ranges.length > shown ? `${first} … (${days.length} days in all)` : first;
}

/**
 * How long after an event CloudTrail may take to deliver it. The delivery layout (and Athena's
 * partitions over it, and the store's day files) files an event under the day it was delivered:
 * an event of 23:58 usually lies in the next day's folder. CloudTrail delivers within about 5
 * minutes on average and promises no bound; an hour covers its delays without reading a whole
 * extra day for every window (only for one ending in the last hour of a day).
 */
export const DELIVERY_LAG_MS = 60 * 60 * 1000;

/**
 * The end of a window where a trail that stopped delivering shows: from 24 hours before what
 * CloudTrail has delivered by `now` (up to `DELIVERY_LAG_MS` before it) to the window's end, so
 * an event of the last hour that the step read counts too (review: a trigger's window whose
 * only recent event was 40 minutes old was told its trail had stopped). The start is a whole
 * minute, so engines that remember the answer keep it for that minute (a window ending after
 * `now` has a tail that moves with it). Undefined when the window is no longer than that (its
 * having no event at all is the step's `no-data`). A window with events and none in its end is
 * an error of the step on every engine (`QueryResult.staleEnd`), each asking by event time:
 * `SELECT 1 ... LIMIT 1` over that end.
 */
export function windowTail(w: TimeWindow, now: number): TimeWindow | undefined {
  const until = Math.min(w.end.getTime(), now - DELIVERY_LAG_MS);
  const start = Math.floor((until - 86_400_000) / 60_000) * 60_000;
  return start > w.start.getTime() ? { start: new Date(start), end: w.end } : undefined;
}

/**
 * The days of the delivery layout (`yyyy/MM/dd`) that can hold a window's events: from its
 * start's day to the day its last instant's events are delivered by. Every reader of the
 * layout's days (Athena's partitions, the local engine's folders, the store) reads these.
 */
export function deliveryDays(w: TimeWindow): { first: string; last: string } {
  const lastInstant = Math.max(w.start.getTime(), w.end.getTime() - 1);
  return { first: slashDate(w.start), last: slashDate(new Date(lastInstant + DELIVERY_LAG_MS)) };
}

/**
 * The warning of a step whose window ends after it ran (`--to` a future day, a trigger's hour
 * after an event that just happened): its answer holds only the events logged and delivered so
 * far, and says when the whole window can be read. Undefined for a window ending by the time the
 * step ran (a minute's grace: a window ending "now" is computed just before).
 */
export function futureWindowWarning(w: TimeWindow, ranAt: number): string | undefined {
  if (w.end.getTime() <= ranAt + 60_000) return undefined;
  const whole = isoSeconds(new Date(w.end.getTime() + DELIVERY_LAG_MS));
  return `the window ends at ${isoInstant(w.end)}, after the step ran (${isoSeconds(new Date(ranAt))}): it holds only the events CloudTrail had delivered by then; run it again after ${whole} for the whole window`;
}

/** The instant rounded up to a whole second (`10:00:14.5Z` → `10:00:15Z`). */
function ceilSecond(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / 1000) * 1000);
}

/**
 * Whether `[start, end)` holds a whole second: CloudTrail's event times are whole seconds, so a
 * window between two of them holds no event on any engine, and Logs Insights (which takes whole
 * seconds) can be asked for none of it.
 */
export function holdsWholeSecond(w: { start: Date; end: Date }): boolean {
  return ceilSecond(w.start).getTime() < ceilSecond(w.end).getTime();
}

/**
 * The window's bounds as text to compare with CloudTrail's `eventtime` text
 * (`2024-07-30T21:31:16Z`, whole seconds; `'...:16.5Z' < '...:16Z'` as text): whole seconds,
 * a bound with a fraction rounded up. An event's whole-second time S is at or after the start
 * exactly when S >= ceil(start), and before the end exactly when S < ceil(end), so
 * `eventtime >= start AND eventtime < end` selects the window's events (`{{start}}`/`{{end}}`,
 * and the Athena engine's own scoping).
 */
export function eventTimeBounds(w: TimeWindow): { start: string; end: string } {
  return { start: isoSeconds(ceilSecond(w.start)), end: isoSeconds(ceilSecond(w.end)) };
}

/**
 * The built-in parameters of section 4, for a window: `{{start}}` and `{{end}}` as
 * `eventTimeBounds` has them; the dates are the days of the window's bounds.
 */
export function windowParams(w: TimeWindow): Record<string, BoundParam> {
  const bounds = eventTimeBounds(w);
  return {
    start: { type: "timestamp", value: bounds.start },
    end: { type: "timestamp", value: bounds.end },
    start_date: { type: "string", value: slashDate(w.start) },
    end_date: { type: "string", value: slashDate(w.end) },
  };
}

/** Every `yyyy/MM/dd` day a window touches, with the part of the window in it. */
export function windowDays(w: TimeWindow): { day: string; from: number; to: number }[] {
  const out: { day: string; from: number; to: number }[] = [];
  const DAY = 86_400_000;
  let t = Math.floor(w.start.getTime() / DAY) * DAY;
  for (; t < w.end.getTime(); t += DAY) {
    out.push({
      day: slashDate(new Date(t)),
      from: Math.max(t, w.start.getTime()),
      to: Math.min(t + DAY, w.end.getTime()),
    });
  }
  return out;
}
