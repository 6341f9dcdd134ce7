/**
 * Browser sessions (spec §2): a random id in an HttpOnly cookie, kept in memory with the
 * signed-in caller, a CSRF token and an expiry. A restart signs everyone out (documented).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Caller } from "@run-md/access";

export const SESSION_COOKIE = "run_md_session";
/** The header a cookie-authenticated state-changing request must carry (value from /api/me). */
export const CSRF_HEADER = "x-csrf-token";

export interface Session {
  id: string;
  caller: Caller;
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

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
    return s;
  }

  /** The live session of that id; an expired one is dropped. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= t) this.sessions.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== "string") return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
