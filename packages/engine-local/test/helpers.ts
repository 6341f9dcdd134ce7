import { existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
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
