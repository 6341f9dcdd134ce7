/**
 * A run's answer and its status change together: while the run's end is being written to the
 * audit log, `GET /api/runs/{id}` showed the stored report as `result` beside `status: running`
 * (a CI rehearsal's client, polling for `result`, read "running" for a run that had passed).
 * Here the audit's `run.end` entry is held until the test has read the run.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, until, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  access: { rules: [{ groups: ["ops"], allow: ["view", "run"] }] },
});

afterEach(() => vi.restoreAllMocks());

describe("a run's result and status", () => {
  it("the stored report is shown only once the status says how the run ended", async () => {
    const log = t.server.audit as unknown as {
      append: (e: { action: string }) => Promise<unknown>;
    };
    const append = log.append.bind(log);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    vi.spyOn(log, "append").mockImplementation(async (entry) => {
      if (entry.action === "run.end") {
        held = true;
        await gate;
      }
      return append(entry);
    });
    const started = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "iam-low" } });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(() => (held ? true : undefined), 120_000);
    try {
      const during = await call(`${t.url}/api/runs/${id}`, { token: t.ops });
      expect(during.body.status).toBe("running");
      expect(during.body.result).toBeUndefined();
    } finally {
      release();
    }
    const ended = await waitForEnd(t, id, t.ops);
    expect(["passed", "failed"]).toContain(ended.status);
    expect(ended.result.status).toBe(ended.status);
  }, 180_000);
});
