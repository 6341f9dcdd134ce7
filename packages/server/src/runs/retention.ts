/**
 * `server.keepRuns`: the records and event logs of runs that ended longer ago than it are
 * removed, at the start and every hour. Each batch of removals is audited first (`runs.removed`,
 * by the server, naming the runs), so what was removed, and when, stays in the audit log.
 */
import { type Auditor, SERVER_ACTOR } from "../audit.ts";
import type { RunStore } from "./store.ts";

/** Runs named by one `runs.removed` entry (a bounded entry: 500 ids are about 20 KB). */
export const REMOVED_PER_ENTRY = 500;

/** How often the runs past `keepRuns` are looked for once the server runs. */
const SWEEP_MS = 3600_000;

export interface RetentionOptions {
  keepMs: number;
  warn: (message: string) => void;
  now?: () => Date;
}

export class RunRetention {
  private timer: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly auditor: Auditor,
    private readonly opts: RetentionOptions,
  ) {}

  /** Removes the runs that ended before now minus `keepMs`; resolves to how many went. */
  sweep(): Promise<number> {
    this.sweeping ??= this.removeDue().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Sweeps every hour (the timer does not keep the process alive); a failure is warned. */
  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((e) => this.opts.warn(`run records: ${(e as Error).message}`));
    }, SWEEP_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.sweeping?.catch(() => {});
  }

  private async removeDue(): Promise<number> {
    const now = this.opts.now?.() ?? new Date();
    const before = new Date(now.getTime() - this.opts.keepMs);
    const due = this.store.endedBefore(before);
    let removed = 0;
    for (let at = 0; at < due.length; at += REMOVED_PER_ENTRY) {
      const batch = due.slice(at, at + REMOVED_PER_ENTRY);
      // Written (and synced) before the files go: a removal the log does not show never happens.
      await this.auditor.record(SERVER_ACTOR, "runs.removed", undefined, {
        endedBefore: before.toISOString(),
        runs: batch.map((r) => r.id),
      });
      for (const rec of batch) if (await this.store.remove(rec)) removed++;
    }
    return removed;
  }
}
