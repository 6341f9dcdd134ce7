import { createHash } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { afterAll, beforeAll } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const sharedDir = path.resolve(repoRoot, "../shared");
export const datasetsDir = path.join(sharedDir, "datasets");
export const hasShared = existsSync(datasetsDir);
if (!hasShared) console.log(`skipping shared-data tests: ${datasetsDir} is absent`);

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(prefix = "run-md-local-test-"): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/**
 * A temporary directory with copies of a data set's readable files: its raw/ files (the unzipped
 * copies beside the zips) or, for panther, events.jsonl. The shared folders also hold SOURCE.json
 * and index.tsv, which are not events. Copies, not symlinks: the engine skips links that lead
 * outside its log directory.
 */
export async function datasetDir(name: string): Promise<string> {
  const dir = await tempDir(`run-md-ds-${name}-`);
  const raw = path.join(datasetsDir, name, "raw");
  if (existsSync(raw)) {
    for (const f of await fsp.readdir(raw)) {
      if (f.endsWith(".json")) await fsp.copyFile(path.join(raw, f), path.join(dir, f));
    }
  } else {
    await fsp.copyFile(
      path.join(datasetsDir, name, "events.jsonl"),
      path.join(dir, "events.jsonl"),
    );
  }
  return dir;
}

export function window(start: string, end: string) {
  return { start: new Date(start), end: new Date(end) };
}

/**
 * An engine over an empty log folder for a file's tests whose queries read no log file: made
 * before them, closed (and its folder removed) after them. Call it at the file's top level.
 */
export function engineOverEmptyFolder(): () => LocalEngine {
  let root: string | undefined;
  let engine: LocalEngine | undefined;
  beforeAll(async () => {
    root = await tempDir();
    engine = await createLocalEngine({ logDir: root, threads: 1 });
  });
  afterAll(async () => {
    await engine?.close();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });
  return () => engine as LocalEngine;
}

/**
 * An engine over a copy of a shared data set's files (datasetDir), one thread: made before the
 * enclosing describe's tests, closed (and the copy removed) after them. Call it in a describe
 * skipped without the shared data (`describe.skipIf(!hasShared)`).
 */
export function engineOverDataset(name: string): () => LocalEngine {
  let dir: string | undefined;
  let engine: LocalEngine | undefined;
  beforeAll(async () => {
    dir = await datasetDir(name);
    engine = await createLocalEngine({ logDir: dir, threads: 1 });
  });
  afterAll(async () => {
    await engine?.close();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });
  return () => engine as LocalEngine;
}

/** A CloudTrail event of 2026-11-24 10:00 UTC with the id and name given (account 1111...). */
export const dayEvent = (id: string, name: string) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: "2026-11-24T10:00:00Z",
  eventName: name,
  eventSource: "cloudtrail.amazonaws.com",
  awsRegion: "us-east-1",
  recipientAccountId: "111111111111",
});
/** The trail's delivery folder of 2026-11-24 that `dayEvent`'s events belong in. */
export const DAY_FOLDER = "AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/24";

/** Writes each file (a path under `dir` and its body), with the folders it needs. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer>) {
  for (const [rel, body] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), body);
  }
}

/** The event ids a local engine over `dir` reads from 2026-11-24 00:00 to 12:00 UTC, and its result. */
export async function readDay(dir: string) {
  const engine = await createLocalEngine({ logDir: dir, threads: 1 });
  try {
    const r = await engine.query(
      queryRequest(
        "sql",
        "SELECT eventid FROM cloudtrail_logs ORDER BY 1",
        window("2026-11-24T00:00:00Z", "2026-11-24T12:00:00Z"),
      ),
    );
    return {
      ...r,
      ids: r.rows.map((x) => x[0]),
      unread: r.unread ?? [],
      warnings: r.warnings ?? [],
    };
  } finally {
    await engine.close();
  }
}

/**
 * A trail's hourly deliveries of March 2024's `days` for `region`: one file an hour in
 * `dir(day)`, named as CloudTrail names its files (`<account>_CloudTrail_<region>_<time>Z_<id>`,
 * delivered at hh:50), each holding one ListBuckets event of the region at hh:10, its eventID
 * unique to the file.
 */
/** A delivery name's random part, as one trail's folder would give it (alphanumeric). */
export function idOf(folder: string): string {
  return createHash("sha256").update(folder).digest("hex").slice(0, 12);
}

export async function hourlyDeliveries(
  dir: (day: string) => string,
  region: string,
  days: readonly string[],
  account = "111122223333",
): Promise<void> {
  for (const day of days) {
    await fsp.mkdir(dir(day), { recursive: true });
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, "0");
      const record = {
        eventVersion: "1.08",
        eventID: `${dir(day)}#${hh}`,
        eventTime: `2024-03-${day}T${hh}:10:00Z`,
        eventSource: "s3.amazonaws.com",
        eventName: "ListBuckets",
        awsRegion: region,
      };
      // CloudTrail's names end in a random part: two trails' files (or two folders') never
      // share a name (a copy of a delivery does).
      const name = `${account}_CloudTrail_${region}_202403${day}T${hh}50Z_${idOf(dir(day))}${h}.json.gz`;
      await fsp.writeFile(
        path.join(dir(day), name),
        zlib.gzipSync(JSON.stringify({ Records: [record] })),
      );
    }
  }
}
