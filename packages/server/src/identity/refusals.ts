/**
 * The audit entries of refusals before sign-in (a malformed, unknown, revoked or expired token, a
 * failed sign-in, a request `none` mode does not serve, a missing CSRF header), bounded. Anybody
 * who reaches the port can cause those, and each is an entry written and synced (spec §9):
 * unbounded, a loop of bad tokens fills the disk and queues every other audited action behind
 * its syncs.
 *
 * So each peer has a budget of entries (`perPeer` a window, refilled evenly; an IPv6 peer is its
 * /64, which one host holds whole), and all peers together one more (`total`). A refusal within
 * both budgets is its own entry, as before; one past them is refused the same way but counted
 * (by peer, actor and reason), and every window the counts are written as `auth.refused`
 * entries (`reason: "over the audit limit ..."`, `refused` (the reason counted), `count`,
 * `from`, `to`), at most `maxCounts` of them: the largest, the rest merged into one. Every
 * refusal is in the log, those of a flood as a count.
 */
import net from "node:net";
import type { Auditor } from "../audit.ts";

export interface RefusalLimits {
  /** Entries one peer may cause in a window (default 30). */
  perPeer: number;
  /** Entries all peers together may cause in a window (default 300). */
  total: number;
  /** The window, in ms (default 60 s): budgets refill over it, counts are written once in it. */
  windowMs: number;
  /** Peers tracked one by one (default 10,000); further ones share one budget and count. */
  maxPeers: number;
  /** Count entries a window at most (default 50): the largest; the rest as one. */
  maxCounts: number;
}

export const REFUSAL_LIMITS: RefusalLimits = {
  perPeer: 30,
  total: 300,
  windowMs: 60_000,
  maxPeers: 10_000,
  maxCounts: 50,
};

/** Where refusals of peers past `maxPeers`, and the smallest counts of a window, are counted. */
export const OTHER_PEERS = "other peers";

/** Who is refused: the caller a session or token names, else anonymous. */
export interface Refused {
  user: string;
  groups: string[];
}

/** The actor of a refusal before sign-in. */
export const ANONYMOUS: Refused = { user: "anonymous", groups: [] };

/** Of a reason or a peer a caller chose, what a count keeps. */
const KEPT = 120;
const kept = (s: string) => (s.length <= KEPT ? s : `${s.slice(0, KEPT)}…`);

/** Refusals counted, not written one by one: of one peer, actor and reason, or merged. */
export interface HeldRefusals {
  peer: string;
  who: Refused;
  /** The reason counted (`various` when merged). */
  refused: string;
  count: number;
  /** How many counts were merged into this one, when more than one. */
  merged?: number;
  /** ISO times of the first and the last of them. */
  from: string;
  to: string;
}

/**
 * What a peer address is counted as: an IPv6 address by its /64 (a host is given a whole /64,
 * so rotating addresses in it is one peer), an IPv4-mapped one as the IPv4 address.
 */
export function peerOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(ip)) {
    const [head = "", tail = ""] = ip.split("%")[0]!.split("::");
    const left = head === "" ? [] : head.split(":");
    const right = tail === "" ? [] : tail.split(":");
    const groups = ip.includes("::")
      ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
      : left;
    const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
    return `${prefix.join(":")}::/64`;
  }
  return kept(ip);
}

/** A budget that refills evenly: `capacity` over `windowMs`. */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  /** Refills to `now`; whether a token is left. */
  has(now: number): boolean {
    const refill = ((now - this.at) * this.capacity) / this.windowMs;
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, refill));
    this.at = Math.max(this.at, now);
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }

  full(now: number): boolean {
    this.has(now);
    return this.tokens >= this.capacity;
  }
}

/** Which refusals get an entry of their own, and the counts of the others (no I/O, no clock). */
export class RefusalThrottle {
  private readonly peers = new Map<string, Bucket>();
  private readonly all: Bucket;
  private readonly held = new Map<string, HeldRefusals>();
  private unwritten: HeldRefusals[] = [];

  constructor(
    private readonly limits: RefusalLimits,
    now: number,
  ) {
    this.all = new Bucket(limits.total, limits.windowMs, now);
  }

  /** The peer's budget (peers past `maxPeers` share one). */
  private bucket(peer: string, now: number): Bucket {
    const key = this.peers.has(peer) || this.peers.size < this.limits.maxPeers ? peer : OTHER_PEERS;
    let bucket = this.peers.get(key);
    if (bucket === undefined) {
      bucket = new Bucket(this.limits.perPeer, this.limits.windowMs, now);
      this.peers.set(key, bucket);
    }
    return bucket;
  }

  /** Whether this refusal of `peer` (counted as peerOf) gets its own entry; if not, it is counted. */
  admit(peer: string, who: Refused, reason: string, now: number): boolean {
    const bucket = this.bucket(peer, now);
    if (bucket.has(now) && this.all.has(now)) {
      bucket.take();
      this.all.take();
      return true;
    }
    this.count(peer, who, reason, now);
    return false;
  }

  /** Counts a refusal that has no entry of its own. */
  count(peer: string, who: Refused, reason: string, now: number): void {
    const refused = kept(reason);
    let key = JSON.stringify([peer, who.user, refused]);
    let h = this.held.get(key);
    if (h === undefined && this.held.size >= this.limits.maxPeers) {
      key = OTHER_PEERS;
      h = this.held.get(key);
    }
    const time = new Date(now).toISOString();
    if (h === undefined) {
      const mine = key === OTHER_PEERS;
      const held = mine
        ? { peer: OTHER_PEERS, who: ANONYMOUS, refused: "various", count: 0, from: time, to: time }
        : { peer, who, refused, count: 0, from: time, to: time };
      h = held;
      this.held.set(key, held);
    }
    h.count += 1;
    h.to = time;
  }

  /**
   * The counts since the last call (cleared): at most `maxCounts`, the largest first and the rest
   * merged into one; the peers whose budget is whole again are forgotten.
   */
  drain(now: number): HeldRefusals[] {
    const held = [...this.unwritten, ...this.held.values()].sort((a, b) => b.count - a.count);
    this.held.clear();
    this.unwritten = [];
    for (const [peer, bucket] of this.peers) if (bucket.full(now)) this.peers.delete(peer);
    const keep = Math.max(1, this.limits.maxCounts - 1);
    if (held.length <= keep + 1) return held;
    const rest = held.slice(keep);
    const merged: HeldRefusals = {
      peer: OTHER_PEERS,
      who: ANONYMOUS,
      refused: "various",
      count: rest.reduce((n, h) => n + h.count, 0),
      merged: rest.reduce((n, h) => n + (h.merged ?? 1), 0),
      from: rest.map((h) => h.from).sort()[0]!,
      to: rest
        .map((h) => h.to)
        .sort()
        .at(-1)!,
    };
    return [...held.slice(0, keep), merged];
  }

  /** Counts that could not be written, given back to the next drain. */
  restore(held: HeldRefusals[]): void {
    this.unwritten.push(...held);
  }
}

/** The refusals before sign-in, into the audit log through a RefusalThrottle. */
export class RefusalAudit {
  private readonly throttle: RefusalThrottle;
  private readonly timer: NodeJS.Timeout;
  /** The write of counts under way (close waits for it). */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly auditor: Auditor,
    private readonly limits: RefusalLimits = REFUSAL_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new RefusalThrottle(limits, now());
    this.timer = setInterval(() => void this.flush(), limits.windowMs);
    this.timer.unref();
  }

  /**
   * Audits a refusal of the peer at `ip` (`details.reason` says why): its own entry, written and
   * synced before this resolves, while the peer and all peers are within their budgets; else,
   * or when the log cannot take it (the refusal happened all the same), counted.
   */
  async refuse(
    ip: string,
    details: { reason: string } & Record<string, unknown>,
    who: Refused = ANONYMOUS,
  ): Promise<void> {
    const peer = peerOf(ip);
    if (!this.throttle.admit(peer, who, details.reason, this.now())) return;
    try {
      await this.auditor.record(who, "auth.refused", undefined, { ...details, peer: kept(ip) });
    } catch {
      this.throttle.count(peer, who, details.reason, this.now());
    }
  }

  /** Writes the counts held since the last flush (kept for the next one when the log fails). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeCounts());
    return this.flushing;
  }

  private async writeCounts(): Promise<void> {
    const held = this.throttle.drain(this.now());
    const { perPeer, total, windowMs } = this.limits;
    const reason = `over the audit limit (${perPeer} entries a peer, ${total} in all, a window of ${windowMs / 1000} s): counted`;
    for (const [i, h] of held.entries()) {
      const { who, ...counted } = h;
      try {
        await this.auditor.record(who, "auth.refused", undefined, { reason, ...counted });
      } catch {
        this.throttle.restore(held.slice(i));
        return;
      }
    }
  }

  /** Stops the timer and writes what is held, after a write under way (before the log closes). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
