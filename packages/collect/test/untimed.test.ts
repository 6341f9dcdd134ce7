/**
 * Events whose time DuckDB cannot read are in no window, on the raw files as in a store: a step
 * over a store's day says how many it left out (the manifest counted them at collect time), as
 * the lenient reader says it of an export. The truth: the events the test wrote without a time.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine } from "../../engine-local/src/index.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const WINDOW = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-01-02T00:00:00Z") };
const DAY = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01";

const event = (id: string, time: string) => ({
  eventVersion: "1.08",
  eventTime: time,
  eventSource: "iam.amazonaws.com",
  eventName: "CreateUser",
  awsRegion: "us-east-1",
  eventID: id,
  recipientAccountId: "111122223333",
});

describe("a store's events without a readable time", () => {
  it("are left out of every window, and the step says how many", async () => {
    const source = await tempDir("run-md-untimed-src-");
    const store = await tempDir("run-md-untimed-store-");
    dirs.push(source, store);
    const records = [
      event("a", "2026-01-01T10:00:00Z"),
      event("b", "not a time"),
      event("c", "yesterday"),
    ];
    await fsp.mkdir(path.join(source, DAY), { recursive: true });
    await fsp.writeFile(path.join(source, DAY, "x.json"), JSON.stringify({ Records: records }));
    await collectFromDir({ sourceDir: source, store, window: WINDOW });
    const engine = await createLocalEngine({ store, threads: 1 });
    try {
      const r = await engine.query(
        queryRequest("sql", "SELECT eventid FROM cloudtrail_logs ORDER BY eventid", WINDOW),
      );
      expect(r.rows).toEqual([["a"]]);
      expect(r.warnings).toContain(
        "the store's days 2026/01/01: 2 events without a time DuckDB reads left out (no window holds them)",
      );
    } finally {
      await engine.close();
    }
  });
});
