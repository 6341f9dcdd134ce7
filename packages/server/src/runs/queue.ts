/** First in, first out, at most `limit` jobs at once (`server.concurrency`). */
export class RunQueue {
  private readonly waiting: Array<{ id: string; job: () => Promise<void> }> = [];
  private active = 0;

  constructor(private readonly limit: number) {}

  push(id: string, job: () => Promise<void>): void {
    this.waiting.push({ id, job });
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

  private next(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      const { job } = this.waiting.shift()!;
      this.active++;
      // A job handles its own errors; the queue only keeps the count right.
      void job()
        .catch(() => {})
        .finally(() => {
          this.active--;
          this.next();
        });
    }
  }
}
