/**
 * A store answers with the same numbers as the raw files it was collected from, whichever reader
 * took them: an export and lookup-events output (the lenient reader) as the delivery layout.
 */
import { promises as fsp } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine } from "../../engine-local/src/index.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import {
  numberSources,
  NUMBERS_WINDOW as WINDOW,
} from "../../engine-local/test/number-text-fixture.ts";
import { collectFromDir } from "../src/index.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const QUERY = "SELECT requestparameters, errorcode FROM cloudtrail_logs";

async function rows(opts: { logDir: string } | { store: string }) {
  const engine = await createLocalEngine({ ...opts, threads: 1 });
  try {
    return (await engine.query(queryRequest("sql", QUERY, WINDOW))).rows;
  } finally {
    await engine.close();
  }
}

describe("a collected payload's numbers", () => {
  it("are those of the delivered files, for every source the store was collected from", async () => {
    const sources = await numberSources(dirs);
    const truth = await rows({ logDir: sources.layout! });
    // The input's own text, not only another reader's answer (see the engine-local test).
    expect(JSON.stringify(truth)).toContain(
      String.raw`\"size\":500.0,\"big\":12345678901234567890,`,
    );
    for (const [name, dir] of Object.entries(sources)) {
      const store = await tempDir("run-md-number-store-");
      dirs.push(store);
      await collectFromDir({ sourceDir: dir, store, window: WINDOW });
      expect(await rows({ store }), name).toEqual(truth);
    }
  });
});
