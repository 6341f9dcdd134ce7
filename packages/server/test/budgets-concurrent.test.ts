/**
 * Scan budgets (spec §8) with runs at once: three Athena queries of one group running together
 * share what is left of its budget. Each query's scan so far counts against the budget while it
 * runs, so the queries are stopped once together they pass it, not each once it alone would
 * (they spent three budgets between them before).
 */
import path from "node:path";
import type { Emulator } from "@run-md/aws-emulator";
import type { AthenaEngine } from "@run-md/engine-athena";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedAthena, emulatedAthena } from "./emulated-athena.ts";
import { call, startTestServer, type TestServer, waitForEnd } from "./helpers.ts";

const MB = 1_000_000;
const PER_POLL = 5 * MB;
let emulator: Emulator;
let athena: AthenaEngine;
let aws: EmulatedAthena;
let t: TestServer;

beforeAll(async () => {
  aws = await emulatedAthena();
  ({ emulator, athena } = aws);
  const logDir = aws.logDir;
  t = await startTestServer({
    runbooks: [path.join(import.meta.dirname, "governance-fixtures")],
    logDir,
    server: { concurrency: 3 },
    engines: { athena },
    run: { configEngines: { sql: "athena" } },
    access: {
      rules: [{ groups: ["analysts"], allow: ["view", "run"] }],
      budgets: [{ groups: ["analysts"], athenaScanPerDay: "50MB" }],
    },
    tokens: { ana: { groups: ["analysts"], user: "ana@example.com" } },
  });
});
afterAll(async () => {
  await t?.close();
  await aws?.close();
});

describe("scan budgets with runs at once", () => {
  it("stops queries running together once together they pass the budget", async () => {
    // Each query scans 5 MB more at every poll, for up to 200 polls (1 GB) if never stopped.
    emulator.faults.athena = { runningPolls: 200, scannedBytesPerRunningPoll: PER_POLL };
    const token = t.tokens.ana!;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(`${t.url}/api/runs`, { token, body: { runbook: "budget-unbounded" } });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    const ended = await Promise.all(ids.map((id) => waitForEnd(t, id, token)));
    // Each is stopped while it scans; on a loaded machine a run may start only once the others
    // have passed the budget together, and is then refused at its start instead (errored, with
    // the budget's code: seen in full test runs), which passes the budget by nothing more.
    for (const r of ended) {
      if (r.status === "errored") expect(r.result?.error?.code).toBe("budget");
      else expect(r.status).toBe("cancelled");
    }
    expect(ended.some((r) => r.status === "cancelled")).toBe(true);
    const used = (await call(`${t.url}/api/budget`, { token })).body[0].used as number;
    // At most one poll's scan each past the budget: 50 MB + 3 x 5 MB. Each query alone was
    // stopped past 50 MB before: three of them spent more than 150 MB.
    expect(used).toBeGreaterThan(50 * MB);
    expect(used).toBeLessThanOrEqual(50 * MB + 3 * PER_POLL);
  });
});
