/**
 * Ad-hoc queries and the run queue (red-team, 2026-12-07): a query waits for a slot under
 * `server.concurrency` as runs do, so one caller's queries are capped as their queued runs are
 * (MAX_QUEUED_PER_CALLER, runs and queries together), and a query whose client went away is taken
 * off the queue, or stopped while it runs, instead of holding a slot for nobody. Before, one
 * caller queued any number of queries ahead of everyone's runs, and a client that sent a slow
 * query and closed its connection left it running to the step timeout.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { MAX_QUEUED_PER_CALLER } from "../src/runs/manager.ts";
import { call, FIXTURES, startTestServer, type TestServer, until } from "./helpers.ts";

/** Runs until stopped: a triple cross join of a week of events (as fixtures/slow.md). */
const SLOW =
  "SELECT count(*) AS n FROM cloudtrail_logs a, cloudtrail_logs b, cloudtrail_logs c WHERE a.eventtime <> b.eventtime OR b.eventtime <> c.eventtime";
const QUICK = "SELECT count(*) AS n FROM cloudtrail_logs";

async function server(): Promise<TestServer> {
  return startTestServer({
    runbooks: [FIXTURES],
    server: { concurrency: 1 },
    access: { rules: [{ groups: ["ops"], allow: ["view", "run", "query"] }] },
    tokens: {
      ops: { groups: ["ops"], user: "ops@example.com" },
      shouting: { groups: ["ops"], user: "OPS@Example.com" },
      other: { groups: ["ops"], user: "other@example.com" },
    },
  });
}

/** A query sent with its own AbortController: the client can go away. */
function send(t: TestServer, token: string, sql: string, since = "7d") {
  const controller = new AbortController();
  const answer = fetch(`${t.url}/api/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ sql, since }),
    signal: controller.signal,
  }).then(
    // biome-ignore lint/suspicious/noExplicitAny: an answer as parsed JSON
    async (r) => ({ status: r.status, body: (await r.json()) as any }),
    // biome-ignore lint/suspicious/noExplicitAny: no answer
    () => ({ status: 0, body: undefined as any }),
  );
  return { answer, leave: () => controller.abort() };
}

const queue = (t: TestServer) => t.server.runs.queueSize();

describe("ad-hoc queries in the run queue", () => {
  it("a query whose client goes away leaves the queue, and stops when it runs", async () => {
    const t = await server();
    try {
      const slow = send(t, t.tokens.ops!, SLOW);
      await until(() => (queue(t).running === 1 ? true : undefined), 30_000);
      const waiting = send(t, t.tokens.ops!, QUICK);
      await until(() => (queue(t).waiting === 1 ? true : undefined), 30_000);
      waiting.leave();
      await until(() => (queue(t).waiting === 0 ? true : undefined), 10_000);
      expect(queue(t).running).toBe(1);
      slow.leave();
      // The running query is stopped: the slot is free again long before any timeout.
      await until(() => (queue(t).running === 0 ? true : undefined), 20_000);
      const next = await send(t, t.tokens.other!, QUICK).answer;
      expect(next.status).toBe(200);
      expect(next.body.rows[0][0]).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it("one person's queries waiting are capped with their queued runs (429, audited)", async () => {
    const t = await server();
    const sent: Array<ReturnType<typeof send>> = [];
    try {
      const slow = send(t, t.tokens.ops!, SLOW);
      sent.push(slow);
      await until(() => (queue(t).running === 1 ? true : undefined), 30_000);
      // Two runs waiting count too.
      for (let i = 0; i < 2; i++) {
        const r = await call(`${t.url}/api/runs`, {
          token: t.tokens.ops!,
          body: { runbook: "iam-low" },
        });
        expect(r.status).toBe(202);
      }
      const more = Array.from({ length: MAX_QUEUED_PER_CALLER + 1 }, (_, i) =>
        send(t, i % 2 === 0 ? t.tokens.ops! : t.tokens.shouting!, QUICK),
      );
      sent.push(...more);
      const refused = await until(async () => {
        const settled = await Promise.all(
          more.map((q) => Promise.race([q.answer, new Promise((r) => setTimeout(r, 10))])),
        );
        const done = settled.filter((a) => a !== undefined) as Array<{ status: number }>;
        return done.length >= 3 ? done : undefined;
      }, 30_000);
      expect(refused.map((a) => a.status)).toEqual([429, 429, 429]);
      expect(queue(t).waiting).toBe(MAX_QUEUED_PER_CALLER);
      const entries = (await t.audit()).filter(
        (e) => e.action === "query.request" && (e.details as { refused?: unknown }).refused,
      );
      expect(entries).toHaveLength(3);
      expect(entries[0]!.details).toMatchObject({
        text: QUICK,
        refused: { status: 429, code: "too-many-queued" },
      });
      // Another person still gets in.
      const other = send(t, t.tokens.other!, QUICK);
      sent.push(other);
      await until(() => (queue(t).waiting === MAX_QUEUED_PER_CALLER + 1 ? true : undefined));
    } finally {
      for (const q of sent) q.leave();
      await t.close();
    }
  });
});
