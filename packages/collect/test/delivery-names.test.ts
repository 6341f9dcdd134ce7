/**
 * A store collected from a region's prefix synced alone (`aws s3 sync
 * s3://bucket/AWSLogs/<account>/CloudTrail/us-east-1/ ./logs/`: CloudTrail's file names, not its
 * folders): the store holds a trail's deliveries, so a window past the trail's last one is a
 * stale end. Before, the objects' keys outside the layout made the store an export (a snapshot)
 * and a trail that stopped passed `rows == 0`. The truth is the days the test writes files for.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { hourlyDeliveries } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

let root: string;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-collect-names-"));
  // Hourly deliveries of the 1st to the 3rd of March 2024; then the trail stopped.
  await hourlyDeliveries((day) => path.join(root, "logs/2024/03", day), "us-east-1", [
    "01",
    "02",
    "03",
  ]);
  const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-08T00:00:00Z") };
  await collectFromDir({
    sourceDir: path.join(root, "logs"),
    store: path.join(root, "store"),
    window,
  });
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe("a store of a trail's files collected from outside the layout", () => {
  it("has a stale end past the trail's last delivery", async () => {
    const e = await createLocalEngine({ store: path.join(root, "store"), threads: 1 });
    try {
      const sql = "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'StopLogging'";
      const w = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-08T00:00:00Z") };
      const r = await e.query(queryRequest("sql", sql, w));
      expect(r.rows).toEqual([[0]]);
      expect(r.staleEnd).toMatch(/^no event lies in the window's end, 2024-03-07T00:00:00Z/);
    } finally {
      await e.close();
    }
  });
});
