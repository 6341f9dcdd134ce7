/**
 * The temporary disk a query may spill to (`spillLimit`, `local.spillLimit`): DuckDB's own limit
 * is 90% of the free disk, so without one a runaway sort or join could fill it. Read back from
 * the engine's DuckDB instance.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SPILL_LIMIT } from "../src/engine.ts";
import { createLocalEngine, type LocalEngineOptions } from "../src/index.ts";

let logDir: string;
beforeAll(async () => {
  logDir = await mkdtemp(path.join(tmpdir(), "run-md-spill-"));
});
afterAll(async () => {
  await rm(logDir, { recursive: true, force: true });
});

async function spillLimitOf(opts: Partial<LocalEngineOptions>): Promise<unknown> {
  const engine = await createLocalEngine({ logDir, threads: 1, ...opts });
  try {
    // A step may not read DuckDB's settings (the sandbox refuses current_setting).
    return await engine.duckdbSetting("max_temp_directory_size");
  } finally {
    await engine.close();
  }
}

describe("the local engine's temporary disk", () => {
  it("is capped at DEFAULT_SPILL_LIMIT, not at DuckDB's 90% of the free disk", async () => {
    expect(DEFAULT_SPILL_LIMIT).toBe("10GiB");
    expect(await spillLimitOf({})).toBe("10.0 GiB");
  });

  it("takes spillLimit", async () => {
    expect(await spillLimitOf({ spillLimit: "512MiB" })).toBe("512.0 MiB");
  });
});

describe("settings DuckDB refuses", () => {
  it("fail the engine's opening and leave no session folder behind", async () => {
    const tmp = await mkdtemp(path.join(tmpdir(), "run-md-refused-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      // Sizes the configuration's check lets through, past what DuckDB takes.
      for (const opts of [{ memoryLimit: "99999999999TB" }, { spillLimit: "99999999999999TB" }]) {
        await expect(createLocalEngine({ logDir, threads: 1, ...opts })).rejects.toThrow();
      }
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
