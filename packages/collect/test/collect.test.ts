import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { readManifest, STORE_DAYS } from "@run-md/engine-local";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectFromDir } from "../src/index.ts";
import { cloudTrailRecord, copyTree, storeContents, truth } from "./truth.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const START = "2024-03-01T00:00:00Z";
const END = "2024-03-04T00:00:00Z";
const window = { start: new Date(START), end: new Date(END) };
let root: string;
let logs: string;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-collect-test-"));
  logs = path.join(root, "logs");
  await generateLogs({
    outDir: logs,
    start: window.start,
    end: window.end,
    eventsPerDay: 300,
    seed: 7,
    regions: ["us-east-1", "eu-west-1"],
  });
  // An organization trail delivering the same events again under o-org/ (duplicates by eventid).
  const acct = path.join(logs, "AWSLogs", "111122223333");
  await copyTree(acct, path.join(logs, "AWSLogs", "o-abc123", "111122223333"));
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

describe("collect from a local directory", () => {
  it("stores every event of the window once, per layout day, as the raw records say", async () => {
    const store = path.join(root, "store-a");
    const r = await collectFromDir({ sourceDir: logs, store, window });
    const want = await truth(logs);
    const got = await storeContents(store);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [day, ids] of want) expect(got.get(day)).toEqual(ids);
    const total = [...want.values()].reduce((n, s) => n + s.size, 0);
    expect(r.eventsAdded).toBe(total);
    // Both trails' objects are recorded; the duplicates added nothing.
    expect(r.objectsNew).toBe(r.objectsSeen);
    expect(Object.keys((await readManifest(store)).objects)).toHaveLength(r.objectsSeen);
    // Its scratch folder (the reader's cache, the manifest's temporary file) is gone with it.
    expect(await fsp.readdir(store)).not.toContain(".tmp");
  });

  it("covers the window up to when the listing began, not when the collect ended", async () => {
    // Objects delivered while a long collect fetches and writes were not listed: the store must
    // not claim the seconds after the listing (a run ending then would miss their events).
    const HOUR = 3_600_000;
    const began = Date.now();
    const today = path.join(root, "today");
    await generateLogs({
      outDir: today,
      start: new Date(began - 2 * HOUR),
      end: new Date(began),
      totalEvents: 50,
      incidents: false,
      seed: "cover",
      regions: ["us-east-1"],
    });
    const store = path.join(root, "store-cover");
    // When the listing began (its first progress) and when the work after it began: the bounds
    // are the collect's own moments, not a time read before the call give or take a second (the
    // call's lock and catalog before the listing count against that second on a loaded machine).
    let listing: number | undefined;
    let listed: number | undefined;
    await collectFromDir({
      sourceDir: today,
      store,
      window: { start: new Date(began - 3 * HOUR), end: new Date(began + HOUR) },
      onProgress: (p) => {
        if (p.phase === "list") {
          listing ??= Date.now();
          return;
        }
        if (listed !== undefined) return;
        listed = Date.now();
        // The collect's work after the listing takes 2.1 s.
        const until = listed + 2100;
        while (Date.now() < until) {}
      },
    });
    expect(listing).toBeDefined();
    expect(listed).toBeDefined();
    const { covered } = await readManifest(store);
    expect(covered).toHaveLength(1);
    // Recorded in whole seconds, down.
    const to = Date.parse(covered[0]!.to);
    expect(to).toBeGreaterThanOrEqual(Math.floor(listing! / 1000) * 1000);
    expect(to).toBeLessThanOrEqual(listed!);
  });

  it("a second collect reads nothing; a new object is read alone", async () => {
    const store = path.join(root, "store-b");
    await collectFromDir({ sourceDir: logs, store, window });
    const again = await collectFromDir({ sourceDir: logs, store, window });
    expect(again.objectsNew).toBe(0);
    expect(again.eventsAdded).toBe(0);
    expect(again.daysWritten).toEqual([]);
    const extra = path.join(logs, "AWSLogs/222233334444/CloudTrail/us-east-1/2024/03/02");
    await fsp.mkdir(extra, { recursive: true });
    const rec = (id: string) =>
      cloudTrailRecord({
        id,
        time: "2024-03-02T10:00:00Z",
        name: "CreateUser",
        source: "iam.amazonaws.com",
        account: "222233334444",
      });
    await fsp.writeFile(
      path.join(extra, "new.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [rec("new-1"), rec("new-2")] })),
    );
    try {
      const third = await collectFromDir({ sourceDir: logs, store, window });
      expect(third.objectsNew).toBe(1);
      expect(third.eventsAdded).toBe(2);
      expect(third.daysWritten).toEqual(["2024/03/02"]);
      const got = await storeContents(store);
      expect(got.get("2024/03/02")).toEqual((await truth(logs)).get("2024/03/02"));
    } finally {
      await fsp.rm(path.join(logs, "AWSLogs/222233334444"), { recursive: true });
    }
  });

  it("a file rewritten with the same size and modification time (cp -p, touch -r) is read again", async () => {
    const dir = path.join(root, "same-size");
    const store = path.join(root, "store-same-size");
    const day = path.join(dir, "AWSLogs/222233334444/CloudTrail/us-east-1/2024/03/02");
    await fsp.mkdir(day, { recursive: true });
    const file = path.join(day, "f.json.gz");
    const write = (name: string) =>
      fsp.writeFile(
        file,
        zlib.gzipSync(
          JSON.stringify({
            Records: [
              cloudTrailRecord({
                id: "same-1",
                time: "2024-03-02T10:00:00Z",
                name,
                source: "iam.amazonaws.com",
                account: "222233334444",
              }),
            ],
          }),
          { level: 0 },
        ),
      );
    await write("CreateUser");
    const before = await fsp.stat(file);
    await collectFromDir({ sourceDir: dir, store, window });
    await write("CreateRole"); // the same length, so the same size
    await fsp.utimes(file, before.atime, before.mtime);
    expect((await fsp.stat(file)).size).toBe(before.size);
    const again = await collectFromDir({ sourceDir: dir, store, window });
    expect(again.objectsNew).toBe(1);
    expect((await storeContents(store)).get("2024/03/02")).toEqual(
      (await truth(dir)).get("2024/03/02"),
    );
  });

  it("names and skips corrupt objects, stores the rest, and does not read them again", async () => {
    const src = path.join(root, "corrupt");
    await copyTree(path.join(logs, "AWSLogs/111122223333"), path.join(src, "AWSLogs/111122223333"));
    const day = path.join(src, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02");
    await fsp.writeFile(
      path.join(day, "truncated.json.gz"),
      zlib.gzipSync('{"Records":[{"eventID":"x"').subarray(0, 20),
    );
    await fsp.writeFile(
      path.join(day, "garbage.json.gz"),
      zlib.gzipSync('{"Records":[{"eventID":"y",,]}'),
    );
    const store = path.join(root, "store-c");
    const r = await collectFromDir({ sourceDir: src, store, window });
    expect(r.objectsSkipped).toBe(2);
    const skipped = r.warnings.filter((w) => w.startsWith("skipped "));
    expect(skipped.some((w) => w.includes("truncated.json.gz"))).toBe(true);
    expect(skipped.some((w) => w.includes("garbage.json.gz"))).toBe(true);
    const got = await storeContents(store);
    const want = await truth(src);
    for (const [d, ids] of want) expect(got.get(d)).toEqual(ids);
    expect([...(got.get("2024/03/02")?.keys() ?? [])]).not.toContain("y");
    const m = await readManifest(store);
    const rel = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02/garbage.json.gz";
    expect(m.objects[rel]?.skipped).toMatch(/malformed|JSON/i);
    const again = await collectFromDir({ sourceDir: src, store, window });
    expect(again.objectsNew).toBe(0);
  });

  it("a collect killed with SIGKILL leaves a consistent store, and the next one finishes it", async () => {
    const store = path.join(root, "store-d");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(here, "kill-after-first-day.ts"), logs, store, START, END],
      { encoding: "utf8" },
    );
    expect(child.signal).toBe("SIGKILL");
    const m = await readManifest(store);
    // Exactly the first day was committed; nothing claims the window is covered yet.
    expect(Object.keys(m.days)).toEqual(["2024/03/01"]);
    expect(m.covered).toEqual([]);
    const want = await truth(logs);
    expect((await storeContents(store)).get("2024/03/01")).toEqual(want.get("2024/03/01"));
    // The killed collect's scratch (its reader's cache) is still there...
    const scratch = await fsp.readdir(path.join(store, ".tmp"));
    expect(scratch.some((n) => n.startsWith("cache-"))).toBe(true);
    const resumed = await collectFromDir({ sourceDir: logs, store, window });
    expect(resumed.daysWritten).toEqual(["2024/03/02", "2024/03/03"]);
    const got = await storeContents(store);
    for (const [d, ids] of want) expect(got.get(d)).toEqual(ids);
    // No file outside the manifest is left behind.
    const files = (await fsp.readdir(path.join(store, STORE_DAYS), { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith(".parquet"));
    expect(files).toHaveLength(3);
    // ...and the next collect cleared it.
    expect(await fsp.readdir(path.join(store, ".tmp")).catch(() => [])).toEqual([]);
  });
});
