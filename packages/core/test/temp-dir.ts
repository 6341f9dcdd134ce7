/**
 * A temporary folder for one test file: made before its first test, removed after its last.
 * Call it at the top level of the file; the returned function gives the folder's path (it
 * exists only while the file's tests run).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

export function tempDirForFile(name: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `run-md-${name}-`));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error("the temporary folder exists only while tests run");
    return dir;
  };
}
