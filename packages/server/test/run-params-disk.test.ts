/**
 * An ended run's large parameters stay on disk (red-team: a caller with `run:params` sent 60 KB
 * of parameters with each run, and each ended run's summary held them in memory for the server's
 * whole life). The run and the list still show them, before and after a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PARAMS_KEPT } from "../src/runs/store.ts";
import { call, FIXTURES, startTestServer, type TestServer, until, waitForEnd } from "./helpers.ts";

const access = { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params"] }] };
let dir: string;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function serving(body: (t: TestServer) => Promise<void>, first = false): Promise<void> {
  const t = await startTestServer({
    dir,
    runbooks: [FIXTURES],
    access,
    ...(first ? { tokens: { ops: { groups: ["ops"], user: "ops@example.com" } } } : {}),
  });
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

describe("an ended run's large parameters", () => {
  it("are read from disk for the run and the list, and not held in memory", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "run-md-run-params-"));
    const source = `x${"y".repeat(60_000)}`;
    let token = "";
    let big = "";
    let small = "";
    await serving(async (t) => {
      token = t.tokens.ops!;
      big = (
        await call(`${t.url}/api/runs`, { token, body: { runbook: "iam-low", params: { source } } })
      ).body.id;
      small = (
        await call(`${t.url}/api/runs`, {
          token,
          body: { runbook: "iam-low", params: { limit: 2 } },
        })
      ).body.id;
      // No event has that eventsource: its check (rows > 0) fails; the other's passes.
      expect((await waitForEnd(t, big, token)).status).toBe("failed");
      expect((await waitForEnd(t, small, token)).status).toBe("passed");
      const store = t.server.runs.store;
      await until(() => (store.get(big)!.events === undefined ? true : undefined));
      expect(JSON.stringify({ source }).length).toBeGreaterThan(PARAMS_KEPT);
      expect(store.get(big)!.params).toBeUndefined();
      expect(store.get(small)!.params).toEqual({ limit: 2 });
      expect((await call(`${t.url}/api/runs/${big}`, { token })).body.params).toEqual({ source });
      const list = (await call(`${t.url}/api/runs`, { token })).body;
      expect(list.map((r: { id: string; params: unknown }) => [r.id, r.params])).toEqual([
        [small, { limit: 2 }],
        [big, { source }],
      ]);
    }, true);
    await serving(async (t) => {
      expect(t.server.runs.store.get(big)!.params).toBeUndefined();
      expect((await call(`${t.url}/api/runs/${big}`, { token })).body.params).toEqual({ source });
      expect((await call(`${t.url}/api/runs?limit=1`, { token })).body[0].params).toEqual({
        limit: 2,
      });
      // A run removed by server.keepRuns while a request held its record (the list iterates,
      // the run's page reads its events): 404 as for a run that never was, not a 500 saying
      // its files cannot be read (s61 left-out: the list failed while the sweep ran).
      const store = t.server.runs.store;
      const held = store.get(big)!;
      expect(await store.remove(held)).toBe(true);
      for (const read of [() => store.params(held), () => store.events(held)]) {
        await expect(read()).rejects.toMatchObject({
          status: 404,
          message: `no run "${big}"`,
          extra: { code: "not-found" },
        });
      }
      const ids = (await call(`${t.url}/api/runs`, { token })).body.map(
        (r: { id: string }) => r.id,
      );
      expect(ids).toEqual([small]);
    });
  });
});
