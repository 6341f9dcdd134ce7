/**
 * Collects CloudTrail files into the store (`@run-md/engine-local`'s `store.ts` format): the
 * files not yet in the manifest (or changed since) are read with the local engine's own reader
 * (`LogCatalog`: every layout it reads, corrupt files named and skipped), day by day; each day's
 * new file is committed with a new manifest, so a killed collect keeps the days it finished and
 * the next one reads the rest (a re-read object's events are deduplicated by `eventid`).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  DELIVERY_LAG_MS,
  deliveryDays,
  holdFileLock,
  isoSeconds,
  RunMdError,
  slashDate,
  slashDayFrom,
  slashDayStart,
  type TimeWindow,
} from "@run-md/core";
import {
  addCovered,
  assertStorePath,
  collectDayCommand,
  collectSelectSql,
  type DayRange,
  inDayRange,
  isUnnamedReadError,
  type LogCatalog,
  MAX_OBJECT,
  objectDay,
  type ReadFile,
  type Resolution,
  readManifest,
  SESSION_SETTINGS,
  type SourceFile,
  STORE_DAYS,
  type StoreDay,
  type StoreManifest,
  type StoreObject,
  sealDay,
  unnamedCulprit,
  writeManifest,
} from "@run-md/engine-local";
import { keepEarliestCopies } from "./cross-day.ts";
import { writeDay } from "./day-file.ts";
import { withoutMissed } from "./missed.ts";

/** A source file to collect, under the key and version the manifest records. */
export interface CollectFile {
  src: SourceFile;
  key: string;
  id: string;
}

export interface CollectProgress {
  phase: "list" | "fetch" | "write" | "done";
  objects: number;
  objectsTotal: number;
  bytes: number;
  events: number;
  day?: string;
}

export interface CollectResult {
  /** Source objects in the window, and how many of them were new or changed. */
  objectsSeen: number;
  objectsNew: number;
  objectsSkipped: number;
  /**
   * The skipped objects that could not be read (corrupt, truncated, no access), rather than read
   * and found to hold no CloudTrail event: the store lacks their events.
   */
  objectsUnread: number;
  /**
   * Objects changed since they were collected whose new version was not taken (the store keeps
   * the earlier one): their day could not be written again from the objects listed.
   */
  objectsHeld: number;
  /**
   * Items of the objects read that are no CloudTrail event (in `Records`: a number, a string,
   * null, an object without an event key), left out as the raw files' reader leaves them out;
   * each object holding some is named in `warnings` with how many.
   */
  valuesSkipped: number;
  /**
   * Events added to the store (after deduplication), less those it holds no more: negative when
   * days written again from objects changed in place hold fewer.
   */
  eventsAdded: number;
  /**
   * Damaged or gone day files this collect wrote again, and the events their earlier files held
   * (read again, not counted in `eventsAdded`).
   */
  daysRepaired: number;
  eventsRepaired: number;
  bytesRead: number;
  daysWritten: string[];
  warnings: string[];
  /**
   * Whether the window was recorded as collected (`covered`): false when an object could not be
   * fetched or a folder could not be listed (a later collect must get them first).
   */
  covered: boolean;
}

export interface CollectRun {
  store: string;
  /** The window collected; null: everything found (coverage: the days found). */
  window: TimeWindow | null;
  signal?: AbortSignal;
  onProgress?: (p: CollectProgress) => void;
  /**
   * How long to wait for another collect writing the store to finish (default: refused at
   * once): a nightly job's collect beside an hourly one waits instead of failing the night.
   */
  waitMs?: number;
}

/**
 * The layout days a collect of a window reads (null: every day): the days it covers (`coverage`:
 * whole days) and the next one, whose folder holds the last day's late events, so that a store
 * covering a day holds every day file a window of it reads (core's `deliveryDays`).
 */
export function dayRange(w: TimeWindow | null): DayRange | null {
  const own = ownDays(w);
  if (!w || !own) return null;
  return deliveryDays({ start: w.start, end: slashDayStart(slashDayFrom(own.last, 1)) });
}

/**
 * Whether a collect of the window listed an object of the window's own days (`days`: the listed
 * objects' layout days, null outside the layout): the day after, listed for the window's late
 * events, does not count.
 */
export function listedWindowObject(w: TimeWindow | null, days: (string | null)[]): boolean {
  const own = ownDays(w);
  return days.some((d) => d === null || inDayRange(own, d));
}

/** The days a window's events fall in (null: every day), without the next one `dayRange` adds. */
export function ownDays(w: TimeWindow | null): DayRange | null {
  if (!w) return null;
  return { first: slashDate(w.start), last: slashDate(new Date(w.end.getTime() - 1)) };
}

/**
 * Files whose key is not in the manifest, or whose version changed, and files outside the
 * delivery layout whose events of the collected `range` were not taken yet (`StoreObject.ranges`).
 */
export function newFiles(m: StoreManifest, files: CollectFile[], range: TimeRange): CollectFile[] {
  return files.filter((f) => {
    const o = m.objects[f.key];
    if (o?.id !== f.id) return true;
    if (f.src.layoutDay !== null || o.skipped !== undefined) return false;
    return !(o.ranges ?? []).some((r) => r.from <= range.from && r.to >= range.to);
  });
}

type TimeRange = { from: string; to: string };

/**
 * Layout days of the store holding an object collected before (not skipped) whose version
 * changed since: `files` must hold every object of those days (the local source lists them all;
 * the S3 source fetches them all again), since the day's file is written again from them alone.
 */
export function changedDays(
  m: StoreManifest,
  files: { key: string; id: string; day: string | null }[],
): Set<string> {
  const days = new Set<string>();
  for (const f of files) if (changedInPlace(m, f)) days.add(f.day!);
  return days;
}

/** An object of a stored layout day, collected before (not skipped), with another version now. */
function changedInPlace(m: StoreManifest, f: { key: string; id: string; day: string | null }) {
  const o = m.objects[f.key];
  return f.day !== null && !!o && o.skipped === undefined && o.id !== f.id && !!m.days[f.day];
}

/**
 * What a collect reads: the new files, and every file of the days written again (`rebuild`);
 * the changed objects it cannot take (`held`).
 */
function planFiles(
  manifest: StoreManifest,
  all: CollectFile[],
  complete: boolean,
  range: TimeRange,
): { rebuild: Set<string>; held: CollectFile[]; todo: CollectFile[] } {
  // A day with an object changed in place (a new version: not a new delivery) is written again
  // from its objects alone: merging into its file would keep the events of the old version.
  // Not when an object could not be fetched: the day would lose that object's events.
  const versions = all.map((f) => ({ key: f.key, id: f.id, day: f.src.layoutDay }));
  const changed = complete ? changedDays(manifest, versions) : new Set<string>();
  const listed = new Set(all.map((f) => f.key));
  // Only a day all of whose stored objects are listed again can be written from them: the
  // events of one collected from another source, or removed from this one, are in no listed file.
  const rebuild = new Set([...changed].filter((d) => allListed(manifest, d, listed)));
  const again = (f: CollectFile) =>
    f.src.layoutDay === null ? rebuild.size > 0 : rebuild.has(f.src.layoutDay);
  // Every file of a rebuilt day is read again, whether or not it is new for this window.
  // Not rebuilt: a changed object waits, with its earlier version in the manifest (merging its
  // new version would keep the old one's events and record the new as collected): for a complete
  // collect (one of its day's objects is missing), or for good (its day holds unlisted objects).
  const held = all.filter(
    (f, i) => changedInPlace(manifest, versions[i]!) && !rebuild.has(f.src.layoutDay!),
  );
  const fresh = newFiles(manifest, all, range).filter((f) => !held.includes(f));
  const todo = fresh.concat(all.filter((f) => again(f) && !fresh.includes(f)));
  return { rebuild, held, todo };
}

/**
 * Whether every object the store holds events of on layout day `day` is among the `listed` keys:
 * its collected objects of that day, and the ones outside the layout whose ranges meet it.
 */
function allListed(m: StoreManifest, day: string, listed: ReadonlySet<string>): boolean {
  return Object.entries(m.objects).every(([key, o]) => {
    if (o.skipped !== undefined || listed.has(key)) return true;
    // Objects outside the layout hold events of the ranges taken from them; a layout object, of
    // its day (found from its key when an earlier version recorded no day).
    if (o.ranges !== undefined) return !rangesMeetDay(o.ranges, day);
    return objectDay(key, o) !== day;
  });
}

/** Whether an object outside the layout holds events of layout day `day` (by its ranges). */
export function rangesMeetDay(ranges: readonly TimeRange[], day: string): boolean {
  const start = slashDayStart(day).getTime();
  return ranges.some((r) => Date.parse(r.from) < start + 86_400_000 && Date.parse(r.to) > start);
}

/** Why a changed object was not collected (`held` in collectFiles). */
function heldWarning(f: CollectFile, complete: boolean): string {
  const why = complete
    ? `its day ${f.src.layoutDay} also holds events of objects this collect does not list (removed from the source, or collected from another), which writing the day again from the listed objects would lose`
    : "its day is written again only by a collect that reads every object of the window (this one could not)";
  return `not collected ${f.key}: it changed since it was collected, and ${why}; the store keeps its earlier version`;
}

/** Everything: the range of a collect without a window. */
const ALL_TIME: TimeRange = { from: "0000-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z" };

/**
 * Refuses a store whose manifest names a day file that is gone: a collect would fail merging into
 * it. A collect of either source has forgotten such a day already (`repairDamagedDays`, once it
 * listed): this is the file removed since, or `collectFiles` called without that repair.
 */
async function assertDayFiles(store: string, m: StoreManifest): Promise<void> {
  for (const [day, d] of Object.entries(m.days)) {
    const file = path.join(store, d.file);
    if (
      await fsp.stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      continue;
    throw new RunMdError(
      "bad-store",
      `The manifest of the store ${store} names ${file} for ${day}, and it is missing. Nothing was collected.`,
      {
        hint: `Collect again: a collect forgets a day whose file is gone, and one of its window (${collectDayCommand(day)}, with --source) reads the day's objects again.`,
      },
    );
  }
}

/** Removes day files no manifest references (left by a killed collect). */
async function removeOrphans(store: string, m: StoreManifest): Promise<void> {
  const live = new Set(Object.values(m.days).map((d) => path.join(store, d.file)));
  const dir = path.join(store, STORE_DAYS);
  const names = await fsp.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const n of names) {
    const full = path.join(dir, String(n));
    if (full.endsWith(".parquet") && !live.has(full)) await fsp.rm(full, { force: true });
  }
}

/** One collect in progress: what every step of it reads and updates. */
interface Collecting {
  run: CollectRun;
  /** The store's absolute path. */
  store: string;
  /** The manifest as committed so far (updated in place, written after each day). */
  manifest: StoreManifest;
  /** The new or changed files. */
  todo: CollectFile[];
  catalog: LogCatalog;
  result: CollectResult;
  /** Collected objects so far (recorded in the manifest). */
  done: number;
  /** The keys recorded so far. */
  recorded: Set<string>;
  /** The time range this collect reads: its window's whole days (ALL_TIME without one). */
  range: TimeRange;
  /** Days written from their objects alone, without their previous file (`changedDays`). */
  rebuild: Set<string>;
  /** The source, recorded with a skipped object (`Listing.source`). */
  source: string | undefined;
  /** Files to remove once every day is committed (`CrossDay.deferred`). */
  deferred: string[];
  /**
   * The time ranges whose events this collect takes from files outside the layout: its `range`
   * and the store's coverage before it (`takenDays`), recorded as the files' `ranges`.
   */
  taken: TimeRange[];
}

/** The new files' readable parts, by key, and the days they fall in. */
interface Plan {
  parts: Map<string, ReadFile[]>;
  /** Day → keys of the files with parts in it. */
  dayOf: Map<string, Set<string>>;
  byPath: Map<string, CollectFile>;
  /**
   * Resolves one file again (after DuckDB rejected it, the catalog reads it leniently); a file
   * found to have nothing readable is noted in `skipped`, for the manifest of its day's commit.
   */
  resolveOne: (f: CollectFile, skipped: Record<string, StoreObject>) => Promise<void>;
}

/** How the files of a collect were found. */
export interface Listing {
  /** The files are all the source's objects in the window (else it is not recorded as covered). */
  complete: boolean;
  /**
   * When the listing began: the window is covered up to this instant at most, since an object
   * delivered after it was not seen.
   */
  at: Date;
  /**
   * The source (its absolute folder, or `s3://bucket/prefix`) and every key its listing found,
   * new or not. An object recorded as skipped (corrupt) records its source; one that a complete
   * listing of the same source would list and did not find was removed or renamed there: it is
   * forgotten, else every step over its days would name it as unread for ever.
   */
  source?: { id: string; keys: ReadonlySet<string> };
  /**
   * What the listing found and the collect could not read (paths or keys of files, folders
   * ending in `/`): their days lose the coverage earlier collects gave them (`withoutMissed`).
   */
  missed?: readonly string[];
}

/**
 * Removes from the manifest the skipped objects of this collect's source that its listing would
 * list and did not find; each with a warning. Listed: everything without a window; with one, the
 * objects of its layout days (recorded `StoreObject.day`): a listing of a window does not enter
 * other days' folders, where files outside the layout may lie too. A collected object gone from
 * the source stays: its events are stored.
 */
function forgetGone(
  m: StoreManifest,
  listing: Listing,
  window: TimeWindow | null,
  warnings: string[],
): boolean {
  const source = listing.source;
  if (!listing.complete || source === undefined) return false;
  let forgot = false;
  for (const [key, o] of Object.entries(m.objects)) {
    if (o.skipped === undefined || o.source !== source.id || source.keys.has(key)) continue;
    if (window !== null && !inDayRange(dayRange(window), o.day ?? null)) continue;
    delete m.objects[key];
    const why = o.skipped.startsWith(`${key}: `) ? o.skipped.slice(key.length + 2) : o.skipped;
    warnings.push(`forgot ${key}: skipped before (${why}), and no longer in the source`);
    forgot = true;
  }
  return forgot;
}

/**
 * Runs `fn` as the store's only writer, holding `collect.lock` in it, from before it reads the
 * manifest (an S3 collect decides what to fetch from it) to after its last commit: a second
 * collect (or prune) at the same time committed its manifest over the first one's, which lost
 * the days it had recorded, and removed the first one's day files not yet committed as orphans.
 * A lock left by a killed collect on this machine is taken over.
 */
export async function asStoreWriter<T>(
  store: string,
  fn: (store: string) => Promise<T>,
  waitMs = 0,
): Promise<T> {
  const dir = path.resolve(store);
  assertStorePath(dir);
  await fsp.mkdir(dir, { recursive: true }).catch((e: Error) => {
    throw new RunMdError("bad-store", `The store ${dir} cannot be made a folder: ${e.message}`, {
      hint: "Give --store (or local.store) a folder you can write to, or a new folder's path.",
    });
  });
  const release = await takeStore(dir, waitMs);
  try {
    // What a killed collect left in the store's scratch folder (its reader's cache, S3 staging,
    // a manifest's temporary file): only a collect writes there, and this one holds the lock.
    await fsp.rm(path.join(dir, ".tmp"), { recursive: true, force: true });
    return await fn(dir);
  } finally {
    // The scratch folder goes too, once this writer's files in it are gone (fetched or failed):
    // removed only when empty (`rmdir`), and under the lock, so no other collect's staging.
    await fsp.rmdir(path.join(dir, ".tmp")).catch(() => {});
    await release();
  }
}

/** The store's collect lock, waited for up to `waitMs` while another collect holds it. */
async function takeStore(dir: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const busy = (pid: string) =>
    new RunMdError(
      "store-busy",
      `another run-md collect (process ${pid}) is writing ${dir}${waitMs > 0 ? `, still after ${waitMs / 1000} s` : ""}`,
      {
        hint: "Let it finish, then collect again (or give --wait): the second collect takes only what is new. A lock of a collect on another machine counts until a minute after that collect stopped renewing it.",
      },
    );
  for (;;) {
    try {
      return await holdFileLock(path.join(dir, "collect.lock"), busy);
    } catch (e) {
      if ((e as RunMdError).code !== "store-busy" || Date.now() >= deadline) throw e;
      await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Collects the given files (already on local disk) into the store; the caller holds the store
 * (`asStoreWriter`).
 */
export async function collectFiles(
  run: CollectRun,
  catalog: LogCatalog,
  all: CollectFile[],
  listing: Listing = { complete: true, at: new Date() },
): Promise<CollectResult> {
  const store = path.resolve(run.store);
  const complete = listing.complete;
  const manifest = await readManifest(store);
  await assertDayFiles(store, manifest);
  await removeOrphans(store, manifest);
  const range = run.window ? coverage(run.window, [], listing.at) : ALL_TIME;
  const { rebuild, held, todo } = planFiles(manifest, all, complete, range);
  const result: CollectResult = {
    objectsSeen: all.length,
    objectsNew: todo.length,
    objectsSkipped: 0,
    objectsUnread: 0,
    eventsAdded: 0,
    daysRepaired: 0,
    eventsRepaired: 0,
    bytesRead: 0,
    daysWritten: [],
    objectsHeld: held.length,
    valuesSkipped: 0,
    warnings: held.map((f) => heldWarning(f, complete)),
    covered: complete,
  };
  const forgot = forgetGone(manifest, listing, run.window, result.warnings);
  // What it could not read takes the coverage of its days, from earlier collects too.
  const before = manifest.covered;
  if (!complete) manifest.covered = withoutMissed(before, listing.missed ?? []);
  const uncovered = JSON.stringify(manifest.covered) !== JSON.stringify(before);
  const recorded = new Set<string>();
  const c: Collecting = {
    run,
    store,
    manifest,
    todo,
    catalog,
    result,
    done: 0,
    recorded,
    range,
    rebuild,
    source: listing.source?.id,
    deferred: [],
    taken: addCovered(manifest.covered, range),
  };
  const plan = await planParts(c);
  // The days this collect listed or wrote: not the store's other days (a day after a window
  // collected before holds that window's late events only, and is no day found).
  const found = () => [...plan.dayOf.keys(), ...all.map((f) => f.src.layoutDay ?? "")];
  if (plan.dayOf.size === 0 && todo.length === 0 && run.window !== null) {
    // Nothing new: only the coverage may grow (no DuckDB needed, no write when it does not), and
    // only when every object of the window was read.
    if (!complete) {
      if (forgot || uncovered) await writeManifest(store, manifest);
      progress(c, "done");
      return result;
    }
    const covered = addCovered(manifest.covered, coverage(run.window, found(), listing.at));
    if (forgot || JSON.stringify(covered) !== JSON.stringify(manifest.covered))
      await writeManifest(store, { ...manifest, covered });
  } else {
    await writeDays(c, plan);
    recordEmpty(c, plan);
    if (complete)
      manifest.covered = addCovered(manifest.covered, coverage(run.window, found(), listing.at));
    await writeManifest(store, manifest);
  }
  progress(c, "done");
  return result;
}

function progress(c: Collecting, phase: CollectProgress["phase"], day?: string): void {
  c.run.onProgress?.({
    phase,
    objects: c.done,
    objectsTotal: c.todo.length,
    bytes: c.result.bytesRead,
    events: c.result.eventsAdded,
    ...(day === undefined ? {} : { day }),
  });
}

/**
 * The days whose events a collect takes from the files it reads: its window's layout days
 * (`dayRange`), and the days the store covers already (`taken`: its window's range and the
 * store's coverage before it). A file of the layout holds its own day's events only; one outside
 * it (an export copied into the log folder since) holds events of any days, and the store must
 * hold those of every day it says it covers (red-team: a collect of the last day took only that
 * day's, and runs over the days collected before answered without the others, without a word).
 * `days`: the span to resolve (null: every day); `keep`: whether a resolved part's day is taken.
 */
function takenDays(
  w: TimeWindow | null,
  taken: readonly TimeRange[],
): { days: DayRange | null; keep: (p: ReadFile) => boolean } {
  const own = dayRange(w);
  if (own === null) return { days: null, keep: () => true };
  const ranges = taken.map((r) => ({ from: Date.parse(r.from), to: Date.parse(r.to) }));
  const covered = (day: string) => {
    const start = slashDayStart(day).getTime();
    return ranges.some((r) => r.from < start + 86_400_000 && r.to > start);
  };
  const spans = ranges.map((r) => [slashDate(new Date(r.from)), slashDate(new Date(r.to - 1))]);
  const first = [own.first, ...spans.map((s) => s[0] as string)].sort()[0] as string;
  const last = [own.last, ...spans.map((s) => s[1] as string)].sort().at(-1) as string;
  return {
    days: { first, last },
    keep: (p) => p.day === null || inDayRange(own, p.day) || covered(p.day),
  };
}

/**
 * Reads the new files through the catalog (all at once: it profiles 16 at a time), split by file;
 * a file with nothing readable is recorded as skipped, with the catalog's reason.
 */
async function planParts(c: Collecting): Promise<Plan> {
  const { todo, catalog, manifest, result } = c;
  const { days, keep } = takenDays(c.run.window, c.taken);
  const parts = new Map<string, ReadFile[]>();
  const noteSkipped = (f: CollectFile, res: Resolution, into = manifest.objects) => {
    const skipped = res.warnings.find((w) => w.startsWith(`skipped ${f.src.rel}: `));
    if ((parts.get(f.key) ?? []).length === 0 && skipped !== undefined) {
      // Not read at all (corrupt, truncated, no access), rather than read and found to hold no
      // CloudTrail event: steps over its days name it (the store does not hold its events).
      const unread = res.unread.includes(f.src.rel);
      into[f.key] = {
        id: f.id,
        size: f.src.size,
        skipped: skipped.slice(8),
        unread,
        ...(c.source === undefined ? {} : { source: c.source }),
        ...(f.src.layoutDay === null ? {} : { day: f.src.layoutDay }),
      };
      result.objectsSkipped++;
      if (unread) result.objectsUnread++;
    }
  };
  const resolveOne = async (f: CollectFile, skipped: Record<string, StoreObject>) => {
    const res = await catalog.resolve([f.src], days);
    parts.set(f.key, res.files.filter(keep));
    noteSkipped(f, res, skipped);
    result.valuesSkipped += countValues(res);
    result.warnings.push(...res.warnings);
  };
  // Exports that hold the same events are named: the store keeps one copy of those alike in
  // every field, which the raw files count once per file.
  const first = await catalog.resolve(
    todo.map((f) => f.src),
    days,
    0,
    null,
    false,
    null,
    "collect",
  );
  const byOrigin = new Map<string, ReadFile[]>();
  for (const p of first.files.filter(keep))
    byOrigin.set(p.origin, [...(byOrigin.get(p.origin) ?? []), p]);
  for (const f of todo) {
    parts.set(f.key, byOrigin.get(f.src.rel) ?? []);
    noteSkipped(f, first);
  }
  result.valuesSkipped += countValues(first);
  result.warnings.push(...first.warnings);
  const dayOf = groupByDay(todo, parts, result.warnings);
  return { parts, dayOf, byPath: new Map(todo.map((f) => [f.src.path, f])), resolveOne };
}

/** How many JSON values that are no CloudTrail event the files of a resolution left out. */
function countValues(res: Resolution): number {
  return Object.values(res.notEvents).reduce((n, v) => n + v, 0);
}

/**
 * Days written at once, each on its own connection, each query on one DuckDB thread: days are
 * independent, so two of them keep two cores busy without DuckDB's parallel operators (on the
 * benchmark, two days at once on one thread each took about two thirds of the CPU time of one
 * day at a time on two threads, and no longer). Days are still committed one at a time, in order.
 */
const DAYS_IN_FLIGHT = 2;

/** A day's new file, and the source files found unreadable while writing it. */
interface WrittenDay {
  /** The day's new file; undefined when none of its sources could be read (nothing changes). */
  day: StoreDay | undefined;
  skipped: Record<string, StoreObject>;
}

/** Writes the plan's days, committing the manifest after each, in day order. */
async function writeDays(c: Collecting, plan: Plan): Promise<void> {
  const days = [...plan.dayOf].sort(([a], [b]) => (a < b ? -1 : 1));
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conns: DuckDBConnection[] = [];
  // UTC, as the engine: a time without a zone (some exports) is typed as the engine reads it,
  // whatever the collecting machine's zone.
  // One connection per day in flight, and one for the commits (copies across days).
  for (let i = 0; i <= DAYS_IN_FLIGHT; i++) {
    const conn = await instance.connect();
    for (const s of SESSION_SETTINGS) await conn.run(s);
    conns.push(conn);
  }
  const committing = conns[DAYS_IN_FLIGHT] as DuckDBConnection;
  const inFlight = new Map<number, Promise<WrittenDay>>();
  const launch = (i: number) => {
    const entry = days[i];
    const conn = conns[i % DAYS_IN_FLIGHT];
    if (entry === undefined || conn === undefined || c.run.signal?.aborted) return;
    const p = writeDayRetrying(conn, c, plan, entry[0], entry[1]);
    p.catch(() => {}); // awaited in order below, or discarded: never an unhandled rejection
    inFlight.set(i, p);
  };
  try {
    for (let i = 0; i < DAYS_IN_FLIGHT; i++) launch(i);
    for (const [i, [day]] of days.entries()) {
      if (c.run.signal?.aborted) throw new RunMdError("cancelled", "The collect was cancelled.");
      const written = await (inFlight.get(i) as Promise<WrittenDay>);
      inFlight.delete(i);
      await commitDay(c, plan, day, written, committing);
      launch(i + DAYS_IN_FLIGHT);
    }
  } finally {
    // Days written but not committed (a failure or a cancel before their turn): their writes are
    // interrupted and their files go.
    if (inFlight.size > 0) for (const conn of conns) conn.interrupt();
    for (const r of await Promise.allSettled(inFlight.values())) {
      if (r.status === "fulfilled" && r.value.day !== undefined)
        await fsp.rm(path.join(c.store, r.value.day.file), { force: true });
    }
    for (const conn of conns) conn.closeSync();
    instance.closeSync();
    // Stored files a commit replaced while another day's write could read them.
    for (const f of c.deferred) await fsp.rm(path.join(c.store, f), { force: true });
  }
}

/**
 * Records a written day (and the files found unreadable on the way) in the manifest and commits
 * it, one copy of an event kept across days (cross-day.ts); the files it replaces go after, and
 * the files made for it go if it fails.
 */
async function commitDay(
  c: Collecting,
  plan: Plan,
  day: string,
  w: WrittenDay,
  conn: DuckDBConnection,
): Promise<void> {
  const { store, manifest } = c;
  Object.assign(manifest.objects, w.skipped);
  const made = w.day ? [w.day.file] : [];
  const replaced: string[] = [];
  const deferred: string[] = [];
  try {
    // Without a new file (every new source of the day set aside), the stored one: it may hold
    // copies of the day before's new events.
    const file = w.day ?? manifest.days[day];
    if (file !== undefined) {
      const cross = await keepEarliestCopies(conn, store, manifest, day, file, (d) =>
        plan.dayOf.has(d),
      );
      if (cross.day !== file) made.push(cross.day.file);
      if (cross.next) made.push(cross.next.file.file);
      replaced.push(...cross.replaced);
      deferred.push(...cross.deferred);
      // The files this commit made get their checksums (a file kept as it was keeps its own).
      const seal = (d: StoreDay) => (made.includes(d.file) ? sealDay(store, d) : d);
      replaced.push(...setDay(c, day, await seal(cross.day)));
      if (cross.next) replaced.push(...setDay(c, cross.next.day, await seal(cross.next.file)));
    }
    recordCollected(c, plan, day);
    await writeManifest(store, manifest);
    // Only once the manifest no longer names them (a failed write leaves them named).
    c.deferred.push(...deferred);
  } catch (e) {
    for (const f of made) await fsp.rm(path.join(store, f), { force: true });
    throw e;
  }
  // Not the stored next day this collect writes too (its write may be reading it: `deferred`),
  // which setDay names among the replaced files as well (red-team: removed here, that write failed).
  for (const f of new Set(replaced))
    if (!deferred.includes(f)) await fsp.rm(path.join(store, f), { force: true });
  progress(c, "write", day);
}

/**
 * A day's file in the manifest (and the events it adds); returns the file it replaces, if any.
 * The same file again changes nothing.
 */
function setDay(c: Collecting, day: string, file: StoreDay): string[] {
  const old = c.manifest.days[day];
  if (old?.file === file.file) return [];
  c.manifest.days[day] = file;
  c.result.eventsAdded += file.events - (old?.events ?? 0);
  if (!c.result.daysWritten.includes(day)) c.result.daysWritten.push(day);
  return old ? [old.file] : [];
}

/** Records as collected the new files all of whose days are written once `day` is. */
function recordCollected(c: Collecting, plan: Plan, day: string): void {
  const { manifest } = c;
  for (const f of c.todo) {
    // Events without a time are in no day: never collected (a warning says so).
    const ps = (plan.parts.get(f.key) ?? []).filter((p) => p.day !== null);
    const written = ps.every(
      (p) => p.day !== null && manifest.days[p.day] && isDone(p.day, day, plan.dayOf),
    );
    if (ps.length > 0 && written) record(c, f);
  }
}

/**
 * Records as collected the new files read without an event of the window's days (an export
 * whose events all lie on other days): nothing to store, and nothing to read again for them.
 */
function recordEmpty(c: Collecting, plan: Plan): void {
  for (const f of c.todo) {
    const o = c.manifest.objects[f.key];
    if (o?.id === f.id && o.skipped !== undefined) continue;
    if ((plan.parts.get(f.key) ?? []).every((p) => p.day === null)) record(c, f);
  }
}

function record(c: Collecting, f: CollectFile): void {
  if (c.recorded.has(f.key)) return;
  c.manifest.objects[f.key] = collected(c.manifest.objects[f.key], f, c.taken);
  c.recorded.add(f.key);
  c.result.bytesRead += f.src.size;
  c.done++;
}

/** The manifest's entry of a collected file: outside the layout, with the ranges taken from it. */
function collected(
  old: StoreObject | undefined,
  f: CollectFile,
  taken: readonly TimeRange[],
): StoreObject {
  const entry: StoreObject = { id: f.id, size: f.src.size };
  if (f.src.layoutDay !== null) return { ...entry, day: f.src.layoutDay };
  const before = old?.id === f.id && old.skipped === undefined ? (old.ranges ?? []) : [];
  return { ...entry, ranges: taken.reduce((rs, r) => addCovered(rs, r), before) };
}

/** Whether `day` is written by the time `current` (days are written in order) is. */
function isDone(day: string, current: string, dayOf: Map<string, Set<string>>): boolean {
  return day <= current || !dayOf.has(day);
}

/** Day → keys of the files with parts in that day. Undated parts are left out, with a note. */
function groupByDay(
  todo: CollectFile[],
  parts: Map<string, ReadFile[]>,
  warnings: string[],
): Map<string, Set<string>> {
  const dayOf = new Map<string, Set<string>>();
  for (const f of todo) {
    const fileParts = parts.get(f.key) ?? [];
    // Once per file, however many of its parts (accounts, regions) are undated (review).
    if (fileParts.some((p) => p.day === null))
      warnings.push(`${f.src.rel}: events without a time are not collected`);
    for (const p of fileParts) {
      if (p.day === null) continue;
      const s = dayOf.get(p.day) ?? new Set<string>();
      dayOf.set(p.day, s);
      s.add(f.key);
    }
  }
  return dayOf;
}

/**
 * Writes a day; when DuckDB rejects a source file (it names it, or it is found: culprit.ts), the
 * local engine's lenient reader takes that file (or skips it, named, when it is not CloudTrail at
 * all) and we retry.
 */
async function writeDayRetrying(
  conn: DuckDBConnection,
  c: Collecting,
  plan: Plan,
  day: string,
  keys: Set<string>,
): Promise<WrittenDay> {
  const skipped: Record<string, StoreObject> = {};
  for (let attempt = 0; ; attempt++) {
    const files = [...keys].flatMap((k) => (plan.parts.get(k) ?? []).filter((p) => p.day === day));
    // Every source of the day was set aside (corrupt, truncated): they are named in the manifest
    // as skipped, and the day keeps what it had.
    if (files.length === 0) return { day: undefined, skipped };
    try {
      const written = await writeDay(
        conn,
        c.store,
        day,
        c.rebuild.has(day) ? undefined : c.manifest.days[day],
        files.map((p) => p.path),
      );
      return { day: written, skipped };
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      const failed = /file "([^"]+)"/.exec(msg)?.[1];
      const part = isUnnamedReadError(msg)
        ? await unnamedCulprit(
            conn,
            files,
            (some) =>
              `SELECT count(*) FROM (${collectSelectSql(
                some.map((p) => p.path),
                MAX_OBJECT,
              )})`,
          )
        : files.find((p) => p.path === failed);
      const reason = msg.split("\n")[0] ?? msg;
      const origin = part && [...plan.byPath.values()].find((f) => f.src.rel === part.origin);
      if (!part || !origin || attempt > 1000) throw e;
      const handled = plan.byPath.has(part.path)
        ? c.catalog.rejectDirect(part.path, reason)
        : c.catalog.rejectPart(part.path, `unreadable (${reason})`);
      if (!handled) throw e;
      await plan.resolveOne(origin, skipped);
    }
  }
}

/**
 * The time range a collect covers: its window up to now, or (no window) the days found. It ends
 * at its last day's end when the listing began at least `DELIVERY_LAG_MS` after it (the day's late
 * events, delivered into the next day's folder, were all there), else at the listing: a collect
 * of past days just after midnight listed the next day's folder before CloudTrail delivered the
 * last minutes of the day into it (red-team: recorded as whole, a later run over the day passed
 * over an event of 23:58 delivered at 00:35 without a word; now it is the hour before a listing).
 */
function coverage(w: TimeWindow | null, found: string[], now: Date): { from: string; to: string } {
  const until = (dayEnd: number) =>
    now.getTime() < dayEnd + DELIVERY_LAG_MS ? listingEnd(now) : new Date(dayEnd);
  if (w) {
    const from = slashDayStart(slashDate(w.start));
    const lastDay = slashDayStart(slashDate(new Date(w.end.getTime() - 1))).getTime();
    return { from: isoSeconds(from), to: isoSeconds(until(lastDay + 86_400_000)) };
  }
  const days = found.filter((d) => d !== "").sort();
  const first = days[0] ?? slashDate(now);
  const last = days[days.length - 1] ?? first;
  const to = until(slashDayStart(last).getTime() + 86_400_000);
  return { from: isoSeconds(slashDayStart(first)), to: isoSeconds(to) };
}

/**
 * A listing's instant as a range's end, in whole seconds (ranges compare as text), never a
 * midnight: a range that ends at one is taken as covered whole by readers (store.ts `listedAt`),
 * so a listing in the first second after midnight ends its range a second after it (the hour
 * before a listing is read as unsettled anyway). Red-team: a listing at 00:00:00.4 ended at the
 * midnight, and the last day's events delivered after it were passed over without a word.
 */
function listingEnd(now: Date): Date {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  return new Date(t % 86_400_000 === 0 ? t + 1000 : t);
}
