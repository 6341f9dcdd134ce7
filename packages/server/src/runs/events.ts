/**
 * The live side of a run's event log: events are appended to the record (persisted with it, so
 * replay survives a restart) and pushed to the clients following the run.
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

  /** Appends an event to the run's log, tells its followers, and schedules the write. */
  emit(rec: RunRecord, event: RunEventName, data: Record<string, unknown>): Promise<void> {
    const ev: RunEvent = { id: rec.events.length + 1, event, time: this.now().toISOString(), data };
    rec.events.push(ev);
    for (const l of this.listeners.get(rec.id) ?? []) l(ev);
    return this.persist(rec);
  }

  /**
   * Sends what happened after `afterId` (0: everything), then the rest as it comes. Returns the
   * function that stops following.
   */
  follow(rec: RunRecord, afterId: number, listener: Listener): () => void {
    for (const ev of rec.events) if (ev.id > afterId) listener(ev);
    let set = this.listeners.get(rec.id);
    if (!set) {
      set = new Set();
      this.listeners.set(rec.id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(rec.id);
    };
  }
}
