import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { holdFileLock } from "@run-md/core";
import { readManifest } from "@run-md/engine-local";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickRetries } from "../../core/test/quick-retries.ts";
import { collectFromS3, parseS3Url } from "../src/index.ts";
import { emulatorClient } from "./emulator-client.ts";
import { cloudTrailRecord, copyTree, storeContents, truth } from "./truth.ts";

/*
 * Collect from a trail bucket through the real S3 client against the emulator, which serves a
 * directory as the bucket `trail` (prefix `logs/`): an account trail and an organization trail
 * holding the same events, three days of which the window takes two.
 */

let root: string;
let bucket: string;
let emulator: Emulator;
const window = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-03T00:00:00Z") };

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-collect-s3-"));
  bucket = path.join(root, "bucket");
  const logs = path.join(bucket, "logs");
  await generateLogs({
    outDir: logs,
    start: window.start,
    end: new Date("2024-03-04T00:00:00Z"),
    eventsPerDay: 200,
    seed: 11,
    regions: ["us-east-1", "eu-west-1"],
  });
  await copyTree(
    path.join(logs, "AWSLogs", "111122223333"),
    path.join(logs, "AWSLogs", "o-abc123", "111122223333"),
  );
  emulator = await startEmulator({
    logDir: logs,
    s3Buckets: {
      trail: bucket,
      other: path.join(root, "other"),
      odd: path.join(root, "odd-names"),
    },
    // Every call of the file's collects, so that counts taken before and after one are exact.
    maxRecordedCalls: 100_000,
  });
});

afterAll(async () => {
  await emulator?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const client = () => emulatorClient(emulator.endpoint);

/**
 * The raw files of the days a collect of the window reads, as truth: the window's days and the
 * next (the last day's late events are delivered into its folder).
 */
async function windowTruth() {
  const all = await truth(path.join(bucket, "logs"));
  return new Map([...all].filter(([d]) => d <= "2024/03/03"));
}

describe("collect from S3 (the real SDK against the emulator)", () => {
  it("fetches again the objects of a day whose store file was damaged in place, and writes the day again", async () => {
    const store = path.join(root, "store-damaged");
    const run = { source: "s3://trail/logs", store, window, clientConfig: client() };
    await collectFromS3(run);
    const file = path.join(store, (await readManifest(store)).days["2024/03/02"]?.file ?? "none");
    const bytes = await fsp.readFile(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
    await fsp.writeFile(file, bytes);
    const gets = emulator.callsOf("GetObject").length;
    const r = await collectFromS3(run);
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${file}) holds other bytes than the collect wrote (its SHA-256 is not the one recorded): its objects are read again now`,
    );
    // The day's objects, of both trails and both regions, fetched again; the store as the raw files.
    expect(emulator.callsOf("GetObject").length - gets).toBe(r.objectsNew);
    expect(r.objectsNew).toBeGreaterThan(0);
    expect(r.daysWritten).toContain("2024/03/02");
    expect(await storeContents(store)).toEqual(await windowTruth());
  });

  it("fetches again the objects of a day whose store file is gone, and writes the day again", async () => {
    const store = path.join(root, "store-gone");
    const run = { source: "s3://trail/logs", store, window, clientConfig: client() };
    await collectFromS3(run);
    const held = (await readManifest(store)).days["2024/03/02"];
    const file = path.join(store, held?.file ?? "none");
    await fsp.rm(file);
    const gets = emulator.callsOf("GetObject").length;
    const r = await collectFromS3(run);
    // The day's events were stored before: read again, not new.
    expect([r.eventsAdded, r.daysRepaired, r.eventsRepaired]).toEqual([0, 1, held?.events]);
    expect(held?.events).toBeGreaterThan(0);
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${file}) is gone: its objects are read again now`,
    );
    // The day's objects, of both trails and both regions, fetched again; the store as the raw files.
    expect(emulator.callsOf("GetObject").length - gets).toBe(r.objectsNew);
    expect(r.objectsNew).toBeGreaterThan(0);
    expect(r.daysWritten).toContain("2024/03/02");
    expect(await storeContents(store)).toEqual(await windowTruth());
  });

  it("leaves no scratch folder (.tmp) in the store after a collect that fetched", async () => {
    const store = path.join(root, "store-scratch");
    await collectFromS3({ source: "s3://trail/logs", store, window, clientConfig: client() });
    expect(await fsp.readdir(store)).not.toContain(".tmp");
    expect(await storeContents(store)).toEqual(await windowTruth());
  });

  it("leaves nothing in a new store after a collect whose listing failed (no staging, no .tmp, no lock)", async () => {
    // Every listing answers 503 SlowDown, past the SDK's retries: the collect fails.
    const failed = path.join(root, "store-scratch-failed");
    emulator.s3Faults.slowDown = 1_000;
    try {
      await expect(
        collectFromS3({
          source: "s3://trail/logs",
          store: failed,
          window,
          clientConfig: { ...client(), ...quickRetries() },
        }),
      ).rejects.toThrow(/reduce your request rate/);
    } finally {
      emulator.s3Faults.slowDown = 0;
    }
    expect(await fsp.readdir(failed)).toEqual([]);
  });

  it("a collect refused because another holds the store leaves that collect's staging alone", async () => {
    const store = path.join(root, "store-held");
    const staging = path.join(store, ".tmp", "s3-other");
    await fsp.mkdir(staging, { recursive: true });
    await fsp.writeFile(path.join(staging, "object.json"), "{}");
    const release = await holdFileLock(path.join(store, "collect.lock"), () => new Error("held"));
    try {
      await expect(
        collectFromS3({ source: "s3://trail/logs", store, window, clientConfig: client() }),
      ).rejects.toMatchObject({ code: "store-busy" });
      expect(await fsp.readFile(path.join(staging, "object.json"), "utf8")).toBe("{}");
    } finally {
      await release();
    }
  });

  it("parses s3:// locations", () => {
    expect(parseS3Url("s3://my-trail/org/")).toEqual({ bucket: "my-trail", prefix: "org/" });
    expect(parseS3Url("s3://my-trail")).toEqual({ bucket: "my-trail", prefix: "" });
    expect(() => parseS3Url("https://x")).toThrow(/not an S3 location/);
  });

  it("finds accounts and regions by delimiter listing, lists only the window's days, stores each event once", async () => {
    const store = path.join(root, "store-a");
    const before = emulator.calls.length;
    const r = await collectFromS3({
      source: "s3://trail/logs",
      store,
      window,
      clientConfig: client(),
    });
    const listed = emulator.calls
      .slice(before)
      .filter((c) => c.op === "ListObjectsV2")
      .map((c) => new URLSearchParams(String(c.body.query)).get("prefix") ?? "");
    // The organization's account was found under o-abc123/; the listings reached 2024/03/03 (the
    // window's last day's late events) and no further.
    expect(listed).toContain("logs/AWSLogs/o-abc123/111122223333/CloudTrail/");
    expect(listed.some((p) => p.includes("2024/03/04"))).toBe(false);
    expect(listed.filter((p) => p.endsWith("2024/03/02/")).length).toBe(4);
    expect(listed.filter((p) => p.endsWith("2024/03/03/")).length).toBe(4);
    const got = await storeContents(store);
    expect(got).toEqual(await windowTruth());
    expect(r.objectsNew).toBe(r.objectsSeen);
    const m = await readManifest(store);
    const first = Object.entries(m.objects)[0];
    expect(first?.[1].id).toMatch(/^"[0-9a-f]{32}"$/);
    // A second collect fetches nothing.
    const gets = emulator.callsOf("GetObject").length;
    const again = await collectFromS3({
      source: "s3://trail/logs",
      store,
      window,
      clientConfig: client(),
    });
    expect(again.objectsNew).toBe(0);
    expect(emulator.callsOf("GetObject").length).toBe(gets);
  });

  it("collects every event file the local engine reads, whatever the case of its name: .JSON.GZ and JSON lines", async () => {
    const prefix = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02";
    const day = path.join(root, "other", ...prefix.split("/"));
    await fsp.mkdir(day, { recursive: true });
    const rec = (id: string) => cloudTrailRecord({ id, time: "2024-03-02T10:00:00Z" });
    await fsp.writeFile(
      path.join(day, "UPPER.JSON.GZ"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("u1")] })),
    );
    await fsp.writeFile(
      path.join(day, "lines.jsonl"),
      `${JSON.stringify(rec("l1"))}\n${JSON.stringify(rec("l2"))}\n`,
    );
    await fsp.writeFile(path.join(day, "notes.txt"), "not events");
    const store = path.join(root, "store-names");
    const r = await collectFromS3({ source: "s3://other", store, window, clientConfig: client() });
    expect(Object.keys((await readManifest(store)).objects).sort()).toEqual([
      `${prefix}/UPPER.JSON.GZ`,
      `${prefix}/lines.jsonl`,
    ]);
    expect(r.eventsAdded).toBe(3);
  });

  it("names a delivery folder's log under a name it does not read, and records no window (red-team: it was left out without a word)", async () => {
    const prefix = "AWSLogs/444455556666/CloudTrail/us-east-1/2024/03/02";
    const day = path.join(root, "odd-names", ...prefix.split("/"));
    await fsp.mkdir(day, { recursive: true });
    const records = (id: string) =>
      zlib.gzipSync(
        JSON.stringify({ Records: [cloudTrailRecord({ id, time: "2024-03-02T10:00:00Z" })] }),
      );
    await fsp.writeFile(path.join(day, "read.json.gz"), records("r1"));
    await fsp.writeFile(path.join(day, "recompressed.json.bz2"), records("b1"));
    await fsp.writeFile(path.join(day, "notes.txt"), "not events");
    const store = path.join(root, "store-odd-names");
    const r = await collectFromS3({ source: "s3://odd", store, window, clientConfig: client() });
    expect(r.warnings).toContain(
      `not collected s3://odd/${prefix}/recompressed.json.bz2: a CloudTrail delivery folder's object whose name is not one of a log file (.json, .jsonl or .ndjson, each optionally .gz): its events are not read`,
    );
    expect(r.warnings.join("\n")).not.toContain("notes.txt");
    const m = await readManifest(store);
    expect(Object.keys(m.objects)).toEqual([`${prefix}/read.json.gz`]);
    expect(m.covered).toEqual([]);
  });

  it("forgets a corrupt object once it is gone from the bucket, within the days it lists", async () => {
    const key = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/bad.json.gz";
    const file = path.join(root, "other", ...key.split("/"));
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, zlib.gzipSync("{}").subarray(0, 8));
    const store = path.join(root, "store-forget");
    const collect = (w: { start: Date; end: Date }) =>
      collectFromS3({ source: "s3://other", store, window: w, clientConfig: client() });
    await collect(window);
    expect((await readManifest(store)).objects[key]?.skipped).toBeDefined();
    await fsp.rm(file);
    // A window of another day lists other prefixes: the object is kept.
    const later = { start: new Date("2024-03-02T00:00:00Z"), end: window.end };
    expect((await collect(later)).warnings.some((w) => w.startsWith("forgot"))).toBe(false);
    expect((await readManifest(store)).objects[key]).toBeDefined();
    expect((await collect(window)).warnings.filter((w) => w.startsWith("forgot"))).toEqual([
      `forgot ${key}: skipped before (cannot read it (Z_BUF_ERROR)), and no longer in the source`,
    ]);
    expect((await readManifest(store)).objects[key]).toBeUndefined();
  });

  it("survives 503 SlowDown and a dropped connection; an object deleted after the list is named and fetched next time", async () => {
    const store = path.join(root, "store-b");
    const keys = (await readManifest(path.join(root, "store-a"))).objects;
    const [dropped, deleted] = Object.keys(keys).slice(3, 5) as [string, string];
    emulator.s3Faults.slowDown = 2;
    emulator.s3Faults.dropMidObject = [dropped];
    emulator.s3Faults.deletedAfterList = [deleted];
    try {
      const r = await collectFromS3({
        source: "s3://trail/logs",
        store,
        window,
        // The SDK's retries of the 503s, without its seconds of backoff.
        clientConfig: { ...client(), ...quickRetries() },
      });
      expect(emulator.s3Faults.slowDown).toBe(0);
      expect(emulator.s3Faults.dropMidObject).toEqual([]);
      expect(r.warnings).toContain(
        `not fetched s3://trail/${deleted}: deleted since it was listed`,
      );
      const m = await readManifest(store);
      expect(m.objects[dropped]).toBeDefined();
      expect(m.objects[deleted]).toBeUndefined();
    } finally {
      emulator.s3Faults.deletedAfterList = [];
    }
    const next = await collectFromS3({
      source: "s3://trail/logs",
      store,
      window,
      clientConfig: client(),
    });
    expect(next.objectsNew).toBe(1);
    expect(await storeContents(store)).toEqual(await windowTruth());
  });

  it("a GetObject that stalls half-way is fetched again, and one that keeps stalling fails the collect in bounded time instead of hanging it (red-team)", async () => {
    const store = path.join(root, "store-stall");
    const keys = Object.keys((await readManifest(path.join(root, "store-a"))).objects);
    const [once, always] = keys.slice(5, 7) as [string, string];
    let notFetched = 0;
    emulator.s3Faults.stallMidObject = [once, always, always, always];
    try {
      const r = await collectFromS3({
        source: "s3://trail/logs",
        store,
        window,
        clientConfig: client(),
        idleTimeoutMs: 300,
      });
      expect(emulator.s3Faults.stallMidObject).toEqual([]);
      expect(r.warnings).toContain(
        `not fetched s3://trail/${always}: no byte of s3://trail/${always} for 0.3 s`,
      );
      const m = await readManifest(store);
      expect(m.objects[once]).toBeDefined();
      expect(m.objects[always]).toBeUndefined();
      // On a loaded machine another object may also go 0.3 s without a byte: it is named and
      // left out the same way, and the next collect fetches it too.
      notFetched = r.warnings.filter((w) => w.startsWith("not fetched ")).length;
      expect(Object.keys(m.objects)).toHaveLength(keys.length - notFetched);
      // The window is not recorded as collected while an object of it is missing.
      expect(m.covered).toEqual([]);
    } finally {
      emulator.s3Faults.stallMidObject = [];
    }
    const next = await collectFromS3({
      source: "s3://trail/logs",
      store,
      window,
      clientConfig: client(),
    });
    expect(next.objectsNew).toBe(notFetched);
    expect(await storeContents(store)).toEqual(await windowTruth());
  });

  it("a collect killed after its first day resumes from the manifest; a corrupt object is named and skipped", async () => {
    const store = path.join(root, "store-c");
    const day = path.join(bucket, "logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02");
    const corrupt = path.join(day, "corrupt.json.gz");
    await fsp.writeFile(corrupt, zlib.gzipSync('{"Records":[{"eventID":"z"').subarray(0, 25));
    try {
      // Asynchronously: the emulator answering the child runs in this process.
      const proc = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(path.dirname(fileURLToPath(import.meta.url)), "kill-after-first-day.ts"),
          "s3://trail/logs",
          store,
          window.start.toISOString(),
          window.end.toISOString(),
        ],
        { stdio: "ignore", env: { ...process.env, RUN_MD_S3_ENDPOINT: emulator.endpoint } },
      );
      const signal = await new Promise((resolve) => proc.on("close", (_code, sig) => resolve(sig)));
      expect(signal).toBe("SIGKILL");
      const m = await readManifest(store);
      expect(Object.keys(m.days)).toEqual(["2024/03/01"]);
      expect(m.covered).toEqual([]);
      const gets = emulator.callsOf("GetObject").length;
      const resumed = await collectFromS3({
        source: "s3://trail/logs",
        store,
        window,
        clientConfig: client(),
      });
      // Only the objects of the day not committed were fetched again.
      const fetched = emulator.callsOf("GetObject").length - gets;
      expect(fetched).toBe(resumed.objectsNew);
      expect(resumed.objectsNew).toBeLessThan(resumed.objectsSeen);
      expect(resumed.daysWritten).toEqual(["2024/03/02", "2024/03/03"]);
      expect(
        resumed.warnings.some((w) =>
          w.startsWith(
            "skipped logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02/corrupt.json.gz: ",
          ),
        ),
      ).toBe(true);
      expect(await storeContents(store)).toEqual(await windowTruth());
      expect(
        (await readManifest(store)).objects[
          "logs/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02/corrupt.json.gz"
        ]?.skipped,
      ).toBeDefined();
    } finally {
      await fsp.rm(corrupt, { force: true });
    }
  });
});
