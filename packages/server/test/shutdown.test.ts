/**
 * Stopping the server (what SIGTERM does: `RunningServer.close`) while clients follow runs over
 * Server-Sent Events: a running run is cancelled and its followers receive its `run-end`, the
 * stream of a run still waiting for approval is ended, and the stop does not wait for the
 * clients to go away.
 */
import { connect } from "node:net";
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
          t.server.runs.store.get(slow.id)!.events?.some((e) => e.event === "step-start")
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

  it("answers /healthz 503 stopping once it takes no more runs, as run requests are", async () => {
    const t = await startTestServer({
      runbooks: [FIXTURES],
      access: { rules: [{ groups: ["ops"], allow: ["view", "run"] }] },
      tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
    });
    try {
      expect((await call(`${t.url}/healthz`)).status).toBe(200);
      // The first part of a stop: the runs end while the server still listens.
      await t.server.runs.shutdown();
      const run = await call(`${t.url}/api/runs`, {
        token: t.tokens.ops!,
        body: { runbook: "iam-low" },
      });
      expect(run).toMatchObject({ status: 503, body: { code: "stopping" } });
      // Every run request is one entry (spec §9), the refused one too.
      const requests = (await t.audit()).filter((e) => e.action === "run.request");
      expect(requests).toMatchObject([
        {
          actor: "ops@example.com",
          target: "iam-low",
          details: { refused: { status: 503, code: "stopping" } },
        },
      ]);
      const health = await call(`${t.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, code: "stopping" });
    } finally {
      await t.close();
    }
  });
});

/** A client that sends a request's headers and part of its body, then nothing more. */
async function halfSent(url: string, path: string, token?: string) {
  const { port } = new URL(url);
  const socket = connect(Number(port), "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  let answer = "";
  socket.on("data", (chunk) => (answer += chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${token ? `Authorization: Bearer ${token}\r\n` : ""}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
  );
  return { socket, closed, answer: () => answer };
}

describe("clients that never finish their request (red-team)", () => {
  it("are answered 408 and let go once the request timeout passes", async () => {
    const t = await startTestServer({
      runbooks: [FIXTURES],
      requestTimeoutMs: 300,
      access: { rules: [{ groups: ["ops"], allow: ["view", "run"] }] },
      tokens: { ops: { groups: ["ops"], user: "ops@example.com" } },
    });
    try {
      const clients = await Promise.all([
        halfSent(t.url, "/anything"), // anonymous: refused (401) before its body, then let go
        halfSent(t.url, "/api/runs", t.tokens.ops!),
      ]);
      const outcome = await Promise.race([
        Promise.all(clients.map((c) => c.closed)).then(() => "closed"),
        new Promise((r) => setTimeout(() => r("still open after 5 s"), 5_000)),
      ]);
      expect(outcome).toBe("closed");
      expect(clients[0]!.answer()).toMatch(/^HTTP\/1\.1 (401|408) /);
      expect(clients[1]!.answer()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await t.close();
    }
  });

  it("do not hold the server's stop", async () => {
    const t = await startTestServer({ runbooks: [FIXTURES] }); // the default timeout: 30 s
    const clients = await Promise.all(
      ["/anything", "/api/runs", "/api/runs"].map((p) => halfSent(t.url, p)),
    );
    try {
      // One refused before its body (401), which never comes: its request never ends.
      await until(() => (clients.some((c) => c.answer().includes(" 401 ")) ? true : undefined));
      const outcome = await Promise.race([
        t.server.close().then(() => "closed"),
        new Promise((r) => setTimeout(() => r("still open after 5 s"), 5_000)),
      ]);
      expect(outcome).toBe("closed");
      await Promise.all(clients.map((c) => c.closed)); // the server cut them
    } finally {
      for (const c of clients) c.socket.destroy();
      await t.close();
    }
  });
});
