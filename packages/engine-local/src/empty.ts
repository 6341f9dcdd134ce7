/**
 * What a log directory held when a step's window had no CloudTrail event in it, in words: the
 * step's "no data" error says it ("1 file skipped: outside the window, covering 2026-10-01 to
 * 2026-10-05"), so a wrong --log-dir, logs from another month or a folder of other JSON is seen
 * for what it is. And the days of a window that has events elsewhere but none in them
 * (`gapWarning`): a gap in the logs would read as a quiet day.
 */
import { DELIVERY_LAG_MS, type TimeWindow } from "@run-md/core";
import { type DayRange, layoutSeries, type Resolution } from "./files.ts";
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
  const ranges = dayRanges(gaps).replaceAll("/", "-").split(", ");
  const shown = ranges.slice(0, GAP_RANGES_SHOWN).join(", ");
  const which =
    ranges.length > GAP_RANGES_SHOWN ? `${shown} … (${gaps.length} days in all)` : shown;
  const days = gaps.length === 1 ? `day ${which} (UTC) has` : `days ${which} (UTC) have`;
  return `the window's ${days} no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer`;
}

const DAY_MS = 24 * HOUR_MS;
/** A series' files of one day: all, those named as delivered before the open day's cut, and those without CloudTrail's name. */
type SeriesDay = { files: number; early: number; untimed: number };
/** The time in CloudTrail's name of a delivery file (`…_<yyyyMMdd>T<HHmm>Z_<id>.json.gz`). */
const NAME_TIME = /_\d{8}T(\d{2})(\d{2})Z_[A-Za-z0-9]+\.json\.gz$/;

/** The time of day (ms after midnight UTC) a delivery file's name gives, or null. */
function nameTimeOfDay(p: string): number | null {
  const m = NAME_TIME.exec(p);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 : null;
}
/**
 * How many files a series (one account's region) must be expected to deliver in a day's span of
 * the window, at its own rate, for a day without one to be named: a region used now and then
 * has days without a file, a region that delivered every few minutes and then nothing for a day
 * stopped, or was not synced or collected.
 */
export const SERIES_EXPECTED_FILES = 6;
/** The most files a series' day may hold and be judged as one without files (a stray file). */
const SERIES_STRAY_FILES = 2;

/** The chance of at most `n` files where `expected` are (Poisson). */
function atMost(n: number, expected: number): number {
  let term = Math.exp(-expected);
  let sum = term;
  for (let k = 1; k <= n; k++) {
    term *= expected / k;
    sum += term;
  }
  return sum;
}
/** The series `seriesGaps` names one by one; the rest are counted. */
const SERIES_SHOWN = 5;

/** The warnings of `seriesGaps`, and from when the window is not known to be read. */
export type SeriesGaps = { warnings: string[]; from: string | undefined };

/**
 * The days of a window on which one account's region of the delivery layout (`origins`: the
 * files read, relative to the log directory) has no file while others have files that day, and
 * its own rate of files (over the days it has them) makes a day without one unlikely (at least
 * SERIES_EXPECTED_FILES in the day's span of the window delivered by `now`). `gapWarning` counts
 * the files of every account and region together, so a region whose deliveries stopped (or whose
 * folder was not synced) while another's went on read as a quiet region. Days without any file
 * are `gapWarning`'s. `from`: from when the window is not known to be read, as `gapStart`.
 */
export function seriesGaps(w: TimeWindow, origins: readonly string[], now: number): SeriesGaps {
  const until = new Date(Math.min(w.end.getTime(), now - DELIVERY_LAG_MS));
  const days = windowDays({ start: w.start, end: until }).filter((d) => d.to - d.from >= HOUR_MS);
  const inWindow = new Set(days.map((d) => d.day));
  // The day whose folder still receives files (it ends after now): a series' files there so far
  // are those of its first hours, so it is judged by the series' files of those hours on its
  // other days (the times in CloudTrail's file names), not by its rate over whole days: a region
  // used in office hours has no file in the night's first hours of a day.
  const open = days.find((d) => Math.floor(d.from / DAY_MS) * DAY_MS + DAY_MS > now);
  const openHours =
    open === undefined ? undefined : open.to - Math.floor(open.from / DAY_MS) * DAY_MS;
  const counts = new Map<string, Map<string, SeriesDay>>();
  // A folder of the layout gives its files' series and day: one look per folder, not per file
  // (a month of a busy account is 150,000 files); a file elsewhere is told by its name.
  const folders = new Map<string, { series: string; day: string } | null>();
  for (const origin of new Set(origins)) {
    const cut = Math.max(origin.lastIndexOf("/"), origin.lastIndexOf("\\"));
    const folder = origin.slice(0, cut + 1);
    let inFolder = folders.get(folder);
    if (inFolder === undefined) {
      inFolder = layoutSeries(`${folder}x`);
      folders.set(folder, inFolder);
    }
    const s = inFolder ?? layoutSeries(origin);
    if (s === null || !inWindow.has(s.day)) continue;
    const byDay = counts.get(s.series) ?? new Map<string, SeriesDay>();
    const c = byDay.get(s.day) ?? { files: 0, early: 0, untimed: 0 };
    c.files++;
    if (openHours !== undefined) {
      const t = nameTimeOfDay(origin);
      if (t === null) c.untimed++;
      else if (t < openHours) c.early++;
    }
    byDay.set(s.day, c);
    counts.set(s.series, byDay);
  }
  const withFiles = new Set([...counts.values()].flatMap((m) => [...m.keys()]));
  const found: { series: string; gaps: typeof days; stray: boolean; perDay: number }[] = [];
  for (const [series, byDay] of counts) {
    // Its rate: the files of its days over the time each day's folder had to receive them.
    let files = 0;
    let span = 0;
    for (const [day, c] of byDay) {
      const start = Date.parse(`${isoDay(day)}T00:00:00Z`);
      files += c.files;
      span += Math.max(HOUR_MS, Math.min(start + DAY_MS, now) - start);
    }
    const rate = files / span;
    const expected = (d: (typeof days)[number]): number => {
      if (d !== open) return rate * (d.to - d.from);
      // The open day: the series' files of its first hours on its other days, by their names;
      // a series whose files do not all tell their time is not judged on it.
      const others = [...byDay].filter(([day]) => day !== d.day).map(([, c]) => c);
      if (others.length === 0 || others.some((c) => c.untimed > 0)) return 0;
      return others.reduce((n, c) => n + c.early, 0) / others.length;
    };
    // Not the days before its first file in the window: an account an organization made then, a
    // region first used then (an intruder's), had no file to miss.
    const first = [...byDay.keys()].sort()[0] ?? "";
    // A day with one or two files is judged as one with none, by the chance of so few: a stray
    // file, or the last of a region that stopped just before midnight (delivered after it), left
    // the day's events of the region unread and unnamed.
    const gaps = days.filter((d) => {
      const n = byDay.get(d.day)?.files ?? 0;
      return (
        d.day > first &&
        n <= SERIES_STRAY_FILES &&
        withFiles.has(d.day) &&
        atMost(n, expected(d)) <= Math.exp(-SERIES_EXPECTED_FILES)
      );
    });
    const stray = gaps.some((d) => byDay.has(d.day));
    if (gaps.length > 0) found.push({ series, gaps, stray, perDay: Math.round(rate * DAY_MS) });
  }
  if (found.length === 0) return { warnings: [], from: undefined };
  found.sort((a, b) => (a.gaps[0]?.from ?? 0) - (b.gaps[0]?.from ?? 0));
  const warnings = found.slice(0, SERIES_SHOWN).map(({ series, gaps, stray, perDay }) => {
    const which = dayRanges(gaps.map((d) => d.day)).replaceAll("/", "-");
    const daysText = gaps.length === 1 ? `day ${which} (UTC) has` : `days ${which} (UTC) have`;
    const none = stray ? "no log file (or one or two)" : "no log file";
    return `the window's ${daysText} ${none} of ${series}, which delivered about ${perDay} files a day on its other days, while other regions or accounts have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer`;
  });
  if (found.length > SERIES_SHOWN)
    warnings.push(
      `${found.length - SERIES_SHOWN} more regions or accounts have days of the window without a log file while others have files`,
    );
  const first = Math.min(...found.map((f) => f.gaps[0]?.from ?? Number.POSITIVE_INFINITY));
  return {
    warnings,
    from: new Date(Math.max(w.start.getTime(), first - DELIVERY_LAG_MS)).toISOString(),
  };
}
