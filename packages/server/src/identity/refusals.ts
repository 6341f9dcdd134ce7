/**
 * The audit entries of refusals before sign-in (a malformed or unknown token, a failed sign-in, a
 * request `none` mode does not serve), bounded. Anybody who reaches the port can cause those, and
 * each is an entry written and synced (spec §9): unbounded, a loop of bad tokens fills the disk
 * and queues every other audited action behind its syncs.
 *
 * So each peer address has a budget of entries (`perPeer` a window, refilled evenly), and all
 * peers together one more (`total`). A refusal within both budgets is its own entry, as before;
 * one past them is refused the same way but counted, and every window the counts are written, one
 * `auth.refused` entry per peer (`reason: "over the audit limit ..."`, `count`, `from`, `to`), at
 * most `maxCounts` of them (the rest merged into one, with `peers`). Every refusal is in the log,
 * the ones of a flood as a count.
 */
import type { Auditor } from "../audit.ts";

export interface RefusalLimits {
  /** Entries one peer address may cause in a window (default 30). */
  perPeer: number;
  /** Entries all peers together may cause in a window (default 300). */
  total: number;
  /** The window, in ms (default 60 s): budgets refill over it, counts are written once in it. */
  windowMs: number;
  /** Peer addresses tracked one by one (default 10,000); further ones share one budget. */
  maxPeers: number;
  /** Count entries a window at most (default 50): the peers with the most; the rest as one. */
  maxCounts: number;
}

export const REFUSAL_LIMITS: RefusalLimits = {
  perPeer: 30,
  total: 300,
  windowMs: 60_000,
  maxPeers: 10_000,
  maxCounts: 50,
};

/** Where refusals of peers past `maxPeers` are counted. */
export const OTHER_PEERS = "other peers";

/** Refusals of one peer (or of `peers` peers) that were counted, not written one by one. */
export interface HeldRefusals {
  peer: string;
  count: number;
  /** How many peers this count is of, when more than one. */
  peers?: number;
  /** ISO times of the first and the last of them. */
  from: string;
  to: string;
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

  /** Whether this refusal of `peer` gets its own entry; if not, it is counted. */
  admit(peer: string, now: number): boolean {
    const key = this.peers.has(peer) || this.peers.size < this.limits.maxPeers ? peer : OTHER_PEERS;
    let bucket = this.peers.get(key);
    if (bucket === undefined) {
      bucket = new Bucket(this.limits.perPeer, this.limits.windowMs, now);
      this.peers.set(key, bucket);
    }
    if (bucket.has(now) && this.all.has(now)) {
      bucket.take();
      this.all.take();
      return true;
    }
    const time = new Date(now).toISOString();
    const held = this.held.get(key);
    if (held === undefined) this.held.set(key, { peer: key, count: 1, from: time, to: time });
    else {
      held.count += 1;
      held.to = time;
    }
    return false;
  }

  /**
   * The counts since the last call (cleared): at most `maxCounts`, the peers with the most first
   * and the rest merged into one; the peers whose budget is whole again are forgotten.
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
      peers: rest.reduce((n, h) => n + (h.peers ?? 1), 0),
      count: rest.reduce((n, h) => n + h.count, 0),
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

/** The actor of a refusal before sign-in. */
export const ANONYMOUS = { user: "anonymous", groups: [] as string[] };

/** The refusals before sign-in, into the audit log through a RefusalThrottle. */
export class RefusalAudit {
  private readonly throttle: RefusalThrottle;
  private readonly timer: NodeJS.Timeout;

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
   * Audits a refusal of `peer` (`details` carry the reason): its own entry, written and synced
   * before this resolves, while the peer and all peers are within their budgets; else counted.
   */
  async refuse(
    peer: string,
    details: Record<string, unknown>,
    who: { user: string; groups: string[] } = ANONYMOUS,
  ): Promise<void> {
    if (this.throttle.admit(peer, this.now())) {
      await this.auditor.record(who, "auth.refused", undefined, { ...details, peer });
    }
  }

  /** Writes the counts held since the last flush (kept for the next one when the log fails). */
  async flush(): Promise<void> {
    const held = this.throttle.drain(this.now());
    for (const [i, h] of held.entries()) {
      try {
        await this.auditor.record(ANONYMOUS, "auth.refused", undefined, {
          reason: `over the audit limit (${this.limits.perPeer} entries a peer, ${this.limits.total} in all, a window of ${this.limits.windowMs / 1000} s): counted`,
          ...h,
        });
      } catch {
        this.throttle.restore(held.slice(i));
        return;
      }
    }
  }

  /** Stops the timer and writes what is held (before the audit log closes). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
