/**
 * The room left for approvals, budgets and masking (spec §6, §8): a run the admit hook holds
 * waits as `pending-approval` and runs nothing; a refusal before the start ends the run errored
 * with its message; the rows hook shapes what a caller receives, never the stored report.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { RunMdError } from "@run-md/core";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params"] }] },
  hooks: {
    admit: async (rec) => (rec.runbook === "net-critical" ? "pending-approval" : "queued"),
    beforeStart: async (rec) => {
      if (rec.params?.limit === 7)
        throw new RunMdError("budget", "the scan budget of ops would be passed");
    },
    rowsFor: (_caller, _runbook, data) =>
      Array.isArray(data.rows)
        ? { ...data, rows: data.rows.map((r: unknown[]) => r.map(() => "[masked]")) }
        : data,
  },
});

describe("hooks", () => {
  it("holds a run as pending-approval without running it, until cancelled", async () => {
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "net-critical" } });
    expect(r.body.status).toBe("pending-approval");
    await new Promise((res) => setTimeout(res, 300));
    const held = await call(`${t.url}/api/runs/${r.body.id}`, { token: t.ops });
    expect(held.body.status).toBe("pending-approval");
    expect(held.body.startedAt).toBeUndefined();
    await call(`${t.url}/api/runs/${r.body.id}/cancel`, { token: t.ops, method: "POST" });
    expect((await waitForEnd(t, r.body.id, t.ops)).status).toBe("cancelled");
  });

  it("ends a run refused before its start as errored, with the reason in its report", async () => {
    const r = await call(`${t.url}/api/runs`, {
      token: t.ops,
      body: { runbook: "iam-low", params: { limit: 7 } },
    });
    const run = await waitForEnd(t, r.body.id, t.ops);
    expect(run.status).toBe("errored");
    expect(run.result.error).toMatchObject({
      code: "budget",
      message: "the scan budget of ops would be passed",
    });
    expect(run.result.steps).toEqual([]);
  });

  it("masks what the caller receives, in events and in the run, but not the stored report", async () => {
    const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    const { events } = await readEvents(`${t.url}/api/runs/${r.body.id}/events`, { token: t.ops });
    const stepEnd = events.find((e) => e.event === "step-end")!.data;
    expect(stepEnd.rows.length).toBeGreaterThan(0);
    expect(stepEnd.rows.flat().every((v: unknown) => v === "[masked]")).toBe(true);
    const run = (await call(`${t.url}/api/runs/${r.body.id}`, { token: t.ops })).body;
    expect(run.result.steps[0].rows.flat().every((v: unknown) => v === "[masked]")).toBe(true);
    const stored = JSON.parse(await readFile(path.join(t.dir, "reports", run.report), "utf8"));
    expect(stored.steps[0].rows[0][0]).toMatch(/^[A-Z]\w+$/); // an IAM event name, as the engine gave it
  });
});
