/**
 * The log directory: which files hold CloudTrail events, in what shape, and which of them a query
 * must read. Files in the S3 delivery layout whose content starts with `{"Records"` are read by
 * DuckDB directly. Every other file (flat exports, bare arrays, JSON lines, files DuckDB rejected)
 * is parsed here once per engine session, its keys mapped to CloudTrail's spelling whatever their
 * case, mistyped fields set to null and counted, and its events written as `{"Records":[...]}`
 * files into the session's cache directory in the same S3 layout, one file per account, region and
 * day, so that one typed reader and one pruning rule serve everything. Profiles are cached by
 * path, modification time and size.
 */
import { createHash } from "node:crypto";
import fs, { type Dirent, promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {
  deliveryName,
  isoInstant,
  isSlashDay,
  jsonErrorPlace,
  LAYOUT,
  layoutDay,
  mapLimit,
  setNewest,
  slashDate,
  type TimeWindow,
} from "@run-md/core";
import { isNumberText, jsonText, parseJson } from "./json-text.ts";
import { lstatOrNull, OutsideCounts, widen } from "./outside-count.ts";
import { type Field, keyMap, RECORD_KEYS } from "./schema.ts";
import {
  eventKey,
  type KeyedFile,
  type PartKeys,
  type SharedEnding,
  sharedEventWarnings,
} from "./shared-events.ts";

const EVENT_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;
/** The names EVENT_FILE reads, as messages say them. */
export const LOG_FILE_NAMES = ".json, .jsonl or .ndjson, each optionally .gz";

/** A path with `/` between its parts, whatever the platform's separator. */
function slashed(p: string): string {
  return p.split(path.sep).join("/");
}

/** Whether a day (`yyyy/mm/dd`) lies in a range of days; every day when there is no range. */
export function inDayRange(days: DayRange | null, day: string | null): boolean {
  return days === null || (day !== null && day >= days.first && day <= days.last);
}

/** Whether a file's name (or an S3 key) is one of an event file: JSON, JSON lines, gzipped or not. */
export function isEventFileName(name: string): boolean {
  return EVENT_FILE.test(name);
}
/**
 * Characters DuckDB's file readers take as a glob pattern (`a[1].json.gz` would read `a1.json.gz`
 * instead): a path with one is read through the lenient reader, whose parts have names of its own.
 */
export const GLOB_CHARS = /[*?[\]]/;
export { isDelivery, layoutDay, layoutSeries } from "@run-md/core";

const SKIPPED_DIRS = new Set(["CloudTrail-Digest", "CloudTrail-Insight", "node_modules"]);
/**
 * The most a file outside the delivery layout (or one DuckDB's typed reader rejected) may hold,
 * decompressed: the lenient reader parses it in memory. A bigger file (or a gzip bomb) is skipped
 * once its decompression passes this, so it costs at most this much memory.
 */
export const MAX_LENIENT_BYTES = 256 * 1024 * 1024;

/** Inclusive range of `yyyy/MM/dd` days. */
export interface DayRange {
  first: string;
  last: string;
}

const LAYOUT_DIR = /\/CloudTrail\/[^/]+\/(\d{4})(?:\/(\d{2})(?:\/(\d{2}))?)?$/;

/**
 * Whether a folder of the delivery layout (a year, month or day of a region) is outside the days.
 * A folder named as no month or day of the calendar (`2026/13`, `2026/11/31`) is not the layout's:
 * its files have no layout day (`layoutDay`), their events give their days, and it is entered.
 */
function layoutDirOutside(dir: string, days: DayRange): boolean {
  const m = LAYOUT_DIR.exec(dir);
  if (!m || !isSlashDay(`${m[1]}/${m[2] ?? "01"}/${m[3] ?? "01"}`)) return false;
  const prefix = [m[1], m[2], m[3]].filter((x) => x !== undefined).join("/");
  return prefix < days.first.slice(0, prefix.length) || prefix > days.last.slice(0, prefix.length);
}

/** Entries a scan examines between two turns of the event loop (its stats are synchronous). */
const STAT_BATCH = 256;

/**
 * A scan's turns: `await` what it returns before each entry, and the event loop gets its turn
 * every STAT_BATCH entries of the whole scan, across folders. The scan runs before every query,
 * so its listings and stats are synchronous: a third of the CPU of `fs.promises`, which sends
 * each call through the thread pool (a trivial query over the 505-file sample week cost 43 ms of
 * CPU before it ran, against 5 ms with no files; now 25 ms). A server's other requests still
 * get their turns while a week of a busy trail is listed.
 */
function turns(): () => Promise<void> | undefined {
  let n = 0;
  return () =>
    ++n % STAT_BATCH === 0 ? new Promise((resolve) => setImmediate(resolve)) : undefined;
}

/** `one` for each entry, in order, taking the scan's turns (`turn`) between them. */
async function eachEntry<T>(
  entries: Dirent[],
  turn: () => Promise<void> | undefined,
  one: (e: Dirent) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (const e of entries) {
    await turn();
    out.push(await one(e));
  }
  return out;
}

/**
 * Whether a symbolic link's own target (its first step, unresolved, from the link's real folder)
 * lies inside `root`; true when it cannot be read.
 */
function linksInside(link: string, realDir: string, root: string): boolean {
  try {
    const to = path.resolve(realDir, fs.readlinkSync(link));
    return to === root || to.startsWith(`${root}${path.sep}`);
  } catch {
    return true;
  }
}

/** The file's status (symbolic links followed), or why there is none. */
function statOrError(file: string): Stats | NodeJS.ErrnoException {
  try {
    return fs.statSync(file);
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
}

/**
 * An event file listed but not stat'ed: gone since the listing (nothing to read: null), or one
 * that cannot be read, named in the warnings and in what the step did not read (the runner makes
 * the step an error). A name that is not UTF-8 comes back from the listing with U+FFFD in it, a
 * path that does not exist.
 */
function unreadable(
  relPath: string,
  name: string,
  error: NodeJS.ErrnoException,
  report: { warnings: string[]; unread: string[] },
): null {
  const notUtf8 = error.code === "ENOENT" && name.includes("\uFFFD");
  if (error.code === "ENOENT" && !notUtf8) return null;
  report.warnings.push(
    notUtf8
      ? `skipped ${relPath}: its name is not UTF-8, so it cannot be opened (rename it)`
      : `skipped ${relPath}: cannot read the file (${fsError(error)})`,
  );
  report.unread.push(relPath);
  return null;
}

/**
 * A path in another AWS service's delivery folder of a log bucket
 * (`AWSLogs/[o-.../]<account>/<service>/...`: elasticloadbalancing, vpcflowlogs, Config...):
 * its compressed logs hold no CloudTrail event, and a central log bucket's sync has thousands.
 */
const OTHER_SERVICE = /(^|\/)AWSLogs\/(o-[a-z0-9]+\/)?\d{12}\/(?!CloudTrail\/)[^/]+\//;

/** Names of compressed or archived files: any events in them are not read. */
const ARCHIVE = /\.(json|jsonl|ndjson)\.[^.]+$|\.(gz|zip|bz2|xz|zst|lz4|br|7z|tar|tgz|rar)$/i;

/**
 * Whether a file (or an S3 key) lies in a day folder of the delivery layout
 * (`.../CloudTrail/<region>/yyyy/mm/dd/`, where CloudTrail writes only its `.json.gz` files)
 * under a name that is no event file's but looks like a log in another form: JSON recompressed
 * or renamed (`.json.bz2`, `x.json.gz.6fA1b2c3` as a sync leaves it part-way, rsync's hidden
 * `.x.json.gz.Xy12`), any archive, a CloudTrail file name with another extension, or no
 * extension at all. Its events are not read, so the step errors (`unread-files`) and a collect
 * does not record its window; `notes.txt`, `Thumbs.db` or an AppleDouble `._<name>` there are
 * passed over.
 */
export function isUnreadLogName(p: string): boolean {
  const name = p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf(path.sep)) + 1);
  if (EVENT_FILE.test(name) && !name.startsWith(".")) return false;
  // macOS's AppleDouble companion (`._<name>`, a copy to exFAT, FAT or SMB): attributes, no log.
  if (name.startsWith("._")) return false;
  const logLike = /\.json|_CloudTrail_/i.test(name) || ARCHIVE.test(name) || !name.includes(".");
  return logLike && layoutDay(p) !== null;
}

/**
 * A file the scan does not read because of its name: one `isUnreadLogName` is named and unread
 * (the scan enters a delivery folder only for the window's days), so the step is errored rather
 * than passed without its events. Elsewhere a compressed or archived file (`.zip`,
 * `.json.bz2`, `events.gz`) is named in the warnings: an archive beside its unpacked copy loses
 * nothing, and the warning says what to do when it has no such copy (not one in another AWS
 * service's delivery folder: `OTHER_SERVICE`). Other files (`.csv`,
 * `README.md`, hidden ones) are not logs, and are passed over without a word.
 */
function notReadByName(
  full: string,
  name: string,
  rel: (full: string) => string,
  report: { warnings: string[]; unread: string[] },
): null {
  const reads = `this engine reads files named ${LOG_FILE_NAMES}`;
  const unreadName = isUnreadLogName(full);
  const copy = unreadName ? copyBeside(full, name) : null;
  if (copy !== null) {
    report.warnings.push(
      `skipped ${rel(full)}: a leftover of a copy of ${copy} beside it (a sync or download stopped part-way, then done again): it holds no event ${copy} lacks; delete it`,
    );
  } else if (unreadName) {
    const what = name.startsWith(".")
      ? "a hidden file in a CloudTrail delivery folder (a download in progress?)"
      : `a file in a CloudTrail delivery folder whose name is not one of a log file (${reads})`;
    report.warnings.push(
      `skipped ${rel(full)}: ${what}: its events are not read; decompress or rename it, or move it out of the log directory`,
    );
    report.unread.push(rel(full));
  } else if (ARCHIVE.test(name) && !name.startsWith(".") && !OTHER_SERVICE.test(slashed(full))) {
    report.warnings.push(
      `skipped ${rel(full)}: a compressed or archived file (${reads}): events in it are not read; unpack it into the log directory if it holds any`,
    );
  }
  return null;
}

/**
 * The log file beside `full` that it is a leftover copy of, or null: its name less a leading dot
 * and its last extension (`x.json.gz.6fA1b2c3`, left by `aws s3 sync` killed mid-file; rsync's
 * `.x.json.gz.Xy12ab`; `x.json.bz2` beside `x.json`) is an event file's name, and that file is
 * there. The sync that came after fetched it whole, so nothing is unread.
 */
function copyBeside(full: string, name: string): string | null {
  const log = name.replace(/^\./, "").replace(/\.[^.]+$/, "");
  if (log === name || log.startsWith(".") || !EVENT_FILE.test(log)) return null;
  const st = statOrError(path.join(path.dirname(full), log));
  return st instanceof Error || !st.isFile() ? null : log;
}

export interface SourceFile {
  /** Absolute path as found under the log directory (symlinks not resolved). */
  path: string;
  /** Path relative to the log directory, for messages. */
  rel: string;
  size: number;
  mtimeMs: number;
  /** What tells this file's content from another's at the same path (`fileIdentity`). */
  identity: string;
  /** `yyyy/MM/dd` from the S3 layout, when the path follows it. */
  layoutDay: string | null;
}

/**
 * A file's identity for what is remembered of its content: device, inode, modification and
 * change times, size. The change time cannot be set from outside (`cp -p`, `touch -r` and tar
 * set the modification time), and a file replaced by a rename has another inode.
 */
export function fileIdentity(st: import("node:fs").Stats): string {
  return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}:${st.size}`;
}

/** One file DuckDB reads: an original layout file or a normalized part in the cache. */
export interface ReadFile {
  path: string;
  /** `yyyy/MM/dd` of its events (from its path). Null when no event in it has a time. */
  day: string | null;
  /** Bytes of the original file this part stands for (compressed, as stored). */
  size: number;
  /** The original file, relative to the log directory. */
  origin: string;
}

type Profile =
  | { kind: "direct" }
  | {
      kind: "normalized";
      parts: NormalPart[];
      events: number;
      notes: string[];
      coerced: Record<string, number>;
      /** JSON values of the file left out: no object, or one without an event key. */
      notEvents: number;
    }
  | {
      kind: "skipped";
      reason: string;
      /** It was read and holds no CloudTrail event (another JSON document): nothing is missed. */
      notEvents?: true;
    };

/**
 * A part of a file the lenient reader wrote, with its events' keys (`eventKey`) and times: what
 * tells the same events in two files (`sharedEventWarnings`).
 */
interface NormalPart extends PartKeys {
  path: string;
  day: string | null;
  size: number;
  events: number;
}

interface CacheEntry {
  key: string;
  profile: Profile;
}

export interface Resolution {
  files: ReadFile[];
  /** The days of the files (and parts) left out because they are outside the window. */
  outsideDays: DayRange | null;
  /** Notes for the reader: skipped files, coerced fields, lines skipped. */
  warnings: string[];
  skippedFiles: number;
  /**
   * Files read in part: their JSON values that are no CloudTrail event (an item of `Records` that
   * is no object, or an object without an event key), left out, by file (named in the warnings).
   */
  notEvents: Record<string, number>;
  /** Files the query needed that could not be read (corrupt, truncated, too big, no access). */
  unread: string[];
}

/** Bytes of the original files the parts stand for, as stored. */
export function storedBytes(files: ReadFile[]): number {
  return files.reduce((n, f) => n + f.size, 0);
}

/**
 * The files less the copies of a delivery found under a second folder (`deliveryName`: one name,
 * which CloudTrail never gives two deliveries, one size and, with `digestOf`, one content), which
 * are read once, in path order: a bucket synced twice, into two folders, counted every event
 * twice. Two files of one name and different sizes (or contents) are both read (neither is known
 * to be whole, or to be the delivery), with a warning; a file is a copy when any earlier file of
 * its name is the same, not only the first (a file cut short under the first folder and the
 * delivery under two others: the delivery read once).
 */
export function withoutCopies(
  files: readonly SourceFile[],
  digestOf: (f: SourceFile) => string | undefined = () => undefined,
): {
  files: SourceFile[];
  warnings: string[];
} {
  /** The files read of each delivery name, by size and content. */
  const read = new Map<string, Map<string, SourceFile>>();
  const once: SourceFile[] = [];
  const copies: [SourceFile, SourceFile][] = [];
  const warnings: string[] = [];
  for (const f of files) {
    const name = deliveryName(f.rel);
    const key = `${f.size}/${digestOf(f) ?? ""}`;
    const byKey = name === null ? undefined : read.get(name);
    const same = byKey?.get(key);
    if (name === null || byKey === undefined) {
      if (name !== null) read.set(name, new Map([[key, f]]));
      once.push(f);
    } else if (same !== undefined) copies.push([f, same]);
    else {
      const sized = [...byKey.values()].find((e) => e.size === f.size);
      const earlier = sized ?? (byKey.values().next().value as SourceFile);
      byKey.set(key, f);
      once.push(f);
      warnings.push(
        sized === undefined
          ? `${f.rel} and ${earlier.rel} have one delivery's name but not its size (one of them is not the file CloudTrail delivered): both read, and the events in both counted twice`
          : `${f.rel} and ${earlier.rel} have one delivery's name and size but not its content (one of them is not the file CloudTrail delivered): both read, and the events in both counted twice`,
      );
    }
  }
  const [copy, of] = copies[0] ?? [];
  if (copy !== undefined && of !== undefined) {
    warnings.unshift(
      `${copies.length} delivery file${copies.length === 1 ? " is a copy" : "s are copies"} of ${copies.length === 1 ? "one" : "files"} under another folder (the same name, size and content: the logs synced twice), read once: ${copy.rel} of ${of.rel}${copies.length === 1 ? "" : ", ..."}`,
    );
  }
  return { files: once, warnings };
}

/**
 * The files that share a delivery's name and size with another (the candidates for
 * `withoutCopies`), which must be compared by content: a file of CloudTrail's name is not always
 * CloudTrail's (a lab's or a generator's names repeat across folders, at one size).
 */
export function copyCandidates(files: readonly SourceFile[]): SourceFile[] {
  const groups = new Map<string, SourceFile[]>();
  for (const f of files) {
    const name = deliveryName(f.rel);
    if (name === null) continue;
    const key = `${name}/${f.size}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [f]);
    else group.push(f);
  }
  return [...groups.values()].filter((g) => g.length > 1).flat();
}

/** The SHA-256 of a file's bytes; a file that cannot be read is unlike every other (read, and named). */
async function fileDigest(f: SourceFile): Promise<string> {
  try {
    const hash = createHash("sha256");
    for await (const chunk of fs.createReadStream(f.path)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } catch {
    return `unreadable:${f.path}`;
  }
}

export class LogCatalog {
  readonly logDir: string;
  readonly cacheDir: string;
  private readonly profiles = new Map<string, CacheEntry>();
  /** Digests of the files compared by content (`copyCandidates`), by path and identity. */
  private readonly digests = new Map<string, string>();
  /** Layout files DuckDB's typed reader rejected: parsed by the lenient reader from now on. */
  private readonly forceNormalize = new Map<string, string>();
  private partSeq = 0;
  /**
   * `sharedEventWarnings` by the parts a step reads (their paths change with their files), kept
   * for the next steps of a run, which read the same files.
   */
  private readonly shared = new Map<string, string[]>();
  /** The files of folders outside a step's days, counted and kept while the folders are unchanged. */
  private readonly outsideCounts = new OutsideCounts(isEventFileName, layoutDay);

  constructor(logDir: string, cacheDir: string) {
    this.logDir = logDir;
    this.cacheDir = cacheDir;
  }

  /**
   * Every candidate event file under the log directory, recursively, in path order. With `days`,
   * layout folders (`.../CloudTrail/<region>/<yyyy>[/<mm>[/<dd>]]`) wholly outside them are not
   * entered: their files are only counted (`outside`), never opened or even stat'ed.
   */
  async scan(days: DayRange | null = null): Promise<{
    files: SourceFile[];
    outside: number;
    outsideDays: DayRange | null;
    warnings: string[];
    /** Folders that could not be listed: whatever they hold was not read. */
    unread: string[];
  }> {
    const out: SourceFile[] = [];
    const warnings: string[] = [];
    const unread: string[] = [];
    let outside = 0;
    let outsideDays: DayRange | null = null;
    const seen = new Set<string>();
    const turn = turns();
    // Symbolic links are followed after every plain entry, so that the real folder or file is
    // the one read (with its own path: the region or day a link's name would give is not the
    // event's), and a link to what was read already is skipped.
    const links: Entry[] = [];
    const rel = (full: string) => slashed(path.relative(this.logDir, full));
    // A folder's real path is its parent's and its name while it is a plain folder (one lstat
    // to see that it still is, not a realpath per folder and query); a symbolic link is resolved
    // and checked, by entry() when listed, here when a folder became one after its parent was.
    // `flat`: the folder's own files only (one holding files with no layout day, under a folder
    // outside the window: `OutsideCount.dayless`).
    const walk = async (
      dir: string,
      listed: string,
      linked: boolean,
      flat = false,
    ): Promise<void> => {
      const real = linked ? listed : await this.stillInside(dir, listed, root, rel, warnings);
      // A folder left out is seen; its own files may still be read flat (itself dayless).
      if (real === null) return;
      const key = flat ? `${real}\u0000flat` : real;
      if (seen.has(key)) return;
      seen.add(key);
      if (days && !flat && layoutDirOutside(slashed(dir), days)) {
        const counted = await this.outsideCounts.count(dir);
        outside += counted.files;
        if (counted.days)
          outsideDays = widen(widen(outsideDays, counted.days.first), counted.days.last);
        for (const d of counted.dayless)
          await walk(d, path.join(real, path.relative(dir, d)), false, true);
        return;
      }
      const found = await this.entries(dir, real, root, rel, { warnings, unread }, turn);
      for (const f of found ?? []) {
        if (f === null) continue;
        if (f.linked) {
          if (!flat) links.push(f);
        } else if (f.dir !== undefined) {
          if (!flat) await walk(f.dir, f.real, false);
        } else if (!seen.has(f.real)) {
          seen.add(f.real);
          out.push(f.file);
        }
      }
    };
    let root: string;
    try {
      root = await fsp.realpath(this.logDir);
    } catch {
      return { files: out, outside, outsideDays, warnings, unread };
    }
    await walk(this.logDir, root, true);
    // The walk gives path order; what links add comes after, and is sorted in.
    const viaLinks = links.length > 0;
    for (let f = links.shift(); f !== undefined; f = links.shift()) {
      await turn();
      if (f.dir !== undefined) await walk(f.dir, f.real, true);
      else if (!seen.has(f.real)) {
        seen.add(f.real);
        out.push(f.file);
      }
    }
    if (viaLinks) out.sort((a, b) => comparePaths(a.rel, b.rel));
    return { files: out, outside, outsideDays, warnings, unread };
  }

  /**
   * A folder's entries (`entry`), in name order; null when it cannot be listed, which the report
   * names (whatever it holds is unread).
   */
  private async entries(
    dir: string,
    real: string,
    root: string,
    rel: (full: string) => string,
    report: { warnings: string[]; unread: string[] },
    turn: () => Promise<void> | undefined,
  ): Promise<(Entry | null)[] | null> {
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      report.warnings.push(`skipped ${rel(dir) || "."}/: cannot read the folder (${fsError(e)})`);
      report.unread.push(`${rel(dir) || "."}/`);
      return null;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return eachEntry(entries, turn, (e) => this.entry(dir, real, e, root, rel, report));
  }

  /**
   * The real path of a folder listed as a plain one (`listed`: its parent's real path and its
   * name), or null when it is gone or no folder now. A folder replaced by a symbolic link since
   * its parent was listed is resolved, and refused when it leads outside the log directory.
   */
  private async stillInside(
    dir: string,
    listed: string,
    root: string,
    rel: (full: string) => string,
    warnings: string[],
  ): Promise<string | null> {
    const st = lstatOrNull(dir);
    if (st === null) return null;
    if (!st.isSymbolicLink()) return st.isDirectory() ? listed : null;
    const target = await fsp.realpath(dir).catch(() => null);
    if (target === null) return null;
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
      warnings.push(`skipped ${rel(dir)}: a symbolic link to a place outside the log directory`);
      return null;
    }
    return target;
  }

  /**
   * One directory entry: a folder to walk, an event file, or nothing. A symbolic link counts only
   * when it resolves inside the log directory; one that leads outside (or nowhere) is named in the
   * warnings and never opened.
   */
  private async entry(
    dir: string,
    realDir: string,
    e: import("node:fs").Dirent,
    root: string,
    rel: (full: string) => string,
    report: { warnings: string[]; unread: string[] },
  ): Promise<Entry | null> {
    const { warnings } = report;
    const full = path.join(dir, e.name);
    if (e.name.startsWith(".")) {
      // A hidden log in a delivery folder: a download in progress (rsync's `.name.XXXXXX`).
      return e.isFile() ? notReadByName(full, e.name, rel, report) : null;
    }
    let real = path.join(realDir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = await fsp.realpath(full).catch((err: unknown) => err as Error);
      // A link named as an event file, to a place inside the log directory that may hold events
      // but cannot be reached (permission denied), is unread, as such a file is; a dangling link
      // or a loop holds none, and a link out of the directory is never read.
      const hidden = (err: NodeJS.ErrnoException) =>
        EVENT_FILE.test(e.name) &&
        !["ENOENT", "ELOOP", "ENOTDIR"].includes(err.code ?? "") &&
        linksInside(full, realDir, root);
      if (target instanceof Error) {
        if (hidden(target)) return unreadable(rel(full), e.name, target, report);
        warnings.push(
          `skipped ${rel(full)}: a symbolic link that does not resolve (${fsError(target)})`,
        );
        return null;
      }
      if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
        warnings.push(`skipped ${rel(full)}: a symbolic link to a place outside the log directory`);
        return null;
      }
      const st = statOrError(full);
      if (st instanceof Error) return hidden(st) ? unreadable(rel(full), e.name, st, report) : null;
      isDir = st.isDirectory();
      isFile = st.isFile();
      real = target;
    }
    if (isDir)
      return SKIPPED_DIRS.has(e.name) ? null : { dir: full, real, linked: e.isSymbolicLink() };
    if (!isFile) return null;
    if (!EVENT_FILE.test(e.name)) return notReadByName(full, e.name, rel, report);
    const st = statOrError(full);
    if (st instanceof Error) return unreadable(rel(full), e.name, st, report);
    const file: SourceFile = {
      path: full,
      rel: rel(full),
      size: st.size,
      mtimeMs: st.mtimeMs,
      identity: fileIdentity(st),
      layoutDay: layoutDay(full),
    };
    return { dir: undefined, file, real, linked: e.isSymbolicLink() };
  }

  /** `withoutCopies`, its candidates compared by content (digests kept by path and identity). */
  async withoutCopies(files: SourceFile[]): Promise<ReturnType<typeof withoutCopies>> {
    const candidates = copyCandidates(files);
    if (this.digests.size > 100_000) this.digests.clear();
    const key = (f: SourceFile) => `${f.path}\u0000${f.identity}`;
    await mapLimit(candidates, 16, async (f) => {
      if (!this.digests.has(key(f))) this.digests.set(key(f), await fileDigest(f));
    });
    return withoutCopies(files, (f) => this.digests.get(key(f)));
  }

  /**
   * The files a query reads, given the days it needs (null: all days). Layout files outside the
   * days are not opened at all; other files are profiled (once) to learn their days. With
   * `once`, the copies of a delivery under a second folder are left out (`withoutCopies`: a
   * query's; a collect reads them, and stores their events once, by event id).
   */
  async resolve(
    files: SourceFile[],
    days: DayRange | null,
    outside = 0,
    outsideDaysOfScan: DayRange | null = null,
    once = false,
    window: TimeWindow | null = null,
    shared: SharedEnding | false = once ? "query" : false,
  ): Promise<Resolution & { skippedByWindow: number }> {
    const inDays = (d: string | null) => inDayRange(days, d);
    let outsideDays = outsideDaysOfScan;
    const wanted = files.filter((f) => {
      if (f.layoutDay === null || inDays(f.layoutDay)) return true;
      outsideDays = widen(outsideDays, f.layoutDay);
      return false;
    });
    let skippedByWindow = outside + files.length - wanted.length;
    const read = once ? await this.withoutCopies(wanted) : { files: wanted, warnings: [] };
    const { warnings } = read;
    const profiles = await mapLimit(read.files, 16, (f) => this.profile(f));
    const result: ReadFile[] = [];
    const keyed: KeyedFile[] = [];
    const unread: string[] = [];
    const notEvents: Record<string, number> = {};
    let skippedFiles = 0;
    read.files.forEach((f, i) => {
      const p = profiles[i] as Profile;
      if (p.kind === "direct") {
        result.push({ path: f.path, day: f.layoutDay, size: f.size, origin: f.rel });
      } else if (p.kind === "skipped") {
        skippedFiles++;
        warnings.push(`skipped ${f.rel}: ${p.reason}`);
        if (p.notEvents !== true) unread.push(f.rel);
      } else {
        const parts = p.parts.filter((x) => inDays(x.day));
        for (const x of p.parts)
          if (x.day !== null && !inDays(x.day)) outsideDays = widen(outsideDays, x.day);
        const undated =
          days === null ? 0 : p.parts.reduce((n, x) => n + (x.day === null ? x.events : 0), 0);
        if (undated > 0)
          warnings.push(
            `${f.rel}: ${undated} event${undated === 1 ? "" : "s"} without a time this reader understands left out (no window holds them)`,
          );
        if (parts.length === 0) {
          skippedByWindow++;
          return;
        }
        for (const part of parts) {
          result.push({ path: part.path, day: part.day, size: part.size, origin: f.rel });
        }
        keyed.push({ rel: f.rel, parts });
        for (const n of p.notes) warnings.push(`${f.rel}: ${n}`);
        if (p.notEvents > 0) notEvents[f.rel] = p.notEvents;
        const coerced = Object.entries(p.coerced);
        if (coerced.length > 0) {
          warnings.push(
            `${f.rel}: fields of an unexpected type set to null: ${coerced
              .map(([k, n]) => `${k} in ${n} record${n === 1 ? "" : "s"}`)
              .join(", ")}`,
          );
        }
      }
    });
    if (shared !== false && keyed.length > 1)
      warnings.push(...this.sharedEvents(keyed, result, window, shared));
    return {
      files: result,
      warnings,
      skippedFiles,
      notEvents,
      unread,
      skippedByWindow,
      outsideDays,
    };
  }

  /** `sharedEventWarnings` of the files, computed once per set of parts read. */
  private sharedEvents(
    keyed: KeyedFile[],
    read: ReadFile[],
    window: TimeWindow | null,
    ending: SharedEnding,
  ): string[] {
    const key = `${ending}\u0000${window?.start.getTime()}-${window?.end.getTime()}\u0000${read.map((f) => f.path).join("\u0000")}`;
    const known = this.shared.get(key);
    if (known !== undefined) return known;
    const warnings = sharedEventWarnings(keyed, window, ending);
    setNewest(this.shared, key, warnings, 64);
    return warnings;
  }

  /** The typed reader failed on a layout file: read it leniently from now on. */
  rejectDirect(filePath: string, reason: string): boolean {
    if (this.forceNormalize.has(filePath)) return false;
    this.forceNormalize.set(filePath, reason);
    this.profiles.delete(filePath);
    directFiles.delete(filePath);
    return true;
  }

  /** The typed reader failed even on a normalized part: skip its origin file. */
  rejectPart(partPath: string, reason: string): boolean {
    for (const [file, entry] of this.profiles) {
      const p = entry.profile;
      if (p.kind === "normalized" && p.parts.some((x) => x.path === partPath)) {
        // DuckDB's message names the part, a cache file nobody knows (and soon gone): the
        // source file stands in its place.
        const source = path.relative(this.logDir, file) || file;
        entry.profile = { kind: "skipped", reason: reason.replaceAll(partPath, source) };
        return true;
      }
    }
    return false;
  }

  private async profile(f: SourceFile): Promise<Profile> {
    const key = f.identity;
    const cached = this.profiles.get(f.path);
    if (cached && cached.key === key) return cached.profile;
    let profile: Profile;
    try {
      if (
        f.layoutDay !== null &&
        !GLOB_CHARS.test(f.path) &&
        !this.forceNormalize.has(f.path) &&
        (directFiles.get(f.path) === key || (await startsWithRecords(f)))
      ) {
        setNewest(directFiles, f.path, key, DIRECT_FILES);
        profile = { kind: "direct" };
      } else {
        profile = await this.normalize(f);
      }
    } catch (e) {
      // One file that cannot be opened or parsed (permission denied, nested too deeply for the
      // lenient reader) is skipped and named; the others are still read.
      profile = { kind: "skipped", reason: `cannot read it (${fsError(e)})` };
    }
    this.profiles.set(f.path, { key, profile });
    return profile;
  }

  private async normalize(f: SourceFile): Promise<Profile> {
    const text = await readText(f);
    if (typeof text !== "string") return text;
    const parsed = parseEvents(text);
    if (parsed.error !== undefined) return { kind: "skipped", reason: parsed.error };
    const coerced: Record<string, number> = {};
    const notes = [...parsed.notes];
    const groups = new Map<
      string,
      { day: string | null; dir: string; records: unknown[]; keys: number[]; times: number[] }
    >();
    const layout = layoutPlace(f);
    let notEvents = 0;
    for (const raw of parsed.objects) {
      if (!isPlainObject(raw) || !looksLikeEvent(raw)) {
        const at = nestedEvent(raw);
        if (at !== null) return { kind: "skipped", reason: nestedReason(at) };
        notEvents++;
        continue;
      }
      const rec = normalizeRecord(raw, coerced);
      const t = parseEventTime(rec.eventTime);
      const { day, dir } = layout ?? eventPlace(rec, t);
      let g = groups.get(dir);
      if (!g) {
        g = { day, dir, records: [], keys: [], times: [] };
        groups.set(dir, g);
      }
      g.records.push(rec);
      const k = eventKey(rec.eventID, t === null ? String(rec.eventTime) : t.getTime());
      if (k !== null) {
        g.keys.push(k);
        g.times.push(t === null ? Number.NaN : t.getTime());
      }
    }
    if (notEvents > 0) {
      notes.push(
        `${notEvents} JSON value${notEvents === 1 ? " is" : "s are"} not a CloudTrail event`,
      );
    }
    if (groups.size === 0) {
      return {
        kind: "skipped",
        notEvents: true,
        reason:
          parsed.objects.length === 0
            ? (notes[0] ?? "no events in it")
            : "no CloudTrail events in it",
      };
    }
    const hash = createHash("sha1").update(`${f.path}:${f.identity}`).digest("hex");
    const parts: NormalPart[] = [];
    let events = 0;
    for (const g of groups.values()) {
      const dir = path.join(this.cacheDir, g.dir);
      await fsp.mkdir(dir, { recursive: true });
      const file = path.join(dir, `${hash.slice(0, 16)}_${this.partSeq++}.json`);
      await fsp.writeFile(file, jsonText({ Records: g.records }, parsed.numbersAsText === true));
      events += g.records.length;
      // Size attributed to the part: its share of the original file's bytes.
      parts.push({
        path: file,
        day: g.day,
        events: g.records.length,
        keys: Float64Array.from(g.keys),
        times: Float64Array.from(g.times),
        size: Math.round((f.size * g.records.length) / Math.max(1, parsed.objects.length)),
      });
    }
    return { kind: "normalized", parts, events, notes, coerced, notEvents };
  }
}

/**
 * A file's text for the lenient reader (gunzipped, up to MAX_LENIENT_BYTES), or why it is
 * skipped. Inside the delivery layout too: a file there DuckDB's typed reader refused comes here.
 * An empty one there is unread: CloudTrail writes no empty file, so it is a copy or a download
 * cut short (a zero-byte `.json.gz` fails to inflate, and is unread the same way).
 */
async function readText(f: SourceFile): Promise<string | Profile> {
  const limit = `more than ${MAX_LENIENT_BYTES / 2 ** 20} MiB, the limit for a file read record by record (outside the delivery layout, or refused by the typed reader)`;
  if (f.size > MAX_LENIENT_BYTES) return { kind: "skipped", reason: `it holds ${limit}` };
  let text: string;
  try {
    let buf = await fsp.readFile(f.path);
    if (/\.gz$/i.test(f.path)) {
      try {
        buf = zlib.gunzipSync(buf, { maxOutputLength: MAX_LENIENT_BYTES });
      } catch (e) {
        if ((e as { code?: string }).code !== "ERR_BUFFER_TOO_LARGE") throw e;
        return { kind: "skipped", reason: `it decompresses to ${limit}` };
      }
    }
    text = buf.toString("utf8");
  } catch (e) {
    return { kind: "skipped", reason: `cannot read it (${fsError(e)})` };
  }
  if (f.layoutDay !== null && text.replace(/^\uFEFF/, "").trim() === "") {
    const reason =
      "it is empty, and CloudTrail delivers no empty file: a copy or a download cut short";
    return { kind: "skipped", reason };
  }
  return text;
}

/**
 * Where the lenient reader puts the events of a delivery-layout file: its own folder (account,
 * region, day), as the typed reader does, whatever their times say. CloudTrail delivers an
 * event of 23:58 into the next day's folder; the window's filter on time, not the folder, leaves
 * it out of the next day, on the raw files and in the store alike.
 */
function layoutPlace(f: SourceFile): { day: string; dir: string } | null {
  const m = LAYOUT.exec(slashed(f.path));
  if (!m || f.layoutDay === null) return null;
  const [account, region] = [safeSegment(m[1] ?? ""), safeSegment(m[2] ?? "")];
  return { day: f.layoutDay, dir: `AWSLogs/${account}/CloudTrail/${region}/${f.layoutDay}` };
}

/** Where the lenient reader puts an event of a file outside the layout: by its own fields. */
function eventPlace(
  rec: Record<string, unknown>,
  time: Date | null,
): { day: string | null; dir: string } {
  const day = time ? slashDate(time) : null;
  const account = safeSegment(rec.recipientAccountId ?? accountOf(rec) ?? "unknown");
  const region = safeSegment(rec.awsRegion ?? "unknown");
  return { day, dir: `AWSLogs/${account}/CloudTrail/${region}/${day ?? "undated"}` };
}

/** A directory entry the scan follows: a folder to walk or an event file, and its real path. */
type Entry = { real: string; linked: boolean } & (
  | { dir: string }
  | { dir: undefined; file: SourceFile }
);

/** Path order, folder by folder (`a/x` before `a-b/x`, as a walk of sorted folders gives). */
function comparePaths(a: string, b: string): number {
  const [x, y] = [a.split("/"), b.split("/")];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i] as string, y[i] as string];
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** A file-system error as a short phrase: never the file's content, at most its own path. */
function fsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ELOOP") return "too many levels of symbolic links";
  if (code === "ENOTDIR") return "a file where its path needs a folder";
  if (code === "ENOENT") return "no such file";
  if (e instanceof RangeError && /call stack/i.test(e.message)) return "nested too deeply";
  return code ?? (e instanceof Error ? e.name : "error");
}

/**
 * Layout files known to start with `{"Records"`, by path, with the identity they had then
 * (`fileIdentity`): shared by every catalog of the process, so that the server's runs and a run of
 * many runbooks (an engine each) do not open and inflate every file's head again. A file whose
 * identity changed is looked at again; one DuckDB's reader rejected is forgotten.
 */
const directFiles = new Map<string, string>();
const DIRECT_FILES = 100_000;

/**
 * Whether a file's content starts with `{"Records"` (after white space), judged on its first 256
 * characters: read from the first 512 bytes of the file (a compressed file's first 512 bytes give
 * about 700 characters), or from the first 4 KiB when those gave fewer. Inflating 4 KiB of every
 * file took three times as long, for characters never looked at.
 */
async function startsWithRecords(f: SourceFile): Promise<boolean> {
  const fh = await fsp.open(f.path, "r");
  try {
    for (const size of [512, 4096]) {
      const head = Buffer.alloc(size);
      const { bytesRead } = await fh.read(head, 0, size, 0);
      let buf = head.subarray(0, bytesRead);
      if (/\.gz$/i.test(f.path)) {
        try {
          buf = zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        } catch {
          // A head too short for its gzip header is read again at 4 KiB, as before.
          if (size === 4096 || bytesRead < size) return false;
          continue;
        }
      }
      if (buf.length >= 256 || bytesRead < size || size === 4096) {
        const text = buf.toString("utf8");
        return /^\uFEFF?\s*\{\s*"Records"\s*:/.test(text.slice(0, 256)) && !otherKeyCase(text);
      }
    }
    return false; // not reached: the 4 KiB read always decides
  } finally {
    await fh.close();
  }
}

/**
 * Whether the file's records spell CloudTrail's fields in another case (`eventversion`,
 * `EventTime`): an export written that way throughout, which DuckDB's typed reader (it matches
 * keys case-sensitively) would read as records of nulls, left out of every window. Such a file
 * goes to the lenient reader. Told by the first record's first key, or (a vendor's key first) by
 * the event fields every record has: one of them in the head only in another spelling. Payload
 * keys may have any case, so a file with the right spelling somewhere stays with the typed reader.
 */
function otherKeyCase(head: string): boolean {
  const m = /^\uFEFF?\s*\{\s*"Records"\s*:\s*\[\s*\{\s*"([A-Za-z]+)"\s*:/.exec(head);
  const key = m?.[1];
  const field = key === undefined ? undefined : RECORD_KEYS.get(key.toLowerCase());
  if (field !== undefined) return field.name !== key;
  return EVENT_FIELDS.some((name) => {
    const spellings = [...head.matchAll(new RegExp(`"(${name})"\\s*:`, "gi"))].map((x) => x[1]);
    return spellings.length > 0 && !spellings.includes(name);
  });
}

/** Fields every CloudTrail record has, in CloudTrail's spelling. */
const EVENT_FIELDS = ["eventVersion", "eventTime", "eventName", "eventSource", "eventID"];

/** What `parseEvents` read of a file. */
export interface ParsedEvents {
  objects: unknown[];
  notes: string[];
  /** Why the file is not read at all. */
  error?: string;
  /** Some number of the objects is kept as its text (json-text.ts): write them with `jsonText`. */
  numbersAsText?: true;
}

/** A file's JSON values: a `{"Records":[...]}` document, a bare array, one event, or JSON lines. */
export function parseEvents(text: string): ParsedEvents {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") return { objects: [], notes: ["the file is empty"] };
  const read = new JsonReader();
  let whole: unknown;
  let wholeError: string | undefined;
  try {
    whole = read.parse(trimmed);
  } catch (e) {
    wholeError = (e as Error).message;
  }
  if (wholeError === undefined) {
    try {
      return read.result(read.flatten(whole));
    } catch (e) {
      return { objects: [], notes: [], error: (e as Error).message };
    }
  }
  // JSON lines (one value per line), each line possibly a Records document.
  // A line that does not parse may have held events (a document cut short, a line broken in
  // two): the file is not read at all, and named, rather than read in part and passed.
  const lines = trimmed.split(/\r?\n/);
  const objects: unknown[] = [];
  let bad = 0;
  let good = 0;
  let firstBad = 0;
  for (const [i, line] of lines.entries()) {
    const l = line.trim();
    if (l === "") continue;
    try {
      objects.push(...read.flatten(read.parse(l)));
      good++;
    } catch {
      bad++;
      firstBad ||= i + 1;
    }
  }
  // Mostly bad lines: one document with a syntax error (pretty-printed), told by where it broke.
  if (good === 0 || bad > good) {
    const place = jsonErrorPlace(wholeError, text, text.length - trimmed.length - trailing(text));
    return { objects: [], notes: [], error: `malformed JSON${place}` };
  }
  if (bad > 0) {
    const error = `malformed JSON on ${bad} of its ${bad + good} lines (the first: line ${firstBad})`;
    return { objects: [], notes: [], error };
  }
  return read.result(objects);
}

/** JSON texts of one file parsed with parseJson, remembering whether any kept a number's text. */
class JsonReader {
  private numbersAsText = false;

  parse(text: string): unknown {
    const parsed = parseJson(text);
    if (parsed.numbersAsText) this.numbersAsText = true;
    return parsed.value;
  }

  /**
   * The values of one JSON document that may be events: a delivery file's `Records`, the events
   * of `aws cloudtrail lookup-events` output (`Events`, each event's JSON text in
   * `CloudTrailEvent`), an array, or the value itself. Throws (the file is unread) for a `Records`
   * that is no list or a `CloudTrailEvent` that does not parse: the events it stands for would be
   * lost.
   */
  flatten(v: unknown): unknown[] {
    return values(v).map((e, i) => this.lookedUpEvent(e, i));
  }

  result(objects: unknown[]): ParsedEvents {
    return this.numbersAsText
      ? { objects, notes: [], numbersAsText: true }
      : { objects, notes: [] };
  }

  /**
   * An entry of `lookup-events` output (in its `Events`, a bare array of them, or one a line): its
   * `CloudTrailEvent` text parsed, not the summary fields around it. Any other value as it is.
   */
  private lookedUpEvent(e: unknown, i: number): unknown {
    if (!isPlainObject(e) || typeof e.CloudTrailEvent !== "string") return e;
    try {
      return this.parse(e.CloudTrailEvent);
    } catch {
      throw new Error(`malformed JSON in the CloudTrailEvent of event ${i + 1}`);
    }
  }
}

/** How many characters of white space end `text` (what parseEvents trims off its end). */
function trailing(text: string): number {
  return text.length - text.trimEnd().length;
}

function values(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (!isPlainObject(v)) return [v];
  const keys = Object.keys(v);
  const key = (name: string) => keys.find((k) => k.toLowerCase() === name);
  const records = v[key("records") ?? ""];
  if (Array.isArray(records)) return records;
  // A delivery file's shape ({"Records": ...} alone) holding no list: its events would be lost.
  if (keys.length === 1 && keys[0] === "Records") {
    throw new Error(`its "Records" is not a list of events`);
  }
  const events = v[key("events") ?? ""];
  if (Array.isArray(events) && events.some((e) => isPlainObject(e) && "CloudTrailEvent" in e)) {
    return events;
  }
  return [v];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isNumberText(v);
}

/** The keys (lower case) of which a record has one at least to be a CloudTrail event. */
export const EVENT_KEYS: ReadonlySet<string> = new Set([
  "eventversion",
  "eventname",
  "eventsource",
  "eventtime",
  "eventid",
  "useridentity",
  "awsregion",
]);

function looksLikeEvent(o: Record<string, unknown>): boolean {
  return Object.keys(o).some((k) => EVENT_KEYS.has(k.toLowerCase()));
}

/** Where a JSON value that is no event holds one (`nestedEvent`): a path, and whether as text. */
interface Nested {
  at: string;
  text: boolean;
}

/**
 * Where a JSON value that is no event holds one deeper in (`data.Records[]`, `Events[]` of bare
 * events, an EventBridge envelope's `detail`), or one as JSON text (a CloudWatch Logs export's
 * `logEvents[].message`, an item of `Records` that is a string), or null. Such a file once read
 * as "no CloudTrail events in it" (or its items as "not a CloudTrail event"), a warning only, and
 * a step passed without its events; it is now unread, since which of its values are the events
 * is a guess this reader does not make.
 */
function nestedEvent(v: unknown, at = "", depth = 0): Nested | null {
  if (depth > 16) return null;
  if (typeof v === "string") return eventText(v) ? { at, text: true } : null;
  const inside = (k: string, x: unknown) => {
    const p = Array.isArray(v) ? `${at}[]` : at === "" ? k : `${at}.${k}`;
    return isPlainObject(x) && deepEvent(x) ? { at: p, text: false } : nestedEvent(x, p, depth + 1);
  };
  if (Array.isArray(v)) {
    for (const x of v) {
      const p = inside("", x);
      if (p !== null) return p;
    }
  } else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const p = inside(k, x);
      if (p !== null) return p;
    }
  }
  return null;
}

/**
 * Whether a value found deeper in (or as JSON text) is a CloudTrail event: it has both an event
 * name and an event source, as every CloudTrail event and lookup-events item has. One key of
 * EVENT_KEYS is not enough there: an AWS Config configuration item has `awsRegion`, and Config
 * writes its history and snapshot files into the trail's bucket (a log archive's sync).
 */
function deepEvent(o: Record<string, unknown>): boolean {
  const keys = new Set(Object.keys(o).map((k) => k.toLowerCase()));
  return keys.has("eventname") && keys.has("eventsource");
}

/** Whether a string is the JSON text of an object that is a CloudTrail event (`deepEvent`). */
function eventText(s: string): boolean {
  if (!/^\s*\{/.test(s) || !/"event(Name|Time|Source|Version|ID)"/i.test(s)) return false;
  try {
    const o: unknown = JSON.parse(s);
    return isPlainObject(o) && deepEvent(o);
  } catch {
    return false;
  }
}

function nestedReason({ at, text }: Nested): string {
  const where =
    at === "" ? "are JSON text (strings)" : `lie under "${at}"${text ? " as JSON text" : ""}`;
  return `its CloudTrail events ${where}, where this reader does not look (it reads a top-level "Records" list, a bare array of events, one event a line, or lookup-events output): rewrite it in one of those shapes`;
}

const structMaps = new WeakMap<Field[], Map<string, Field>>();
function mapFor(fields: Field[]): Map<string, Field> {
  let m = structMaps.get(fields);
  if (!m) {
    m = keyMap(fields);
    structMaps.set(fields, m);
  }
  return m;
}

interface NormalizedRecord extends Record<string, unknown> {
  eventTime?: string;
  awsRegion?: string;
  recipientAccountId?: string;
}

/**
 * A record with CloudTrail's key spelling whatever the case it came with, and every field of the
 * type the reader declares: a mistyped struct, list or map becomes null and is counted by path.
 * A Logstash export's `@timestamp` stands in for a missing `eventTime`.
 */
export function normalizeRecord(
  raw: Record<string, unknown>,
  coerced: Record<string, number>,
): NormalizedRecord {
  const rec = normalizeStruct(raw, mapFor(RECORD_KEYS_FIELDS), "", coerced) as NormalizedRecord;
  if (rec.eventTime == null && typeof raw["@timestamp"] === "string") {
    const t = parseEventTime(raw["@timestamp"]);
    if (t) rec.eventTime = `${t.toISOString().slice(0, 19)}Z`;
  } else if (typeof rec.eventTime === "string" && !DUCKDB_TIME.test(rec.eventTime.trim())) {
    // A time this reader places in a day but DuckDB's cast would read as null (and so no window
    // would hold its event): written as the instant it names, in CloudTrail's form, whole
    // seconds without a fraction (`10:00:00.000Z` sorted before `{{start}}`'s `10:00:00Z` as
    // text, and `eventtime >= {{start}}` left out an event at the window's start). A time DuckDB
    // reads is kept as written, the text Athena's table of the file would show and compare.
    const t = parseEventTime(rec.eventTime);
    if (t) rec.eventTime = isoInstant(t);
  }
  return rec;
}

/**
 * Event times DuckDB's `TRY_CAST(… AS TIMESTAMPTZ)` reads as `parseEventTime` does (checked
 * against DuckDB in the tests): others that `parseEventTime` accepts (`10:00Z` without seconds,
 * a lower-case `z`, a space before `Z`) are rewritten by the lenient reader.
 */
const DUCKDB_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z| UTC|[+-]\d{2}(?::?\d{2})?)?$/;

const RECORD_KEYS_FIELDS: Field[] = [...RECORD_KEYS.values()];

function normalizeStruct(
  obj: Record<string, unknown>,
  fields: Map<string, Field>,
  prefix: string,
  coerced: Record<string, number>,
): Record<string, unknown> {
  // A plain object (one without a prototype is a slow one to V8: a third more time for a big
  // export), asked for its own keys only: `constructor` or `toString` are not already in it.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const f = fields.get(k.toLowerCase());
    if (!f) {
      if (!Object.hasOwn(out, k)) setOwn(out, k, v);
      continue;
    }
    if (Object.hasOwn(out, f.name) && out[f.name] !== null && k !== f.name) continue;
    out[f.name] = coerce(f, v, `${prefix}${f.name}`, coerced);
  }
  return out;
}

/** `o[k] = v`, for `__proto__` too (an assignment would set the object's prototype). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  } else {
    o[k] = v;
  }
}

function coerce(f: Field, v: unknown, p: string, coerced: Record<string, number>): unknown {
  if (v === null || v === undefined) return null;
  const bad = () => {
    coerced[p] = (coerced[p] ?? 0) + 1;
    return null;
  };
  switch (f.kind) {
    case "string":
    case "json":
      // Any JSON value stays as it came, as in layout files: the typed reader makes the string
      // column's text of it (readonly 'true', an object's JSON with DuckDB's number forms), and
      // Logs Insights sees a boolean (1/0) or an object.
      return v;
    case "string-map":
      // Its values as they came too (see "string" above).
      return isPlainObject(v) ? v : bad();
    case "struct":
      if (!isPlainObject(v)) return bad();
      return normalizeStruct(v, mapFor(f.fields), `${p}.`, coerced);
    case "struct-array": {
      if (!Array.isArray(v)) return bad();
      const m = mapFor(f.fields);
      return v.map((x) => {
        if (x === null) return null;
        if (!isPlainObject(x)) return bad();
        return normalizeStruct(x, m, `${p}[].`, coerced);
      });
    }
  }
}

function accountOf(rec: Record<string, unknown>): string | undefined {
  const ui = rec.userIdentity;
  if (isPlainObject(ui) && typeof ui.accountId === "string") return ui.accountId;
  return undefined;
}

function safeSegment(v: unknown): string {
  const s = String(v).replace(/[^A-Za-z0-9_.-]/g, "_");
  return s === "" || s === "." || s === ".." ? "unknown" : s;
}

const TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** An event time as CloudTrail and its exporters write it; times without a zone are UTC. */
export function parseEventTime(v: unknown): Date | null {
  if (typeof v !== "string") return null;
  const m = TIME_RE.exec(v.trim());
  if (!m) return null;
  const frac = (m[7] ?? "").padEnd(3, "0").slice(0, 3);
  let zone = m[8] ?? "Z";
  if (/^utc$/i.test(zone)) zone = "Z";
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  else if (/^[+-]\d{2}$/.test(zone)) zone = `${zone}:00`;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}.${frac}${zone.toUpperCase()}`;
  const d = new Date(iso);
  // `Date` reads 2026-02-30 as March 2nd; DuckDB's cast reads it as no time at all.
  const day = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || day.getUTCDate() !== Number(m[3])) return null;
  return d;
}
