/**
 * core's `mapLimit`, the one bounded-concurrency map of the project (the collector's fetches,
 * the catalog's file profiles, the nightly job's runs, the Athena engine's listings): order,
 * bound, stop, and the first failure ending the work. Truth: what the test's own calls record.
 */
import { describe, expect, it } from "vitest";
import { mapLimit } from "../src/abort.ts";

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

describe("mapLimit", () => {
  it("answers in the items' order, never more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 6, 0], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 60, 0]);
    expect(most).toBe(3);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it("starts no item once its signal aborted, and answers the items started", async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const out = await mapLimit(
      [0, 1, 2, 3, 4, 5],
      2,
      async (n) => {
        started.push(n);
        if (n === 2) stop.abort();
        await tick();
        return n;
      },
      stop.signal,
    );
    expect(started).toEqual([0, 1, 2]);
    expect(out).toEqual([0, 1, 2]);
  });

  it("starts no item after a call failed, and fails with that call's error", async () => {
    const started: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error("refused");
      return n;
    });
    await expect(run).rejects.toThrow("refused");
    // 0 and 1 at once, then 2 (after 0); 1 failed: nothing after the item running beside it.
    expect(started.length).toBeLessThanOrEqual(3);
  });
});
