/**
 * A run waiting for approval across a restart (spec §6: a request lives until it expires): the
 * server is stopped and started again over the same folder (run records, audit log, tokens).
 * The run still waits after the restart, an approver's approval then runs it to its report, and
 * a request whose TTL passed while no server ran ends `expired` at the start. A queued or running
 * run is still `interrupted` by a restart (serve-cli.test.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import {
  call,
  FIXTURES,
  readEvents,
  startTestServer,
  type TestServer,
  type TestServerOptions,
  waitForEnd,
} from "./helpers.ts";

const ACCESS = {
  rules: [
    { groups: ["oncall"], allow: ["view", "run"] },
    { groups: ["leads"], allow: ["view", "run", "approve"] },
  ],
  approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
  approvalTtl: "1h",
};

let dir: string;
/** The tokens the first start made: the restarted servers read them from the same file. */
let tokens: Record<string, string>;

/** A server over `dir`: the first start makes the tokens, a restart reuses them. */
async function start(o: TestServerOptions = {}): Promise<TestServer> {
  const t = await startTestServer({
    dir,
    runbooks: [FIXTURES],
    access: ACCESS,
    ...(tokens === undefined
      ? {
          tokens: {
            alice: { groups: ["oncall"], user: "alice@example.com" },
            bob: { groups: ["leads"], user: "bob@example.com" },
          },
        }
      : {}),
    ...o,
  });
  tokens ??= t.tokens;
  return t;
}

/** Alice asks for a run of the critical runbook, which waits for approval: its id. */
async function ask(t: TestServer): Promise<string> {
  const r = await call(`${t.url}/api/runs`, {
    token: tokens.alice!,
    body: { runbook: "net-critical" },
  });
  expect([r.status, r.body.status]).toEqual([202, "pending-approval"]);
  return r.body.id as string;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-server-restart-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a run waiting for approval when the server restarts", () => {
  it("still waits after the restart, and an approval then runs it; one past its TTL expires at the start", async () => {
    const first = await start();
    const approved = await ask(first);
    const forgotten = await ask(first);
    await first.close();

    const second = await start();
    try {
      expect(second.server.interrupted).toBe(0);
      for (const id of [approved, forgotten]) {
        const run = await call(`${second.url}/api/runs/${id}`, { token: tokens.alice! });
        expect([id, run.body.status, run.body.error]).toEqual([id, "pending-approval", undefined]);
      }
      const recover = (await second.audit()).filter((e) => e.action === "server.recover");
      const details = recover.at(-1)!.details as { interrupted: string[]; waiting: string[] };
      expect(details.interrupted).toEqual([]);
      expect(new Set(details.waiting)).toEqual(new Set([approved, forgotten]));
      expect((await second.audit()).some((e) => e.action === "run.interrupted")).toBe(false);

      const ok = await call(`${second.url}/api/runs/${approved}/approve`, {
        token: tokens.bob!,
        body: { comment: "after the restart" },
      });
      expect([ok.status, ok.body.status]).toEqual([200, "queued"]);
      const ended = await waitForEnd(second, approved, tokens.alice!);
      expect(ended.status).toBe("passed");
      const { events } = await readEvents(`${second.url}/api/runs/${approved}/events`, {
        token: tokens.alice!,
      });
      expect(events.map((e) => e.event).slice(0, 4)).toEqual([
        "approval",
        "approval",
        "queued",
        "run-start",
      ]);
      expect(events.at(-1)).toMatchObject({ event: "run-end", data: { status: "passed" } });
    } finally {
      await second.close();
    }

    // Two hours later (the TTL is one): the request nobody decided ends at the start.
    const third = await start({
      governance: { now: () => new Date(Date.now() + 2 * 3600_000) },
    });
    try {
      expect(third.server.runs.store.get(forgotten)!.status).toBe("expired");
      expect(third.server.runs.store.get(approved)!.status).toBe("passed");
      const expire = (await third.audit()).filter((e) => e.action === "run.expire");
      expect(expire.map((e) => (e.details as { run: string }).run)).toEqual([forgotten]);
      const late = await call(`${third.url}/api/runs/${forgotten}/approve`, {
        token: tokens.bob!,
        body: {},
      });
      expect([late.status, late.body.code]).toEqual([410, "expired"]);
    } finally {
      await third.close();
    }
  }, 60_000);

  it("is interrupted when the restarted server no longer serves its runbook", async () => {
    const first = await start();
    const id = await ask(first);
    await first.close();
    const second = await start({ runbooks: [path.join(FIXTURES, "iam-low.md")] });
    try {
      expect(second.server.interrupted).toBe(1);
      const rec = second.server.runs.store.get(id)!;
      expect(rec.status).toBe("interrupted");
      expect(rec.error).toMatch(/no longer serves runbook net-critical/);
    } finally {
      await second.close();
    }
  });
  it.each([
    [
      "its requester may no longer run it",
      { ...ACCESS, rules: [{ groups: ["leads"], allow: ["view", "run", "approve"] }] },
      /rules no longer allow alice@example\.com to run net-critical/,
    ],
    [
      "it needs no approval any more",
      { ...ACCESS, approvals: [] },
      /rules no longer require approval of net-critical: request the run again/,
    ],
  ])("is interrupted when the restarted server's rules say %s (review)", async (_, access, why) => {
    const first = await start();
    const id = await ask(first);
    await first.close();
    const second = await start({ access });
    try {
      const rec = second.server.runs.store.get(id)!;
      expect([rec.status, rec.error]).toEqual(["interrupted", expect.stringMatching(why)]);
      // An approval does not run it: it no longer waits.
      const late = await call(`${second.url}/api/runs/${id}/approve`, {
        token: tokens.bob!,
        body: {},
      });
      expect(late.status).toBeGreaterThanOrEqual(400);
      expect(second.server.runs.store.get(id)!.status).toBe("interrupted");
    } finally {
      await second.close();
    }
  });

  it("takes the restarted server's approval TTL as its deadline (review)", async () => {
    const first = await start();
    const id = await ask(first);
    await first.close();
    // Half an hour later, under a TTL of ten minutes: past it, the request ends at the start.
    const second = await start({
      access: { ...ACCESS, approvalTtl: "10m" },
      governance: { now: () => new Date(Date.now() + 30 * 60_000) },
    });
    try {
      const rec = second.server.runs.store.get(id)!;
      expect(rec.status).toBe("expired");
      const requested = Date.parse(rec.requestedAt);
      expect(Date.parse(rec.approval!.expiresAt) - requested).toBe(10 * 60_000);
    } finally {
      await second.close();
    }
  });
});
