/**
 * A token revoked while a run it asked for is running stops that run (a leaked token's run must
 * not go on querying after the revocation, as one waiting does not start: token-stands.ts): it
 * ends `cancelled`, its step saying `token-revoked` and naming the token, with a `run.cancel`
 * entry of the server's before the run's end. Another token's running run goes on.
 */
import { describe, expect, it } from "vitest";
import { call, fixtureServer, readEvents, until, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  server: { concurrency: 2 },
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "admin"] }] },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    leaked: { groups: ["ops"], user: "ci@example.com" },
  },
});

/** Starts the slow runbook with `token` and waits until its step is under way. */
async function running(token: string): Promise<string> {
  const r = await call(`${t.url}/api/runs`, { token, body: { runbook: "slow" } });
  expect(r.status).toBe(202);
  await readEvents(`${t.url}/api/runs/${r.body.id}/events`, { token: t.ops, stopAfter: 3 });
  return r.body.id;
}

describe("a token revoked while its run runs", () => {
  it("stops that run: cancelled, saying the token was revoked, audited first; others go on", async () => {
    const leakedRun = await running(t.tokens.leaked!);
    const otherRun = await running(t.ops);
    await t.tokenStore.revoke("leaked");

    const run = await waitForEnd(t, leakedRun, t.ops, 30_000);
    expect(run.status).toBe("cancelled");
    const step = run.result.steps[0];
    expect(step.status).toBe("cancelled");
    expect(step.error.code).toBe("token-revoked");
    expect(step.error.message).toContain("leaked");
    expect(step.error.message).toContain("while the run was running");

    // The stop is the server's cancel (actor run-md), written before the run's end.
    const entries = (await t.audit()).filter(
      (e) => (e.details as { run?: string }).run === leakedRun,
    );
    expect(entries.map((e) => e.action)).toEqual([
      "run.request",
      "run.start",
      "run.cancel",
      "run.end",
    ]);
    expect(entries[2]).toMatchObject({
      actor: "run-md",
      details: { run: leakedRun, was: "running", reason: "token-revoked", token: "leaked" },
    });

    // The other token's run is still running (the check has come round since).
    await until(
      async () =>
        (await t.audit()).some(
          (e) => e.action === "run.end" && (e.details as { run?: string }).run === leakedRun,
        ) || undefined,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(`${t.url}/api/runs/${otherRun}`, { token: t.ops })).body.status).toBe(
      "running",
    );
    await call(`${t.url}/api/runs/${otherRun}/cancel`, { token: t.ops, method: "POST" });
    expect((await waitForEnd(t, otherRun, t.ops)).status).toBe("cancelled");
  });
});
