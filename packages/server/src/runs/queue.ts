/**
 * At most `limit` jobs at once (`server.concurrency`). A slot that frees goes to the person with
 * the fewest jobs running, their job that waited longest; between people with as many running,
 * first in, first out. One person's runs queued ahead of everyone (ten slow runs, each holding a
 * slot to its timeout) then hold the slots only until one frees (red-team: the others waited
 * for all of them).
 */
export class RunQueue {
  private readonly waiting: Array<{ id: string; owner: string; job: () => Promise<void> }> = [];
  private readonly running = new Map<string, number>();
  private active = 0;

  constructor(private readonly limit: number) {}

  /** `owner`: whose job it is (a person); unset, the job is its own. */
  push(id: string, job: () => Promise<void>, owner = id): void {
    this.waiting.push({ id, owner, job });
    this.next();
  }

  /** Takes a job out of the queue before it starts; false when it already started. */
  remove(id: string): boolean {
    const i = this.waiting.findIndex((w) => w.id === id);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  get size(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.active };
  }

  /** The waiting job of the person with the fewest running, the first of theirs. */
  private fairest(): number {
    const runs = (owner: string) => this.running.get(owner) ?? 0;
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      if (runs(this.waiting[i]!.owner) < runs(this.waiting[best]!.owner)) best = i;
    }
    return best;
  }

  private next(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      const { job, owner } = this.waiting.splice(this.fairest(), 1)[0]!;
      this.active++;
      this.running.set(owner, (this.running.get(owner) ?? 0) + 1);
      // A job handles its own errors; the queue only keeps the count right.
      void job()
        .catch(() => {})
        .finally(() => {
          this.active--;
          const left = (this.running.get(owner) ?? 1) - 1;
          if (left === 0) this.running.delete(owner);
          else this.running.set(owner, left);
          this.next();
        });
    }
  }
}
