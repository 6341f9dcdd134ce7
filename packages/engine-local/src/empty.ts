/**
 * What a log directory held when a step's window had no CloudTrail event in it, in words: the
 * step's "no data" error says it ("1 file skipped: outside the window, covering 2026-10-01 to
 * 2026-10-05"), so a wrong --log-dir, logs from another month or a folder of other JSON is seen
 * for what it is. And the days of a window that has events elsewhere but none in them
 * (`gapWarning`): a gap in the logs would read as a quiet day.
 */
import { DELIVERY_LAG_MS, dayRangesShown, type TimeWindow, windowDays } from "@run-md/core";
import type { DayRange, Resolution } from "./files.ts";

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

/** The days `gapWarning` names. */
function gapDays(
  w: TimeWindow,
  dataDays: ReadonlySet<string>,
  now: number,
): { day: string; from: number }[] {
  const until = new Date(Math.min(w.end.getTime(), now - DELIVERY_LAG_MS));
  return windowDays({ start: w.start, end: until }).filter(
    (d) => d.to - d.from >= HOUR_MS && !dataDays.has(d.day),
  );
}

/**
 * From when a window with the days of `gapWarning` is not known to be read (ISO): its first such
 * day's folder holds the events of that day and of the hour before it (an event of 23:58 is
 * delivered the next day), so an hour before the day starts, never before the window does.
 * Undefined when `gapWarning` is.
 */
export function gapStart(
  w: TimeWindow,
  dataDays: ReadonlySet<string>,
  now: number,
): string | undefined {
  const first = gapDays(w, dataDays, now)[0];
  if (first === undefined) return undefined;
  return new Date(Math.max(w.start.getTime(), first.from - DELIVERY_LAG_MS)).toISOString();
}

/**
 * The warning of a window whose events were found in some of its days and not in others: the
 * days it spans for an hour or more (of what CloudTrail has delivered by `now`) with no log file
 * read or store file holding an event (`dataDays`, delivery days). A day without a single event is
 * rare in an account in use: such a day is more likely logs not synced, not collected or not
 * delivered than a quiet day. Undefined when every such day has data. Only for a trail's
 * deliveries (the caller's to tell): an export's days without events are days without events.
 */
export function gapWarning(
  w: TimeWindow,
  dataDays: ReadonlySet<string>,
  now: number,
): string | undefined {
  const gaps = gapDays(w, dataDays, now).map((d) => d.day);
  if (gaps.length === 0) return undefined;
  const which = dayRangesShown(gaps, GAP_RANGES_SHOWN);
  const days = gaps.length === 1 ? `day ${which} (UTC) has` : `days ${which} (UTC) have`;
  return `the window's ${days} no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer`;
}
