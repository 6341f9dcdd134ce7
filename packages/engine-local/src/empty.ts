/**
 * What a log directory held when a step's window had no CloudTrail event in it, in words: the
 * step's "no data" error says it ("1 file skipped: outside the window, covering 2026-10-01 to
 * 2026-10-05"), so a wrong --log-dir, logs from another month or a folder of other JSON is seen
 * for what it is. And the days of a window that has events elsewhere but none in them
 * (`gapWarning`): a gap in the logs would read as a quiet day.
 */
import { DELIVERY_LAG_MS, slashDate, type TimeWindow, windowTail } from "@run-md/core";
import type { DayRange, Resolution } from "./files.ts";
import { dayRanges, windowDays } from "./store.ts";

function files(n: number): string {
  return `${n} file${n === 1 ? "" : "s"}`;
}

function isoDay(day: string): string {
  return day.replaceAll("/", "-");
}

/**
 * `candidates`: the event files found under the directory, in the window or not; `logDir` is
 * `{store}` when the step reads a store alone (no raw files beside it).
 */
export function describeNoEvents(
  res: Pick<Resolution, "files" | "skippedFiles" | "outsideDays"> & { skippedByWindow: number },
  candidates: number,
  logDir: string | { store: string },
  storeFiles = 0,
): string {
  if (candidates === 0 && typeof logDir !== "string") {
    return `the store ${logDir.store} holds no event in the window: its collects of these days found none`;
  }
  if (candidates === 0) {
    return `the log directory ${logDir} holds no CloudTrail log files (.json, .jsonl or .ndjson, optionally .gz)`;
  }
  const parts: string[] = [];
  if (storeFiles > 0)
    parts.push(
      `${storeFiles} day file${storeFiles === 1 ? "" : "s"} of the store read, none with an event in the window`,
    );
  const read = new Set(res.files.map((f) => f.origin)).size;
  if (read > 0) parts.push(`${files(read)} read, none with an event in the window`);
  if (res.skippedByWindow > 0) {
    const days: DayRange | null = res.outsideDays;
    const covering =
      days === null
        ? ""
        : days.first === days.last
          ? `, covering ${isoDay(days.first)}`
          : `, covering ${isoDay(days.first)} to ${isoDay(days.last)}`;
    parts.push(`${files(res.skippedByWindow)} skipped: outside the window${covering}`);
  }
  if (res.skippedFiles > 0) {
    parts.push(
      `${files(res.skippedFiles)} skipped: unreadable or without CloudTrail events (named in the warnings)`,
    );
  }
  return parts.join("; ");
}

const HOUR_MS = 3_600_000;
/** The ranges of days a gap warning lists; the rest are counted. */
const GAP_RANGES_SHOWN = 5;

/** What the days of a window without events say (`windowGaps`). */
export interface WindowGaps {
  /** The days without events between days with events, or at the end when no whole day. */
  warning?: string;
  /**
   * The window's end (core `windowTail`: its last whole day on) holds no event while earlier
   * days do: the trail stopped, or its logs were not synced or collected. The runner makes it an
   * error of the step (unless `allow_empty`): a window whose end was never read is no pass.
   */
  staleEnd?: string;
}

/**
 * The days of a window whose events were found in some of its days and not in others: the days
 * it spans for an hour or more (of what CloudTrail has delivered by `now`) with no log file read
 * or store file holding an event (`dataDays`, delivery days). A day without a single event is
 * rare in an account in use: such a day is more likely logs not synced, not collected or not
 * delivered than a quiet day. Only for a trail's deliveries (the caller's to tell): an export's
 * days without events are days without events.
 */
export function windowGaps(w: TimeWindow, dataDays: ReadonlySet<string>, now: number): WindowGaps {
  const until = new Date(Math.min(w.end.getTime(), now - DELIVERY_LAG_MS));
  const counted = windowDays({ start: w.start, end: until }).filter(
    (d) => d.to - d.from >= HOUR_MS,
  );
  // The tail (core windowTail, as Athena's probe reads it): its days, and any delivered after.
  const tail = windowTail(w, now);
  const tailDay = tail ? slashDate(tail.start) : undefined;
  const stale = tailDay !== undefined && ![...dataDays].some((d) => d >= tailDay);
  // Stale: the days after the last with data are the end's, said in its error instead.
  const last = stale
    ? [...dataDays]
        .filter((d) => d < (tailDay as string))
        .sort()
        .at(-1)
    : undefined;
  const atEnd = (day: string) => stale && (last === undefined || day > last);
  const gaps = counted.filter((d) => !dataDays.has(d.day) && !atEnd(d.day)).map((d) => d.day);
  const out: WindowGaps = {};
  if (gaps.length > 0) {
    out.warning = `the window's ${daysHave(gaps)} no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer`;
  }
  if (stale) {
    const days = counted.filter((d) => atEnd(d.day)).map((d) => d.day);
    out.staleEnd = `${last ? `nothing after ${isoDay(last)} (UTC)` : "nothing at its end"}: the window's last ${daysHave(days)} no log file with events (a trail that stopped delivering, or logs not synced or collected since)`;
  }
  return out;
}

/** `day 2024-03-02 (UTC) has` / `days 2024-03-02..2024-03-03 (UTC) have`, five ranges at most. */
function daysHave(days: string[]): string {
  const ranges = dayRanges(days).replaceAll("/", "-").split(", ");
  const shown = ranges.slice(0, GAP_RANGES_SHOWN).join(", ");
  const which =
    ranges.length > GAP_RANGES_SHOWN ? `${shown} … (${days.length} days in all)` : shown;
  return days.length === 1 ? `day ${which} (UTC) has` : `days ${which} (UTC) have`;
}
