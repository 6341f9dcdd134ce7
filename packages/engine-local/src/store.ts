/**
 * The collected store (`run-md collect`, `local.store`): one Parquet file per day of the trail's
 * delivery layout (the day in the object's path, as Athena's partitions), holding the Athena
 * column set (payloads as JSON text), the partition columns, `_extra` (the record's top-level
 * keys the Athena columns do not hold, as a JSON object; usually null) and `_record` (the record's
 * JSON, only when a struct of it holds a key the struct has no field for). Logs Insights'
 * `@message` is rebuilt from those columns (`storeMessageSql`): the record's JSON as CloudWatch
 * Logs would hold it, with CloudTrail's key names, in the schema's key order. `manifest.json`
 * names the current file of each day, the time ranges collected and the source objects already read; it is the only thing readers trust, and
 * it is replaced atomically, so a killed collect leaves the previous manifest (and its files)
 * intact. This module is the one description of that format: the collector writes it, the engine
 * reads it.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import path from "node:path";
import {
  DELIVERY_LAG_MS,
  dayRanges,
  deliveryDays,
  isoSeconds,
  RunMdError,
  setNewest,
  slashDate,
  slashDayFrom,
  slashDayStart,
  slashDaysBetween,
  sqlStringLiteral,
  type TimeWindow,
  windowDays,
  writeFileAtomic,
} from "@run-md/core";
import { EVENT_KEYS, GLOB_CHARS, layoutDay, layoutSeries, type SourceFile } from "./files.ts";
import {
  athenaSelectList,
  CLOUDTRAIL_COLUMNS,
  type Field,
  jsonStructure,
  partitionSelectList,
  RECORD_FIELDS,
} from "./schema.ts";

export const STORE_MANIFEST = "manifest.json";
/** Folder of the day files inside the store. */
export const STORE_DAYS = "days";
/** The record's top-level keys outside the Athena columns, a JSON object (or null): not an Athena column. */
export const EXTRA_COLUMN = "_extra";
/**
 * The record's JSON text as collected, kept only for a record with a key inside one of the Athena
 * structs that the struct has no field for (`resources[].ARNPrefix`,
 * `userIdentity.sessionContext.sourceIdentity`, a key spelt in another case): the columns cannot
 * give such a key back, and Logs Insights reads it from `@message`. Null for every other record.
 */
export const RECORD_COLUMN = "_record";
/**
 * `eventtime` as a timestamp (`TRY_CAST(eventTime AS TIMESTAMPTZ)`, the window filter's own
 * expression), computed once at collect: a window compares it without parsing text, and the day
 * files are sorted by it, so Parquet's row-group statistics skip what a window excludes.
 */
export const TIME_COLUMN = "_ts";

export interface StoreDay {
  /** Path of the day's Parquet file, relative to the store. */
  file: string;
  events: number;
  bytes: number;
  /**
   * The file's events' times: the earliest and the latest (ISO, milliseconds; null without
   * events that have one, or beyond what a JavaScript date holds) and how many have none DuckDB
   * can read. A day's folder holds events of
   * other days too (CloudTrail delivers minutes late: an event of 23:58 lies in the next day's
   * folder), so only these tell that a window holds every event of the file. Absent in stores
   * collected before: their files are always filtered by the window.
   */
  times?: EventTimes;
  /**
   * The file's SHA-256 (hex) and modification time when the collect wrote it (`sealDay`). A
   * reader hashes the file only when its modification time is another (a file changed in place,
   * or a store copied without its times); `run-md collect --verify` hashes every one. Absent in
   * stores collected before: their files are checked by size alone.
   */
  sha256?: string;
  mtimeMs?: number;
}

export interface EventTimes {
  first: string | null;
  last: string | null;
  untimed: number;
}

/** A store file a query reads, and whether the window holds all its events (no filter needed). */
export interface StoreFile {
  path: string;
  whole: boolean;
}

export interface StoreObject {
  /** ETag (S3) or `mtimeMs:size` (local files) when it was collected. */
  id: string;
  size: number;
  /** Why it was skipped (corrupt, not CloudTrail); it is read again only when it changes. */
  skipped?: string;
  /**
   * A skipped object that could not be read (corrupt, truncated, no access), so it may hold events
   * the store lacks; false: read, and no CloudTrail event in it. Absent in stores collected
   * before it was recorded: the reason's words tell (`NOT_EVENTS`).
   */
  unread?: boolean;
  /**
   * The source a skipped object was found in (a folder, `s3://bucket/prefix`): a later collect
   * of that source that no longer finds it forgets it. Absent: kept until the store is rebuilt.
   */
  source?: string;
  /**
   * An object outside the delivery layout (an export, JSON lines) holds events of any days, and a
   * collect stores only those of its window: the time ranges whose events were taken from it
   * (merged, sorted). A later collect of a window outside them reads it again.
   */
  ranges?: { from: string; to: string }[];
  /**
   * The delivery-layout day (`yyyy/MM/dd`) of an object in the layout, read from its whole path
   * when collected: its key is relative to the source, which may lie below `AWSLogs/<account>/`
   * (`--source ./AWSLogs/111122223333`), where the key alone does not show the layout.
   */
  day?: string;
}

/** A day folder's file at the end of a key: `.../2026/11/30/x.json.gz`. */
const TRAILING_DAY = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

/**
 * The layout day of a collected object: recorded with it, else read from its key, else (a store
 * collected before days were recorded, from a source below `AWSLogs/<account>/`) the day folder
 * its key ends in, for an object in the layout (one outside it has `ranges`). Null outside it.
 */
export function objectDay(key: string, o: StoreObject): string | null {
  if (o.day !== undefined) return o.day;
  const day = layoutDay(key);
  if (day !== null || o.ranges !== undefined) return day;
  const m = TRAILING_DAY.exec(key);
  return m ? `${m[1]}/${m[2]}/${m[3]}` : null;
}

/**
 * The store format's version. 3: `@message` rebuilt from the columns (`_extra`), or the record's
 * JSON (`_record`) where the columns cannot hold it. Version 1 stores kept each record's JSON text,
 * version 2 stores lost keys inside the structs the DDL has no field for: neither is read
 * (collect again into a new folder).
 */
export const STORE_VERSION = 3;

export interface StoreManifest {
  version: typeof STORE_VERSION;
  /** `yyyy/MM/dd` → its file. */
  days: Record<string, StoreDay>;
  /** Half-open ISO time ranges collected, merged and sorted. */
  covered: { from: string; to: string }[];
  /** Source object key (S3 key, or path relative to the source directory) → what was read. */
  objects: Record<string, StoreObject>;
}

export function emptyManifest(): StoreManifest {
  return { version: STORE_VERSION, days: {}, covered: [], objects: {} };
}

export async function readManifest(store: string): Promise<StoreManifest> {
  const file = path.join(store, STORE_MANIFEST);
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return emptyManifest();
    throw badStore(file, (e as Error).message);
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw badStore(file, (e as Error).message);
  }
  const version = (m as { version?: unknown } | null)?.version;
  if (version !== STORE_VERSION)
    throw badStore(
      file,
      `not a run-md store manifest of this version (${STORE_VERSION}; found ${JSON.stringify(version)})`,
    );
  const problem = manifestProblem(m as Record<string, unknown>);
  if (problem !== undefined) throw badStore(file, `${problem}: the store was changed by hand`);
  return m as StoreManifest;
}

function badStore(file: string, why: string): RunMdError {
  return new RunMdError("bad-store", `${file}: ${why}`, {
    hint: "Remove the store folder and collect again.",
  });
}

/** A day's file as a collect names it (`dayFileName`): inside the store, in the day's folder. */
const DAY_FILE = /^days\/(\d{4}\/\d{2}\/\d{2})\/[A-Za-z0-9_-]+\.parquet$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What in a manifest of this version is not as a collect writes it, or undefined. A reader and a
 * prune follow its file names: one outside the day's folder (`../victim.parquet`) is never
 * opened or removed.
 */
function manifestProblem(m: Record<string, unknown>): string | undefined {
  const { days, covered, objects } = m;
  if (!isRecord(days)) return '"days" is not an object';
  for (const [day, d] of Object.entries(days)) {
    if (!isRecord(d) || typeof d.file !== "string") return `day ${day} has no file`;
    if (DAY_FILE.exec(d.file)?.[1] !== day)
      return `day ${day} names the file ${JSON.stringify(d.file)}, outside its folder days/${day}/`;
    if (typeof d.events !== "number" || typeof d.bytes !== "number")
      return `day ${day} has no event count or size`;
  }
  if (
    !Array.isArray(covered) ||
    !covered.every((r) => isRecord(r) && typeof r.from === "string" && typeof r.to === "string")
  )
    return '"covered" is not a list of time ranges';
  if (!isRecord(objects)) return '"objects" is not an object';
  for (const [key, o] of Object.entries(objects)) {
    if (!isRecord(o) || typeof o.id !== "string" || typeof o.size !== "number")
      return `the source object ${key} has no id or size`;
  }
  return undefined;
}

/**
 * The manifest as a reader last parsed it (a 30-day store's manifest names thousands of source
 * objects: parsing it took about 5 ms, a tenth of a 1-day query). It is parsed again when the file
 * changed: a collect replaces it by a rename, so its inode changes even within one mtime tick.
 * Readers only; the collector mutates the manifest it reads and takes its own copy.
 */
export class ManifestCache {
  readonly store: string;
  private key = "";
  private manifest: StoreManifest | null = null;

  constructor(store: string) {
    this.store = store;
  }

  async get(): Promise<StoreManifest> {
    const st = await fsp.stat(path.join(this.store, STORE_MANIFEST)).catch(() => null);
    const key = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : "";
    if (this.manifest === null || key === "" || key !== this.key) {
      this.manifest = await readManifest(this.store);
      this.key = key;
    }
    return this.manifest;
  }
}

/** Replaces the manifest atomically (temporary file, fsync, rename). */
export async function writeManifest(store: string, m: StoreManifest): Promise<void> {
  await writeFileAtomic(path.join(store, STORE_MANIFEST), `${JSON.stringify(m)}\n`);
}

/** `covered` plus one range, merged (overlapping or touching ranges become one). */
export function addCovered(
  covered: StoreManifest["covered"],
  range: { from: string; to: string },
): StoreManifest["covered"] {
  const all = [...covered, range].sort((a, b) => (a.from < b.from ? -1 : 1));
  const out: StoreManifest["covered"] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) {
      if (r.to > last.to) last.to = r.to;
    } else out.push({ ...r });
  }
  return out;
}

/** `covered` without the half-open range [from, to) (ISO instants). */
export function uncover(
  covered: StoreManifest["covered"],
  from: string,
  to: string,
): StoreManifest["covered"] {
  const [a, b] = [Date.parse(from), Date.parse(to)];
  return covered.flatMap((r) => {
    const [x, y] = [Date.parse(r.from), Date.parse(r.to)];
    if (y <= a || x >= b) return [r];
    return [
      ...(x < a ? [{ from: r.from, to: from }] : []),
      ...(y > b ? [{ from: to, to: r.to }] : []),
    ];
  });
}

const DAY_MS = 86_400_000;

/**
 * Which days of a window the store does not cover (`missing`: not collected, or collected only in
 * part of the window's span), and which day files a query reads: the window's delivery days
 * (core's `deliveryDays`: an event of 23:58 lies in the next day's folder), each from the store
 * (`storeDays`; a day collected without events has no file) or from the raw files (`rawDays`). A
 * day of the window comes from the store when the store covers it: a collect covers a day once
 * it listed the day's folder after the day's end. The day after the window's last comes from the
 * store when the store covers that last day: a collect that covers a day lists the next day's
 * folder too, for the day's late events.
 */
export function planStore(
  m: StoreManifest,
  w: TimeWindow,
  raw: {
    unsettled?: boolean;
    behind?: ReadonlySet<string>;
    lacking?: ReadonlySet<string>;
  } = {},
): { storeDays: string[]; missing: string[]; rawDays: string[] } {
  const ranges = m.covered.map((r) => ({ from: Date.parse(r.from), to: Date.parse(r.to) }));
  const days = windowDays(w);
  const behind = raw.behind ?? new Set<string>();
  const lacking = raw.lacking ?? new Set<string>();
  // With raw files to read, a day whose span reaches into the hour before a collect's listing
  // is read there: CloudTrail has delivered more of that hour since (`unsettledWarning`), unless
  // they lack files of the day the store holds (`daysLacking`: a staler copy); so is a day whose
  // folder holds files the store has no record of (`daysBehind`).
  const settled = (d: { day: string; to: number }, r: { to: number }) =>
    !behind.has(d.day) &&
    (raw.unsettled !== true ||
      lacking.has(d.day) ||
      !listedAt(r.to) ||
      d.to <= r.to - DELIVERY_LAG_MS);
  const missing = days
    .filter((d) => !ranges.some((r) => r.from <= d.from && r.to >= d.to && settled(d, r)))
    .map((d) => d.day);
  const inWindow = new Set(days.map((d) => d.day));
  // A Set: a window of centuries has a million days (a list's includes made it quadratic: a
  // window from year 1 ran for good; red-team).
  const notCovered = new Set(missing);
  const answered = (day: string) => inWindow.has(day) && !notCovered.has(day);
  const storeDays: string[] = [];
  const rawDays: string[] = [];
  const { first, last } = deliveryDays(w);
  const end = slashDayStart(last).getTime();
  let before = false; // whether the store answers the day before
  for (let t = slashDayStart(first).getTime(); t <= end; t += DAY_MS) {
    const d = slashDate(new Date(t));
    const own = answered(d);
    (own || (!inWindow.has(d) && before && !behind.has(d)) ? storeDays : rawDays).push(d);
    before = own;
  }
  return { storeDays, missing, rawDays };
}

const quote = sqlStringLiteral;

/**
 * The event files of the log directory, by layout day, that the store has no record of: synced
 * or delivered after the collect (a region's folder synced late). Compared when the log
 * directory is the store's source or a copy of it, told by one of its files being recorded;
 * otherwise only the files of days the store holds no event of. The store's keys are paths relative to its source, which may be another folder
 * of the same layout than the log directory (`--source ./logs/AWSLogs` or
 * `s3://bucket/prefix`, read with `logDir: ./logs`): a file is recorded under its own path, or
 * under the same path below the account's folder with the folders above it (`under`) one's
 * ending the other's. Red-team: with the source as `local.logDir`, a region synced after the
 * collect was never read over the days it covered; with the source one folder off, never either.
 */
export function daysBehind(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null }[],
): Map<string, string[]> {
  return filesBehind(m, files).behind;
}

/** `daysBehind`, and whether the log directory is the store's source (or a copy): `same`. */
function filesBehind(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null }[],
): { behind: Map<string, string[]>; same: boolean } {
  const behind = new Map<string, string[]>();
  const layout = files.filter((f) => f.layoutDay !== null);
  const recorded = recordedBy(m, layout);
  // Not the store's source (nor a copy): only its files of days the store holds no event of (a
  // day whose folder was synced whole after the collect found it empty) are read raw; the
  // store's empty day answered them (red-team).
  const same = layout.some(recorded);
  for (const f of layout) {
    if (f.layoutDay === null || recorded(f)) continue;
    if (!same && (m.days[f.layoutDay]?.events ?? 0) > 0) continue;
    behind.set(f.layoutDay, [...(behind.get(f.layoutDay) ?? []), f.rel]);
  }
  return { behind, same };
}

/**
 * The store's key a log directory's file is recorded under, or undefined: its own path when one
 * of the `layout` files is recorded so (the store's source, or a copy of it), else as
 * `recordedElsewhere` finds it.
 */
function recordedKey(
  m: StoreManifest,
  layout: readonly { rel: string }[],
): (f: { rel: string }) => string | undefined {
  if (layout.some((f) => Object.hasOwn(m.objects, f.rel)))
    return (f) => (Object.hasOwn(m.objects, f.rel) ? f.rel : undefined);
  return recordedElsewhere(m);
}

/**
 * The log directory's files less the copies of a delivery the store records (`recordedKey`)
 * under another folder: `once` (the catalog's `withoutCopies`, which keeps the first in path
 * order) is handed the recorded files first, and only files the store does not record are left
 * out (two recorded copies both stay: the store holds both). Red-team: a stored delivery copied
 * under a folder sorting before its own was read beside the store as a file it lacks, its
 * events counted twice.
 */
async function withoutStoredCopies(
  m: StoreManifest,
  files: readonly SourceFile[],
  once: (files: SourceFile[]) => Promise<readonly SourceFile[]>,
): Promise<SourceFile[]> {
  const recorded = recordedBy(
    m,
    files.filter((f) => f.layoutDay !== null),
  );
  const kept = new Set(
    await once([...files.filter(recorded), ...files.filter((f) => !recorded(f))]),
  );
  return files.filter((f) => kept.has(f) || recorded(f));
}

/** Whether the store records a log directory's file (`recordedKey`). */
function recordedBy(m: StoreManifest, files: readonly { rel: string }[]) {
  const key = recordedKey(m, files);
  return (f: { rel: string }) => key(f) !== undefined;
}

/**
 * The days among `days` on which the store holds an object's events that no file of the log
 * directory is (`recordedKey`): a log directory staler than the store (a sync older than a
 * collect from the bucket, or one without an export the collect stored), where reading such a
 * day raw would answer without them.
 */
function daysLacking(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null }[],
  days: readonly string[],
): Set<string> {
  const layout = files.filter((f) => f.layoutDay !== null);
  const key = recordedKey(m, layout);
  const present = new Set(files.map(key));
  const lacking = new Set<string>();
  for (const k of objectsOfDays(m, days).origins) {
    const o = m.objects[k];
    if (o === undefined || o.skipped !== undefined || present.has(k)) continue;
    const day = objectDay(k, o) ?? layoutSeries(k)?.day;
    if (day !== undefined && day !== null) lacking.add(day);
  }
  // An export the store took events from (its `ranges`) that the log directory lacks: each of
  // the days its ranges reach (review: a copy without the export read them raw without them).
  for (const k of exportKeys(m)) {
    if (present.has(k)) continue;
    const ranges = (m.objects[k]?.ranges ?? []).map((r) => [Date.parse(r.from), Date.parse(r.to)]);
    for (const day of days) {
      const start = slashDayStart(day).getTime();
      if (ranges.some(([from, to]) => from! < start + DAY_MS && to! > start)) lacking.add(day);
    }
  }
  return lacking;
}

const exportsKept = new WeakMap<StoreManifest, string[]>();

/** The store's objects outside the layout it took events from (`ranges`), once per manifest. */
function exportKeys(m: StoreManifest): string[] {
  let keys = exportsKept.get(m);
  if (keys === undefined) {
    keys = [];
    for (const k in m.objects) {
      const o = m.objects[k];
      if (o?.ranges !== undefined && o.skipped === undefined) keys.push(k);
    }
    exportsKept.set(m, keys);
  }
  return keys;
}

/**
 * The event files of the log directory outside the delivery layout that the store has no record
 * of (an export put there after the collect): their events may be of any day, so a step reads
 * them raw whatever days the store covers. Only where the log directory is the store's source or
 * a copy of it (one of its files is recorded): an export beside another store's raw files is no
 * more known to be missing from the store than to be in it, and is not read over its days.
 * Red-team: with the source as `local.logDir`, an export added after the collect was passed over
 * on every covered day, without a word, while the raw files alone read it.
 */
export function exportsBehind(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null }[],
): string[] {
  const recorded = recordedBy(m, files);
  if (!files.some(recorded)) return [];
  return files.filter((f) => f.layoutDay === null && !recorded(f)).map((f) => f.rel);
}

/**
 * The files of a log directory that is not the store's source (no file of the window's is
 * recorded: not the collect's source, nor a copy) that a step leaves to the store: exports (any
 * day) and layout files of days the store holds events of. Their events may or may not be in the
 * store (reading them could count its events twice): not read over the store's days, and named
 * (`besideWarning`). s61 left-out: they were passed over without a word.
 */
function unrelatedBeside(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null }[],
  storeDays: readonly string[],
): string[] {
  const layout = files.filter((f) => f.layoutDay !== null);
  // As daysBehind and exportsBehind tell the store's source: by layout files, by any file.
  const layoutSame = layout.some(recordedBy(m, layout));
  const anySame = files.some(recordedBy(m, files));
  const answered = new Set(storeDays.filter((d) => (m.days[d]?.events ?? 0) > 0));
  return files
    .filter((f) => (f.layoutDay === null ? !anySame : !layoutSame && answered.has(f.layoutDay)))
    .map((f) => f.rel);
}

/** The warning of a step that left a log directory's files to the store (`unrelatedBeside`). */
function besideWarning(rels: string[], storeDays: string[]): string[] {
  if (rels.length === 0 || storeDays.length === 0) return [];
  const n = rels.length === 1 ? "1 file" : `${rels.length} files`;
  return [
    `${n} of the log directory (${rels[0]}${rels.length > 1 ? ", ..." : ""}) ${rels.length === 1 ? "was" : "were"} not read over the days the store answers (${dayRanges(storeDays)}): the store records none of the window's files, so whether their events are in it is unknown (the log directory is not the collect's source, or holds its files under other names); collect from it to store them, or leave local.store unset to read the raw files alone`,
  ];
}

/**
 * The event files of the log directory outside the delivery layout that the store records at
 * another size than theirs (`recordedKey`): rewritten since the collect (a nightly `lookup-events
 * > lookup.json`), they may hold events the store's days lack. Not read raw (the store holds the
 * events of the version it read, which the new one repeats): the step says so. Review: the
 * store's days were answered without the new events, without a word.
 */
export function exportsChanged(
  m: StoreManifest,
  files: readonly { rel: string; layoutDay: string | null; size: number }[],
): string[] {
  const key = recordedKey(m, files);
  return files
    .filter((f) => {
      const k = f.layoutDay === null ? key(f) : undefined;
      const o = k === undefined ? undefined : m.objects[k];
      return o !== undefined && o.skipped === undefined && o.size !== f.size;
    })
    .map((f) => f.rel);
}

/** The warning of a step answered from the store over exports changed since (`exportsChanged`). */
function changedWarning(rels: string[]): string[] {
  if (rels.length === 0) return [];
  const n = rels.length === 1 ? "1 file" : `${rels.length} files`;
  return [
    `the log directory's ${n} outside the delivery layout (${rels[0]}${rels.length > 1 ? ", ..." : ""}) changed since the collect (another size): the store answered its days without what was written into them since; collect again to store it`,
  ];
}

/** The warning of a step that read exports the store lacks from the raw files (`exportsBehind`). */
function exportsWarning(rels: string[]): string[] {
  if (rels.length === 0) return [];
  const n = rels.length === 1 ? "1 file" : `${rels.length} files`;
  return [
    `the store lacks ${n} outside the delivery layout that the log directory holds (${rels[0]}${rels.length > 1 ? ", ..." : ""}), put there after the collect: read from the raw files; collect again to store them`,
  ];
}

/** Whether `a` ends with the folders `b` (the whole of it, at a `/`; "" ends every path). */
function endsWithFolders(a: string, b: string): boolean {
  return b === "" || a === b || a.endsWith(`/${b}`);
}

/** The folders above the account's folder of the store's layout keys (`under`), per manifest. */
const undersKept = new WeakMap<StoreManifest, string[]>();

/**
 * The key a log directory's file is recorded under in the store with other folders above
 * the account's (the store collected from a folder above or below the log directory), or under
 * the end of its path (collected from a folder inside the layout, below the account's). The
 * store's distinct `under`s are few (one per trail folder); a pass over its keys finds them once
 * per manifest, only when no file of the log directory is recorded under its own path.
 */
function recordedElsewhere(m: StoreManifest): (f: { rel: string }) => string | undefined {
  let unders = undersKept.get(m);
  if (unders === undefined) {
    const found = new Set<string>();
    for (const key in m.objects) {
      const s = layoutDay(key) === null ? null : layoutSeries(key);
      if (s) found.add(s.under);
    }
    unders = [...found];
    undersKept.set(m, unders);
  }
  const kept = unders;
  return (f) => {
    // A store collected from a folder inside the log directory's layout (`--source
    // ./logs/AWSLogs/<account>`, whose keys start at `CloudTrail/`): its key ends the path.
    const parts = f.rel.split("/");
    for (let i = 1; i < parts.length - 1; i++) {
      const end = parts.slice(i).join("/");
      if (Object.hasOwn(m.objects, end)) return end;
    }
    const s = layoutDay(f.rel) === null ? null : layoutSeries(f.rel);
    if (!s) return undefined;
    const below = f.rel.slice(s.under === "" ? 0 : s.under.length + 1);
    const under = kept.find(
      (u) =>
        (endsWithFolders(u, s.under) || endsWithFolders(s.under, u)) &&
        Object.hasOwn(m.objects, u === "" ? below : `${u}/${below}`),
    );
    return under === undefined ? undefined : under === "" ? below : `${under}/${below}`;
  };
}

/** The warning of a step that read days raw because the store lacks some of their files. */
function behindWarning(behind: Behind, rawDays: string[]): string[] {
  const byDay = behind.beside ?? behind.rawDays;
  const days = [...byDay.keys()].filter((d) => behind.beside || rawDays.includes(d)).sort();
  const files = days.flatMap((d) => byDay.get(d) ?? []);
  if (files.length === 0) return [];
  // Days read raw whole (the hour before a collect's listing) are no store's days to be beside.
  const how = days.every((d) => rawDays.includes(d))
    ? "those days are read from the raw files"
    : "read from the raw files beside the store's days";
  const n = files.length === 1 ? "1 file" : `${files.length} files`;
  return [
    `the store lacks ${n} of ${dayRanges(days)} that the log directory holds (${files[0]}${files.length > 1 ? ", ..." : ""}), synced or delivered after the collect: ${how}; collect again to store them (${collectDayCommand(days[days.length - 1] as string, days[0] as string)})`,
  ];
}

/**
 * The files of the log directory the store has no record of (`daysBehind`), and how a step
 * reads them. Where the log directory is the store's source (or a copy), each is read from the
 * raw file beside the store's days (`beside`), never in place of them: a day whose folder both
 * holds files the store lacks and lacks files it holds (a sync pruned) keeps the events of both
 * (s61 left-out: read raw alone, it lost the pruned files' events). Elsewhere (only days the
 * store holds no event of) those days are read raw (`rawDays`).
 */
interface Behind {
  rawDays: Map<string, string[]>;
  beside?: Map<string, string[]>;
}

function behindOf(m: StoreManifest, files: readonly SourceFile[], rawFallback: boolean): Behind {
  if (!rawFallback) return { rawDays: new Map() };
  const { behind, same } = filesBehind(m, files);
  return same && behind.size > 0 ? { rawDays: new Map(), beside: behind } : { rawDays: behind };
}

/**
 * Whether a covered range's end is the instant its collect began listing: not a midnight (a
 * collect covers its window to the end of its last day, or to when it listed, whichever is
 * earlier; a collect of past days lists the day after's folder after their end).
 */
function listedAt(to: number): boolean {
  return to % DAY_MS !== 0;
}

/**
 * The warning of a step over the hour before a collect's listing, read from the store (no raw
 * files to read it from instead): CloudTrail delivers events up to about an hour late
 * (`DELIVERY_LAG_MS`), so events of that hour it delivered after the listing are in the source
 * and not in the store. Red-team: an hourly collect at 10:05, then `--from 09:00 --to 10:00` at
 * 10:30 answered without an event of 09:55 delivered at 10:07, and passed without a word.
 */
function unsettledWarning(m: StoreManifest, w: TimeWindow | null, stale = false): string[] {
  const u = unsettled(m, w);
  if (u === undefined) return [];
  const { to, from } = u;
  const day = slashDate(from);
  const raw = stale
    ? "the log directory (local.logDir) lacks files of those days that the store holds (a copy older than the collect), so the store answered them"
    : "or set local.logDir (or --log-dir) to read those days from the raw files";
  return [
    `the store was collected up to ${isoSeconds(new Date(to))}, and CloudTrail delivers events up to about an hour late: events of the window from ${isoSeconds(from)} that it delivered after that collect are not in the store. Collect again for the whole window (${collectDayCommand(slashDate(new Date(to - 1)), day)})${stale ? "; " : ", "}${raw}`,
  ];
}

/**
 * The end of the covered range a window reaches into the hour before (`to`, ms), and the first
 * instant of the window that CloudTrail may have delivered after that collect (`from`); undefined
 * when the window ends before that hour.
 */
function unsettled(m: StoreManifest, w: TimeWindow | null): { to: number; from: Date } | undefined {
  if (w === null) return undefined;
  const to = m.covered
    .map((r) => Date.parse(r.to))
    .find((t) => listedAt(t) && w.start.getTime() < t && w.end.getTime() > t - DELIVERY_LAG_MS);
  if (to === undefined) return undefined;
  return { to, from: new Date(Math.max(to - DELIVERY_LAG_MS, w.start.getTime())) };
}

/**
 * Top-level keys CloudTrail writes that no Athena column holds, common enough (`managementEvent`
 * is in nearly every record since 2020) to be read with the columns, so that `_extra` of a record
 * with no other such key is put together from them instead of patching the record's JSON.
 */
const COMMON_EXTRA_KEYS = ["managementEvent"];

const RECORD_STRUCTURE = JSON.stringify({
  ...Object.fromEntries(RECORD_FIELDS.map((f) => [f.name, jsonStructure(f)])),
  ...Object.fromEntries(COMMON_EXTRA_KEYS.map((k) => [k, "JSON"])),
});

/** A JSON merge patch (RFC 7396) removing every key an Athena column holds. */
const KNOWN_KEYS_REMOVED = JSON.stringify(
  Object.fromEntries(RECORD_FIELDS.map((f) => [f.name, null])),
);

const KNOWN_KEYS = `[${[...RECORD_FIELDS.map((f) => f.name), ...COMMON_EXTRA_KEYS].map(quote).join(", ")}]`;

/**
 * The items of an array of structs (`resources`) whose keys are checked, each by its own path; a
 * record with more keeps its JSON (`_record`): an event names one or two resources (a role and its key, an object and its bucket).
 */
const ARRAY_ITEMS_CHECKED = 4;

/** An object of the Athena structs in a record: its JSON path and the keys its struct has. */
interface StructObject {
  path: string;
  keys: string[];
}

/**
 * Every object of the Athena structs, below the record, by JSON path: a struct's, and each of the
 * first items of an array of structs. `typed`: the struct value of an array's path in `r` (the
 * record through json_transform), for its length; null inside an array, where the schema has none.
 */
function structObjects(
  fields: Field[],
  at: string,
  typed: string | null,
  arrays: string[],
): StructObject[] {
  return fields.flatMap((f) => {
    if (f.kind !== "struct" && f.kind !== "struct-array") return [];
    const keys = f.fields.map((x) => x.name);
    const path = `${at}.${f.name}`;
    const value = typed === null ? null : `${typed}.${quoteIdent(f.name)}`;
    if (f.kind === "struct")
      return [{ path, keys }, ...structObjects(f.fields, path, value, arrays)];
    if (value === null) throw new Error(`${path}: an array of structs inside an array`);
    arrays.push(value);
    return Array.from({ length: ARRAY_ITEMS_CHECKED }, (_, i) => [
      { path: `${path}[${i}]`, keys },
      ...structObjects(f.fields, `${path}[${i}]`, null, arrays),
    ]).flat();
  });
}

/** Typed arrays of structs (`r."resources"`), whose items past ARRAY_ITEMS_CHECKED are not checked. */
const STRUCT_ARRAYS: string[] = [];
const STRUCT_OBJECTS = structObjects(RECORD_FIELDS, "$", "r", STRUCT_ARRAYS);

/**
 * The keys of the record (first) and of each of its struct objects (`STRUCT_OBJECTS`' order;
 * null where the record has none), listed in one parse of the record's JSON `j`.
 */
function objectKeysSql(j: string): string {
  return `json_keys(${j}, [${["$", ...STRUCT_OBJECTS.map((o) => o.path)].map(quote).join(", ")}])`;
}

/**
 * Whether every key inside the record's structs is a field of its struct (`k`: objectKeysSql), so
 * that the columns give the record back: then `_record` is null.
 */
function structsHeldSql(k: string): string {
  const held = STRUCT_OBJECTS.map(
    (o, i) =>
      `list_has_all([${o.keys.map(quote).join(", ")}], coalesce(${k}[${i + 2}], []::VARCHAR[]))`,
  );
  const counted = STRUCT_ARRAYS.map((a) => `coalesce(len(${a}), 0) <= ${ARRAY_ITEMS_CHECKED}`);
  return `(${[...held, ...counted].join(" AND ")})`;
}

/**
 * The record's top-level keys that no Athena column holds (`managementEvent`, newer CloudTrail
 * fields), as JSON object text, or null when there are none. `j`: the record's JSON, `r`: it
 * through json_transform, `keys`: its top-level keys. Only a record with a key beyond the common
 * ones is patched: patching parses and writes the whole record again, a third of typing a record.
 */
function extraSql(j: string, r: string, keys: string): string {
  const common = COMMON_EXTRA_KEYS.map(
    (k) =>
      `CASE WHEN list_contains(${keys}, ${quote(k)}) THEN ${quote(`${JSON.stringify(k)}:`)} || coalesce(CAST(${r}.${quoteIdent(k)} AS VARCHAR), 'null') END`,
  );
  return `CASE WHEN list_has_all(${KNOWN_KEYS}, ${keys}) THEN NULLIF('{' || concat_ws(',', ${common.join(", ")}) || '}', '{}') ELSE NULLIF(CAST(json_merge_patch(${j}, ${quote(KNOWN_KEYS_REMOVED)}) AS VARCHAR), '{}') END`;
}

/**
 * The rows a collect stores from delivery-layout files: each record parsed once as JSON, typed
 * with the engine's own column expressions (`athenaSelectList`) and partition columns (from the
 * path), plus the keys no column holds (`_extra`, and `_record` when they lie inside a struct). A
 * mistyped field becomes null (`json_transform` is lenient). The record's keys and its structs'
 * are listed in one more parse (`objectKeysSql`).
 */
export function collectSelectSql(files: string[], maxObject: number): string {
  return `SELECT ${athenaSelectList("all")},
  ${partitionSelectList()},
  ${extraSql("j", "r", "k[1]")} AS ${EXTRA_COLUMN},
  CASE WHEN ${structsHeldSql("k")} THEN NULL ELSE CAST(j AS VARCHAR) END AS ${RECORD_COLUMN},
  TRY_CAST(r."eventTime" AS TIMESTAMPTZ) AS ${TIME_COLUMN}
FROM (SELECT json_transform(j, ${quote(RECORD_STRUCTURE)}) AS r, ${objectKeysSql("j")} AS k, j, filename
  FROM (SELECT unnest(Records) AS j, filename FROM read_json([${files.map(quote).join(", ")}], format = 'unstructured', records = true, filename = true, maximum_object_size = ${maxObject}, columns = {Records: 'JSON[]'})))
WHERE ${EVENTS_ONLY}`;
}

/**
 * Whether a record is a CloudTrail event, as the raw reader tells it (`looksLikeEvent`): a JSON
 * object with one of the event keys at least (`EVENT_KEYS`, in any case). `k`: objectKeysSql (an
 * item that is no object has no keys). A `1`, `[]` or `{}` in `Records` made a row of nulls
 * (review: counted by a query without a window, and warned of as events without a time).
 */
const IS_EVENT = `list_has_any(list_transform(coalesce(k[1], []::VARCHAR[]), x -> lower(x)), [${[
  ...EVENT_KEYS,
]
  .map(quote)
  .join(", ")}])`;

/**
 * A collect's read of a file fails, naming it, on an item of its `Records` that is no CloudTrail
 * event: the collector then has the raw reader's lenient parser take the file (as the raw engine
 * does when DuckDB's typed reader refuses such an item), which leaves those items out, counts
 * them and names the file. Parts that parser wrote hold events only.
 */
const EVENTS_ONLY = `CASE WHEN ${IS_EVENT} THEN true ELSE error('file "' || filename || '": an item of its Records is not a CloudTrail event') END`;

/** Fields CloudTrail writes as JSON booleans, which the Athena columns hold as text. */
const BOOLEAN_FIELDS = new Set(["readOnly"]);

/**
 * JSON text of a stored value (SQL expression `v`, Athena shape) in CloudTrail's shape, or NULL
 * when the value is null (the key is then left out, as CloudTrail leaves absent keys out).
 */
function jsonValueSql(f: Field, v: string): string {
  switch (f.kind) {
    case "string":
      return BOOLEAN_FIELDS.has(f.name)
        ? `(CASE WHEN ${v} IN ('true', 'false') THEN ${v} ELSE to_json(${v})::VARCHAR END)`
        : `to_json(${v})::VARCHAR`;
    case "json":
      // Payload columns hold JSON text, except a payload that was a JSON string (its text).
      return `(CASE WHEN json_valid(${v}) THEN ${v} ELSE to_json(${v})::VARCHAR END)`;
    case "string-map":
      return `to_json(${v})::VARCHAR`;
    case "struct":
      return `(CASE WHEN ${v} IS NULL THEN NULL ELSE ${objectSql(f.fields, (x) => `${v}.${quoteIdent(x.name.toLowerCase())}`)} END)`;
    case "struct-array": {
      const item = objectSql(f.fields, (x) => `x.${quoteIdent(x.name.toLowerCase())}`);
      return `(CASE WHEN ${v} IS NULL THEN NULL ELSE '[' || array_to_string(list_transform(${v}, x -> ${item}), ',') || ']' END)`;
    }
  }
}

/** A JSON object's text from fields (null ones left out: `||` with NULL is NULL, concat_ws skips it). */
function objectSql(fields: Field[], value: (f: Field) => string, extra?: string): string {
  const pairs = fields.map(
    (f) => `${quote(`${JSON.stringify(f.name)}:`)} || ${jsonValueSql(f, value(f))}`,
  );
  if (extra) pairs.push(extra);
  return `('{' || concat_ws(',', ${pairs.join(", ")}) || '}')`;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The record's JSON from a store row: `_record` when the collect kept it, else rebuilt from the
 * columns, then the `_extra` keys.
 */
export const MESSAGE_SQL = `coalesce(${RECORD_COLUMN}, ${objectSql(
  RECORD_FIELDS,
  (f) => quoteIdent(f.name.toLowerCase()),
  `substr(${EXTRA_COLUMN}, 2, length(${EXTRA_COLUMN}) - 2)`,
)})`;

const ATHENA_COLUMNS = CLOUDTRAIL_COLUMNS.map((c) => `"${c.name}"`).join(", ");

/** Whether the window holds every event of a day file (its rows then need no time filter). */
function holdsAll(d: StoreDay, w: TimeWindow | null): boolean {
  if (w === null) return true;
  const t = d.times;
  if (!t || t.untimed > 0 || t.first === null || t.last === null) return false;
  return Date.parse(t.first) >= w.start.getTime() && Date.parse(t.last) < w.end.getTime();
}

/**
 * `select` over store files, the window's filter `where` applied only to the files whose events
 * the window does not hold whole: a full scan of whole days compares no timestamps (about a fifth
 * of its time).
 */
function windowedSql(select: string, files: StoreFile[], where: string): string {
  const from = (fs: StoreFile[]) =>
    `FROM read_parquet([${fs.map((f) => quote(f.path)).join(", ")}])`;
  const cut = where === "" ? [] : files.filter((f) => !f.whole);
  const inside = where === "" ? files : files.filter((f) => f.whole);
  if (inside.length === 0) return `SELECT ${select} ${from(files)}${where}`;
  if (cut.length === 0) return `SELECT ${select} ${from(inside)}`;
  return `SELECT ${select} ${from(inside)}\nUNION ALL\nSELECT ${select} ${from(cut)}${where}`;
}

/**
 * `cloudtrail_logs` rows from store files (the Athena columns, partitions included). `where`: a
 * filter on the store's columns (the window on `TIME_COLUMN`), applied before anything is built,
 * to the files whose events the window does not hold whole.
 */
export function storeSelectSql(files: StoreFile[], where = ""): string {
  return windowedSql(ATHENA_COLUMNS, files, where);
}

/** `cwl_events`'s source rows (`j`: the record JSON, rebuilt from the columns) from store files. */
export function storeMessageSql(files: StoreFile[], where = ""): string {
  return windowedSql(`CAST(${MESSAGE_SQL} AS JSON) AS j`, files, where);
}

/** What the store gives a query: its files in the window, and the days it does not cover. */
export interface StoreRead {
  /** Parquet files of the covered days (absolute paths) with their sizes. */
  files: (StoreFile & {
    day: string;
    size: number;
    origin: string;
    /** The checksum and modification time recorded (`StoreDay`), for `dayFileDamage`. */
    sha256: string | undefined;
    mtimeMs: number | undefined;
  })[];
  storeDays: string[];
  /** The window's days the store does not cover. */
  missing: string[];
  /** The days to read from the raw files instead (`planStore`). */
  rawDays: string[];
  /**
   * The manifest shows the window holds events: a file whose events it holds whole has some
   * (then nothing needs to look into the files to tell a window without events).
   */
  hasEvents: boolean;
  /**
   * Some source object of the days read lay in the delivery layout: the store holds a trail's
   * deliveries there, where days without events and a stale end mean something (an export
   * collected into the store is a snapshot, as it is read raw: review).
   */
  delivered: boolean;
  /**
   * The keys of the source objects of the days read from the store (relative to the collect's
   * source), for the days an account's region has no object on (`seriesGaps`).
   */
  origins: string[];
  /**
   * Source objects of the covered days that the collect could not read (corrupt, truncated):
   * the store does not hold their events.
   */
  unread: string[];
  /**
   * Files of the log directory the store lacks, read raw beside its days whatever their days:
   * exports outside the layout (`exportsBehind`), and files of the store's source it has no
   * record of (`Behind.beside`).
   */
  rawBeside: string[];
  /** What the step should say of the days read (events in them no window holds). */
  warnings: string[];
  /**
   * From when (ISO) the window was answered from the store without all CloudTrail has delivered
   * for it since (the hour before a collect's listing, no raw files beside it): the step's
   * `notReadFrom`, so the nightly's record reads the window again.
   */
  unsettledFrom?: string;
}

/**
 * The store's part of a query's window. Without a window (Athena SQL from the emulator), every
 * collected day. Days the store does not cover are an error unless raw files can answer them.
 * Each day file must be the one the collect wrote (`badDayFile`); when one is not, and a collect
 * has since replaced the manifest (it removes a day's previous file once the new one is named),
 * the new manifest is read again (a few times at most).
 */
/** How many times a read of the store follows a manifest a collect keeps replacing. */
const MANIFEST_REREADS = 3;

/**
 * The error of a step over days the store has not collected. When only the window's end lies
 * past the last collect (a run ending "now" after a collect), it says so, and the two ways out:
 * collect again, or end the run's window where the collect's did.
 */
function notCollected(
  store: string,
  m: StoreManifest,
  w: TimeWindow | null,
  missing: string[],
): RunMdError {
  const first = missing[0]?.replaceAll("/", "-");
  const last = slashDayFrom(missing[missing.length - 1] ?? "", 1).replaceAll("/", "-");
  const collect = `run-md collect --from ${first} --to ${last} (with --source, unless local.logDir is the source)`;
  const fallback = "or set local.logDir (or --log-dir) to the raw files, to read those days there";
  // Ranges are kept sorted and merged (addCovered): the last one ends last.
  const until = m.covered.at(-1)?.to ?? "";
  const tail = w !== null && until !== "" && missing.every((d) => d >= slashDate(new Date(until)));
  if (tail && w.start.getTime() < Date.parse(until) && w.end.getTime() > Date.parse(until)) {
    return new RunMdError(
      "store-not-collected",
      `The store ${store} is collected up to ${until}, and the step's window ends later, at ${w.end.toISOString()}.`,
      {
        hint: `Collect again right before the run (${collect}), or end the run's window at the collect: --to ${until} (RUN_MD_WINDOW_END=${until} for a job); ${fallback}.`,
      },
    );
  }
  return new RunMdError(
    "store-not-collected",
    `The store ${store} has not collected ${dayRanges(missing)} (UTC days of the step's window).`,
    { hint: `Collect them first: ${collect}; ${fallback}.` },
  );
}

export async function readStore(
  manifests: ManifestCache,
  w: TimeWindow | null,
  rawFallback: boolean,
  rawFiles: readonly SourceFile[] = [],
  once?: (files: SourceFile[]) => Promise<readonly SourceFile[]>,
): Promise<StoreRead> {
  for (let attempt = 0; ; attempt++) {
    const m = await manifests.get();
    const listed = once === undefined ? rawFiles : await withoutStoredCopies(m, rawFiles, once);
    const read = storeRead(manifests.store, m, w, rawFallback, listed);
    const bad = await badDayFile(read.files);
    if (bad === undefined) return read;
    if (attempt < MANIFEST_REREADS && (await manifests.get()) !== m) continue;
    throw bad;
  }
}

/**
 * What a step reads of a manifest's objects for its days: the source keys of the days' objects
 * (`origins`) and those whose events the store may lack (`unread`). Kept by the days (joined), so
 * each step of a run over the same manifest and days takes them from here, not from walks of its
 * millions of objects (a month of a busy organization trail, 1.8M objects: 7 s a step). A few
 * sets of days.
 */
const OBJECTS_KEPT = 4;
const objectsKept = new WeakMap<
  StoreManifest,
  Map<string, { origins: string[]; unread: string[] }>
>();

function objectsOfDays(
  m: StoreManifest,
  storeDays: readonly string[],
): { origins: string[]; unread: string[] } {
  const byDays = objectsKept.get(m) ?? new Map<string, { origins: string[]; unread: string[] }>();
  objectsKept.set(m, byDays);
  const key = storeDays.join(",");
  const kept = byDays.get(key);
  if (kept !== undefined) return kept;
  const days = new Set(storeDays);
  // One pass over the manifest's objects (a year of a busy trail holds millions): a for-in, as
  // Object.entries builds them all first (1.7 s for 1.8M objects, against 5 s).
  const origins: string[] = [];
  const unread: string[] = [];
  for (const key in m.objects) {
    const o = m.objects[key];
    if (o === undefined) continue;
    const inLayout = objectDay(key, o);
    // Skipped objects that could not be read and may hold events of these days: those of one of
    // the days, and every one outside the layout (an export holds events of any day; not read,
    // its days are unknown), as the raw files' reader names such a file in every window.
    if (lostEvents(o) && (inLayout === null || days.has(inLayout))) unread.push(key);
    // A trail's file copied outside the layout (its events placed by their times) is a
    // delivery of its name's day.
    const day = inLayout ?? layoutSeries(key)?.day ?? null;
    if (day !== null && days.has(day)) origins.push(key);
  }
  const read = { origins, unread };
  setNewest(byDays, key, read, OBJECTS_KEPT);
  return read;
}

function storeRead(
  store: string,
  m: StoreManifest,
  w: TimeWindow | null,
  rawFallback: boolean,
  rawFiles: readonly SourceFile[],
): StoreRead {
  const behind = behindOf(m, rawFiles, rawFallback);
  const lacking = rawFallback ? unsettledLacking(m, w, rawFiles) : new Set<string>();
  const exports = rawFallback ? exportsBehind(m, rawFiles) : [];
  const beside = [...(behind.beside?.values() ?? [])].flat();
  const changed = rawFallback ? exportsChanged(m, rawFiles) : [];
  const plan = w
    ? planStore(m, w, { unsettled: rawFallback, behind: new Set(behind.rawDays.keys()), lacking })
    : { storeDays: Object.keys(m.days).sort(), missing: [] as string[], rawDays: [] as string[] };
  // The hour before a collect's listing answered from the store: said, and not known as read.
  const fromStore = !rawFallback || plan.storeDays.some((d) => lacking.has(d));
  if (plan.missing.length > 0 && !rawFallback) throw notCollected(store, m, w, plan.missing);
  const files = plan.storeDays.flatMap((day) => {
    const d = m.days[day];
    if (!d) return [];
    const whole = holdsAll(d, w);
    return [
      {
        path: path.join(store, d.file),
        whole,
        day,
        size: d.bytes,
        origin: d.file,
        sha256: d.sha256,
        mtimeMs: d.mtimeMs,
      },
    ];
  });
  const hasEvents = files.some((f) => f.whole && (m.days[f.day]?.events ?? 0) > 0);
  const { origins, unread } = objectsOfDays(m, plan.storeDays);
  const delivered = origins.length > 0;
  return {
    files,
    storeDays: plan.storeDays,
    missing: plan.missing,
    rawDays: plan.rawDays,
    hasEvents,
    delivered,
    origins,
    unread,
    rawBeside: [...exports, ...beside],
    warnings: [
      ...untimedWarnings(m, plan.storeDays),
      ...behindWarning(behind, plan.rawDays),
      ...(fromStore ? unsettledWarning(m, w, rawFallback) : []),
      ...exportsWarning(exports),
      ...(rawFallback
        ? besideWarning(unrelatedBeside(m, rawFiles, plan.storeDays), plan.storeDays)
        : []),
      ...(plan.storeDays.length > 0 ? changedWarning(changed) : []),
    ],
    ...(fromStore ? unsettledFromOf(m, w) : {}),
  };
}

/**
 * The days of the hour before a collect's listing (and after it) that a window reads whose store
 * objects the log directory lacks (`daysLacking`): read raw, they would answer without them.
 */
function unsettledLacking(
  m: StoreManifest,
  w: TimeWindow | null,
  rawFiles: readonly SourceFile[],
): Set<string> {
  const u = unsettled(m, w);
  if (u === undefined || w === null) return new Set();
  return daysLacking(m, rawFiles, slashDaysBetween(slashDate(u.from), deliveryDays(w).last));
}

function unsettledFromOf(m: StoreManifest, w: TimeWindow | null): { unsettledFrom?: string } {
  const u = unsettled(m, w);
  return u === undefined ? {} : { unsettledFrom: u.from.toISOString() };
}

/**
 * The events of the days read whose time DuckDB cannot read (collected into their delivery
 * folder's day): no window holds them, and the step says how many, as the lenient reader does
 * on raw files.
 */
function untimedWarnings(m: StoreManifest, days: string[]): string[] {
  const holding = days.filter((d) => (m.days[d]?.times?.untimed ?? 0) > 0);
  if (holding.length === 0) return [];
  const n = holding.reduce((sum, d) => sum + (m.days[d]?.times?.untimed ?? 0), 0);
  const events = n === 1 ? "1 event" : `${n} events`;
  return [
    `the store's days ${dayRanges(holding)}: ${events} without a time DuckDB reads left out (no window holds them)`,
  ];
}

/**
 * The error for the first day file that is not the one the collect wrote: removed, of another size
 * than the manifest records (truncated, replaced by a smaller valid Parquet file), or with other
 * bytes (`dayFileDamage`). Read, it would answer with events missing, or wrong, or fail with
 * DuckDB's words about a Parquet file nobody knows.
 */
async function badDayFile(files: StoreRead["files"]): Promise<RunMdError | undefined> {
  for (const f of files) {
    const why = await dayFileDamage(f.path, f);
    if (why === undefined) continue;
    const what =
      why === "is gone"
        ? "the day's events cannot be read from the store"
        : "it is not the file that was collected, and the day's events cannot be trusted";
    // Gone or damaged, the collect of the day repairs it (collect's damaged.ts).
    return new RunMdError(
      "bad-store",
      `The store's file for ${f.day} (${f.path}) ${why}: ${what}.`,
      {
        hint: `Collect the day again: ${collectDayCommand(f.day)} (with --source, unless local.logDir is the source) reads its objects again into a new file; or read the raw files (local.logDir without local.store).`,
      },
    );
  }
  return undefined;
}

/**
 * `--from <first> --to <the day after day>`: the collect that reads the days (`yyyy/MM/dd`) from
 * `first` to `day` again.
 */
export function collectDayCommand(day: string, first = day): string {
  const dash = (d: string) => d.replaceAll("/", "-");
  return `run-md collect --from ${dash(first)} --to ${dash(slashDayFrom(day, 1))}`;
}

/** A file's SHA-256, hex, read as a stream. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The day file entry with its checksum and modification time, once the collect wrote the file. */
export async function sealDay(store: string, d: StoreDay): Promise<StoreDay> {
  const file = path.join(store, d.file);
  const sha256 = await fileSha256(file);
  return { ...d, sha256, mtimeMs: (await fsp.stat(file)).mtimeMs };
}

/**
 * Day files found to hold the bytes written under a modification time other than the recorded
 * one (a store copied without its times), by path: the file's stat then. Not hashed again while
 * it stays so.
 */
const VERIFIED = new Map<string, string>();
const VERIFIED_MAX = 10_000;

/**
 * What is wrong with a store's day file (`path`, absolute), or undefined: it is gone, no file,
 * not of the size written, or (hashed only when its modification time is not the recorded one,
 * or with `always`) its bytes are not those written. A day without a recorded checksum (a store
 * collected before) is checked by size alone.
 */
export async function dayFileDamage(
  file: string,
  d: { size: number; sha256?: string | undefined; mtimeMs?: number | undefined },
  always = false,
): Promise<string | undefined> {
  const st = await fsp.stat(file).catch(() => null);
  if (st === null) return "is gone";
  if (!st.isFile()) return "is no file";
  if (st.size !== d.size) return `holds ${st.size} bytes, where the collect wrote ${d.size} bytes`;
  if (d.sha256 === undefined) return undefined;
  const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
  if (!always && (st.mtimeMs === d.mtimeMs || VERIFIED.get(file) === key)) return undefined;
  if ((await fileSha256(file)) !== d.sha256)
    return "holds other bytes than the collect wrote (its SHA-256 is not the one recorded)";
  if (VERIFIED.size >= VERIFIED_MAX) VERIFIED.clear();
  VERIFIED.set(file, key);
  return undefined;
}

/**
 * In a manifest without `StoreObject.unread`: the reasons of a skip that missed nothing (the
 * object was read and holds no CloudTrail event), as the reader wrote them then.
 */
const NOT_EVENTS =
  /no CloudTrail events in it|no events in it|not a CloudTrail event|the file is empty$/;

/** Whether an object was skipped unread: the store may lack events it holds. */
function lostEvents(o: StoreObject): boolean {
  if (o.skipped === undefined) return false;
  return o.unread ?? !NOT_EVENTS.test(o.skipped);
}

/**
 * A store's path must not hold a character DuckDB's Parquet reader takes as a glob pattern (it
 * would read other files, or none): refused, naming the path.
 */
export function assertStorePath(store: string): void {
  if (!GLOB_CHARS.test(store)) return;
  throw new RunMdError("bad-store", `The store path ${store} holds *, ? or [ ].`, {
    hint: "DuckDB reads such a path as a file pattern: choose a folder without these characters.",
  });
}

/** A configured store must exist and hold a manifest (a store is made by `run-md collect`). */
export async function assertStore(store: string): Promise<void> {
  assertStorePath(store);
  const ok = await fsp
    .stat(path.join(store, STORE_MANIFEST))
    .then((s) => s.isFile())
    .catch(() => false);
  if (!ok) {
    throw new RunMdError(
      "bad-store",
      `${store} is not a run-md store (it has no ${STORE_MANIFEST}).`,
      {
        hint: "Collect into it first: run-md collect --since 30d (local.store names the store).",
      },
    );
  }
}
