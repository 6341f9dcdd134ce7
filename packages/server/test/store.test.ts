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
