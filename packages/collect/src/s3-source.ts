/**
 * A trail's S3 bucket as a collect source: `s3://bucket[/prefix]`, the account layout
 * `AWSLogs/<account>/CloudTrail/<region>/yyyy/mm/dd/` and the organization layout
 * `AWSLogs/o-<org>/<account>/...`. Accounts and regions are found by delimiter listing; only the
 * window's day prefixes are listed; new objects (key and ETag not in the manifest) are fetched
 * 16 at a time, each streamed to a file in the store's `.tmp` (never whole in memory), then
 * collected like a local directory. A dropped connection is retried; an object deleted since it
 * was listed is named and left for the next collect.
 */
import { createWriteStream, promises as fsp } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { mapLimit, RunMdError, slashDaysBetween, type TimeWindow } from "@run-md/core";
import {
  type DayRange,
  fileIdentity,
  isEventFileName,
  isUnreadLogName,
  LOG_FILE_NAMES,
  layoutDay,
  readManifest,
  type SourceFile,
  type StoreManifest,
} from "@run-md/engine-local";
import {
  asStoreWriter,
  type CollectFile,
  type CollectResult,
  type CollectRun,
  changedDays,
  collectFiles,
  dayRange,
  listedWindowObject,
  rangesMeetDay,
} from "./collect.ts";
import { finishRepairs, repairDamagedDays } from "./damaged.ts";
import { noLogs, withCatalog } from "./local-source.ts";

export interface S3Source {
  bucket: string;
  /** Key prefix before `AWSLogs/` ("" or ending in "/"). */
  prefix: string;
}

export function parseS3Url(url: string): S3Source {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) {
    throw new RunMdError(
      "bad-source",
      `"${url}" is not an S3 location such as s3://bucket/prefix.`,
    );
  }
  const prefix = (m[2] ?? "").replace(/^\/+|\/+$/g, "");
  return { bucket: m[1] as string, prefix: prefix === "" ? "" : `${prefix}/` };
}

/** Every page of a listing: common prefixes and objects; a page has `idleMs` to come. */
async function listAll(
  s3: S3Client,
  idleMs: number,
  bucket: string,
  prefix: string,
  delimiter?: string,
) {
  const prefixes: string[] = [];
  const objects: { key: string; etag: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const late = AbortSignal.timeout(idleMs);
    const page: ListObjectsV2CommandOutput = await s3
      .send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: late },
      )
      .catch((e: Error) => {
        if (!late.aborted) throw e;
        throw new Error(`listing s3://${bucket}/${prefix} got no answer in ${idleMs / 1000} s`);
      });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    for (const o of page.Contents ?? []) {
      if (o.Key) objects.push({ key: o.Key, etag: o.ETag ?? "", size: o.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { prefixes, objects };
}

/** `.../CloudTrail/<region>/` prefixes: accounts (and organizations' accounts), then regions. */
async function regionPrefixes(s3: S3Client, idleMs: number, src: S3Source): Promise<string[]> {
  const base = `${src.prefix}AWSLogs/`;
  const accounts: string[] = [];
  for (const p of (await listAll(s3, idleMs, src.bucket, base, "/")).prefixes) {
    const name = p.slice(base.length, -1);
    if (/^o-/.test(name))
      accounts.push(...(await listAll(s3, idleMs, src.bucket, p, "/")).prefixes);
    else accounts.push(p);
  }
  const regions: string[] = [];
  for (const a of accounts) {
    regions.push(...(await listAll(s3, idleMs, src.bucket, `${a}CloudTrail/`, "/")).prefixes);
  }
  return regions;
}

/** The day folders a collect of the window lists (`dayRange`). */
function windowDays(w: TimeWindow): string[] {
  const range = dayRange(w) as DayRange;
  return slashDaysBetween(range.first, range.last);
}

/** A listed object of the window's day prefixes (or of everything without a window). */
interface Listed {
  key: string;
  etag: string;
  size: number;
  day: string | null;
}

/** The event files of the window's day prefixes, in every account and region found. */
async function listWindow(
  s3: S3Client,
  idleMs: number,
  src: ReturnType<typeof parseS3Url>,
  window: CollectRun["window"],
): Promise<{ listed: Listed[]; unread: string[] }> {
  const listed: Listed[] = [];
  const unread: string[] = [];
  const regions = await regionPrefixes(s3, idleMs, src);
  if (regions.length === 0) throw noLogs(`s3://${src.bucket}/${src.prefix}AWSLogs/`);
  for (const region of regions) {
    const prefixes = window ? windowDays(window).map((d) => `${region}${d}/`) : [region];
    for (const p of prefixes) {
      for (const o of (await listAll(s3, idleMs, src.bucket, p)).objects) {
        if (isUnreadLogName(o.key)) unread.push(o.key);
        else if (isEventFileName(o.key)) listed.push({ ...o, day: layoutDay(o.key) });
      }
    }
  }
  return { listed, unread };
}

/**
 * The objects to fetch: those not collected in this version, and every object of a day one of
 * whose objects changed (a new ETag for a key collected before): that day is written again from
 * all its objects (`changedDays`), those outside the layout whose events it holds too (review:
 * left out, they made the day look incomplete, and the new version was held for good).
 */
function toFetch(listed: Listed[], manifest: StoreManifest): Listed[] {
  const changed = changedDays(
    manifest,
    listed.map((o) => ({ key: o.key, id: o.etag, day: o.day })),
  );
  const ofChangedDay = (o: Listed) => {
    if (o.day !== null) return changed.has(o.day);
    const ranges = manifest.objects[o.key]?.ranges ?? [];
    return [...changed].some((day) => rangesMeetDay(ranges, day));
  };
  return listed.filter((o) => manifest.objects[o.key]?.id !== o.etag || ofChangedDay(o));
}

/**
 * Whether an object's key, as a path under the staging folder (which keeps the delivery layout:
 * the partition columns come from it), stays in that folder and names no other key's file: no
 * empty, `.` or `..` part. CloudTrail writes none; a key such as `…/01/../../../../x.json.gz`
 * in the bucket would otherwise be written wherever it points.
 */
export function stagingSafe(key: string): boolean {
  return key.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/** The listed objects whose keys are `stagingSafe`, and a warning for each of the others. */
function stagingSafeOnly(found: Listed[], bucket: string) {
  const listed: Listed[] = [];
  const warnings: string[] = [];
  for (const o of found) {
    if (stagingSafe(o.key)) listed.push(o);
    else
      warnings.push(
        `not collected s3://${bucket}/${o.key}: a key with an empty, "." or ".." part is no CloudTrail delivery (and would be written outside the staging folder)`,
      );
  }
  return { listed, warnings };
}

/**
 * How long a GetObject may go without a byte (before its headers or within its body) before the
 * attempt is abandoned: a stalled connection (a stuck front end, a half-open TCP connection)
 * must fail the object, never hang the collect (red-team: a nightly waited forever).
 */
export const S3_IDLE_TIMEOUT_MS = 30_000;

/** One object to fetch into a file, and how long it may go without a byte. */
interface ObjectFetch {
  s3: S3Client;
  bucket: string;
  key: string;
  file: string;
  idleMs: number;
}

/**
 * Streams an object to a file; a connection dropped or stalled mid-object is fetched again
 * (3 attempts).
 */
async function fetchTo(f: ObjectFetch): Promise<string> {
  await fsp.mkdir(path.dirname(f.file), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(f);
    } catch (e) {
      const name = (e as Error).name;
      if (name === "NoSuchKey" || attempt >= 3) throw e;
    }
  }
}

/** One GetObject into `file`, abandoned after `idleMs` without a byte. */
async function fetchOnce({ s3, bucket, key, file, idleMs }: ObjectFetch): Promise<string> {
  const stalled = new AbortController();
  const timer = setTimeout(
    () => stalled.abort(new Error(`no byte of s3://${bucket}/${key} for ${idleMs / 1000} s`)),
    idleMs,
  );
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: stalled.signal,
    });
    const body = out.Body as Readable;
    body.on("data", () => timer.refresh());
    await pipeline(body, createWriteStream(file), { signal: stalled.signal });
    return out.ETag ?? "";
  } catch (e) {
    throw stalled.signal.aborted ? (stalled.signal.reason as Error) : e;
  } finally {
    clearTimeout(timer);
  }
}

type S3Run = CollectRun & {
  source: string;
  concurrency?: number;
  clientConfig?: S3ClientConfig;
  /** `S3_IDLE_TIMEOUT_MS` unless given (tests). */
  idleTimeoutMs?: number;
};

export function collectFromS3(run: S3Run): Promise<CollectResult> {
  const src = parseS3Url(run.source);
  // Held from before the manifest is read: what to fetch is decided from it.
  return asStoreWriter(run.store, (store) => fetchAndCollect(run, src, store), run.waitMs);
}

/**
 * The window's objects listed (those safe to stage), then the store's damaged days forgotten
 * before deciding what to fetch, so that their objects are fetched again (`repairDamagedDays`).
 */
async function listAndRepair(
  s3: S3Client,
  idleMs: number,
  src: ReturnType<typeof parseS3Url>,
  { window }: S3Run,
  store: string,
) {
  const found = await listWindow(s3, idleMs, src, window);
  const { listed, warnings } = stagingSafeOnly(found.listed, src.bucket);
  // A log of a delivery folder under a name the local engine does not read (`.json.bz2`, a
  // sync's part file): its events are not collected, so the window is not recorded as collected.
  for (const key of found.unread)
    warnings.push(
      `not collected s3://${src.bucket}/${key}: a CloudTrail delivery folder's object whose name is not one of a log file (${LOG_FILE_NAMES}): its events are not read`,
    );
  const keys: ReadonlySet<string> = new Set(listed.map((o) => o.key));
  const { warnings: repaired, repairs } = await repairDamagedDays(store, window, keys);
  warnings.unshift(...repaired);
  if (
    !listedWindowObject(
      window,
      listed.map((o) => o.day),
    )
  )
    warnings.push(`no objects in the window in s3://${src.bucket}/${src.prefix}`);
  return { listed, warnings, keys, repairs, unread: found.unread };
}

/** collectFromS3, the store held: the window listed, its new objects fetched and collected. */
async function fetchAndCollect(
  run: S3Run,
  src: ReturnType<typeof parseS3Url>,
  store: string,
): Promise<CollectResult> {
  const s3 = new S3Client(run.clientConfig ?? {});
  await fsp.mkdir(path.join(store, ".tmp"), { recursive: true });
  const staging = await fsp.mkdtemp(path.join(store, ".tmp", "s3-"));
  try {
    run.onProgress?.({ phase: "list", objects: 0, objectsTotal: 0, bytes: 0, events: 0 });
    const listedAt = new Date();
    const idleMs = run.idleTimeoutMs ?? S3_IDLE_TIMEOUT_MS;
    const { listed, warnings, keys, repairs, unread } = await listAndRepair(
      s3,
      idleMs,
      src,
      run,
      store,
    );
    const todo = toFetch(listed, await readManifest(store));
    const files: CollectFile[] = [];
    const failed: string[] = [];
    let fetched = 0;
    let bytes = 0;
    await mapLimit(todo, run.concurrency ?? 16, async (o) => {
      const file = path.join(staging, ...o.key.split("/"));
      try {
        const etag = await fetchTo({ s3, bucket: src.bucket, key: o.key, file, idleMs });
        const st = await fsp.stat(file);
        const sf: SourceFile = {
          path: file,
          rel: o.key,
          size: st.size,
          mtimeMs: st.mtimeMs,
          identity: fileIdentity(st),
          layoutDay: o.day,
        };
        files.push({ src: sf, key: o.key, id: etag || o.etag });
        bytes += st.size;
      } catch (e) {
        if ((e as Error).name !== "NoSuchKey") failed.push(o.key);
        warnings.push(
          `not fetched s3://${src.bucket}/${o.key}: ${(e as Error).name === "NoSuchKey" ? "deleted since it was listed" : (e as Error).message}`,
        );
      }
      fetched++;
      run.onProgress?.({
        phase: "fetch",
        objects: fetched,
        objectsTotal: todo.length,
        bytes,
        events: 0,
      });
    });
    files.sort((a, b) => (a.key < b.key ? -1 : 1));
    // An object that could not be fetched (or read) leaves the window uncovered until a collect gets it.
    const collected = await withCatalog(store, staging, (catalog) =>
      collectFiles(run, catalog, files, {
        complete: failed.length === 0 && unread.length === 0,
        at: listedAt,
        source: { id: `s3://${src.bucket}/${src.prefix}`, keys },
        missed: [...unread, ...failed],
      }),
    );
    const result = await finishRepairs(store, repairs, collected);
    return {
      ...result,
      objectsSeen: listed.length,
      // Fetched, but for the changed objects it could not take (the store keeps their earlier version).
      objectsNew: todo.length - result.objectsHeld,
      warnings: [...warnings, ...result.warnings],
    };
  } finally {
    s3.destroy();
    await fsp.rm(staging, { recursive: true, force: true });
  }
}
