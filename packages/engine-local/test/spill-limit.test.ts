/**
 * The temporary disk a query may spill to (`spillLimit`, `local.spillLimit`): DuckDB's own limit
 * is 90% of the free disk, so without one a runaway sort or join could fill it. Read back from
 * the engine's DuckDB instance.
 */
import { mkdtemp, rm } from "node:fs/promises";
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
