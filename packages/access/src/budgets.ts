/**
 * Daily Athena scan budgets (spec access-proxy.md §8, `access.budgets`). The ledger
 * (`server.budgets`, default `.run-md/budgets.json`) holds the bytes charged to each budget on
 * the current UTC day; a new day starts every budget at zero. A caller in several groups is
 * bound by every budget that names one of them: a run must fit in each, and is charged to each.
 */
import { readFile } from "node:fs/promises";
import { formatBytes, RunMdError, writeFileAtomic } from "@run-md/core";
import { type AccessConfig, type BudgetRule, type Caller, inGroups } from "./model.ts";

export const DEFAULT_BUDGETS_FILE = ".run-md/budgets.json";

interface LedgerFile {
  version: 1;
  /** The UTC day the figures are for, `2026-11-30`. */
  day: string;
  /** Budget key (its groups) → bytes charged that day. */
  used: Record<string, number>;
}

export interface BudgetStatus {
  budget: BudgetRule;
  used: number;
  remaining: number;
}

/**
 * What one running Athena query of a caller has scanned so far (`BudgetLedger.begin`): counted
 * against the caller's budgets with what is charged, so that queries running at once cannot each
 * spend what is left. It ends when its bytes are charged.
 */
export interface ScanInFlight {
  /** The bytes the query has scanned so far (its latest progress). */
  scanned: number;
  /** Stops counting it (after its bytes are charged). */
  end(): void;
}

export type BudgetCheck =
  | { ok: true }
  | { ok: false; budget: BudgetRule; used: number; requested: number; message: string };

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

export class BudgetLedger {
  private queue: Promise<unknown> = Promise.resolve();
  /** Running queries' scans, with the keys of the budgets they count against. */
  private readonly inFlight = new Set<{ keys: string[]; flight: ScanInFlight }>();

  private constructor(
    private readonly cfg: AccessConfig,
    readonly file: string,
    private ledger: LedgerFile,
    private readonly now: () => Date,
  ) {}

  /** Reads the ledger (a missing file is an empty one). */
  static async open(
    cfg: AccessConfig,
    file: string,
    now: () => Date = () => new Date(),
  ): Promise<BudgetLedger> {
    let ledger: LedgerFile = { version: 1, day: utcDay(now()), used: {} };
    try {
      const data = JSON.parse(await readFile(file, "utf8")) as LedgerFile;
      if (data?.version !== 1 || typeof data.day !== "string" || typeof data.used !== "object")
        throw new RunMdError("budgets-invalid", `${file} is not a run-md budget ledger`);
      ledger = data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
        if (e instanceof SyntaxError)
          throw new RunMdError("budgets-invalid", `${file} is not JSON`);
        throw e;
      }
    }
    return new BudgetLedger(cfg, file, ledger, now);
  }

  /** Today's figures (starting the day over when the UTC date changed). */
  private today(): Record<string, number> {
    const day = utcDay(this.now());
    if (this.ledger.day !== day) this.ledger = { version: 1, day, used: {} };
    return this.ledger.used;
  }

  /**
   * Every budget that binds the caller, with what is used and left today: the bytes charged,
   * and what queries running now have scanned so far (all but `except`'s).
   */
  status(caller: Caller, except?: ScanInFlight): BudgetStatus[] {
    const used = this.today();
    return this.cfg.budgets
      .filter((b) => inGroups(caller, b.groups))
      .map((budget) => {
        const u = (used[budget.key] ?? 0) + this.scanning(budget.key, except);
        return { budget, used: u, remaining: Math.max(0, budget.athenaScanPerDay - u) };
      });
  }

  /** What the running queries counted against a budget have scanned so far. */
  private scanning(key: string, except: ScanInFlight | undefined): number {
    let bytes = 0;
    for (const q of this.inFlight)
      if (q.flight !== except && q.keys.includes(key)) bytes += q.flight.scanned;
    return bytes;
  }

  /** Counts a running query of the caller against their budgets until it ends (`ScanInFlight`). */
  begin(caller: Caller): ScanInFlight {
    const keys = this.status(caller).map((s) => s.budget.key);
    const entry = {
      keys,
      flight: { scanned: 0, end: () => void this.inFlight.delete(entry) },
    };
    this.inFlight.add(entry);
    return entry.flight;
  }

  /** The bytes the caller may still scan today; undefined when no budget binds them. */
  remaining(caller: Caller): number | undefined {
    const all = this.status(caller);
    return all.length === 0 ? undefined : Math.min(...all.map((s) => s.remaining));
  }

  /**
   * Whether `requestedBytes` (a run's `max_scan`, or what the running `query` has scanned so
   * far) fits in every budget of the caller, beside what is charged and what the other running
   * queries have scanned. A budget with nothing left refuses even 0 bytes.
   */
  check(caller: Caller, requestedBytes: number, query?: ScanInFlight): BudgetCheck {
    for (const { budget, used } of this.status(caller, query)) {
      if (used >= budget.athenaScanPerDay || used + requestedBytes > budget.athenaScanPerDay)
        return {
          ok: false,
          budget,
          used,
          requested: requestedBytes,
          message: `the Athena scan budget of ${budget.groups.join(", ")} (${budget.text} a day) would be passed: ${formatBytes(used)} scanned today, ${formatBytes(requestedBytes)} more requested`,
        };
    }
    return { ok: true };
  }

  /**
   * Adds what a run scanned to each of the caller's budgets, persisted before it resolves. The
   * running `query` whose bytes these are stops counting at the same moment (never twice).
   */
  charge(caller: Caller, bytes: number, query?: ScanInFlight): Promise<void> {
    if (!Number.isFinite(bytes) || bytes < 0)
      return Promise.reject(new RangeError(`bytes must be a non-negative number, got ${bytes}`));
    const next = this.queue.then(async () => {
      const used = this.today();
      for (const { budget } of this.status(caller))
        used[budget.key] = (used[budget.key] ?? 0) + bytes;
      query?.end();
      await writeFileAtomic(this.file, `${JSON.stringify(this.ledger, null, 2)}\n`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
