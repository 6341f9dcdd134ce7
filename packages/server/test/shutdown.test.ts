/**
 * Stopping the server (what SIGTERM does: `RunningServer.close`) while clients follow runs over
 * Server-Sent Events: a running run is cancelled and its followers receive its `run-end`, the
 * stream of a run still waiting for approval is ended, and the stop does not wait for the
 * clients to go away.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, FIXTURES, startTestServer, until } from "./helpers.ts";

/**
 * Opens a run's event stream; resolves once the server answered (the stream is open), with the
 * events the whole stream will have carried when it ends.
 */
async function follow(url: string, token: string) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const events = res.text().then((text) =>
    text
      .split("\n\n")
      .map((block) => {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        return event === undefined ? undefined : { event, data: JSON.parse(data ?? "{}") };
      })
      .filter((e) => e !== undefined),
  );
  return { events };
}

describe("stopping the server", () => {
  it("cancels the running run and ends the followed streams promptly", async () => {
    const t = await startTestServer({
      runbooks: [FIXTURES],
      heartbeatMs: 100,
      access: {
        rules: [{ groups: ["ops"], allow: ["view", "run"] }],
        approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
      },
      tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
    });
    const token = t.tokens.ops!;
    try {
      const slow = (await call(`${t.url}/api/runs`, { token, body: { runbook: "slow" } })).body;
      const waiting = (
        await call(`${t.url}/api/runs`, { token, body: { runbook: "net-critical" } })
      ).body;
      expect(waiting.status).toBe("pending-approval");
      const slowStream = await follow(`${t.url}/api/runs/${slow.id}/events`, token);
      const waitingStream = await follow(`${t.url}/api/runs/${waiting.id}/events`, token);
      await until(
        () => (t.server.runs.store.get(slow.id)!.status === "running" ? true : undefined),
        20_000,
      );
      await until(
        () =>
          t.server.runs.store.get(slow.id)!.events.some((e) => e.event === "step-start")
            ? true
            : undefined,
        20_000,
      );

      const started = Date.now();
      const outcome = await Promise.race([
        t.server.close().then(() => "closed"),
        new Promise((r) => setTimeout(() => r("still open after 10 s"), 10_000)),
      ]);
      expect(outcome).toBe("closed");
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(t.server.runs.store.get(slow.id)!.status).toBe("cancelled");
      // The follower of the running run received its end; the other stream was ended.
      const slowEvents = await slowStream.events;
      expect(slowEvents.at(-1)).toMatchObject({ event: "run-end", data: { status: "cancelled" } });
      const waitingEvents = await waitingStream.events;
      expect(waitingEvents.map((e) => e.event)).toEqual(["approval"]);
      // The waiting run stays waiting: it survives the restart.
      expect(t.server.runs.store.get(waiting.id)!.status).toBe("pending-approval");
    } finally {
      await t.close(); // the server's close again (once only), then the engine and the folder
    }
  }, 30_000);
});
