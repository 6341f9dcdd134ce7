/**
 * Daily Athena scan budgets (spec §8) through the API, with the server's Athena engine on the
 * AWS emulator and the emulator's scan statistics as the figures: what each run scanned is
 * charged; a run whose max_scan would pass the budget is refused before anything is recorded;
 * a query that passes it while running is stopped (StopQueryExecution reaches the emulator) and
 * the run says why; the next UTC day (clock injected) starts afresh.
 */
import path from "node:path";
import type { Emulator } from "@run-md/aws-emulator";
import type { AthenaEngine } from "@run-md/engine-athena";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedAthena, emulatedAthena } from "./emulated-athena.ts";
import { call, readEvents, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";

const MB = 1_000_000;
let emulator: Emulator;
let athena: AthenaEngine;
let aws: EmulatedAthena;
let t: TestServer;
let offsetMs = 0;

beforeAll(async () => {
  aws = await emulatedAthena();
  ({ emulator, athena } = aws);
  const logDir = aws.logDir;
  t = await startTestServer({
    runbooks: [path.join(import.meta.dirname, "governance-fixtures")],
    logDir,
    // One run at a time, so the budget is checked again at each start in a known order.
    server: { concurrency: 1 },
    engines: { athena },
    run: { configEngines: { sql: "athena" } },
    access: {
      rules: [{ groups: ["analysts", "free"], allow: ["view", "run"] }],
      budgets: [{ groups: ["analysts"], athenaScanPerDay: "100MB" }],
    },
    tokens: {
      ana: { groups: ["analysts"], user: "ana@example.com" },
      fred: { groups: ["free"], user: "fred@example.com" },
    },
    governance: { now: () => new Date(Date.now() + offsetMs) },
  });
});
afterAll(async () => {
  await t?.close();
  await aws?.close();
});

/** What the emulator says a query scanned: a run's step 25 MB, the engine's window check 5 MB. */
const [STEP, PROBE] = [25 * MB, 5 * MB];
const stepAndProbe = (sql: string) => (sql.includes("AS present") ? PROBE : STEP);
/** What a run of one Athena step is charged: its query and the engine's window check. */
// biome-ignore lint/suspicious/noExplicitAny: a run's JSON from the API
const charged = (run: any): number => {
  const { stats } = run.result.steps[0];
  return stats.dataScannedBytes + (stats.windowProbeBytes ?? 0);
};
/** Charged by the first test, which the next ones build on. */
let usedToday = 0;

const budget = async (token: string) => (await call(`${t.url}/api/budget`, { token })).body;

async function run(runbook: string, token = t.tokens.ana!) {
  const r = await call(`${t.url}/api/runs`, { token, body: { runbook } });
  if (r.status !== 202) return r;
  return { status: 202, body: await waitForEnd(t, r.body.id, token) };
}

describe("scan budgets on Athena", () => {
  it("charges what the emulator says each query scanned", async () => {
    emulator.faults.athena = { scannedBytes: stepAndProbe };
    expect(await budget(t.tokens.ana!)).toEqual([
      { groups: ["analysts"], perDay: 100 * MB, used: 0, remaining: 100 * MB },
    ]);
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const r = await run("budget-bounded");
      expect(r.body.status).toBe("passed");
      expect(r.body.result.steps[0].engine).toBe("athena");
      runs.push(r.body);
    }
    // The engine's check that a window holds events scanned on Athena too, and is charged (the
    // first run checks; a run in the same second as one before reuses its answer).
    expect(runs[0].result.steps[0].stats.windowProbeBytes).toBe(PROBE);
    for (const r of runs) expect([STEP, STEP + PROBE]).toContain(charged(r));
    usedToday = runs.map(charged).reduce((a, b) => a + b);
    expect(usedToday).toBeGreaterThan(100 * MB - 30 * MB);
    expect((await budget(t.tokens.ana!))[0]).toMatchObject({
      used: usedToday,
      remaining: 100 * MB - usedToday,
    });
    // A caller without a budget is not charged or bound.
    expect(await budget(t.tokens.fred!)).toEqual([]);
    // step-progress carries the engine's state and the bytes scanned so far (spec §5).
    const live = await readEvents(`${t.url}/api/runs/${runs[0].id}/events`, {
      token: t.tokens.ana!,
    });
    const progress = live.events.filter((e) => e.event === "step-progress").map((e) => e.data);
    expect(progress.at(-1)).toMatchObject({
      step: runs[0].result.steps[0].id,
      stats: { state: "SUCCEEDED", dataScannedBytes: STEP },
    });
  });

  it("refuses before it starts a run whose max_scan would pass the budget", async () => {
    const runsBefore = t.server.runs.store.all().length;
    const r = await run("budget-bounded");
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({
      code: "budget",
      budget: ["analysts"],
      perDay: 100 * MB,
      used: usedToday,
      requested: 30 * MB,
    });
    expect(r.body.error).toMatch(/budget of analysts \(100MB a day\) would be passed/);
    expect(t.server.runs.store.all().length).toBe(runsBefore);
    const entry = (await t.audit()).findLast((e) => e.action === "budget.refused");
    expect(entry).toMatchObject({ actor: "ana@example.com", target: "budget-bounded" });
    expect((await t.audit()).at(-1)!.action).toBe("budget.refused");
    // The same run for a caller without a budget goes ahead.
    expect((await run("budget-bounded", t.tokens.fred!)).body.status).toBe("passed");
  });

  it("stops a running query that passes the budget and says so", async () => {
    emulator.faults.athena = { runningPolls: 200, scannedBytesPerRunningPoll: 10 * MB };
    const stopsBefore = emulator.callsOf("StopQueryExecution").length;
    const r = await run("budget-unbounded");
    expect(r.status).toBe(202);
    expect(r.body.status).toBe("cancelled");
    const step = r.body.result.steps[0];
    expect(step.status).toBe("cancelled");
    expect(step.error.code).toBe("budget-reached");
    expect(step.error.message).toMatch(/scan budget of analysts \(100MB a day\) was reached/);
    expect(emulator.callsOf("StopQueryExecution").length).toBe(stopsBefore + 1);
    const stopped = (await t.audit()).findLast((e) => e.action === "budget.stopped");
    expect(stopped).toMatchObject({
      actor: "ana@example.com",
      target: "budget-unbounded",
      details: { run: r.body.id, step: "count" },
    });
    // Stopped once 75 MB + what it scanned passed 100 MB: charged what it had scanned.
    const scanned = (stopped!.details as { scanned: number }).scanned;
    expect(usedToday + scanned).toBeGreaterThan(100 * MB);
    expect((await budget(t.tokens.ana!))[0]).toMatchObject({
      used: usedToday + scanned,
      remaining: 0,
    });
    // Nothing left: even an unbounded run is refused now.
    expect((await run("budget-unbounded")).status).toBe(429);
  });

  it("starts the next UTC day afresh", async () => {
    emulator.faults.athena = { scannedBytes: stepAndProbe };
    offsetMs = 24 * 3600_000;
    try {
      expect((await budget(t.tokens.ana!))[0]).toMatchObject({ used: 0, remaining: 100 * MB });
      const r = await run("budget-bounded");
      expect(r.body.status).toBe("passed");
      expect((await budget(t.tokens.ana!))[0]).toMatchObject({ used: charged(r.body) });
    } finally {
      offsetMs = 0;
    }
  });

  it("checks again when a queued run starts: the figures grew while it waited", async () => {
    emulator.faults.athena = { scannedBytes: stepAndProbe };
    offsetMs = 2 * 24 * 3600_000;
    try {
      // Four runs of max 30 MB each fit today's empty budget when requested...
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await call(`${t.url}/api/runs`, {
          token: t.tokens.ana!,
          body: { runbook: "budget-bounded" },
        });
        expect(r.status).toBe(202);
        ids.push(r.body.id);
      }
      const ended = [];
      for (const id of ids) ended.push(await waitForEnd(t, id, t.tokens.ana!));
      // ...but one at a time they charge 25 MB or more each: the fourth would pass 100 MB.
      expect(ended.map((r) => r.status)).toEqual(["passed", "passed", "passed", "errored"]);
      const used = ended
        .slice(0, 3)
        .map(charged)
        .reduce((a, b) => a + b);
      const text = `${(used / MB).toFixed(1)} MB`;
      expect(ended[3].result.error.message).toContain(`would be passed: ${text} scanned today`);
      expect((await budget(t.tokens.ana!))[0]).toMatchObject({ used });
      const refused = (await t.audit()).findLast((e) => e.action === "budget.refused");
      expect(refused).toMatchObject({ details: { run: ids[3], used } });
    } finally {
      offsetMs = 0;
    }
  });
});
