/** The run records' folder: `GET /api/runs` lists from `all()`, newest first (spec §4). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../src/runs/record.ts";
import { RunStore } from "../src/runs/store.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const record = (n: number, requestedAt: string): RunRecord => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  runbook: "iam-low",
  requester: { user: "ops@example.com", groups: ["ops"], via: "token" },
  requestedAt,
  status: "queued",
  params: {},
  window: {},
  events: [],
});

describe("the run store", () => {
  it("lists the newest request first, the later of two in the same millisecond first too", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-store-"));
    dirs.push(dir);
    const store = new RunStore(dir);
    const same = "2026-12-01T10:00:00.000Z";
    await store.save(record(1, "2026-12-01T09:00:00.000Z"));
    await store.save(record(2, same));
    await store.save(record(3, same));
    await store.save(record(4, "2026-12-01T11:00:00.000Z"));
    expect(store.all().map((r) => Number(r.id.slice(-1)))).toEqual([4, 3, 2, 1]);
  });
});

describe("the run store's newest-first order, kept between requests", () => {
  it("stays right as records are loaded at start, added between two lists, and replaced", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-store-"));
    dirs.push(dir);
    const times = [
      "2026-12-01T10:00:00.000Z",
      "2026-12-01T08:00:00.000Z",
      "2026-12-01T12:00:00.000Z",
    ];
    const first = new RunStore(dir);
    for (const [i, t] of times.entries()) await first.save(record(i + 1, t));
    // The truth, by hand: newest request first.
    const loaded = new RunStore(dir);
    await loaded.load(() => {});
    const ids = (s: RunStore) => s.all().map((r) => Number(r.id.slice(-1)));
    expect(ids(loaded)).toEqual([3, 1, 2]);
    // Listed once (the order is kept), then a run older than all and one newer than all come.
    await loaded.save(record(4, "2026-12-01T07:00:00.000Z"));
    expect(ids(loaded)).toEqual([3, 1, 2, 4]);
    await loaded.save(record(5, "2026-12-01T13:00:00.000Z"));
    expect(ids(loaded)).toEqual([5, 3, 1, 2, 4]);
    // A record replaced by another object of the same id is listed once, as the new object.
    const again = { ...record(1, times[0]!), status: "passed" as const };
    await loaded.save(again);
    expect(ids(loaded)).toEqual([5, 3, 1, 2, 4]);
    expect(loaded.all().find((r) => r.id === again.id)).toBe(again);
  });
});

describe("an ended run's event log on disk", () => {
  it("is read once for replays at the same time, and not kept after them", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-store-"));
    dirs.push(dir);
    const store = new RunStore(dir);
    const events = Array.from({ length: 50 }, (_, i) => ({
      id: i + 1,
      event: "step-progress" as const,
      time: "2026-12-01T10:00:00.000Z",
      data: { step: "s", message: `m${i}` },
    }));
    const rec = { ...record(9, "2026-12-01T10:00:00.000Z"), status: "passed" as const, events };
    await store.save(rec);
    await store.release(rec);
    expect(rec.events).toBeUndefined();
    const [a, b] = await Promise.all([store.events(rec), store.events(rec)]);
    expect(a).toEqual(events);
    // One parsed copy shared by both replays...
    expect(b).toBe(a);
    // ...and none kept once they have it: the next replay reads the file again.
    const c = await store.events(rec);
    expect(c).toEqual(events);
    expect(c).not.toBe(a);
  });
});
