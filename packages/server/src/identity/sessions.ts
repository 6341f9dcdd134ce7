/**
 * Browser sessions (spec §2): a random id in an HttpOnly cookie, kept in memory with the
 * signed-in caller, a CSRF token and an expiry. A restart signs everyone out (documented).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Caller } from "@run-md/access";

export const SESSION_COOKIE = "run_md_session";
/** The header a cookie-authenticated state-changing request must carry (value from /api/me). */
export const CSRF_HEADER = "x-csrf-token";

/**
 * Sessions one person (whatever the case of their address) holds at once: browsers and devices.
 * A sign-in past it ends their oldest (red-team: each sign-in's session lived its whole TTL, so
 * a script signing in again and again through a provider that asks nothing grew the server's
 * memory without bound).
 */
export const MAX_SESSIONS_PER_USER = 20;

export interface Session {
  id: string;
  caller: Caller;
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  /** In the order they were made: with one TTL for all, also the order they expire. */
  private readonly sessions = new Map<string, Session>();
  /** Each person's session ids, oldest first. */
  private readonly byPerson = new Map<string, string[]>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(caller: Caller): Session {
    this.sweep();
    const s: Session = {
      id: randomBytes(32).toString("base64url"),
      caller,
      csrf: randomBytes(24).toString("base64url"),
      expiresAt: this.now() + this.ttlMs,
    };
    this.sessions.set(s.id, s);
    const person = caller.user.toLowerCase();
    const mine = this.byPerson.get(person) ?? [];
    mine.push(s.id);
    this.byPerson.set(person, mine);
    while (mine.length > MAX_SESSIONS_PER_USER) this.delete(mine[0]!);
    return s;
  }

  /** How many sessions are held (tests). */
  get size(): number {
    return this.sessions.size;
  }

  /** The live session of that id; an expired one is dropped. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.now()) {
      this.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    const person = s.caller.user.toLowerCase();
    const mine = this.byPerson.get(person) ?? [];
    // In place: `create` trims the very list it holds.
    const at = mine.indexOf(id);
    if (at >= 0) mine.splice(at, 1);
    if (mine.length === 0) this.byPerson.delete(person);
  }

  /** Ends the expired sessions: the oldest first, up to the first that still holds. */
  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) {
      if (s.expiresAt > t) break;
      this.delete(id);
    }
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== "string") return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
