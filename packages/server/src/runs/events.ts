/**
 * The live side of a run's event log: events are appended to the record (persisted with it, so
 * replay survives a restart) and pushed to the clients following the run. An ended run's log is
 * on disk only (store.ts `release`): a replay reads it there.
 */
import type { RunEvent, RunEventName, RunRecord } from "./record.ts";

export type Listener = (event: RunEvent) => void;

/** Events after which nothing more comes for a run. */
export const FINAL_EVENT: RunEventName = "run-end";

export class EventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly persist: (rec: RunRecord) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends an event to the run's log, tells its followers, and schedules the write. A run whose
   * log was released (it ended) takes no more: that is an error, never a new log of one event.
   */
  emit(rec: RunRecord, event: RunEventName, data: Record<string, unknown>): Promise<void> {
    const log = rec.events;
    if (log === undefined) {
      return Promise.reject(new Error(`run ${rec.id} has ended: its event log takes no more`));
    }
    const ev: RunEvent = { id: log.length + 1, event, time: this.now().toISOString(), data };
    log.push(ev);
    for (const l of this.listeners.get(rec.id) ?? []) l(ev);
    return this.persist(rec);
  }

  /**
   * Sends what `log` (the run's, from `RunStore.events`) holds after `afterId` (0: everything),
   * then, while the run goes on, the rest as it comes. `ended`: nothing more will come (the log
   * ends with `run-end`, or it is no longer the run's live log: read from disk, or released
   * since, which happens only after its `run-end`). Returns the function that stops following.
   */
  follow(
    rec: RunRecord,
    log: readonly RunEvent[],
    afterId: number,
    listener: Listener,
  ): { stop: () => void; ended: boolean } {
    for (const ev of log) if (ev.id > afterId) listener(ev);
    // Replay and subscription in one synchronous stretch: no event falls between them.
    if (log.at(-1)?.event === FINAL_EVENT || rec.events !== log) {
      return { stop: () => {}, ended: true };
    }
    let set = this.listeners.get(rec.id);
    if (!set) {
      set = new Set();
      this.listeners.set(rec.id, set);
    }
    set.add(listener);
    return {
      stop: () => {
        set.delete(listener);
        if (set.size === 0) this.listeners.delete(rec.id);
      },
      ended: false,
    };
  }
}
