/**
 * Refusals before sign-in are audited one by one up to a budget a peer and in all, and counted
 * past it (identity/refusals.ts): a loop of bad tokens does not fill the disk with synced
 * entries, and the log still holds every refusal.
 */
import { describe, expect, it } from "vitest";
import { OTHER_PEERS, type RefusalLimits, RefusalThrottle } from "../src/identity/refusals.ts";
import { call, startTestServer } from "./helpers.ts";

const LIMITS: RefusalLimits = { perPeer: 3, total: 5, windowMs: 60_000, maxPeers: 2, maxCounts: 3 };
const T0 = Date.parse("2026-12-01T00:00:00Z");

function admitted(t: RefusalThrottle, peer: string, n: number, now = T0): number {
  let yes = 0;
  for (let i = 0; i < n; i++) if (t.admit(peer, now)) yes++;
  return yes;
}

describe("RefusalThrottle", () => {
  it("admits a peer's budget, counts the rest, and refills it evenly over the window", () => {
    const t = new RefusalThrottle(LIMITS, T0);
    expect(admitted(t, "10.0.0.1", 5)).toBe(3);
    // One window / perPeer later, one entry more is allowed; not before.
    expect(t.admit("10.0.0.1", T0 + 19_000)).toBe(false);
    expect(t.admit("10.0.0.1", T0 + 20_000)).toBe(true);
    expect(t.drain(T0 + 20_000)).toEqual([
      {
        peer: "10.0.0.1",
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
    expect(t.drain(later)).toEqual([expect.objectContaining({ peer: OTHER_PEERS, count: 1 })]);
  });

  it("forgets a peer whose budget is whole again, and keeps counts it could not write", () => {
    const t = new RefusalThrottle(LIMITS, T0);
    admitted(t, "a", 4);
    const held = t.drain(T0);
    t.admit("a", T0 + 1000);
    t.restore(held);
    expect(t.drain(T0 + 60_000)).toEqual([
      { peer: "a", count: 1, from: "2026-12-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" },
      { peer: "a", count: 1, from: "2026-12-01T00:00:01.000Z", to: "2026-12-01T00:00:01.000Z" },
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
        peers: 3,
        count: 7,
        from: "2026-12-01T00:00:02.000Z",
        to: "2026-12-01T00:00:03.000Z",
      },
    ]);
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
