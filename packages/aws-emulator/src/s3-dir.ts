/**
 * Buckets served from directories (path-style REST, read only): ListObjectsV2 (prefix,
 * delimiter, continuation token, max-keys) and GetObject (streamed, with an ETag: the MD5 of the
 * content, as S3 gives for single-part uploads). Faults for the collector's tests: 503 SlowDown
 * for the next N requests, a GetObject cut off half-way (the connection dropped), one that
 * stalls half-way (the connection left open, nothing more sent), an object deleted between the
 * list and the get.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp, type Stats } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { type RecordCall, s3Call } from "./query.ts";
import { s3Address, sendNoSuchKey, sendS3Error, sendXml, xml } from "./xml.ts";

export interface S3DirFaults {
  /** The next N S3 requests answer 503 SlowDown. */
  slowDown?: number;
  /** Keys whose next GetObject sends half the bytes and then drops the connection. */
  dropMidObject?: string[];
  /**
   * Keys whose next GetObject sends half the bytes and then nothing, the connection left open
   * (a stuck front end, a half-open connection); a key listed twice stalls twice.
   */
  stallMidObject?: string[];
  /** Keys listed but gone when fetched: GetObject answers 404 NoSuchKey. */
  deletedAfterList?: string[];
  /**
   * Prefixes whose listing is refused (403 AccessDenied), as a bucket policy's `s3:prefix`
   * condition refuses them: a ListObjectsV2 whose prefix starts with one of them.
   */
  deniedPrefixes?: string[];
}

async function allKeys(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return names
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

const etags = new Map<string, { mtimeMs: number; etag: string }>();

async function etagOf(file: string): Promise<string> {
  const st = await fsp.stat(file);
  const cached = etags.get(file);
  if (cached && cached.mtimeMs === st.mtimeMs) return cached.etag;
  const etag = `"${createHash("md5")
    .update(await fsp.readFile(file))
    .digest("hex")}"`;
  etags.set(file, { mtimeMs: st.mtimeMs, etag });
  return etag;
}

/**
 * A file's stat and ETag, or null when it is not a regular file (any more): the test harness
 * removes files while a listing or a download is under way, and S3 then answers as if the
 * object was never there (not listed, NoSuchKey) rather than failing the request.
 */
async function present(file: string): Promise<{ st: Stats; etag: string } | null> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return null;
    return { st, etag: await etagOf(file) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

async function list(dir: string, url: URL, res: ServerResponse): Promise<void> {
  const prefix = url.searchParams.get("prefix") ?? "";
  const delimiter = url.searchParams.get("delimiter") ?? "";
  const maxKeys = Number(url.searchParams.get("max-keys") ?? 1000);
  const after =
    url.searchParams.get("continuation-token") ?? url.searchParams.get("start-after") ?? "";
  const entries: { key?: string; prefix?: string }[] = [];
  const seenPrefixes = new Set<string>();
  for (const key of await allKeys(dir)) {
    if (!key.startsWith(prefix)) continue;
    const cut = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut >= 0) {
      const p = key.slice(0, cut + delimiter.length);
      if (!seenPrefixes.has(p)) {
        seenPrefixes.add(p);
        entries.push({ prefix: p });
      }
    } else entries.push({ key });
  }
  const name = (e: { key?: string; prefix?: string }) => e.key ?? e.prefix ?? "";
  const rest = entries.filter((e) => name(e) > after);
  const page = rest.slice(0, maxKeys);
  const truncated = rest.length > page.length;
  const parts: string[] = [];
  for (const e of page) {
    if (e.prefix !== undefined) {
      parts.push(`<CommonPrefixes><Prefix>${xml(e.prefix)}</Prefix></CommonPrefixes>`);
      continue;
    }
    const file = path.join(dir, e.key as string);
    const found = await present(file);
    if (found === null) continue; // removed since the directory was read: S3 would not list it
    const { st, etag } = found;
    parts.push(
      `<Contents><Key>${xml(e.key as string)}</Key><LastModified>${st.mtime.toISOString()}</LastModified><ETag>${xml(etag)}</ETag><Size>${st.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
  }
  const next = truncated
    ? `<NextContinuationToken>${xml(name(page[page.length - 1] ?? {}))}</NextContinuationToken>`
    : "";
  sendXml(
    res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${xml(delimiter)}</Delimiter>` : ""}<IsTruncated>${truncated}</IsTruncated>${next}${parts.join("")}</ListBucketResult>`,
  );
}

async function halfOf(file: string): Promise<Buffer> {
  const bytes = await fsp.readFile(file);
  return bytes.subarray(0, Math.floor(bytes.length / 2));
}

async function get(
  dir: string,
  key: string,
  res: ServerResponse,
  faults: S3DirFaults,
): Promise<void> {
  const file = path.join(dir, key);
  const found = path.relative(dir, file).startsWith("..") ? null : await present(file);
  const deleted = faults.deletedAfterList?.includes(key) ?? false;
  if (found === null || deleted) {
    sendNoSuchKey(res, key);
    return;
  }
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": found.st.size,
    etag: found.etag,
    "last-modified": found.st.mtime.toUTCString(),
  });
  const drop = faults.dropMidObject?.indexOf(key) ?? -1;
  if (drop >= 0) {
    faults.dropMidObject?.splice(drop, 1);
    res.write(await halfOf(file), () => res.socket?.destroy());
    return;
  }
  const stall = faults.stallMidObject?.indexOf(key) ?? -1;
  if (stall >= 0) {
    faults.stallMidObject?.splice(stall, 1);
    res.write(await halfOf(file));
    return;
  }
  createReadStream(file).pipe(res);
}

/** Answers a path-style S3 GET for a bucket served from a directory. */
export async function handleS3Dir(
  req: IncomingMessage,
  res: ServerResponse,
  state: { record: RecordCall; buckets: Record<string, string>; faults: S3DirFaults },
): Promise<boolean> {
  const { url, bucket, key } = s3Address(req);
  const dir = state.buckets[bucket];
  if (dir === undefined || req.method !== "GET") return false;
  const op = key === "" ? "ListObjectsV2" : "GetObject";
  state.record(s3Call(op, { Bucket: bucket, Key: key, query: url.search }));
  if ((state.faults.slowDown ?? 0) > 0) {
    state.faults.slowDown = (state.faults.slowDown ?? 0) - 1;
    sendS3Error(res, 503, "SlowDown", "Please reduce your request rate.");
    return true;
  }
  const listed = url.searchParams.get("prefix") ?? "";
  if (op === "ListObjectsV2" && state.faults.deniedPrefixes?.some((p) => listed.startsWith(p))) {
    sendS3Error(res, 403, "AccessDenied", "Access Denied");
    return true;
  }
  if (op === "ListObjectsV2") await list(dir, url, res);
  else await get(dir, key, res, state.faults);
  return true;
}
