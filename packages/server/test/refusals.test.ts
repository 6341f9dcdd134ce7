/**
 * Refusals before sign-in are audited one by one up to a budget a peer and in all, and counted
 * past it (identity/refusals.ts): a loop of bad tokens does not fill the disk with synced
 * entries, and the log still holds every refusal.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuditLog } from "@run-md/access";
import { describe, expect, it } from "vitest";
import { Auditor } from "../src/audit.ts";
import {
  ANONYMOUS,
  OTHER_PEERS,
  peerOf,
  RefusalAudit,
  type RefusalLimits,
  RefusalThrottle,
} from "../src/identity/refusals.ts";
import { call, startTestServer } from "./helpers.ts";

const LIMITS: RefusalLimits = { perPeer: 3, total: 5, windowMs: 60_000, maxPeers: 2, maxCounts: 3 };
const T0 = Date.parse("2026-12-01T00:00:00Z");

function admitted(
  t: RefusalThrottle,
  peer: string,
  n: number,
  now = T0,
  reason = "token unknown",
): number {
  let yes = 0;
  for (let i = 0; i < n; i++) if (t.admit(peer, ANONYMOUS, reason, now)) yes++;
  return yes;
}

describe("RefusalThrottle", () => {
  it("admits a peer's budget, counts the rest, and refills it evenly over the window", () => {
    const t = new RefusalThrottle(LIMITS, T0);
    expect(admitted(t, "10.0.0.1", 5)).toBe(3);
    // One window / perPeer later, one entry more is allowed; not before.
    expect(t.admit("10.0.0.1", ANONYMOUS, "token unknown", T0 + 19_000)).toBe(false);
    expect(t.admit("10.0.0.1", ANONYMOUS, "token unknown", T0 + 20_000)).toBe(true);
    expect(t.drain(T0 + 20_000)).toEqual([
      {
        peer: "10.0.0.1",
        who: ANONYMOUS,
        refused: "token unknown",
        count: 3,
        from: "2026-12-01T00:00:00.000Z",
        to: "2026-12-01T00:00:19.000Z",
      },
    ]);
    expect(t.drain(T0 + 20_000)).toEqual([]);
  });

  it("caps all peers together, and shares one budget among peers past maxPeers", () => {
    const t = new RefusalThrottle(LIMITS, T0);
    expect(admitted(t, "a", 3)).toBe(3);
    expect(admitted(t, "b", 3)).toBe(2); // the total (5) is spent
    expect(admitted(t, "c", 1, T0 + 12_000)).toBe(1); // 12 s refill one of the total
    const held = t.drain(T0 + 12_000);
    expect(held.map((h) => [h.peer, h.count])).toEqual([["b", 1]]);
    // "a" and "b" are tracked (maxPeers 2); "c" and "d" count against one budget.
    const later = T0 + 120_000;
    expect(admitted(t, "c", 2, later) + admitted(t, "d", 2, later)).toBe(3);
    // The count still names its own peer.
    expect(t.drain(later)).toEqual([expect.objectContaining({ peer: "d", count: 1 })]);
  });

  it("forgets a peer whose budget is whole again, and keeps counts it could not write", () => {
    const t = new RefusalThrottle(LIMITS, T0);
    admitted(t, "a", 4);
    const held = t.drain(T0);
    t.admit("a", ANONYMOUS, "token unknown", T0 + 1000);
    t.restore(held);
    expect(t.drain(T0 + 60_000).map((h) => [h.peer, h.count, h.from, h.to])).toEqual([
      ["a", 1, "2026-12-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"],
      ["a", 1, "2026-12-01T00:00:01.000Z", "2026-12-01T00:00:01.000Z"],
    ]);
    // Forgotten: a new whole budget (the total has refilled too).
    expect(admitted(t, "a", 4, T0 + 60_000)).toBe(3);
  });

  it("writes at most maxCounts counts a window: the peers with the most, the rest as one", () => {
    const t = new RefusalThrottle({ ...LIMITS, perPeer: 1, total: 1000, maxPeers: 100 }, T0);
    const sent: [string, number][] = [
      ["a", 5],
      ["b", 2],
      ["c", 9],
      ["d", 3],
      ["e", 2],
    ];
    for (const [peer, n] of sent) admitted(t, peer, n + 1, T0 + n * 1000);
    expect(t.drain(T0 + 10_000)).toEqual([
      expect.objectContaining({ peer: "c", count: 9 }),
      expect.objectContaining({ peer: "a", count: 5 }),
      {
        peer: OTHER_PEERS,
        who: ANONYMOUS,
        refused: "various",
        merged: 3,
        count: 7,
        from: "2026-12-01T00:00:02.000Z",
        to: "2026-12-01T00:00:03.000Z",
      },
    ]);
  });
});

describe("what a refusal is counted as", () => {
  it("an IPv6 peer by its /64 (a host holds a whole one), an IPv4-mapped one as IPv4", () => {
    expect(peerOf("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(peerOf("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(peerOf("2001:db8::5")).toBe("2001:db8:0:0::/64");
    expect(peerOf("::1")).toBe("0:0:0:0::/64");
    expect(peerOf("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(peerOf("10.1.2.3")).toBe("10.1.2.3");
    const t = new RefusalThrottle(LIMITS, T0);
    const rotated = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3", "2001:db8:1:2::4"];
    expect(
      rotated.filter((ip) => t.admit(peerOf(ip), ANONYMOUS, "token unknown", T0)),
    ).toHaveLength(3);
  });

  it("keeps apart the counts of other reasons and actors: a flood does not hide them", () => {
    const t = new RefusalThrottle({ ...LIMITS, maxPeers: 10 }, T0);
    admitted(t, "a", 5);
    const alice = { user: "alice@example.com", groups: ["ops"] };
    t.admit("a", alice, "csrf", T0);
    admitted(t, "a", 1, T0, "token revoked");
    expect(t.drain(T0).map((h) => [h.who.user, h.refused, h.count])).toEqual([
      ["anonymous", "token unknown", 2],
      ["alice@example.com", "csrf", 1],
      ["anonymous", "token revoked", 1],
    ]);
  });
});

/** An Auditor over a real log in a temporary folder. */
async function auditorIn(): Promise<{ auditor: Auditor; log: AuditLog; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-refusals-"));
  const log = await AuditLog.open(path.join(dir, "audit.log"));
  return { auditor: new Auditor(log), log, dir };
}

const countedIn = (entries: { action: string; details?: Record<string, unknown> }[]) =>
  entries
    .filter((e) => e.action === "auth.refused")
    .reduce((n, e) => n + (typeof e.details?.count === "number" ? e.details.count : 1), 0);

describe("RefusalAudit", () => {
  it("close waits for a write of counts under way: none is lost at a shutdown", async () => {
    const { auditor, log, dir } = await auditorIn();
    const limits = { ...LIMITS, perPeer: 1, total: 1000, maxPeers: 100, maxCounts: 100 };
    const audit = new RefusalAudit(auditor, limits, () => T0);
    try {
      for (let p = 0; p < 20; p++)
        for (let i = 0; i < 3; i++) await audit.refuse(`10.0.0.${p}`, { reason: "token unknown" });
      const tick = audit.flush();
      await audit.close();
      await auditor.close();
      await tick;
      expect(countedIn(await log.read({ limit: 1000 }))).toBe(60);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("counts a refusal the log could not take (the refusal happened all the same)", async () => {
    const { auditor, log, dir } = await auditorIn();
    let failing = true;
    const flaky = {
      record: (...args: Parameters<Auditor["record"]>) =>
        failing ? Promise.reject(new Error("ENOSPC")) : auditor.record(...args),
    } as Auditor;
    const audit = new RefusalAudit(flaky, { ...LIMITS, total: 100 }, () => T0);
    try {
      for (let i = 0; i < 5; i++) await audit.refuse("10.0.0.1", { reason: "token unknown" });
      await audit.flush(); // the log still fails: the counts are kept
      failing = false;
      await audit.close();
      expect(countedIn(await log.read({ limit: 100 }))).toBe(5);
    } finally {
      await auditor.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("serve: a flood of bad tokens", () => {
  it("is refused every time, audited one by one up to the budget, and counted at the close", async () => {
    const t = await startTestServer({
      tokens: { ops: { groups: ["ops"] } },
      access: { rules: [{ groups: ["ops"], allow: ["view"] }] },
      refusalLimits: { perPeer: 3, total: 100, windowMs: 600_000, maxPeers: 100, maxCounts: 50 },
    });
    try {
      const answers = [];
      for (let i = 0; i < 10; i++)
        answers.push(await call(`${t.url}/api/me`, { token: `bad${i}` }));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(401));
      const refused = async () => (await t.audit()).filter((e) => e.action === "auth.refused");
      expect((await refused()).map((e) => e.details?.reason)).toEqual(
        Array(3).fill("token unknown"),
      );
      // A good token from the same peer still works: only the auditing is bounded.
      expect((await call(`${t.url}/api/me`, { token: t.tokens.ops })).status).toBe(200);
      const audit = t.server.audit;
      await t.server.close(); // once: t.close() below waits for the same stop
      const after = (await audit.read({ limit: 100 })).filter((e) => e.action === "auth.refused");
      expect(after).toHaveLength(4);
      expect(after[3]!.details).toMatchObject({ peer: "127.0.0.1", count: 7 });
      expect(String(after[3]!.details?.reason)).toMatch(/^over the audit limit/);
    } finally {
      await t.close();
    }
  });
});

describe("serve: a flood of requests without credentials", () => {
  it("is refused every time, audited one by one up to the budget, and counted at the close", async () => {
    const t = await startTestServer({
      tokens: { ops: { groups: ["ops"] } },
      access: { rules: [{ groups: ["ops"], allow: ["view"] }] },
      refusalLimits: { perPeer: 2, total: 100, windowMs: 600_000, maxPeers: 100, maxCounts: 50 },
    });
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await call(`${t.url}/api/runbooks`));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(401));
      const audit = t.server.audit;
      await t.server.close(); // once: t.close() below waits for the same stop
      const refused = (await audit.read({ limit: 100 })).filter((e) => e.action === "auth.refused");
      expect(refused.map((e) => e.details)).toEqual([
        { reason: "not signed in", method: "GET", path: "/api/runbooks", peer: "127.0.0.1" },
        { reason: "not signed in", method: "GET", path: "/api/runbooks", peer: "127.0.0.1" },
        expect.objectContaining({ refused: "not signed in", peer: "127.0.0.1", count: 4 }),
      ]);
    } finally {
      await t.close();
    }
  });
});

describe("serve: what a refusal's entry says", () => {
  it("behind a proxy (trustProxy: true), the peer is the address the proxy saw, not one the client wrote", async () => {
    const t = await startTestServer({
      server: { trustProxy: true },
      tokens: { viewer: { groups: ["viewers"] } },
      access: {
        rules: [
          { groups: ["viewers"], allow: ["view"], runbooks: { ids: ["root-account-usage"] } },
        ],
      },
    });
    try {
      const forged = { "x-forwarded-for": "10.9.9.9, 203.0.113.7" };
      expect((await call(`${t.url}/api/me`, { token: "bad", headers: forged })).status).toBe(401);
      // A page of a runbook the caller may not view: its entry keeps the first 256 characters.
      const long = `/runbooks/audit-iam/${"x".repeat(5000)}`;
      expect((await call(`${t.url}${long}`, { token: t.tokens.viewer })).status).toBe(404);
      // Browser sign-in is off in token mode: its callback is not found, and not a refusal.
      const callback = await call(`${t.url}/auth/callback?code=x&state=y`);
      expect(callback.status).toBe(404);
      const entries = await t.audit();
      const refused = entries.filter((e) => e.action === "auth.refused");
      expect(refused.map((e) => e.details?.peer)).toEqual(["203.0.113.7"]);
      const page = entries.find((e) => e.action === "access.refused")?.details?.page;
      expect(page).toBe(`${long.slice(0, 256)}… (${long.length} characters)`);
    } finally {
      await t.close();
    }
  });
});
