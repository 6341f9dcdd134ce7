/**
 * The stale end (core `windowTail`): a window with events and none in its last 24 hours is an
 * error of the step. Its truth here is which events the test writes and the clock it sets.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { tempDir, window } from "./helpers.ts";

let root: string;
const engines: LocalEngine[] = [];

/** A trail's delivery of one event at `time`, in its day's folder. */
async function deliver(dir: string, time: string): Promise<void> {
  const folder = path.join(
    dir,
    "AWSLogs/111122223333/CloudTrail/us-east-1",
    time.slice(0, 10).replaceAll("-", "/"),
  );
  await fsp.mkdir(folder, { recursive: true });
  const record = { eventID: `e-${time}`, eventTime: time, eventName: "ConsoleLogin" };
  await fsp.writeFile(
    path.join(folder, `${time.slice(11, 13)}.json.gz`),
    zlib.gzipSync(JSON.stringify({ Records: [record] })),
  );
}

async function engine(logDir: string): Promise<LocalEngine> {
  const e = await createLocalEngine({ logDir, threads: 1 });
  engines.push(e);
  return e;
}

const count = (from: string, to: string) =>
  queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", window(from, to));

beforeAll(async () => {
  root = await tempDir("run-md-stale-end-");
});

afterAll(async () => {
  vi.useRealTimers();
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

describe("the window's stale end on the local engine", () => {
  it("is not told when the window's only recent event lies in its last hour (review)", async () => {
    // A quiet account: an event on the 1st, then the triggering login 40 minutes before now.
    const dir = path.join(root, "recent");
    await deliver(dir, "2024-03-01T10:00:00Z");
    await deliver(dir, "2024-03-05T11:50:00Z");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-05T12:30:00Z"));
    const e = await engine(dir);
    // A trigger's window: 7 days before the login, an hour after.
    const r = await e.query(count("2024-02-27T11:50:00Z", "2024-03-05T12:50:00Z"));
    expect(r.rows).toEqual([[2]]);
    expect(r.staleEnd).toBeUndefined();
    vi.useRealTimers();
  });

  it("is asked again once the clock moves the tail of a window ending after it (review)", async () => {
    const dir = path.join(root, "stopped");
    await deliver(dir, "2024-03-01T10:00:00Z");
    await deliver(dir, "2024-03-04T10:00:00Z");
    const req = () => count("2024-03-01T00:00:00Z", "2024-03-08T00:00:00Z"); // --to a day to come
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-05T08:00:00Z")); // the tail from 03-04T07:00 holds 03-04T10
    const e = await engine(dir);
    expect((await e.query(req())).staleEnd).toBeUndefined();
    vi.setSystemTime(new Date("2024-03-07T00:00:00Z")); // from 03-05T23:00: nothing since
    const expected =
      "no event lies in the window's end, 2024-03-05T23:00:00Z → 2024-03-08T00:00:00Z, while its earlier days hold events: a trail that stopped delivering, or logs not synced, collected or delivered since";
    expect((await e.query(req())).staleEnd).toBe(expected);
    expect((await (await engine(dir)).query(req())).staleEnd).toBe(expected);
    vi.useRealTimers();
  });
});
