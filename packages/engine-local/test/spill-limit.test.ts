/**
 * The temporary disk a query may spill to (`spillLimit`, `local.spillLimit`): DuckDB's own limit
 * is 90% of the free disk, so without one a runaway sort or join could fill it. Read back from
 * DuckDB through a step, as a runbook would see it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
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
    const window = {
      start: new Date("2024-01-01T00:00:00Z"),
      end: new Date("2024-01-02T00:00:00Z"),
    };
    const r = await engine.query(
      queryRequest("sql", "SELECT current_setting('max_temp_directory_size') AS limit", window, {
        attributes: { optional: false, sqlDialect: "duckdb" },
      }),
    );
    return r.rows[0]?.[0];
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
