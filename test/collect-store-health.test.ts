/**
 * What `run-md collect` says of files whose `Records` hold items that are no CloudTrail event, and
 * of a store's day file damaged since it was written (`--verify`, and the collect that repairs
 * it) (docs/collect.md).
 */
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { readManifest } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere as runMd } from "./in-process.ts";

const FOLDER = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20";
const WINDOW = ["--from", "2026-11-20", "--to", "2026-11-21"];
const event = (id: string) => ({
  eventVersion: "1.08",
  eventID: id,
  eventTime: "2026-11-20T10:00:00Z",
  eventName: "GetObject",
  eventSource: "s3.amazonaws.com",
  awsRegion: "us-east-1",
});
let base: string;
let logs: string;

async function write(name: string, records: unknown[]): Promise<void> {
  await fsp.mkdir(path.join(logs, FOLDER), { recursive: true });
  const body = zlib.gzipSync(JSON.stringify({ Records: records }));
  await fsp.writeFile(path.join(logs, FOLDER, name), body);
}

beforeAll(async () => {
  base = await fsp.mkdtemp(path.join(tmpdir(), "run-md-store-health-"));
  logs = path.join(base, "logs");
  await write("mixed.json.gz", [1, "x", null, event("m1"), { note: "no event" }]);
  await write("clean.json.gz", [event("c1"), event("c2")]);
});

afterAll(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});

describe("run-md collect over items of Records that are no CloudTrail event", () => {
  it("names the file with how many, counts them in the summary, and stores the events", async () => {
    const store = path.join(base, "store-items");
    const res = await runMd(["collect", "--source", logs, "--store", store, ...WINDOW]);
    expect(res.stderr).toContain(
      `warning ${FOLDER}/mixed.json.gz: 4 JSON values are not a CloudTrail event\n`,
    );
    expect(res.stdout).toContain(
      "collected 2 of 2 objects (0 already in the store, 0 skipped; 4 items in them no CloudTrail event, left out), ",
    );
    // By hand: m1, c1 and c2 are the events.
    expect(res.stdout).toContain("3 new events");
    expect(res.code).toBe(0);
  });
});

describe("run-md collect --verify", () => {
  it("names a day file whose bytes changed, exits 1, and passes once a collect of the day wrote it again", async () => {
    const store = path.join(base, "store-verify");
    expect((await runMd(["collect", "--source", logs, "--store", store, ...WINDOW])).code).toBe(0);
    const file = path.join(store, (await readManifest(store)).days["2026/11/20"]?.file ?? "none");
    const clean = await runMd(["collect", "--verify", "--store", store]);
    expect([clean.code, clean.stdout]).toEqual([
      0,
      `verified 1 day file(s) of ${store}: none damaged\n`,
    ]);
    // One byte in the middle changed, the size kept.
    const bytes = await fsp.readFile(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
    await fsp.writeFile(file, bytes);
    const bad = await runMd(["collect", "--verify", "--store", store]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(`verified 1 day file(s) of ${store}: 1 damaged (2026/11/20)\n`);
    expect(bad.stderr).toBe(
      `error the store's file for 2026/11/20 (${file}) holds other bytes than the collect wrote (its SHA-256 is not the one recorded)\nhint: collect the day again: run-md collect --from 2026-11-20 --to 2026-11-21 --store ${store} (with --source, unless local.logDir is the source)\n`,
    );
    const repair = await runMd(["collect", "--source", logs, "--store", store, ...WINDOW]);
    expect(repair.stderr).toContain(
      `warning the store's file for 2026/11/20 (${file}) holds other bytes`,
    );
    expect(repair.stdout).toContain(
      "0 new events, 3 read again into 1 repaired day(s), 1 day(s) written",
    );
    expect(repair.code).toBe(0);
    const again = await runMd(["collect", "--verify", "--store", store]);
    expect([again.code, again.stdout]).toEqual([
      0,
      `verified 1 day file(s) of ${store}: none damaged\n`,
    ]);
    // A day file removed: named with the same collect, which reads the day again.
    const file2 = path.join(store, (await readManifest(store)).days["2026/11/20"]?.file ?? "none");
    await fsp.rm(file2);
    const gone = await runMd(["collect", "--verify", "--store", store]);
    expect([gone.code, gone.stderr]).toEqual([
      1,
      `error the store's file for 2026/11/20 (${file2}) is gone\nhint: collect the day again: run-md collect --from 2026-11-20 --to 2026-11-21 --store ${store} (with --source, unless local.logDir is the source)\n`,
    ]);
    // A new object of the day arrived meanwhile: its event is new, the three others read again.
    await write("late.json.gz", [event("n1"), event("c1")]);
    const back = await runMd(["collect", "--source", logs, "--store", store, ...WINDOW]);
    expect(back.stderr).toContain(
      `warning the store's file for 2026/11/20 (${file2}) is gone: its objects are read again now`,
    );
    // By hand: m1, c1 and c2 stored again, n1 new (c1's copy kept once).
    expect(back.stdout).toContain(
      "1 new event, 3 read again into 1 repaired day(s), 1 day(s) written",
    );
    expect(back.code).toBe(0);
    expect((await runMd(["collect", "--verify", "--store", store])).code).toBe(0);
    const mixed = await runMd(["collect", "--verify", "--store", store, "--since", "1d"]);
    expect([mixed.code, mixed.stderr]).toEqual([
      2,
      expect.stringContaining("--verify cannot be combined with --since"),
    ]);
  });
});
