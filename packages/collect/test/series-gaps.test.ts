/**
 * A store collected from a trail whose one region has no object on days the other region has
 * them: a step over the store names those days, as over the raw files (engine-local's
 * series-gaps test). Before, the store's day files (every region together) answered the region's
 * `rows == 0` without a word. The truth is which hourly files the test writes.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { hourlyDeliveries } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

const window = {
  start: new Date("2024-03-01T00:00:00Z"),
  end: new Date("2024-03-05T00:00:00Z"),
};
let root: string;

function deliver(logs: string, region: string, days: string[]): Promise<void> {
  const dir = (day: string) =>
    path.join(logs, "AWSLogs/111122223333/CloudTrail", region, "2024/03", day);
  return hourlyDeliveries(dir, region, days);
}

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-collect-series-"));
  const logs = path.join(root, "logs");
  await deliver(logs, "us-east-1", ["01", "02", "03", "04"]);
  // us-west-2: nothing on the 2nd and the 3rd.
  await deliver(logs, "us-west-2", ["01", "04"]);
  await collectFromDir({ sourceDir: logs, store: path.join(root, "store"), window });
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe("a store's region without objects on days the others have them", () => {
  it("is named in the step's warnings, with from when the window is not read", async () => {
    const e = await createLocalEngine({ store: path.join(root, "store"), threads: 1 });
    try {
      const sql = "SELECT count(*) FROM cloudtrail_logs WHERE awsregion = 'us-west-2'";
      const r = await e.query(queryRequest("sql", sql, window));
      // Two days of 24 events: the store read is the files written.
      expect(r.rows).toEqual([[48]]);
      expect(r.warnings).toEqual([
        "the window's days 2024-03-02..2024-03-03 (UTC) have no log file of us-west-2 of account 111122223333, which delivered about 24 files a day on its other days, while other regions, accounts or trails have files then: logs of one region or account not synced, collected or delivered read as quiet; check the source before trusting an empty answer",
      ]);
      // us-west-2 delivered again on the 4th: its gap is named, and not read again later.
      expect(r.notReadFrom).toBeUndefined();
    } finally {
      await e.close();
    }
  });

  it("is said again by a later step, and no longer once the region's objects are collected", async () => {
    const logs = path.join(root, "late");
    const store = path.join(root, "late-store");
    await deliver(logs, "us-east-1", ["01", "02", "03", "04"]);
    await deliver(logs, "us-west-2", ["01", "04"]);
    await collectFromDir({ sourceDir: logs, store, window });
    const e = await createLocalEngine({ store, threads: 1 });
    try {
      const sql = "SELECT count(*) FROM cloudtrail_logs WHERE awsregion = 'us-west-2'";
      const first = await e.query(queryRequest("sql", sql, window));
      const second = await e.query(queryRequest("sql", sql, window));
      expect(second.warnings).toEqual(first.warnings);
      expect(first.warnings.length).toBe(1);
      // us-west-2's files of the 2nd and the 3rd arrive late and are collected: 96 events.
      await deliver(logs, "us-west-2", ["02", "03"]);
      await collectFromDir({ sourceDir: logs, store, window });
      const after = await e.query(queryRequest("sql", sql, window));
      expect([after.rows, after.warnings, after.notReadFrom]).toEqual([[[96]], [], undefined]);
    } finally {
      await e.close();
    }
  });
});
