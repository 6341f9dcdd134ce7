/**
 * Browser sessions one person may hold at once (red-team: every sign-in added a session that
 * lived its whole TTL, so a script signing in again and again through a provider that signs in
 * without a prompt grew the server's memory, and each sign-in swept them all, without bound).
 * Past the limit a sign-in ends that person's oldest session; other people's are untouched.
 */
import { describe, expect, it } from "vitest";
import { MAX_SESSIONS_PER_USER, SessionStore } from "../src/identity/sessions.ts";

const caller = (user: string) => ({ user, groups: ["ops"], via: "oidc" as const });

describe("sessions of one person", () => {
  it("are at most MAX_SESSIONS_PER_USER: a sign-in past it ends that person's oldest", () => {
    let now = 0;
    const store = new SessionStore(3600_000, () => now);
    const bob = store.create(caller("bob@example.com"));
    const alice = Array.from({ length: MAX_SESSIONS_PER_USER + 5 }, (_, i) => {
      now = i;
      // The same person whatever the case of the address, as the streams' count.
      return store.create(caller(i % 2 === 0 ? "alice@example.com" : "Alice@Example.com"));
    });
    const live = alice.filter((s) => store.get(s.id) !== undefined);
    expect(live.map((s) => s.id)).toEqual(alice.slice(5).map((s) => s.id));
    expect(store.get(bob.id)).toBeDefined();
    expect(store.size).toBe(MAX_SESSIONS_PER_USER + 1);
  });

  it("an ended or expired session frees its place", () => {
    let now = 0;
    const store = new SessionStore(1000, () => now);
    const first = Array.from({ length: MAX_SESSIONS_PER_USER }, () =>
      store.create(caller("carol@example.com")),
    );
    store.delete(first[0]!.id);
    const next = store.create(caller("carol@example.com"));
    expect(first.slice(1).every((s) => store.get(s.id) !== undefined)).toBe(true);
    expect(store.get(next.id)).toBeDefined();
    now = 5000; // all expired
    const later = store.create(caller("carol@example.com"));
    expect(store.get(later.id)).toBeDefined();
    expect(store.size).toBe(1);
  });
});
