/**
 * RUN_MD_LOCAL_THREADS: the DuckDB threads of an engine created without `threads`, read back from
 * DuckDB itself; an explicit `threads` wins; a value that is not a thread count is refused, naming
 * the variable.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../src/index.ts";

const saved = process.env.RUN_MD_LOCAL_THREADS;
let logDir: string;

beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), "run-md-threads-"));
});
afterEach(() => {
  if (saved === undefined) delete process.env.RUN_MD_LOCAL_THREADS;
  else process.env.RUN_MD_LOCAL_THREADS = saved;
});
afterAll(async () => {
  await rm(logDir, { recursive: true, force: true });
});

async function threadsOf(opts: { threads?: number } = {}): Promise<number> {
  const engine = await createLocalEngine({ logDir, ...opts });
  try {
    return await engine.duckdbThreads();
  } finally {
    await engine.close();
  }
}

describe("RUN_MD_LOCAL_THREADS", () => {
  it("sets the threads of an engine created without `threads`", async () => {
    process.env.RUN_MD_LOCAL_THREADS = "3";
    expect(await threadsOf()).toBe(3);
    process.env.RUN_MD_LOCAL_THREADS = "1";
    expect(await threadsOf()).toBe(1);
  });

  it("gives way to an explicit `threads`", async () => {
    process.env.RUN_MD_LOCAL_THREADS = "1";
    expect(await threadsOf({ threads: 3 })).toBe(3);
  });

  it.each(["0", "two", "1.5", "-1", "2000"])("refuses %j, naming the variable", async (value) => {
    process.env.RUN_MD_LOCAL_THREADS = value;
    await expect(createLocalEngine({ logDir })).rejects.toMatchObject({
      code: "bad-config",
      message: `RUN_MD_LOCAL_THREADS "${value}" is not a whole number of threads from 1 to 1024`,
    });
  });
});
