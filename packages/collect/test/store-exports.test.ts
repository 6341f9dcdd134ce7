/**
 * An export (a file outside the delivery layout) put into the log directory after a collect of
 * it, read with the store and `local.logDir`. Red-team (mutation audit): the store answered its
 * covered days without the export's events, and the step passed without a word, while the raw
 * files alone answered with them. The truth is the events written here, one per file.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir, writeFiles } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";

let root: string;
beforeAll(async () => {
  root = await tempDir("run-md-store-exports-");
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const event = (id: string, time: string) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: time,
  eventName: "DeleteTrail",
  eventSource: "cloudtrail.amazonaws.com",
  awsRegion: "us-east-1",
  recipientAccountId: "111111111111",
});
const holding = (id: string, time: string) => JSON.stringify({ Records: [event(id, time)] });
const REGION = "AWSLogs/111111111111/CloudTrail/us-east-1";

/** The ids a step over 2026-03-02 reads, with the engine's options, and its warnings. */
async function read(opts: { logDir: string; store?: string }) {
  const e = await createLocalEngine({ ...opts, threads: 1 });
  try {
    const w = { start: new Date("2026-03-02T00:00:00Z"), end: new Date("2026-03-03T00:00:00Z") };
    const r = await e.query(
      queryRequest("sql", "SELECT eventid FROM cloudtrail_logs ORDER BY 1", w),
    );
    return { ids: r.rows.map((x) => x[0]), warnings: r.warnings ?? [] };
  } finally {
    await e.close();
  }
}

describe("an export added to the log directory after the collect", () => {
  it("is read from the raw file over the days the store covers, and the step says so", async () => {
    const logs = path.join(root, "logs");
    const store = path.join(root, "store");
    await writeFiles(logs, {
      [`${REGION}/2026/03/02/a.json`]: holding("delivered", "2026-03-02T09:00:00Z"),
      [`${REGION}/2026/03/03/b.json`]: holding("next-day", "2026-03-03T09:00:00Z"),
      "exports/early.json": holding("collected-export", "2026-03-02T08:00:00Z"),
    });
    const window = {
      start: new Date("2026-03-02T00:00:00Z"),
      end: new Date("2026-03-04T00:00:00Z"),
    };
    await collectFromDir({ sourceDir: logs, store, window });
    await writeFiles(logs, {
      "exports/later.json": holding("later-export", "2026-03-02T10:00:00Z"),
    });
    const truth = ["collected-export", "delivered", "later-export"];
    expect((await read({ logDir: logs })).ids).toEqual(truth);
    const both = await read({ logDir: logs, store });
    expect(both.ids).toEqual(truth);
    expect(both.warnings.join("\n")).toContain("exports/later.json");
  });
});

describe("an export rewritten in the log directory after the collect", () => {
  it("is named in the step's warnings: the store answered without its new events (review: without a word)", async () => {
    const logs = path.join(root, "logs-rewritten");
    const store = path.join(root, "store-rewritten");
    await writeFiles(logs, {
      [`${REGION}/2026/03/02/a.json`]: holding("delivered", "2026-03-02T09:00:00Z"),
      "exports/lookup.json": holding("collected-export", "2026-03-02T08:00:00Z"),
    });
    const window = {
      start: new Date("2026-03-02T00:00:00Z"),
      end: new Date("2026-03-04T00:00:00Z"),
    };
    await collectFromDir({ sourceDir: logs, store, window });
    // The same export written again, a day's events more (a nightly `lookup-events > lookup.json`).
    const records = [
      event("collected-export", "2026-03-02T08:00:00Z"),
      event("appended", "2026-03-02T11:00:00Z"),
    ];
    await writeFiles(logs, { "exports/lookup.json": JSON.stringify({ Records: records }) });
    expect((await read({ logDir: logs })).ids).toEqual([
      "appended",
      "collected-export",
      "delivered",
    ]);
    const both = await read({ logDir: logs, store });
    expect(both.ids).toEqual(["collected-export", "delivered"]);
    expect(both.warnings.join("\n")).toContain("exports/lookup.json");
    // Collected again, the store answers as the files do, and says nothing of it.
    await collectFromDir({ sourceDir: logs, store, window });
    const again = await read({ logDir: logs, store });
    expect(again.ids).toEqual(["appended", "collected-export", "delivered"]);
    expect(again.warnings.join("\n")).not.toContain("exports/lookup.json");
  });
});

describe("an export in a log directory that is not the store's source (none of its files recorded)", () => {
  it("is not read over the store's days: its events may be the store's already (mutation audit: the guard was unpinned)", async () => {
    const source = path.join(root, "source-elsewhere");
    const other = path.join(root, "other-logs");
    const store = path.join(root, "store-elsewhere");
    await writeFiles(source, {
      [`${REGION}/2026/03/02/a.json`]: holding("delivered", "2026-03-02T09:00:00Z"),
      [`${REGION}/2026/03/03/b.json`]: holding("next-day", "2026-03-03T09:00:00Z"),
    });
    const window = {
      start: new Date("2026-03-02T00:00:00Z"),
      end: new Date("2026-03-04T00:00:00Z"),
    };
    await collectFromDir({ sourceDir: source, store, window });
    // Another folder: the same event exported under another name, and no file the store records.
    await writeFiles(other, {
      "exports/copy.json": holding("delivered", "2026-03-02T09:00:00Z"),
    });
    const both = await read({ logDir: other, store });
    expect(both.ids).toEqual(["delivered"]);
    // Named as not read over the store's days (unrelatedBeside), never read as the store's lack.
    expect(both.warnings.join("\n")).toContain(
      "1 file of the log directory (exports/copy.json) was not read over the days the store answers",
    );
    expect(both.warnings.join("\n")).not.toContain("the store lacks");
  });
});
