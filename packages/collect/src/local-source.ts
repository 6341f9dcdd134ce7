/** A local directory as a collect source: any layout the local engine reads. */
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { notADirectory, RunMdError } from "@run-md/core";
import { LogCatalog } from "@run-md/engine-local";
import {
  asStoreWriter,
  type CollectFile,
  type CollectResult,
  type CollectRun,
  collectFiles,
  dayRange,
  listedWindowObject,
} from "./collect.ts";
import { finishRepairs, repairDamagedDays } from "./damaged.ts";

/** A session cache for the lenient reader's normalized parts, inside the store's `.tmp`. */
export async function withCatalog<T>(
  store: string,
  sourceDir: string,
  fn: (catalog: LogCatalog) => Promise<T>,
): Promise<T> {
  const cache = path.join(
    path.resolve(store),
    ".tmp",
    `cache-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  await fsp.mkdir(cache, { recursive: true });
  try {
    return await fn(new LogCatalog(sourceDir, cache));
  } finally {
    await fsp.rm(cache, { recursive: true, force: true });
  }
}

/** A source without a single CloudTrail file (a wrong folder or prefix): nothing is recorded. */
export function noLogs(source: string): RunMdError {
  return new RunMdError("no-logs", `No CloudTrail logs found in ${source}.`, {
    hint: "Check --source: a folder of CloudTrail files, or s3://bucket[/prefix] above AWSLogs/.",
  });
}

export async function collectFromDir(
  run: CollectRun & { sourceDir: string },
): Promise<CollectResult> {
  const dir = path.resolve(run.sourceDir);
  const problem = await notADirectory(dir);
  if (problem !== undefined) {
    throw new RunMdError("bad-source", `The source ${dir} ${problem}.`, {
      hint: "Give --source a directory of CloudTrail files or an s3://bucket/prefix.",
    });
  }
  return asStoreWriter(run.store, () => collectListed(run, dir), run.waitMs);
}

/** collectFromDir, the store held: the folder listed, its new files collected. */
function collectListed(run: CollectRun, dir: string): Promise<CollectResult> {
  return withCatalog(run.store, dir, async (catalog) => {
    run.onProgress?.({ phase: "list", objects: 0, objectsTotal: 0, bytes: 0, events: 0 });
    const listedAt = new Date();
    const { files, outside, warnings, unread } = await catalog.scan(dayRange(run.window));
    if (files.length === 0 && outside === 0 && unread.length === 0) throw noLogs(dir);
    const all: CollectFile[] = files.map((src) => ({
      src,
      key: src.rel,
      id: src.identity,
    }));
    // Damaged days forgotten once the listing shows every object of theirs is read again.
    const keys = new Set(all.map((f) => f.key));
    const repaired = await repairDamagedDays(path.resolve(run.store), run.window, keys);
    // A folder that could not be listed leaves the window uncovered (its files were not read).
    const collected = await collectFiles(run, catalog, all, {
      complete: unread.length === 0,
      at: listedAt,
      source: { id: dir, keys },
      // Whole paths: a source inside the layout (`./AWSLogs/<account>`) has keys without it.
      missed: unread.map((rel) => path.join(dir, rel)),
    });
    const result = await finishRepairs(path.resolve(run.store), repaired.repairs, collected);
    const notes = [...repaired.warnings, ...warnings];
    if (
      !listedWindowObject(
        run.window,
        files.map((f) => f.layoutDay),
      )
    )
      notes.push(`no objects in the window in ${dir}`);
    return { ...result, warnings: [...notes, ...result.warnings] };
  });
}
