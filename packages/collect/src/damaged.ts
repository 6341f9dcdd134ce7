/**
 * Day files damaged since the collect wrote them (truncated, bytes changed in place, removed):
 * found by size, and by checksum when the file's modification time is not the recorded one
 * (`dayFileDamage`), or for every file with `run-md collect --verify`. A collect forgets such a
 * day before it lists (its file, the objects delivered in it, its coverage), so that it reads the
 * day's objects again into a new file when its window reaches the day, or leaves the day not
 * collected (runs then say so) until a collect of it.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { isoSeconds, RunMdError, slashDayFrom, slashDayStart, type TimeWindow } from "@run-md/core";
import {
  addCovered,
  collectDayCommand,
  dayFileDamage,
  inDayRange,
  objectDay,
  readManifest,
  STORE_MANIFEST,
  type StoreManifest,
  uncover,
  writeManifest,
} from "@run-md/engine-local";
import { type CollectResult, dayRange, rangesMeetDay } from "./collect.ts";

type TimeRange = { from: string; to: string };

export interface DamagedDay {
  day: string;
  /** The day file, absolute. */
  file: string;
  /** What is wrong with it (`dayFileDamage`'s words). */
  why: string;
}

/**
 * The store's day files that are not as the collect wrote them, a removed one too ("is gone":
 * repaired as a damaged one). `always`: every file hashed (else only those whose modification
 * time changed).
 */
export async function damagedDays(
  store: string,
  m: StoreManifest,
  always: boolean,
): Promise<DamagedDay[]> {
  const out: DamagedDay[] = [];
  for (const [day, d] of Object.entries(m.days).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = path.join(store, d.file);
    const why = await dayFileDamage(file, { ...d, size: d.bytes }, always);
    if (why !== undefined) out.push({ day, file, why });
  }
  return out;
}

/** The keys of the manifest's objects that hold events of `day`. */
function dayObjects(m: StoreManifest, day: string): string[] {
  return Object.entries(m.objects)
    .filter(([key, o]) =>
      o.ranges !== undefined ? rangesMeetDay(o.ranges, day) : objectDay(key, o) === day,
    )
    .map(([key]) => key);
}

/**
 * A damaged day this collect would read again while it also holds events of objects its listing
 * did not find (collected from another source, or removed from this one): writing the day again
 * from this listing alone would lose them and record the day collected. Refused before anything
 * is changed; the day stays refused by every step.
 */
function assertReadableAgain(m: StoreManifest, d: DamagedDay, listed: ReadonlySet<string>): void {
  // A skipped object gave the day no events: nothing of it is lost.
  const unlisted = dayObjects(m, d.day).filter(
    (k) => m.objects[k]?.skipped === undefined && !listed.has(k),
  );
  if (unlisted.length === 0) return;
  throw new RunMdError(
    "bad-store",
    `The store's file for ${d.day} (${d.file}) ${d.why}, and the day also holds events of ${unlisted.length} object(s) this collect does not list (${unlisted[0]}${unlisted.length > 1 ? ", ..." : ""}: collected from another source, or removed from this one): reading the day again from this source alone would lose them. Nothing was collected.`,
    {
      hint: "Collect the day from the source that holds every one of its objects, or move the store aside and collect each source again into a new one.",
    },
  );
}

/**
 * Forgets a damaged day: its file, the objects that hold its events (read again by the next
 * collect that lists them; copies of events already stored are deduplicated), its coverage, and
 * the day before's (a run over that day reads its late events in this day's file). Returns the
 * day before's coverage when this collect reads the day again: it is given back once the day is
 * covered again (`restoreDaysBefore`), so that a collect stopped in between leaves it uncovered.
 */
function forgetDay(m: StoreManifest, day: string, readAgain: boolean): TimeRange[] {
  delete m.days[day];
  for (const key of dayObjects(m, day)) delete m.objects[key];
  const [before, start] = [slashDayFrom(day, -1), day].map((d) => isoSeconds(slashDayStart(d)));
  const held = readAgain ? clipped(m.covered, before as string, start as string) : [];
  m.covered = uncover(m.covered, before as string, isoSeconds(slashDayStart(slashDayFrom(day, 1))));
  return held;
}

/** The parts of `covered` inside [from, to) (ISO instants). */
function clipped(covered: StoreManifest["covered"], from: string, to: string): TimeRange[] {
  const [a, b] = [Date.parse(from), Date.parse(to)];
  return covered.flatMap((r) => {
    const [x, y] = [Math.max(a, Date.parse(r.from)), Math.min(b, Date.parse(r.to))];
    return x < y ? [{ from: isoSeconds(new Date(x)), to: isoSeconds(new Date(y)) }] : [];
  });
}

/**
 * A damaged day read again, the coverage its day before had (`forgetDay`), and the events its
 * file held (counted as read again, not new, once the day is written again).
 */
export interface Repair {
  day: string;
  before: TimeRange[];
  events: number;
}

/**
 * A folder (or another kind of file) where a day file should be is not the collect's to remove:
 * refused before anything changes (removing it failed after the manifest had forgotten the day).
 */
function assertNoFolder(d: DamagedDay): void {
  if (d.why !== "is no file") return;
  throw new RunMdError(
    "bad-store",
    `The store's file for ${d.day} (${d.file}) is no file (a folder, or another kind of entry): nothing was collected.`,
    {
      hint: `Move ${d.file} out of the store, then collect again: the day's objects are read again.`,
    },
  );
}

/**
 * After the collect that read the repaired days again: the days it wrote again count their
 * earlier file's events as read again (`eventsRepaired`), not as new, and their days before get
 * their coverage back (`restoreDaysBefore`).
 */
export async function finishRepairs(
  store: string,
  repairs: Repair[],
  result: CollectResult,
): Promise<CollectResult> {
  await restoreDaysBefore(store, repairs);
  const again = repairs.filter((r) => result.daysWritten.includes(r.day));
  const events = again.reduce((n, r) => n + r.events, 0);
  return {
    ...result,
    eventsAdded: result.eventsAdded - events,
    daysRepaired: again.length,
    eventsRepaired: events,
  };
}

/**
 * Each day read again and covered again gives its day before the coverage it had back (its late
 * events are in the day's new file).
 */
async function restoreDaysBefore(store: string, repairs: Repair[]): Promise<void> {
  if (repairs.every((r) => r.before.length === 0)) return;
  const m = await readManifest(store);
  const was = JSON.stringify(m.covered);
  for (const { day, before } of repairs) {
    const [a, b] = [
      Date.parse(isoSeconds(slashDayStart(day))),
      slashDayStart(slashDayFrom(day, 1)).getTime(),
    ];
    const covered = m.covered.some((r) => Date.parse(r.from) <= a && Date.parse(r.to) >= b);
    if (covered) for (const r of before) m.covered = addCovered(m.covered, r);
  }
  if (JSON.stringify(m.covered) !== was) await writeManifest(store, m);
}

/**
 * Once a collect has listed (the store held; `listed`: every key it found): forgets the damaged days (the manifest first, then
 * their files), and records the modification time of a file found right under a new one (a
 * store copied without its times: runs then need not hash it). Returns the warnings, and the
 * days this collect reads again (for `restoreDaysBefore` once it has).
 */
export async function repairDamagedDays(
  store: string,
  window: TimeWindow | null,
  listed: ReadonlySet<string>,
): Promise<{ warnings: string[]; repairs: Repair[] }> {
  const m = await readManifest(store);
  const damaged = await damagedDays(store, m, false);
  for (const d of damaged) assertNoFolder(d);
  for (const d of damaged)
    if (inDayRange(dayRange(window), d.day)) assertReadableAgain(m, d, listed);
  let retimed = false;
  for (const d of Object.values(m.days)) {
    if (d.sha256 === undefined || damaged.some((x) => x.file === path.join(store, d.file)))
      continue;
    const st = await fsp.stat(path.join(store, d.file)).catch(() => null);
    if (st === null || st.mtimeMs === d.mtimeMs) continue;
    d.mtimeMs = st.mtimeMs;
    retimed = true;
  }
  const repairs: Repair[] = [];
  const warnings = damaged.map(({ day, file, why }) => {
    const readAgain = inDayRange(dayRange(window), day);
    const events = m.days[day]?.events ?? 0;
    const before = forgetDay(m, day, readAgain);
    if (readAgain) repairs.push({ day, before, events });
    const then = readAgain
      ? "its objects are read again now"
      : `it is not collected, nor the day before (whose late events it holds), until a collect of them: ${collectDayCommand(day, slashDayFrom(day, -1))}`;
    return `the store's file for ${day} (${file}) ${why}: ${then}`;
  });
  if (damaged.length > 0 || retimed) await writeManifest(store, m);
  for (const d of damaged) await fsp.rm(d.file, { force: true });
  return { warnings, repairs };
}

/** `run-md collect --verify`: every day file of the store hashed against its checksum. */
export async function verifyStore(
  store: string,
): Promise<{ days: number; unsealed: number; damaged: DamagedDay[] }> {
  const manifest = path.join(path.resolve(store), STORE_MANIFEST);
  // No manifest: no store (a mistyped --store), which has nothing verified, not "none damaged".
  if (
    !(await fsp.stat(manifest).then(
      (st) => st.isFile(),
      () => false,
    ))
  )
    throw new RunMdError(
      "bad-store",
      `${path.resolve(store)} is no run-md store (it has no ${STORE_MANIFEST}): nothing to verify`,
      {
        hint: "Check --store (or local.store in run-md.config.yaml): it names the folder run-md collect wrote.",
      },
    );
  const m = await readManifest(path.resolve(store));
  const days = Object.values(m.days);
  const damaged = await damagedDays(path.resolve(store), m, true);
  return { days: days.length, unsealed: days.filter((d) => !d.sha256).length, damaged };
}
