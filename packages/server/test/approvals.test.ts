/**
 * Approvals (spec §6) through the API on the real local engine: a critical run waits, the
 * approvers' webhook receives a signed request linking to the run page, the requester cannot
 * approve (not with a second token bound to them, nor in an approver group), another approver
 * can; denial ends the run; a request past its TTL (clock injected) expires, on read and by the
 * timer, and can no longer be approved. Every step audited and in the live events.
 */
import { connect } from "node:net";
import { verifyWebhook } from "@run-md/notify";
import { describe, expect, it, vi } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";
import { STREAMS_PER_CALLER } from "../src/routes/events.ts";
import { call, fixtureServer, readEvents, until, waitForEnd, webhookReceiver } from "./helpers.ts";

const SECRET = "approval-webhook-secret-0123456789";
const { received, url: hookUrl } = webhookReceiver();
/** The server's clock: the real time plus what a test adds. */
let offsetMs = 0;

const t = fixtureServer(() => ({
  access: {
    rules: [
      { groups: ["oncall"], allow: ["view", "run", "run:params"] },
      { groups: ["leads"], allow: ["view", "run", "approve"] },
      { groups: ["readers"], allow: ["view"] },
    ],
    approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
    approvalTtl: "1h",
  },
  tokens: {
    alice: { groups: ["oncall"], user: "alice@example.com" },
    // The same person through a second token, in the approver group.
    aliceLead: { groups: ["leads"], user: "Alice@Example.com" },
    bob: { groups: ["leads"], user: "bob@example.com" },
    robot: { groups: ["leads"] },
    carol: { groups: ["readers"], user: "carol@example.com" },
    dave: { groups: ["readers"], user: "dave@example.com" },
    // Revoked while its run waits for approval.
    eve: { groups: ["oncall"], user: "eve@example.com" },
  },
  governance: {
    now: () => new Date(Date.now() + offsetMs),
    webhooks: [
      {
        url: `${hookUrl()}/approvals`,
        secret: SECRET,
      },
    ],
    expirySweepMs: 50,
  },
}));

async function request(token: string) {
  const r = await call(`${t.url}/api/runs`, { token, body: { runbook: "net-critical" } });
  expect(r.status).toBe(202);
  return r.body as { id: string; status: string };
}

describe("approvals", () => {
  it("a critical run waits, the approvers are told, self-approval is refused, another approver starts it", async () => {
    const { id, status } = await request(t.tokens.alice!);
    expect(status).toBe("pending-approval");
    // The webhook: signed, naming the run and linking to its page on this server.
    const got = await until(() => received.find((r) => r.body.includes(id)));
    expect(verifyWebhook(SECRET, got.headers, got.body)).toBeUndefined();
    const msg = JSON.parse(got.body);
    expect(msg).toMatchObject({ type: "run-md.approval", run: id, runbook: "net-critical" });
    expect(msg.requester).toBe("alice@example.com");
    expect(msg.approvers).toEqual(["leads"]);
    expect(msg.url).toBe(`${t.url}/run/?id=${id}`);

    // Live: the approval request is the first event; nothing runs.
    const first = await readEvents(`${t.url}/api/runs/${id}/events`, {
      token: t.tokens.alice!,
      stopAfter: 1,
    });
    expect(first.events[0]).toMatchObject({ event: "approval", data: { state: "requested" } });

    const refusals: Array<[string, number, string]> = [
      ["alice", 403, "self-approval"],
      ["aliceLead", 403, "self-approval"],
      ["robot", 403, "not-a-person"],
      ["carol", 403, "not-approver"],
    ];
    for (const [who, code, reason] of refusals) {
      const r = await call(`${t.url}/api/runs/${id}/approve`, {
        token: t.tokens[who]!,
        body: { comment: "me" },
      });
      expect([who, r.status, r.body.code]).toEqual([who, code, reason]);
    }
    // A deny refused is recorded as a refused deny (it was recorded as an approve).
    const deny = await call(`${t.url}/api/runs/${id}/deny`, {
      token: t.tokens.alice!,
      body: { comment: "withdraw" },
    });
    expect([deny.status, deny.body.code]).toEqual([403, "self-approval"]);
    expect((await call(`${t.url}/api/runs/${id}`, { token: t.tokens.alice! })).body.status).toBe(
      "pending-approval",
    );

    const ok = await call(`${t.url}/api/runs/${id}/approve`, {
      token: t.tokens.bob!,
      body: { comment: "looks right" },
    });
    expect(ok.status).toBe(200);
    const run = await waitForEnd(t, id, t.tokens.alice!);
    expect(run.approval).toMatchObject({
      state: "approved",
      by: "bob@example.com",
      comment: "looks right",
    });
    expect(run.result.steps[0].rows).toHaveLength(1);
    const { events } = await readEvents(`${t.url}/api/runs/${id}/events`, {
      token: t.tokens.alice!,
    });
    expect(events.map((e) => e.event).slice(0, 4)).toEqual([
      "approval",
      "approval",
      "queued",
      "run-start",
    ]);
    expect(events[1]!.data).toMatchObject({ state: "approved", by: "bob@example.com" });
    expect(events.at(-1)!.event).toBe("run-end");

    // Approving again: it is no longer waiting.
    const again = await call(`${t.url}/api/runs/${id}/approve`, { token: t.tokens.bob!, body: {} });
    expect(again.status).toBe(409);

    const trail = (await t.audit()).filter((e) => (e.details as { run?: string })?.run === id);
    expect(trail.map((e) => e.action)).toEqual([
      "run.request",
      "access.refused",
      "access.refused",
      "access.refused",
      "access.refused",
      "access.refused",
      "run.approve",
      "run.start",
      "run.end",
      // Approving again, refused: audited as every refusal is.
      "access.refused",
    ]);
    expect(trail.at(-1)!.details).toMatchObject({ action: "approve", reason: "not-pending" });
    expect(trail.slice(1, 6).map((e) => (e.details as { action?: string }).action)).toEqual([
      "approve",
      "approve",
      "approve",
      "approve",
      "deny",
    ]);
    expect(trail[6]).toMatchObject({
      actor: "bob@example.com",
      details: { comment: "looks right" },
    });
  });

  it("a low-severity run needs no approval", async () => {
    const r = await call(`${t.url}/api/runs`, {
      token: t.tokens.alice!,
      body: { runbook: "iam-low" },
    });
    expect(r.body.status).toBe("queued");
    await waitForEnd(t, r.body.id, t.tokens.alice!);
  });

  it("a denial ends the run denied, audited with the comment", async () => {
    const { id } = await request(t.tokens.alice!);
    const r = await call(`${t.url}/api/runs/${id}/deny`, {
      token: t.tokens.bob!,
      body: { comment: "not during the freeze" },
    });
    expect(r.status).toBe(200);
    const run = await call(`${t.url}/api/runs/${id}`, { token: t.tokens.alice! });
    expect(run.body.status).toBe("denied");
    expect(run.body.result).toBeUndefined();
    const { events } = await readEvents(`${t.url}/api/runs/${id}/events`, {
      token: t.tokens.alice!,
    });
    expect(events.map((e) => e.event)).toEqual(["approval", "approval", "run-end"]);
    expect(events[0]!.data).toMatchObject({ state: "requested", approvers: ["leads"] });
    expect(events[1]!.data).toMatchObject({
      state: "denied",
      by: "bob@example.com",
      comment: "not during the freeze",
      expiresAt: events[0]!.data.expiresAt,
      at: expect.any(String),
    });
    expect(events[2]!.data.status).toBe("denied");
    const deny = (await t.audit()).find((e) => e.action === "run.deny");
    expect(deny).toMatchObject({
      actor: "bob@example.com",
      target: "net-critical",
      details: { run: id, comment: "not during the freeze" },
    });
    const late = await call(`${t.url}/api/runs/${id}/approve`, { token: t.tokens.bob!, body: {} });
    expect(late.status).toBe(409);
  });

  it("a request past its TTL is expired on read and can no longer be approved", async () => {
    const { id } = await request(t.tokens.alice!);
    offsetMs = 61 * 60_000;
    try {
      const run = await call(`${t.url}/api/runs/${id}`, { token: t.tokens.alice! });
      expect(run.body.status).toBe("expired");
      const r = await call(`${t.url}/api/runs/${id}/approve`, { token: t.tokens.bob!, body: {} });
      expect(r.status).toBe(410);
      expect(r.body.error).toMatch(/can no longer be approved: the request expired at/);
    } finally {
      offsetMs = 0;
    }
    const expire = (await t.audit()).filter((e) => e.action === "run.expire");
    expect(expire.map((e) => (e.details as { run: string }).run)).toContain(id);
  });

  it("the timer expires a waiting request nobody reads", async () => {
    const { id } = await request(t.tokens.alice!);
    expect(t.server.runs.store.get(id)!.status).toBe("pending-approval");
    offsetMs = 2 * 3600_000;
    try {
      await until(() => (t.server.runs.store.get(id)!.status === "expired" ? true : undefined));
    } finally {
      offsetMs = 0;
    }
    // Before the TTL, an approval goes through (the clock is back): a fresh request still works.
    const fresh = await request(t.tokens.alice!);
    const ok = await call(`${t.url}/api/runs/${fresh.id}/approve`, {
      token: t.tokens.bob!,
      body: {},
    });
    expect(ok.status).toBe(200);
    await waitForEnd(t, fresh.id, t.tokens.alice!);
  });

  it("bad approval bodies are 400 and change nothing", async () => {
    const { id } = await request(t.tokens.alice!);
    for (const body of [
      [1],
      { comment: 5 },
      { comment: "x", extra: 1 },
      { comment: "x".repeat(2001) },
    ]) {
      const r = await call(`${t.url}/api/runs/${id}/approve`, { token: t.tokens.bob!, body });
      expect(r.status).toBe(400);
    }
    expect(t.server.runs.store.get(id)!.status).toBe("pending-approval");
  });

  it("a refused approve or deny says which action on which run of which runbook, then why", async () => {
    const { id } = await request(t.tokens.alice!);
    const why = {
      "self-approval":
        "the requester cannot approve or deny their own run (to withdraw it, cancel it)",
      "not-a-person": "a token bound to no person (run-md token create --user) cannot approve",
      "not-approver": "approving net-critical needs a member of leads whom the rules allow approve",
    };
    const cases: Array<[string, "approve" | "deny", keyof typeof why]> = [
      ["alice", "approve", "self-approval"],
      ["aliceLead", "deny", "self-approval"],
      ["robot", "approve", "not-a-person"],
      ["carol", "deny", "not-approver"],
    ];
    for (const [who, verdict, code] of cases) {
      const r = await call(`${t.url}/api/runs/${id}/${verdict}`, {
        token: t.tokens[who]!,
        body: {},
      });
      expect([who, r.status, r.body]).toEqual([
        who,
        403,
        {
          error: `refused: you may not ${verdict} run ${id} of runbook net-critical: ${why[code]}`,
          code,
        },
      ]);
    }
    const refused = (await t.audit()).filter(
      (e) => e.action === "access.refused" && (e.details as { run?: string }).run === id,
    );
    expect(refused.map((e) => [(e.details as { action: string }).action, e.target])).toEqual(
      cases.map(([, verdict]) => [verdict, "net-critical"]),
    );
    expect(t.server.runs.store.get(id)!.status).toBe("pending-approval");
  });
});

/**
 * Holds the audit write of `action` for run `id` until the test releases it, so a second
 * request can arrive while the first is between its check and its effect (the race's moment).
 * Says when another action of that run starts its own write.
 */
function holdAuditWrite(id: string, action: string) {
  const log = t.server.audit;
  const append = log.append.bind(log);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const held = new Promise<void>((r) => (reached = r));
  const others: string[] = [];
  const spy = vi.spyOn(log, "append").mockImplementation(async (entry) => {
    if ((entry.details as { run?: string } | undefined)?.run === id) {
      if (entry.action === action) {
        reached();
        await gate;
      } else others.push(entry.action);
    }
    return append(entry);
  });
  return { held, others, release, restore: () => spy.mockRestore() };
}

/**
 * A cancel (by the requester) and an approval (by bob) of one run, sent together: the `first`
 * one's audit entry is held until the other one is waiting behind it or writing its own entry.
 */
async function race(id: string, first: "cancel" | "approve") {
  const hold = holdAuditWrite(id, `run.${first}`);
  const send = (what: "cancel" | "approve") =>
    what === "cancel"
      ? call(`${t.url}/api/runs/${id}/cancel`, { token: t.tokens.alice!, method: "POST" })
      : call(`${t.url}/api/runs/${id}/approve`, { token: t.tokens.bob!, body: {} });
  try {
    const one = send(first);
    await hold.held;
    const other = send(first === "cancel" ? "approve" : "cancel");
    await until(() =>
      t.server.runs.pendingChanges(id) >= 2 || hold.others.length > 0 ? true : undefined,
    );
    hold.release();
    const [a, b] = await Promise.all([one, other]);
    return first === "cancel" ? { cancel: a, approve: b } : { cancel: b, approve: a };
  } finally {
    hold.release();
    hold.restore();
  }
}

describe("a cancel and an approval sent together", () => {
  it("give the run one end: the approval waiting behind a cancel is 409 not-pending", async () => {
    for (let i = 0; i < 3; i++) {
      const { id } = await request(t.tokens.alice!);
      const { cancel, approve } = await race(id, "cancel");
      await t.server.runs.settled(id);
      expect(cancel.status).toBe(202);
      expect(approve.status).toBe(409);
      expect(approve.body.code).toBe("not-pending");
      const rec = t.server.runs.store.get(id)!;
      expect(rec.status).toBe("cancelled");
      const events = await t.server.runs.store.events(rec);
      expect(events.map((e) => `${e.event}:${e.data.status ?? e.data.state}`)).toEqual([
        "approval:requested",
        "run-end:cancelled",
      ]);
      const audited = (await t.audit())
        .filter((e) => (e.details as { run?: string }).run === id)
        .map((e) => e.action);
      // The approval's refusal for the run's state is audited, after the cancel.
      expect(audited).toEqual(["run.request", "run.cancel", "access.refused"]);
    }
  });

  it("an approval first, then the cancel: approved, then cancelled, one end", async () => {
    const { id } = await request(t.tokens.alice!);
    const { cancel, approve } = await race(id, "approve");
    await t.server.runs.settled(id);
    expect(approve.status).toBe(200);
    const rec = t.server.runs.store.get(id)!;
    const events = await t.server.runs.store.events(rec);
    const ends = events.filter((e) => e.event === "run-end");
    expect(ends.length).toBe(1);
    expect(events.at(-1)!.event).toBe("run-end");
    expect(events.slice(0, 3).map((e) => e.event)).toEqual(["approval", "approval", "queued"]);
    // The cancel came while the run was queued or running (cancelled), or after it ended (409).
    if (cancel.status === 202) expect(rec.status).toBe("cancelled");
    else expect([cancel.status, cancel.body.code]).toEqual([409, "ended"]);
    expect(rec.error).toBeUndefined();
  });
});

describe("the audit log of approvals", () => {
  it("run-md audit export and verify read the new entries", async () => {
    const file = t.config.audit;
    const verify = await runMd(["audit", "verify", file]);
    expect(verify.code).toBe(0);
    const csv = await runMd([
      "audit",
      "export",
      "--since",
      "1d",
      "--format",
      "csv",
      "--file",
      file,
    ]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split("\r\n");
    const actions = lines.slice(1).map((l) => l.split(",")[4]);
    for (const a of ["run.request", "run.approve", "run.deny", "run.expire", "access.refused"]) {
      expect(actions).toContain(a);
    }
    const approve = lines.find((l) => l.split(",")[4] === "run.approve")!;
    expect(approve).toContain("bob@example.com");
    expect(approve).toContain('""comment"":""looks right""');
    const json = await runMd([
      "audit",
      "export",
      "--since",
      "1d",
      "--format",
      "json",
      "--file",
      file,
    ]);
    const entries = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.length).toBe(lines.length - 1);
    expect(entries.find((e) => e.action === "run.deny").details.comment).toBe(
      "not during the freeze",
    );
  });
});

describe("a live stream of a run waiting for approval", () => {
  // A red-team pass: a token revoked after it opened the stream still received the run's results
  // once the run was approved (a pending run streams for up to approvalTtl).
  it("ends once its token is revoked, and the revoked holder sees nothing that follows", async () => {
    const { id } = await request(t.tokens.alice!);
    const watching = readEvents(`${t.url}/api/runs/${id}/events`, { token: t.tokens.dave! });
    await until(async () =>
      (await t.audit()).some((e) => e.action === "run.request" && JSON.stringify(e).includes(id)),
    );
    await t.tokenStore.revoke("dave");
    const { events } = await watching; // the server ended the stream
    const ok = await call(`${t.url}/api/runs/${id}/approve`, {
      token: t.tokens.bob!,
      body: { comment: "fine" },
    });
    expect(ok.status).toBe(200);
    await waitForEnd(t, id, t.tokens.alice!);
    expect(events.map((e) => e.event)).toEqual(["approval"]);
    const refused = (await t.audit()).filter((e) => e.action === "auth.refused").at(-1);
    expect(refused).toMatchObject({
      actor: "dave@example.com",
      details: { reason: "token revoked", stream: id },
    });
  });
});

describe("a run asked for with a token revoked before it starts", () => {
  // A red-team pass: a leaked token's run waiting for approval ran once approved, after the
  // token's revocation.
  it("does not run once approved: it ends errored, saying the token was revoked", async () => {
    const { id } = await request(t.tokens.eve!);
    await t.tokenStore.revoke("eve");
    const ok = await call(`${t.url}/api/runs/${id}/approve`, {
      token: t.tokens.bob!,
      body: { comment: "fine" },
    });
    expect(ok.status).toBe(200);
    const run = await waitForEnd(t, id, t.tokens.bob!);
    expect(run.status).toBe("errored");
    expect(run.result.error).toMatchObject({ code: "token-revoked" });
    expect(run.result.error.message).toMatch(
      /^the token eve that asked for this run was revoked \(.+\) before the run started: it did not run$/,
    );
    expect(run.result.steps.every((s: { rows?: unknown[] }) => s.rows === undefined)).toBe(true);
  });
});

describe("event streams", () => {
  it("one caller may follow 16 at once; the 17th is 429 until one closes", async () => {
    const { id } = await request(t.tokens.alice!);
    const url = `${t.url}/api/runs/${id}/events`;
    const headers = { authorization: `Bearer ${t.tokens.alice!}` };
    const open: AbortController[] = [];
    try {
      for (let i = 0; i < STREAMS_PER_CALLER; i++) {
        const stop = new AbortController();
        const res = await fetch(url, { headers, signal: stop.signal });
        expect(res.status).toBe(200);
        open.push(stop);
      }
      const over = await call(url, { token: t.tokens.alice! });
      expect([over.status, over.body.code]).toEqual([429, "too-many-streams"]);
      // The same person through another token, the address in other case: still over.
      const again = await call(url, { token: t.tokens.aliceLead! });
      expect([again.status, again.body.code]).toEqual([429, "too-many-streams"]);
      // Another caller is not held back by alice's streams.
      const first = await readEvents(url, { token: t.tokens.carol!, stopAfter: 1 });
      expect(first.events[0]?.event).toBe("approval");
      open.pop()!.abort();
      await until(async () => {
        const stop = new AbortController();
        const res = await fetch(url, { headers, signal: stop.signal });
        if (res.status !== 200) return undefined;
        open.push(stop);
        return true;
      });
    } finally {
      for (const stop of open) stop.abort();
    }
  });

  it("a client gone before its stream opened gives its place back (red-team: slots leaked until the run ended)", async () => {
    const { id } = await request(t.tokens.alice!);
    const { port } = new URL(t.url);
    const raw = `GET /api/runs/${id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.tokens.carol!}\r\n\r\n`;
    // Clients that send the request and close their side at once: the server sees them go
    // while it looks the run up, before the stream opens.
    for (let i = 0; i < 20; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.end(raw);
      socket.resume();
      await new Promise((resolve) => socket.once("close", resolve));
    }
    const url = `${t.url}/api/runs/${id}/events`;
    const headers = { authorization: `Bearer ${t.tokens.carol!}` };
    const open: AbortController[] = [];
    try {
      // Every one of carol's places comes back (an ended stream gives its place back at once,
      // a client gone is seen as its close arrives: asked until then).
      await until(async () => {
        for (const stop of open.splice(0)) stop.abort();
        for (let i = 0; i < STREAMS_PER_CALLER; i++) {
          const stop = new AbortController();
          const res = await fetch(url, { headers, signal: stop.signal });
          open.push(stop);
          if (res.status !== 200) return undefined;
        }
        return true;
      }, 5_000);
    } finally {
      for (const stop of open) stop.abort();
    }
  });
});
