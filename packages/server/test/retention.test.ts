/**
 * `server.keepRuns`: ended runs older than it leave the runs folder (record and event log), each
 * batch named by a `runs.removed` entry written first; active runs and newer ones stay. Checked
 * through the store and auditor the server uses, and through a server restarted over old runs.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuditLog, verifyAuditFile } from "@run-md/access";
import { afterAll, describe, expect, it } from "vitest";
import { Auditor } from "../src/audit.ts";
import { parseServerConfig } from "../src/config.ts";
import type { RunRecord } from "../src/runs/record.ts";
import { REMOVED_PER_ENTRY, RunRetention } from "../src/runs/retention.ts";
import { RunStore } from "../src/runs/store.ts";
import { call, FIXTURES, startTestServer, waitForEnd } from "./helpers.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tmp = async () => {
  const d = await mkdtemp(path.join(tmpdir(), "run-md-retention-"));
  dirs.push(d);
  return d;
};

const DAY = 24 * 3600_000;
const NOW = new Date("2026-12-07T12:00:00.000Z");
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

/** An ended run's two files, as a server writes them once the run ended. */
async function writeEnded(dir: string, n: number, endedDaysAgo: number, status = "passed") {
  const rec = {
    id: id(n),
    runbook: "iam-low",
    requester: { user: "ops@example.com", groups: ["ops"], via: "token" },
    requestedAt: daysAgo(endedDaysAgo + 0.01),
    endedAt: daysAgo(endedDaysAgo),
    status,
    params: {},
    window: {},
  };
  await writeFile(path.join(dir, `${rec.id}.json`), JSON.stringify(rec));
  await writeFile(path.join(dir, `${rec.id}.events.json`), "[]");
}

async function opened(dir: string) {
  const store = new RunStore(path.join(dir, "runs"));
  await store.load(() => {});
  const auditFile = path.join(dir, "audit.log");
  const auditor = new Auditor(await AuditLog.open(auditFile));
  return { store, auditor, auditFile };
}

const entries = async (file: string) =>
  (await readFile(file, "utf8"))
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("the runs past server.keepRuns", () => {
  it("are removed oldest first, in audited batches, and nothing newer or active", async () => {
    const dir = await tmp();
    const runs = path.join(dir, "runs");
    await mkdir(runs);
    // 1,201 ended 200 to 181 days ago, 3 ended 179 days ago, and one still running (no end).
    const old = 2 * REMOVED_PER_ENTRY + 201;
    for (let n = 1; n <= old; n++) await writeEnded(runs, n, 181 + (n % 19));
    for (let n = old + 1; n <= old + 3; n++) await writeEnded(runs, n, 179);
    const running = {
      id: id(9999),
      runbook: "iam-low",
      requester: { user: "ops@example.com", groups: ["ops"], via: "token" },
      requestedAt: daysAgo(300),
      status: "running",
      params: {},
      window: {},
      events: [],
    };
    await writeFile(path.join(runs, `${running.id}.json`), JSON.stringify(running));
    const { store, auditor, auditFile } = await opened(dir);
    const retention = new RunRetention(store, auditor, {
      keepMs: 180 * DAY,
      warn: () => {},
      now: () => NOW,
    });
    expect(await retention.sweep()).toBe(old);
    // Left: the three newer runs' two files each, and the running run's record.
    const left = (await readdir(runs)).sort();
    const kept = [old + 1, old + 2, old + 3].flatMap((n) => [
      `${id(n)}.events.json`,
      `${id(n)}.json`,
    ]);
    expect(left).toEqual([...kept, `${id(9999)}.json`].sort());
    expect(
      store
        .all()
        .map((r) => r.id)
        .sort(),
    ).toEqual([...[1, 2, 3].map((k) => id(old + k)), id(9999)].sort());
    // Each removed run is named once, by batches of REMOVED_PER_ENTRY, oldest end first.
    const log = await entries(auditFile);
    expect(log.map((e) => [e.action, e.details.runs.length])).toEqual([
      ["runs.removed", REMOVED_PER_ENTRY],
      ["runs.removed", REMOVED_PER_ENTRY],
      ["runs.removed", 201],
    ]);
    const named: string[] = log.flatMap((e) => e.details.runs);
    expect(new Set(named).size).toBe(old);
    expect(named.every((x) => Number(x.slice(-12)) <= old)).toBe(true);
    expect(log.every((e) => e.details.endedBefore === daysAgo(180))).toBe(true);
    expect((await verifyAuditFile(auditFile)).ok).toBe(true);
    // A second sweep finds nothing and writes nothing.
    expect(await retention.sweep()).toBe(0);
    expect(await entries(auditFile)).toHaveLength(3);
    // Two days later the three are past it too.
    const later = new RunRetention(store, auditor, {
      keepMs: 180 * DAY,
      warn: () => {},
      now: () => new Date(NOW.getTime() + 2 * DAY),
    });
    expect(await later.sweep()).toBe(3);
    expect(await readdir(runs)).toEqual([`${id(9999)}.json`]);
  });

  it("removes nothing when the audit entry cannot be written", async () => {
    const dir = await tmp();
    const runs = path.join(dir, "runs");
    await mkdir(runs);
    await writeEnded(runs, 1, 400);
    const { store, auditor } = await opened(dir);
    await auditor.close();
    const retention = new RunRetention(store, auditor, {
      keepMs: 30 * DAY,
      warn: () => {},
      now: () => NOW,
    });
    await expect(retention.sweep()).rejects.toThrow();
    expect(existsSync(path.join(runs, `${id(1)}.json`))).toBe(true);
    expect(store.get(id(1))).toBeDefined();
  });
});

describe("server.keepRuns", () => {
  it("the longest it takes sweeps without an error (1000000000d is refused: its cut-off, before any date, threw at the start)", async () => {
    const dir = await tmp();
    const runs = path.join(dir, "runs");
    await mkdir(runs);
    await writeEnded(runs, 1, 400);
    const keepMs = parseServerConfig({ keepRuns: "36500d" }, "test", "/x").keepRunsMs!;
    const { store, auditor, auditFile } = await opened(dir);
    const retention = new RunRetention(store, auditor, { keepMs, warn: () => {}, now: () => NOW });
    expect(await retention.sweep()).toBe(0);
    expect(existsSync(path.join(runs, `${id(1)}.json`))).toBe(true);
    expect((await readFile(auditFile, "utf8").catch(() => "")).trim()).toBe("");
  });

  it("is a duration of at least a day", () => {
    expect(parseServerConfig({ keepRuns: "180d" }, "test", "/x").keepRunsMs).toBe(180 * DAY);
    expect(parseServerConfig({}, "test", "/x").keepRunsMs).toBeUndefined();
    for (const bad of ["12h", "forever", 30, "1000000000d", "99999999999w"]) {
      expect(() => parseServerConfig({ keepRuns: bad }, "test", "/x"), String(bad)).toThrow(
        /server\.keepRuns/,
      );
    }
  });

  it("at the start, removes the runs that ended before it; GET /api/runs no longer lists them", async () => {
    const dir = await tmp();
    const access = { rules: [{ groups: ["ops"], allow: ["view", "run", "admin"] }] };
    const tokens = { ops: { groups: ["ops"], user: "ops@example.com" } };
    const first = await startTestServer({ dir, runbooks: [FIXTURES], access, tokens });
    const token = first.tokens.ops!;
    const ids: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const r = await call(`${first.url}/api/runs`, { token, body: { runbook: "iam-low" } });
        await waitForEnd(first, r.body.id, token);
        ids.push(r.body.id);
      }
    } finally {
      await first.close();
    }
    // The first run ended a year ago (its record says so, as a year-old server wrote it).
    const runsDir = first.config.runsDir;
    const file = path.join(runsDir, `${ids[0]}.json`);
    const rec = JSON.parse(await readFile(file, "utf8")) as RunRecord;
    const yearAgo = new Date(Date.now() - 365 * DAY).toISOString();
    await writeFile(file, JSON.stringify({ ...rec, requestedAt: yearAgo, endedAt: yearAgo }));
    const again = await startTestServer({
      dir,
      runbooks: [FIXTURES],
      access,
      server: { keepRunsMs: 90 * DAY },
    });
    try {
      const list = await call(`${again.url}/api/runs`, { token });
      expect(list.body.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
      expect((await call(`${again.url}/api/runs/${ids[0]}`, { token })).status).toBe(404);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(path.join(runsDir, `${ids[0]}.events.json`))).toBe(false);
      expect(existsSync(path.join(runsDir, `${ids[1]}.events.json`))).toBe(true);
      const removed = (await again.audit()).filter((e) => e.action === "runs.removed");
      expect(removed).toMatchObject([{ actor: "run-md", details: { runs: [ids[0]] } }]);
    } finally {
      await again.close();
    }
  });
});
