/**
 * The days of a window a trail's deliveries have no file on, each engine's one reading of them
 * (the local engine over its files and store, Athena over its table's listed S3 keys): days
 * without any file (`gapWarning`), and days on which one account's region has none while other
 * regions or accounts have files (`seriesGaps`): `gapWarning` counts the files of every account
 * and region together, so a region whose deliveries stopped, or whose folder a sync missed, read
 * as a quiet region.
 */
import { deliveryName, layoutSeries } from "./delivery-layout.ts";
import type { TimeWindow } from "./engine.ts";
import { DELIVERY_LAG_MS, dayRanges, dayRangesShown, windowDays } from "./window.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How many files a series (one account's region) must be expected to deliver in a day's span of
 * the window, at its own rate, for a day without one to be named: a region used now and then
 * has days without a file, a region that delivered every few minutes and then nothing for a day
 * stopped, or was not synced or collected.
 */
export const SERIES_EXPECTED_FILES = 6;
/** The most files a series' day may hold and be judged as one without files (a stray file). */
const SERIES_STRAY_FILES = 2;
/** The series `seriesGaps` names one by one; the rest are counted. */
const SERIES_SHOWN = 5;

/** The warnings of `seriesGaps`, and from when the window is not known to be read. */
export type SeriesGaps = { warnings: string[]; from: string | undefined };

/**
 * A series' files of one day: all, those named as delivered before the open day's cut, those
 * without CloudTrail's name, and the hours their names give (a bit an hour).
 */
type SeriesDay = { files: number; early: number; untimed: number; hours: number };
type ByDay = Map<string, SeriesDay>;
type Day = { day: string; from: number; to: number };
type Found = { series: string; gaps: Day[]; trailing: Day[]; stray: boolean; perDay: number };

/** The time in CloudTrail's name of a delivery file (`…_<yyyyMMdd>T<HHmm>Z_<id>.json.gz`). */
const NAME_TIME = /_\d{8}T(\d{2})(\d{2})Z_[A-Za-z0-9]+\.json\.gz$/;

/** The time of day (ms after midnight UTC) a delivery file's name gives, or null. */
function nameTimeOfDay(p: string): number | null {
  const m = NAME_TIME.exec(p);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 : null;
}

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

/**
 * The days of a window on which one account's region of the delivery layout (`origins`: the
 * files read, relative to the log directory) has no file (or one or two) while others have files
 * that day, and its own rate of files (over the days it has them) makes so few unlikely (at
 * least SERIES_EXPECTED_FILES expected in the day's span of the window delivered by `now`). Days
 * without any file are `gapWarning`'s. `from`: from when the window is not known to be read, as
 * `gapStart`, from a region's gap that lasts to the window's end only: a region with files after
 * a gap delivers (a region used on weekdays has weekends without files), and reading its gap
 * again on later nights would find nothing new; its gap is named all the same (a region's
 * logging turned off for a while and on again looks the same).
 */
export function seriesGaps(w: TimeWindow, origins: readonly string[], now: number): SeriesGaps {
  const until = new Date(Math.min(w.end.getTime(), now - DELIVERY_LAG_MS));
  const days = windowDays({ start: w.start, end: until }).filter((d) => d.to - d.from >= HOUR_MS);
  // The day whose folder still receives files (it ends after now).
  const open = days.find((d) => Math.floor(d.from / DAY_MS) * DAY_MS + DAY_MS > now);
  const openHours =
    open === undefined ? undefined : open.to - Math.floor(open.from / DAY_MS) * DAY_MS;
  const byTrail = seriesCounts(origins, new Set(days.map((d) => d.day)), openHours);
  const counts = new Map([...byTrail].flatMap(([s, trails]) => [...seriesOfTrails(s, trails)]));
  const withFiles = new Set([...counts.values()].flatMap((m) => [...m.keys()]));
  const found: Found[] = [];
  for (const [series, byDay] of counts) {
    const one = seriesGapDays(byDay, days, open, withFiles, now);
    if (one.gaps.length > 0) found.push({ series, ...one });
  }
  if (found.length === 0) return { warnings: [], from: undefined };
  found.sort((a, b) => (a.gaps[0]?.from ?? 0) - (b.gaps[0]?.from ?? 0));
  const first = Math.min(...found.map((f) => f.trailing[0]?.from ?? Number.POSITIVE_INFINITY));
  return {
    warnings: seriesWarnings(found),
    from: Number.isFinite(first)
      ? new Date(Math.max(w.start.getTime(), first - DELIVERY_LAG_MS)).toISOString()
      : undefined,
  };
}

/**
 * Each series' files per day of the window (`inWindow`), by the folder its trail delivers the
 * layout to (`under`). A folder of the layout gives its files' series and day: one look per
 * folder, not per file (a month of a busy account is 150,000 files); a file elsewhere is told by
 * its name. With `openHours`, the files of each day named as delivered in its first that many
 * hours are counted apart (`early`). A delivery's copies after the first are not counted.
 */
function seriesCounts(
  origins: readonly string[],
  inWindow: ReadonlySet<string>,
  openHours: number | undefined,
): Map<string, Map<string, ByDay>> {
  const counts = new Map<string, Map<string, ByDay>>();
  const folders = new Map<string, ReturnType<typeof layoutSeries>>();
  const names = new Set<string>();
  for (const origin of new Set(origins)) {
    // A copy of a delivery counted already (the same file synced into a second folder) is no
    // delivery of the second folder: else a folder synced once and left would be a trail that
    // stopped beside the one synced since.
    const name = deliveryName(origin);
    if (name !== null && names.has(name)) continue;
    if (name !== null) names.add(name);
    const cut = Math.max(origin.lastIndexOf("/"), origin.lastIndexOf("\\"));
    const folder = origin.slice(0, cut + 1);
    let inFolder = folders.get(folder);
    if (inFolder === undefined) {
      inFolder = layoutSeries(`${folder}x`);
      folders.set(folder, inFolder);
    }
    const s = inFolder ?? layoutSeries(origin);
    if (s === null || !inWindow.has(s.day)) continue;
    const trails = counts.get(s.series) ?? new Map<string, ByDay>();
    const byDay = trails.get(s.under) ?? new Map<string, SeriesDay>();
    const c = byDay.get(s.day) ?? { files: 0, early: 0, untimed: 0, hours: 0 };
    c.files++;
    const t = nameTimeOfDay(origin);
    if (t === null) c.untimed++;
    else {
      c.hours |= 1 << Math.floor(t / HOUR_MS);
      if (openHours !== undefined && t < openHours) c.early++;
    }
    byDay.set(s.day, c);
    trails.set(s.under, byDay);
    counts.set(s.series, trails);
  }
  return counts;
}

/** Hours two folders of a series must share on a day (by their files' names) to be two trails. */
const TRAILS_SHARED_HOURS = 2;

/** How many bits of `n` are set. */
function bitCount(n: number): number {
  let c = 0;
  for (let v = n; v !== 0; v &= v - 1) c++;
  return c;
}

/**
 * Whether two folders of a series deliver side by side: on some day, files of both named in at
 * least TRAILS_SHARED_HOURS of the same hours. One trail's files split between folders (a store's
 * keys and the raw files' paths of the days it lacks, or a day synced into two dated folders,
 * one up to a time and one after it) share at most the hour of the split.
 */
function sideBySide(a: ByDay, b: ByDay): boolean {
  for (const [day, c] of a) {
    const d = b.get(day);
    if (d !== undefined && bitCount(c.hours & d.hours) >= TRAILS_SHARED_HOURS) return true;
  }
  return false;
}

/**
 * The series of one account's region, by the folders its files lie under: one a trail, named by
 * its folders, when two of them deliver side by side (two trails delivering the region, a
 * management events trail and a data events trail, or an organization's trail and the account's
 * own: one of them stopping is a gap of its own, not a lower rate of the region); else one
 * series. Folders are taken by their first day: one joins the trail of earlier folders it
 * delivers beside none of, when there is exactly one such (one trail spelled two ways, a store's
 * keys and the raw files' paths of the days it lacks, beside a second trail); when it could
 * continue either of two, it is a trail of its own (each of them ending is named: one did).
 */
function seriesOfTrails(series: string, trails: ReadonlyMap<string, ByDay>): Map<string, ByDay> {
  const firstDay = (d: ByDay) => [...d.keys()].sort()[0] ?? "";
  const ordered = [...trails].sort(
    ([a, x], [b, y]) => firstDay(x).localeCompare(firstDay(y)) || a.localeCompare(b),
  );
  const groups: { unders: string[]; days: ByDay[] }[] = [];
  for (const [under, byDay] of ordered) {
    const fits = groups.filter((g) => g.days.every((d) => !sideBySide(d, byDay)));
    const only = fits.length === 1 ? fits[0] : undefined;
    if (only === undefined) groups.push({ unders: [under], days: [byDay] });
    else {
      only.unders.push(under);
      only.days.push(byDay);
    }
  }
  if (groups.length <= 1) return new Map([[series, merged(groups[0]?.days ?? [])]]);
  return new Map(
    groups.map((g) => [
      `${series} under ${g.unders.map((u) => `${u || "."}/`).join(" and ")}`,
      merged(g.days),
    ]),
  );
}

/** The files of one trail's folders, day by day. */
function merged(all: readonly ByDay[]): ByDay {
  const out: ByDay = new Map();
  for (const byDay of all) {
    for (const [day, c] of byDay) {
      const m = out.get(day);
      out.set(
        day,
        m === undefined
          ? c
          : {
              files: m.files + c.files,
              early: m.early + c.early,
              untimed: m.untimed + c.untimed,
              hours: m.hours | c.hours,
            },
      );
    }
  }
  return out;
}

/**
 * One series' days without files (`gaps`), those of them after its last day with more than a
 * stray file (`trailing`), whether a gap holds a stray file, and its rate of files a day.
 */
function seriesGapDays(
  byDay: ReadonlyMap<string, SeriesDay>,
  days: readonly Day[],
  open: Day | undefined,
  withFiles: ReadonlySet<string>,
  now: number,
): Omit<Found, "series"> {
  // Its rate: the files of its days over the time each day's folder had to receive them.
  let files = 0;
  let span = 0;
  for (const [day, c] of byDay) {
    const start = Date.parse(`${day.replaceAll("/", "-")}T00:00:00Z`);
    files += c.files;
    span += Math.max(HOUR_MS, Math.min(start + DAY_MS, now) - start);
  }
  const rate = files / span;
  const expected = (d: Day): number => {
    if (d !== open) return rate * (d.to - d.from);
    // The open day: its files so far are those of its first hours, judged by the series' files
    // of those hours on its other days (a region used in office hours has no file in a day's
    // first hours); a series whose files do not all tell their time is not judged on it.
    const others = [...byDay].filter(([day]) => day !== d.day).map(([, c]) => c);
    if (others.length === 0 || others.some((c) => c.untimed > 0)) return 0;
    return others.reduce((n, c) => n + c.early, 0) / others.length;
  };
  // Not the days before its first file in the window: an account an organization made then, a
  // region first used then (an intruder's), had no file to miss. A day with one or two files is
  // judged as one with none, by the chance of so few: a stray file, or the last of a region
  // that stopped just before midnight (delivered after it).
  const first = [...byDay.keys()].sort()[0] ?? "";
  const gaps = days.filter((d) => {
    const n = byDay.get(d.day)?.files ?? 0;
    return (
      d.day > first &&
      n <= SERIES_STRAY_FILES &&
      withFiles.has(d.day) &&
      atMost(n, expected(d)) <= Math.exp(-SERIES_EXPECTED_FILES)
    );
  });
  const lastFull = [...byDay].filter(([, c]) => c.files > SERIES_STRAY_FILES).map(([d]) => d);
  const last = lastFull.sort().at(-1) ?? "";
  return {
    gaps,
    trailing: gaps.filter((d) => d.day > last),
    stray: gaps.some((d) => byDay.has(d.day)),
    perDay: Math.round(rate * DAY_MS),
  };
}

/** The warnings naming the first SERIES_SHOWN series' gaps, and a count of the rest. */
function seriesWarnings(found: readonly Found[]): string[] {
  const warnings = found.slice(0, SERIES_SHOWN).map(({ series, gaps, stray, perDay }) => {
    const which = dayRanges(gaps.map((d) => d.day)).replaceAll("/", "-");
    const daysText = gaps.length === 1 ? `day ${which} (UTC) has` : `days ${which} (UTC) have`;
    const none = stray ? "no log file (or one or two)" : "no log file";
    return `the window's ${daysText} ${none} of ${series}, which delivered about ${perDay} files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer`;
  });
  if (found.length > SERIES_SHOWN)
    warnings.push(
      `${found.length - SERIES_SHOWN} more regions or accounts have days of the window without a log file while others have files`,
    );
  return warnings;
}

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
