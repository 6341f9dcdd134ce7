import { existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { holdFileLock } from "@run-md/core";
import { readManifest, writeManifest } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectExitCode } from "../../cli/src/commands/collect.ts";
import { collectFromDir, collectFromS3 } from "../src/index.ts";
import { stagingSafe } from "../src/s3-source.ts";
import { emulatorClient } from "./emulator-client.ts";
import { cloudTrailRecord, storeContents } from "./truth.ts";

let root: string;
let bucket: string;
let emulator: Emulator;
const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-03T00:00:00Z") };
const acct = "AWSLogs/111122223333/CloudTrail/us-east-1";

function rec(id: string, name: string, time: string) {
  return cloudTrailRecord({ id, time, name, source: "iam.amazonaws.com" });
}
async function put(key: string, recs: object[]) {
  const f = path.join(bucket, key);
  await fsp.mkdir(path.dirname(f), { recursive: true });
  await fsp.writeFile(f, zlib.gzipSync(JSON.stringify({ Records: recs })));
}

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "rt-collect-"));
  bucket = path.join(root, "bucket");
  await fsp.mkdir(bucket, { recursive: true });
  emulator = await startEmulator({ logDir: bucket, s3Buckets: { trail: bucket } });
});
afterAll(async () => {
  await emulator?.close();
  await fsp.rm(root, { recursive: true, force: true });
});
const client = () => emulatorClient(emulator.endpoint);

/** The raw records of a folder's `.json.gz` files, read in plain JavaScript: id → name. */
async function rawTruth(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of (await fsp.readdir(dir, { recursive: true })).map(String)) {
    if (!n.endsWith(".json.gz")) continue;
    const recs = JSON.parse(zlib.gunzipSync(await fsp.readFile(path.join(dir, n))).toString())
      .Records as { eventID: string; eventName: string }[];
    for (const r of recs) out.set(r.eventID, r.eventName);
  }
  return out;
}
async function stored(store: string): Promise<Map<string, string>> {
  return new Map([...(await storeContents(store)).values()].flatMap((m) => [...m]));
}

describe("collect: coverage and changed objects (red team)", () => {
  it("a source without any CloudTrail logs (a wrong prefix or folder) is an error and covers nothing", async () => {
    const store = path.join(root, "s-empty");
    await expect(
      collectFromS3({ source: "s3://trail/typo", store, window, clientConfig: client() }),
    ).rejects.toThrow(/No CloudTrail logs found in s3:\/\/trail\/typo\/AWSLogs\//);
    expect((await readManifest(store)).covered).toEqual([]);
    const dir = path.join(root, "emptydir");
    await fsp.mkdir(dir, { recursive: true });
    await expect(collectFromDir({ sourceDir: dir, store, window })).rejects.toThrow(
      /No CloudTrail logs found/,
    );
    expect((await readManifest(store)).covered).toEqual([]);
  });

  it("an object that could not be fetched leaves the window uncovered, even with nothing else new", async () => {
    const key = `drop/${acct}/2024/03/01/f.json.gz`;
    await put(key, [rec("d1", "N", "2024-03-01T10:00:00Z")]);
    const store = path.join(root, "s-drop");
    // Every one of the three attempts is cut off.
    emulator.s3Faults.dropMidObject = [key, key, key];
    try {
      const r = await collectFromS3({
        source: "s3://trail/drop",
        store,
        window,
        clientConfig: client(),
      });
      expect(r.covered).toBe(false);
      expect(r.warnings.some((w) => w.startsWith(`not fetched s3://trail/${key}`))).toBe(true);
      expect(collectExitCode(r)).toBe(1);
    } finally {
      emulator.s3Faults.dropMidObject = [];
    }
    expect((await readManifest(store)).covered).toEqual([]);
    const next = await collectFromS3({
      source: "s3://trail/drop",
      store,
      window,
      clientConfig: client(),
    });
    expect(next.covered).toBe(true);
    expect(collectExitCode(next)).toBe(0);
    expect(await stored(store)).toEqual(await rawTruth(path.join(bucket, "drop")));
  });

  it("an object changed in place (new ETag): the store holds its new version's events only, as the raw files", async () => {
    const key = `chg/${acct}/2024/03/01/f.json.gz`;
    const other = `chg/${acct}/2024/03/01/g.json.gz`;
    const t = "2024-03-01T10:00:00Z";
    await put(key, [rec("c1", "Old", t), rec("c2", "Old", t), rec("c3", "Old", t)]);
    await put(other, [rec("g1", "Other", t)]);
    const store = path.join(root, "s-chg");
    await collectFromS3({ source: "s3://trail/chg", store, window, clientConfig: client() });
    await put(key, [rec("c1", "New", t), rec("c4", "New", t)]);
    await collectFromS3({ source: "s3://trail/chg", store, window, clientConfig: client() });
    const want = await rawTruth(path.join(bucket, "chg"));
    expect(want).toEqual(
      new Map([
        ["c1", "New"],
        ["c4", "New"],
        ["g1", "Other"],
      ]),
    );
    expect(await stored(store)).toEqual(want);
    // The same from a local folder (a file rewritten: new modification time and size).
    const local = path.join(root, "s-chg-local");
    const dir = path.join(root, "chg-local");
    await fsp.cp(path.join(bucket, "chg"), dir, { recursive: true });
    const f = path.join(dir, key.slice("chg/".length));
    await fsp.writeFile(
      f,
      zlib.gzipSync(JSON.stringify({ Records: [rec("c1", "Old", t), rec("c2", "Old", t)] })),
    );
    await fsp.utimes(f, new Date("2024-01-01"), new Date("2024-01-01"));
    await collectFromDir({ sourceDir: dir, store: local, window });
    await fsp.writeFile(f, zlib.gzipSync(JSON.stringify({ Records: [rec("c1", "Newer", t)] })));
    await collectFromDir({ sourceDir: dir, store: local, window });
    expect(await stored(local)).toEqual(
      new Map([
        ["c1", "Newer"],
        ["g1", "Other"],
      ]),
    );
  });

  it("an object changed in place on a day that also holds an object outside the layout: the day is written again, as from a folder (review)", async () => {
    const key = `chg3/${acct}/2024/03/01/f.json.gz`;
    // A key below the day's folder: listed with the day, outside the layout (placed by its times).
    const deeper = `chg3/${acct}/2024/03/01/sub/deeper.json.gz`;
    const t = "2024-03-01T10:00:00Z";
    await put(key, [rec("e1", "Old", t), rec("e2", "Old", t)]);
    await put(deeper, [rec("deep", "Deep", "2024-03-01T12:00:00Z")]);
    const store = path.join(root, "s-chg3");
    await collectFromS3({ source: "s3://trail/chg3", store, window, clientConfig: client() });
    await put(key, [rec("e1", "New", t)]);
    const r = await collectFromS3({
      source: "s3://trail/chg3",
      store,
      window,
      clientConfig: client(),
    });
    // Was: held for good ("objects this collect does not list"), e2 kept, exit 1 every night.
    expect(r.warnings).toEqual([]);
    // e2 is gone with the new version: one event fewer.
    expect(r.eventsAdded).toBe(-1);
    expect(collectExitCode(r)).toBe(0);
    const want = await rawTruth(path.join(bucket, "chg3"));
    expect(want).toEqual(
      new Map([
        ["e1", "New"],
        ["deep", "Deep"],
      ]),
    );
    expect(await stored(store)).toEqual(want);
  });

  it('values in Records that are no event (1, "x", null, [], {}) make no row of the store (review)', async () => {
    const dir = path.join(root, "not-events");
    const f = path.join(dir, acct, "2024/03/01/f.json.gz");
    await fsp.mkdir(path.dirname(f), { recursive: true });
    const real = rec("w1", "Real", "2024-03-01T10:00:00Z");
    await fsp.writeFile(
      f,
      zlib.gzipSync(JSON.stringify({ Records: [1, "x", null, [], {}, real] })),
    );
    const store = path.join(root, "s-not-events");
    await collectFromDir({ sourceDir: dir, store, window });
    expect(await stored(store)).toEqual(new Map([["w1", "Real"]]));
    const day = (await readManifest(store)).days["2024/03/01"];
    expect([day?.events, day?.times?.untimed]).toEqual([1, 0]);
  });

  it("a file of events without a time is said once, however many accounts and regions they are of (review)", async () => {
    const dir = path.join(root, "untimed");
    await fsp.mkdir(dir, { recursive: true });
    const untimed = (id: string, account: string, region: string) => {
      const r = { ...rec(id, "NoTime", "2024-03-01T10:00:00Z"), awsRegion: region } as Record<
        string,
        unknown
      >;
      delete r.eventTime;
      r.recipientAccountId = account;
      return JSON.stringify(r);
    };
    const timed = JSON.stringify(rec("t1", "Timed", "2024-03-01T10:00:00Z"));
    const lines = [
      untimed("u1", "111122223333", "us-east-1"),
      untimed("u2", "444455556666", "eu-west-1"),
      untimed("u3", "777788889999", "us-west-2"),
      timed,
    ];
    await fsp.writeFile(path.join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
    // Everything (--all): the undated parts reach the collect, one per account and region.
    const r = await collectFromDir({
      sourceDir: dir,
      store: path.join(root, "s-untimed"),
      window: null,
    });
    expect(r.warnings.filter((w) => w.includes("without a time"))).toEqual([
      "events.jsonl: events without a time are not collected",
    ]);
  });

  it("an object changed in place while another cannot be fetched waits, unrecorded, for a complete collect", async () => {
    // The day cannot be rebuilt (an object of it is missing), and merging the new version into
    // the day's file would keep the old version's events (copies keep the first stored) and
    // record the new ETag: the store would never read the change again.
    const key = `chg2/${acct}/2024/03/01/f.json.gz`;
    const lost = `chg2/${acct}/2024/03/02/h.json.gz`;
    const t = "2024-03-01T10:00:00Z";
    await put(key, [rec("d1", "Old", t), rec("d2", "Old", t)]);
    await put(lost, [rec("h1", "Lost", "2024-03-02T10:00:00Z")]);
    const store = path.join(root, "s-chg2");
    await collectFromS3({ source: "s3://trail/chg2", store, window, clientConfig: client() });
    const before = (await readManifest(store)).objects[key]?.id;
    await put(key, [rec("d1", "New", t), rec("d3", "New", t)]);
    await put(lost, [rec("h1", "Lost", "2024-03-02T10:00:00Z"), rec("h2", "Lost", t)]);
    emulator.s3Faults.dropMidObject = [lost, lost, lost];
    let r: Awaited<ReturnType<typeof collectFromS3>>;
    try {
      r = await collectFromS3({ source: "s3://trail/chg2", store, window, clientConfig: client() });
    } finally {
      emulator.s3Faults.dropMidObject = [];
    }
    expect(r.covered).toBe(false);
    expect(collectExitCode(r)).toBe(1);
    expect(r.warnings.some((w) => w.includes(key) && w.includes("changed"))).toBe(true);
    // The old version is still what the store holds, and the change is still to be read.
    expect((await readManifest(store)).objects[key]?.id).toBe(before);
    expect((await stored(store)).get("d1")).toBe("Old");
    const next = await collectFromS3({
      source: "s3://trail/chg2",
      store,
      window,
      clientConfig: client(),
    });
    expect(next.covered).toBe(true);
    expect(await stored(store)).toEqual(await rawTruth(path.join(bucket, "chg2")));
  });

  it("a rebuilt day keeps the events of an export outside the layout collected before", async () => {
    const dir = path.join(root, "chg-export");
    const day = path.join(dir, acct, "2024/03/01");
    const t = "2024-03-01T10:00:00Z";
    await fsp.mkdir(day, { recursive: true });
    const f = path.join(day, "f.json.gz");
    await fsp.writeFile(f, zlib.gzipSync(JSON.stringify({ Records: [rec("c1", "Old", t)] })));
    await fsp.utimes(f, new Date("2024-01-01"), new Date("2024-01-01"));
    // An export beside the layout, with an event of the same day.
    await fsp.writeFile(
      path.join(dir, "export.json"),
      JSON.stringify({ Records: [rec("x1", "Exported", t)] }),
    );
    const store = path.join(root, "s-chg-export");
    await collectFromDir({ sourceDir: dir, store, window });
    await fsp.writeFile(f, zlib.gzipSync(JSON.stringify({ Records: [rec("c1", "New", t)] })));
    await collectFromDir({ sourceDir: dir, store, window });
    expect(await stored(store)).toEqual(
      new Map([
        ["c1", "New"],
        ["x1", "Exported"],
      ]),
    );
  });

  it("a changed object's day holding objects the collect does not list keeps their events: the change is held, exit 1", async () => {
    const t = "2024-03-01T10:00:00Z";
    const write = async (file: string, recs: object[], mtime: string) => {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(file, zlib.gzipSync(JSON.stringify({ Records: recs })));
      await fsp.utimes(file, new Date(mtime), new Date(mtime));
    };
    // Two sources delivering into the same day (a mirror and a second trail's folder).
    const a = path.join(root, "two-a");
    const b = path.join(root, "two-b");
    const b1 = path.join(b, acct, "2024/03/01/b1.json.gz");
    await write(
      path.join(a, acct, "2024/03/01/a1.json.gz"),
      [rec("A1", "A", t), rec("A2", "A", t)],
      "2024-01-01",
    );
    await write(b1, [rec("B1", "B", t)], "2024-01-01");
    const store = path.join(root, "s-two");
    await collectFromDir({ sourceDir: a, store, window });
    await collectFromDir({ sourceDir: b, store, window });
    await write(b1, [rec("B1", "B", t), rec("B2", "B", t)], "2024-01-02");
    const r = await collectFromDir({ sourceDir: b, store, window });
    // Writing the day again from b's files alone lost A1 and A2 (and said it added -1 event).
    expect(await stored(store)).toEqual(
      new Map([
        ["A1", "A"],
        ["A2", "A"],
        ["B1", "B"],
      ]),
    );
    expect(r.objectsHeld).toBe(1);
    expect(r.warnings.some((w) => w.includes("b1.json.gz") && w.includes("does not list"))).toBe(
      true,
    );
    expect(collectExitCode(r)).toBe(1);
    // One source whose object was removed after it was collected: the store keeps its events.
    const one = path.join(root, "one-src");
    const o1 = path.join(one, acct, "2024/03/01/o1.json.gz");
    const o2 = path.join(one, acct, "2024/03/01/o2.json.gz");
    await write(o1, [rec("O1", "O", t)], "2024-01-01");
    await write(o2, [rec("O2", "O", t)], "2024-01-01");
    const kept = path.join(root, "s-one");
    await collectFromDir({ sourceDir: one, store: kept, window });
    await fsp.rm(o1);
    await write(o2, [rec("O2", "O", t), rec("O3", "O", t)], "2024-01-02");
    const again = await collectFromDir({ sourceDir: one, store: kept, window });
    expect(await stored(kept)).toEqual(
      new Map([
        ["O1", "O"],
        ["O2", "O"],
      ]),
    );
    expect(again.objectsHeld).toBe(1);
    // A store an earlier version collected records no day with its objects: found from the key.
    const legacy = path.join(root, "s-two-legacy");
    await write(b1, [rec("B1", "B", t)], "2024-01-01");
    await collectFromDir({ sourceDir: a, store: legacy, window });
    await collectFromDir({ sourceDir: b, store: legacy, window });
    const m = await readManifest(legacy);
    for (const o of Object.values(m.objects)) delete o.day;
    await writeManifest(legacy, m);
    await write(b1, [rec("B1", "B", t), rec("B2", "B", t)], "2024-01-02");
    const old = await collectFromDir({ sourceDir: b, store: legacy, window });
    expect(old.objectsHeld).toBe(1);
    expect([...(await stored(legacy)).keys()].sort()).toEqual(["A1", "A2", "B1"]);
  });

  it("an S3 collect into a store another collect writes is refused before it lists or fetches anything", async () => {
    const key = `busy3/${acct}/2024/03/01/f.json.gz`;
    await put(key, [rec("s1", "N", "2024-03-01T10:00:00Z")]);
    const store = path.join(root, "s-busy-s3");
    await fsp.mkdir(store, { recursive: true });
    const release = await holdFileLock(path.join(store, "collect.lock"), () => new Error("busy"));
    const before = emulator.calls.length;
    try {
      await expect(
        collectFromS3({ source: "s3://trail/busy3", store, window, clientConfig: client() }),
      ).rejects.toMatchObject({ code: "store-busy" });
      expect(emulator.calls.length).toBe(before);
    } finally {
      await release();
    }
    const r = await collectFromS3({
      source: "s3://trail/busy3",
      store,
      window,
      clientConfig: client(),
    });
    expect(r.eventsAdded).toBe(1);
  });

  it("with waitMs, a collect waits for the one writing the store, and is refused once the wait is over (red-team: a nightly beside an hourly collect)", async () => {
    const dir = path.join(root, "wait-src");
    await fsp.mkdir(path.join(dir, acct, "2024/03/01"), { recursive: true });
    await fsp.writeFile(
      path.join(dir, acct, "2024/03/01/w.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("W1", "W", "2024-03-01T10:00:00Z")] })),
    );
    const store = path.join(root, "s-wait");
    await fsp.mkdir(store, { recursive: true });
    const lock = path.join(store, "collect.lock");
    const release = await holdFileLock(lock, () => new Error("busy"));
    await expect(
      collectFromDir({ sourceDir: dir, store, window, waitMs: 300 }),
    ).rejects.toMatchObject({
      code: "store-busy",
      message: expect.stringContaining(`is writing ${store}, still after 0.3 s`),
    });
    const waiting = collectFromDir({ sourceDir: dir, store, window, waitMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(existsSync(path.join(store, "manifest.json"))).toBe(false);
    await release();
    expect((await waiting).eventsAdded).toBe(1);
    expect(await stored(store)).toEqual(new Map([["W1", "W"]]));
  });

  it("two collects into one store at once: the second is refused (store-busy), the first's days stay", async () => {
    const dir = path.join(root, "busy-src");
    const t2 = "2024-03-02T10:00:00Z";
    await fsp.mkdir(path.join(dir, acct, "2024/03/01"), { recursive: true });
    await fsp.mkdir(path.join(dir, acct, "2024/03/02"), { recursive: true });
    await fsp.writeFile(
      path.join(dir, acct, "2024/03/01/x.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("X1", "X", "2024-03-01T10:00:00Z")] })),
    );
    await fsp.writeFile(
      path.join(dir, acct, "2024/03/02/y.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("Y1", "Y", t2)] })),
    );
    const store = path.join(root, "s-busy");
    const day = (d: string) => ({
      start: new Date(`${d}T00:00:00Z`),
      end: new Date(new Date(`${d}T00:00:00Z`).getTime() + 86_400_000),
    });
    const both = await Promise.allSettled([
      collectFromDir({ sourceDir: dir, store, window: day("2024-03-01") }),
      collectFromDir({ sourceDir: dir, store, window: day("2024-03-02") }),
    ]);
    const refused = both.filter((p) => p.status === "rejected");
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: "store-busy" });
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toContain(
      `another run-md collect (process ${process.pid}) is writing ${store}`,
    );
    // The refused one again, after: both days stored and covered, nothing lost.
    await collectFromDir({ sourceDir: dir, store, window: window });
    expect(await stored(store)).toEqual(
      new Map([
        ["X1", "X"],
        ["Y1", "Y"],
      ]),
    );
    expect(existsSync(path.join(store, "collect.lock"))).toBe(false);
  });

  it("an S3 key with an empty, '.' or '..' part is no delivery: never written outside the staging folder", () => {
    expect(stagingSafe(`${acct}/2024/03/01/f.json.gz`)).toBe(true);
    expect(stagingSafe(`${acct}/2024/03/01/../../../../../../../../x.json.gz`)).toBe(false);
    expect(stagingSafe(`${acct}/2024/03/01//f.json.gz`)).toBe(false);
    expect(stagingSafe(`${acct}/2024/03/01/./f.json.gz`)).toBe(false);
    expect(stagingSafe(`/${acct}/2024/03/01/f.json.gz`)).toBe(false);
    expect(stagingSafe(`${acct}/2024/03/01/..f.json.gz`)).toBe(true);
  });

  it("a corrupt object makes the command's exit code 1; a file without events or an empty window only warns", async () => {
    const dir = path.join(root, "corrupt-local");
    const day = path.join(dir, acct, "2024/03/01");
    await fsp.mkdir(day, { recursive: true });
    await fsp.writeFile(
      path.join(day, "ok.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("k1", "N", "2024-03-01T10:00:00Z")] })),
    );
    await fsp.writeFile(
      path.join(day, "bad.json.gz"),
      zlib.gzipSync('{"Records":[{"eventID":"z"').subarray(0, 25),
    );
    // Read, and no CloudTrail event in it: skipped, and no reason to fail (a step on the raw
    // files passes over it too).
    await fsp.writeFile(path.join(day, "settings.json"), "42");
    const store = path.join(root, "s-corrupt");
    const r = await collectFromDir({ sourceDir: dir, store, window });
    expect([r.objectsSkipped, r.objectsUnread]).toEqual([2, 1]);
    expect(collectExitCode(r)).toBe(1);
    await fsp.rm(path.join(day, "bad.json.gz"));
    const clean = path.join(root, "s-harmless");
    const harmless = await collectFromDir({ sourceDir: dir, store: clean, window });
    expect([harmless.objectsSkipped, harmless.objectsUnread]).toEqual([1, 0]);
    expect(collectExitCode(harmless)).toBe(0);
    const later = {
      start: new Date("2024-05-01T00:00:00Z"),
      end: new Date("2024-05-02T00:00:00Z"),
    };
    const none = await collectFromDir({ sourceDir: dir, store, window: later });
    // Nothing was delivered for those days: said, and recorded as collected (a run over them is
    // then a no-data error, which is where a stopped trail must show).
    expect(none.warnings.some((w) => w.startsWith("no objects in the window"))).toBe(true);
    expect(collectExitCode(none)).toBe(0);
  });
});
