/**
 * Run records on disk: `<dir>/<id>.json`, each written with core's `writeFileAtomic`, so a
 * killed server leaves every file whole. Writes of one record are coalesced: while one is in
 * flight, later changes wait and the newest state is written next (never an older one after a
 * newer one).
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@run-md/core";
import { RUN_ID } from "@run-md/core/run-id";
import type { RunRecord } from "./record.ts";

// Run ids are server-made UUIDs; anything else never names a file.
export { RUN_ID };

interface Pending {
  writing: Promise<void>;
  again: boolean;
}

export class RunStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly pending = new Map<string, Pending>();

  constructor(readonly dir: string) {}

  /** Reads every record of the folder (created when missing); unreadable files are reported. */
  async load(warn: (msg: string) => void): Promise<RunRecord[]> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith(".json") || !RUN_ID.test(name.slice(0, -5))) continue;
      try {
        const rec = JSON.parse(await readFile(path.join(this.dir, name), "utf8")) as RunRecord;
        this.runs.set(rec.id, rec);
      } catch (e) {
        warn(`run record ${name} is unreadable and was skipped: ${(e as Error).message}`);
      }
    }
    return [...this.runs.values()];
  }

  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** Every record, in no order (no sort: for counts). */
  values(): IterableIterator<RunRecord> {
    return this.runs.values();
  }

  /**
   * Every record, newest request first; of requests in the same millisecond, the one registered
   * last first (the map keeps the order they came in, and the sort is stable).
   */
  all(): RunRecord[] {
    return [...this.runs.values()]
      .reverse()
      .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : 0));
  }

  /** Registers a record and writes it; resolves once its current state is on disk. */
  save(rec: RunRecord): Promise<void> {
    this.runs.set(rec.id, rec);
    const p = this.pending.get(rec.id);
    if (p) {
      p.again = true;
      return p.writing;
    }
    const entry: Pending = { writing: Promise.resolve(), again: false };
    entry.writing = (async () => {
      try {
        do {
          entry.again = false;
          await writeFileAtomic(path.join(this.dir, `${rec.id}.json`), JSON.stringify(rec));
        } while (entry.again);
      } finally {
        this.pending.delete(rec.id);
      }
    })();
    this.pending.set(rec.id, entry);
    return entry.writing;
  }

  /** Waits for every write in flight (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending.values()].map((p) => p.writing));
  }
}
