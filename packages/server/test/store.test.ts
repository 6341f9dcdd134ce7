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
