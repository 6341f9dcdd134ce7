/**
 * Items of a file's `Records` that are no CloudTrail event (a number, a string, null, an array,
 * an object without an event key): the collect leaves them out as the raw files' reader does,
 * names the file with how many, and counts them (they were dropped without a word).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";
import { cloudTrailRecord, storeContents } from "./truth.ts";

const FOLDER = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20";
const WINDOW = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-21T00:00:00Z") };
const event = (id: string) => cloudTrailRecord({ id, time: "2026-11-20T10:00:00Z" });
let root: string;
let logs: string;

async function write(name: string, records: unknown[]): Promise<void> {
  await fsp.mkdir(path.join(logs, FOLDER), { recursive: true });
  await fsp.writeFile(
    path.join(logs, FOLDER, name),
    zlib.gzipSync(JSON.stringify({ Records: records })),
  );
}

beforeAll(async () => {
  root = await tempDir("run-md-not-events-");
  logs = path.join(root, "logs");
  // 6 items that are no event, around one event: DuckDB's typed reader refuses the scalars.
  await write("scalars.json.gz", [1, "x", null, event("a1"), { foo: 1 }, [], {}]);
  // Objects only, one without an event key: DuckDB's typed reader takes it as a row of nulls.
  await write("objects.json.gz", [event("b1"), { note: "not an event" }, event("b2")]);
  await write("clean.json.gz", [event("c1")]);
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe("items of Records that are no CloudTrail event", () => {
  it("are left out of the store as of the raw files, each file named with its count", async () => {
    const store = path.join(root, "store");
    const r = await collectFromDir({ sourceDir: logs, store, window: WINDOW });
    // By hand: the events are a1, b1, b2, c1; 6 items of scalars.json.gz and 1 of objects.json.gz are none.
    const want = ["a1", "b1", "b2", "c1"];
    expect(r.valuesSkipped).toBe(7);
    expect(r.warnings).toContain(
      `${FOLDER}/scalars.json.gz: 6 JSON values are not a CloudTrail event`,
    );
    expect(r.warnings).toContain(
      `${FOLDER}/objects.json.gz: 1 JSON value is not a CloudTrail event`,
    );
    expect(r.warnings.filter((w) => w.includes("clean.json.gz"))).toEqual([]);
    // Nothing unread: the files' events are all stored.
    expect([r.objectsSkipped, r.objectsUnread, r.eventsAdded]).toEqual([0, 0, 4]);
    // Every row of the day file (no window: no row of nulls for an item that is no event).
    const days = await storeContents(store);
    expect([...(days.get("2026/11/20")?.keys() ?? [])].sort()).toEqual(want);
    const sql = "SELECT eventid FROM cloudtrail_logs ORDER BY eventid";
    for (const opts of [{ logDir: logs }, { store }]) {
      const e = await createLocalEngine({ ...opts, threads: 1, cacheLimit: "0" });
      try {
        const q = await e.query(queryRequest("sql", sql, WINDOW));
        expect(q.rows.map((row) => row[0])).toEqual(want);
      } finally {
        await e.close();
      }
    }
  });
});
