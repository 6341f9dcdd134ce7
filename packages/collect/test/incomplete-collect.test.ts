/**
 * A collect that could not read every object of its window on days an earlier collect covered
 * (an object under a name no reader reads, an object that could not be fetched): those days
 * (and the day before, whose late events the object may hold) are no longer collected, so a run
 * over them is `store-not-collected` until a complete collect, never an answer without the
 * object's events (red-team: the earlier coverage stood, and the run passed without a word).
 * The truth is the records written, read here in plain JavaScript.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { createLocalEngine, readManifest } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { collectFromDir, collectFromS3 } from "../src/index.ts";
import { emulatorClient } from "./emulator-client.ts";
import { cloudTrailRecord } from "./truth.ts";

let root: string;
let emulator: Emulator;
const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-03T00:00:00Z") };
const region = "AWSLogs/111122223333/CloudTrail/us-east-1";

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-incomplete-"));
  await fsp.mkdir(path.join(root, "bucket"), { recursive: true });
  emulator = await startEmulator({
    logDir: path.join(root, "bucket"),
    s3Buckets: { trail: path.join(root, "bucket") },
  });
});
afterAll(async () => {
  await emulator?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** A gzipped CloudTrail file at `file` holding one event. */
async function put(file: string, id: string, time: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const body = JSON.stringify({ Records: [cloudTrailRecord({ id, time })] });
  await fsp.writeFile(file, zlib.gzipSync(body));
}

/** The ids of the events written under `dir` whose time lies in the window, in plain JavaScript. */
async function truth(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const n of (await fsp.readdir(dir, { recursive: true })).map(String)) {
    if (!/\.json(\.gz)?$/.test(n)) continue;
    const bytes = await fsp.readFile(path.join(dir, n));
    const text = n.endsWith(".gz") ? zlib.gunzipSync(bytes).toString() : bytes.toString();
    for (const r of JSON.parse(text).Records as { eventID: string; eventTime: string }[]) {
      const t = Date.parse(r.eventTime);
      if (t >= window.start.getTime() && t < window.end.getTime()) ids.push(r.eventID);
    }
  }
  return ids.sort();
}

/** The event ids a step over the window reads from the store, or the error it fails with. */
async function fromStore(
  store: string,
  over = window,
): Promise<string[] | { code: string; message: string }> {
  const e = await createLocalEngine({ store, threads: 1 });
  try {
    const q = "SELECT eventid FROM cloudtrail_logs ORDER BY 1";
    return (await e.query(queryRequest("sql", q, over))).rows.map((r) => String(r[0]));
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  } finally {
    await e.close();
  }
}

describe("a collect that could not read an object of days collected before", () => {
  it("of a folder: a log under a name no reader reads leaves its days not collected until it is renamed", async () => {
    const logs = path.join(root, "logs");
    const store = path.join(root, "store-local");
    const day = path.join(logs, region, "2024/03/02");
    await put(path.join(day, "a.json.gz"), "a", "2024-03-02T10:00:00Z");
    expect((await collectFromDir({ sourceDir: logs, store, window })).covered).toBe(true);
    // Recompressed by hand (or a sync's part file): the collect names it and cannot read it.
    await put(path.join(day, "b.json.bz2"), "b", "2024-03-02T11:00:00Z");
    const r = await collectFromDir({ sourceDir: logs, store, window });
    expect(r.covered).toBe(false);
    const run = await fromStore(store);
    expect(run).toMatchObject({ code: "store-not-collected" });
    expect((run as { message: string }).message).toContain(
      "has not collected 2024/03/01..2024/03/02",
    );
    // Renamed as a log: the next collect reads it, and the store answers as the records say.
    await fsp.rename(path.join(day, "b.json.bz2"), path.join(day, "b.json.gz"));
    expect((await collectFromDir({ sourceDir: logs, store, window })).covered).toBe(true);
    expect(await fromStore(store)).toEqual(await truth(logs));
  });

  it("from S3: an object that could not be fetched leaves its days not collected until a collect gets it", async () => {
    const bucket = path.join(root, "bucket");
    const store = path.join(root, "store-s3");
    const day = `late/${region}/2024/03/02`;
    await put(path.join(bucket, day, "a.json.gz"), "a", "2024-03-02T10:00:00Z");
    const collect = () =>
      collectFromS3({
        source: "s3://trail/late",
        store,
        window,
        clientConfig: emulatorClient(emulator.endpoint),
      });
    expect((await collect()).covered).toBe(true);
    // Delivered (or replicated) into the covered day since, and cut off on every attempt.
    const key = `${day}/b.json.gz`;
    await put(path.join(bucket, key), "b", "2024-03-02T11:00:00Z");
    emulator.s3Faults.dropMidObject = [key, key, key];
    try {
      expect((await collect()).covered).toBe(false);
    } finally {
      emulator.s3Faults.dropMidObject = [];
    }
    expect((await readManifest(store)).objects[key]).toBeUndefined();
    expect(await fromStore(store)).toMatchObject({ code: "store-not-collected" });
    expect((await collect()).covered).toBe(true);
    expect(await fromStore(store)).toEqual(await truth(path.join(bucket, "late")));
  });
});

describe("a collect that could not read a file outside the delivery layout", () => {
  it("leaves every day the store covered not collected: such a file holds events of any day, as a read one gives them", async () => {
    const logs = path.join(root, "logs-export");
    const store = path.join(root, "store-export");
    const feb = {
      start: new Date("2024-02-10T00:00:00Z"),
      end: new Date("2024-02-12T00:00:00Z"),
    };
    await put(path.join(logs, region, "2024/02/10/a.json.gz"), "a", "2024-02-10T10:00:00Z");
    await put(path.join(logs, region, "2024/03/02/c.json.gz"), "c", "2024-03-02T10:00:00Z");
    expect((await collectFromDir({ sourceDir: logs, store, window: feb })).covered).toBe(true);
    // An export of February copied in since, under a name that is not UTF-8: listed, unread.
    const exports = path.join(logs, "exports");
    await fsp.mkdir(exports, { recursive: true });
    const name = Buffer.concat([
      Buffer.from(`${exports}/feb`),
      Buffer.from([0xff, 0x2e]),
      Buffer.from("json"),
    ]);
    const body = JSON.stringify({
      Records: [cloudTrailRecord({ id: "x", time: "2024-02-10T11:00:00Z" })],
    });
    await fsp.writeFile(name, body);
    const r = await collectFromDir({ sourceDir: logs, store, window });
    expect(r.covered).toBe(false);
    expect(r.warnings.join("\n")).toContain("is not UTF-8");
    // February's answer would lack the export's event "x": the store does not give it.
    const run = await fromStore(store, feb);
    expect(run).toMatchObject({ code: "store-not-collected" });
    expect((run as { message: string }).message).toContain("2024/02/10..2024/02/11");
  });
});
