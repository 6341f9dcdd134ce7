/**
 * Run records on disk: `<dir>/<id>.json`, each written with core's `writeFileAtomic`, so a
 * killed server leaves every file whole. Writes of one record are coalesced: while one is in
 * flight, later changes wait and the newest state is written next (never an older one after a
 * newer one).
 *
 * An active run's file holds its event log; once the run ended, `release` moves the log to
 * `<dir>/<id>.events.json` (written first) and rewrites the record without it, and the record
 * kept in memory drops it: an ended run costs its summary (a few hundred bytes), and its log is
 * read back from disk only for a replay (`events`). A record of the one-file form (a server
 * before this one, or stopped between the two writes) is split so in the background once the
 * server listens (`split`). Only
 * `<uuid>.json` names a record: `<uuid>.events.json` is never taken for one.
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@run-md/core";
import { RUN_ID } from "@run-md/core/run-id";
import { HttpError } from "../http-error.ts";
import { isActive, RUN_STATUSES, type RunEvent, type RunRecord } from "./record.ts";

// Run ids are server-made UUIDs; anything else never names a file.
export { RUN_ID };

/**
 * The most an ended run's parameters may take (as JSON, in characters) for the server to keep
 * them in memory; larger ones are read from the record's file when shown (red-team: 60 KB of
 * parameters on each run of one caller's loop stayed in memory for the server's life).
 */
export const PARAMS_KEPT = 2048;

/** Record files `load` reads at once. */
const LOAD_READS = 32;

interface Pending {
  writing: Promise<void>;
  again: boolean;
}

export class RunStore {
  private readonly runs = new Map<string, RunRecord>();
  /** `all()`'s order, kept until a record is added (a request's time never changes). */
  private newestFirst: readonly RunRecord[] | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Runs whose log is in `<id>.events.json`: their record is written without it. */
  private readonly logged = new Set<string>();
  /** Ended runs `load` found in the one-file form: their logs are in memory until `split`. */
  private unsplit: RunRecord[] = [];
  private splitting: Promise<void> = Promise.resolve();
  /**
   * Logs being read from disk, by run: replays of one run at once share one read and one parsed
   * copy (a log held in memory was one copy for every follower; read per request, 16 streams of
   * one caller were 16 copies of a log of several MB).
   */
  private readonly reading = new Map<string, Promise<RunEvent[]>>();
  /** Set by `flush` (shutdown): `split` stops between two records. */
  private closing = false;

  constructor(readonly dir: string) {}

  /**
   * Reads every record of the folder (created when missing). A file that is not a whole record
   * of its own id is named and skipped. An ended run's log still in its record stays in memory
   * until `split` moves it (not here: with a write and a sync each, 5,000 such records took 45 s
   * of the start).
   */
  async load(warn: (msg: string) => void): Promise<RunRecord[]> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter(
      (name) => name.endsWith(".json") && RUN_ID.test(name.slice(0, -5)),
    );
    // Read LOAD_READS at a time (one by one, 5,000 small files took seconds of the start), taken
    // in the folder's order.
    for (let at = 0; at < names.length; at += LOAD_READS) {
      const batch = names.slice(at, at + LOAD_READS);
      const texts = await Promise.allSettled(
        batch.map((name) => readFile(path.join(this.dir, name), "utf8")),
      );
      batch.forEach((name, i) => {
        const read = texts[i]!;
        let rec: RunRecord;
        try {
          if (read.status === "rejected") throw read.reason;
          rec = JSON.parse(read.value) as RunRecord;
          const problem = recordProblem(rec, name.slice(0, -5));
          if (problem !== undefined) throw new Error(problem);
        } catch (e) {
          warn(`run record ${name} is unreadable and was skipped: ${(e as Error).message}`);
          return;
        }
        this.add(rec);
        if (rec.events === undefined) {
          this.logged.add(rec.id);
          this.dropParams(rec);
        } else if (!isActive(rec.status)) this.unsplit.push(rec);
      });
    }
    return [...this.runs.values()];
  }

  /**
   * Moves the logs of the one-file records `load` found to their own files, one record at a time
   * (the server calls it once it listens, and does not wait); a failure is named and that log
   * stays in memory. Stops between two records once `flush` is called. Resolves once this move
   * and every earlier one ended.
   */
  split(warn: (msg: string) => void): Promise<void> {
    const todo = this.unsplit;
    this.unsplit = [];
    // After any move still going: the promise of the last call is that of every one before.
    this.splitting = this.splitting.then(async () => {
      for (const rec of todo) {
        if (this.closing) return;
        await this.release(rec).catch((e: Error) => {
          warn(
            `run record ${rec.id}.json: its event log could not be moved to its own file: ${e.message}`,
          );
        });
      }
    });
    return this.splitting;
  }

  /**
   * An ended run's log goes to its own file, then its record is rewritten without it and the
   * record in memory drops it. Nothing for an active run or one already released. Should a
   * write fail, the log stays in memory (the first write), or is read from its file (the second).
   */
  async release(rec: RunRecord): Promise<void> {
    const events = rec.events;
    if (events === undefined || isActive(rec.status)) return;
    // The record's writes in flight hold the log: the log's own file comes after them.
    await this.pending.get(rec.id)?.writing;
    await writeFileAtomic(this.logFile(rec.id), JSON.stringify(events));
    this.logged.add(rec.id);
    delete rec.events;
    await this.save(rec);
    this.dropParams(rec);
  }

  /** An ended, written record's large parameters leave memory (they are in its file). */
  private dropParams(rec: RunRecord): void {
    if (isActive(rec.status) || !this.logged.has(rec.id) || this.pending.has(rec.id)) return;
    if (JSON.stringify(rec.params ?? {}).length > PARAMS_KEPT) delete rec.params;
  }

  /**
   * The run's parameters: kept in memory, or read from its record's file (an ended run's large
   * ones). 500 `run-record-unreadable` naming the run when that file is gone or damaged.
   */
  async params(rec: RunRecord): Promise<Record<string, unknown>> {
    if (rec.params !== undefined) return rec.params;
    const file = this.recordFile(rec.id);
    try {
      const onDisk = JSON.parse(await readFile(file, "utf8")) as { id?: unknown; params?: unknown };
      const params = onDisk?.params;
      if (onDisk?.id !== rec.id || typeof params !== "object" || params === null) {
        throw new Error("it holds no parameters of this run");
      }
      return params as Record<string, unknown>;
    } catch (e) {
      this.notRemoved(rec);
      throw new HttpError(
        500,
        `the parameters of run ${rec.id} cannot be read (${path.basename(file)}: ${(e as Error).message})`,
        { code: "run-record-unreadable" },
      );
    }
  }

  /**
   * The run's event log: in memory while it is active (or while it could not be moved), else
   * read from its own file. 500 `run-log-unreadable` naming the run and the file when that is
   * gone or damaged: the run's answer (its summary, its report) stays.
   */
  events(rec: RunRecord): Promise<RunEvent[]> {
    if (rec.events !== undefined) return Promise.resolve(rec.events);
    let read = this.reading.get(rec.id);
    if (read === undefined) {
      read = this.readLog(rec).finally(() => this.reading.delete(rec.id));
      this.reading.set(rec.id, read);
    }
    return read;
  }

  private async readLog(rec: RunRecord): Promise<RunEvent[]> {
    const file = this.logFile(rec.id);
    try {
      const log = JSON.parse(await readFile(file, "utf8")) as unknown;
      if (!Array.isArray(log)) throw new Error("not a list of events");
      return log as RunEvent[];
    } catch (e) {
      this.notRemoved(rec);
      throw new HttpError(
        500,
        `the event log of run ${rec.id} cannot be read (${path.basename(file)}: ${(e as Error).message})`,
        { code: "run-log-unreadable" },
      );
    }
  }

  /**
   * 404 as for a run that never was when `rec` was removed (`server.keepRuns`) while a request
   * held it: its files went with it, and no 500 says they cannot be read.
   */
  private notRemoved(rec: RunRecord): void {
    if (this.runs.get(rec.id) !== rec) {
      throw new HttpError(404, `no run "${rec.id}"`, { code: "not-found" });
    }
  }

  private logFile(id: string): string {
    return path.join(this.dir, `${id}.events.json`);
  }

  private recordFile(id: string): string {
    return path.join(this.dir, `${id}.json`);
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
  all(): readonly RunRecord[] {
    this.newestFirst ??= [...this.runs.values()]
      .reverse()
      .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : 0));
    return this.newestFirst;
  }

  private add(rec: RunRecord): void {
    if (this.runs.get(rec.id) !== rec) this.newestFirst = undefined;
    this.runs.set(rec.id, rec);
  }

  /** Registers a record and writes it; resolves once its current state is on disk. */
  save(rec: RunRecord): Promise<void> {
    // Written without its log, the record would lose it: only once the log has its own file.
    if (rec.events === undefined && !this.logged.has(rec.id)) {
      return Promise.reject(new Error(`run ${rec.id} has no event log in memory to write`));
    }
    // Nor without the parameters its file holds (an ended run's large ones: `dropParams`).
    if (rec.params === undefined) {
      return Promise.reject(new Error(`run ${rec.id} has no parameters in memory to write`));
    }
    this.add(rec);
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
          await writeFileAtomic(this.recordFile(rec.id), JSON.stringify(rec));
        } while (entry.again);
      } finally {
        this.pending.delete(rec.id);
      }
    })();
    this.pending.set(rec.id, entry);
    return entry.writing;
  }

  /**
   * The runs that ended before `before` (`server.keepRuns`), oldest first: not active, no write
   * in flight, their log in its own file (a one-file record waits for `split`).
   */
  endedBefore(before: Date): RunRecord[] {
    const cut = before.toISOString();
    return [...this.runs.values()]
      .filter((r) => !isActive(r.status) && this.logged.has(r.id) && !this.pending.has(r.id))
      .filter((r) => endOf(r) < cut)
      .sort((a, b) => (endOf(a) < endOf(b) ? -1 : endOf(a) > endOf(b) ? 1 : 0));
  }

  /**
   * Removes an ended run's record and event log. The record's file goes first: a server stopped
   * between the two leaves a log no record names (`load` never reads one), never a record whose
   * log is gone. False when the record is not one `endedBefore` could give (no longer, or not).
   */
  async remove(rec: RunRecord): Promise<boolean> {
    if (this.runs.get(rec.id) !== rec || isActive(rec.status) || this.pending.has(rec.id)) {
      return false;
    }
    // Gone from the list before its files are: a request that reads them after finds no run.
    this.runs.delete(rec.id);
    this.logged.delete(rec.id);
    this.newestFirst = undefined;
    await rm(this.recordFile(rec.id), { force: true });
    await rm(this.logFile(rec.id), { force: true });
    return true;
  }

  /** Stops `split` and waits for every write in flight (shutdown). */
  async flush(): Promise<void> {
    this.closing = true;
    await this.splitting;
    await Promise.allSettled([...this.pending.values()].map((p) => p.writing));
  }
}

/** When a run ended (its request's time for a record that never says). */
function endOf(rec: RunRecord): string {
  return rec.endedAt ?? rec.requestedAt;
}

/**
 * Why a parsed file is not a run record of `id` (undefined when it is one): the fields the list,
 * the filters, recovery and the routes read, each of its type. An active run must hold its log.
 */
export function recordProblem(rec: unknown, id: string): string | undefined {
  if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return "not a JSON object";
  const r = rec as Record<string, unknown>;
  if (r.id !== id) return `its id is ${JSON.stringify(r.id)}, not the file's`;
  for (const k of ["runbook", "requestedAt"] as const) {
    if (typeof r[k] !== "string") return `no ${k}`;
  }
  if (!(RUN_STATUSES as readonly unknown[]).includes(r.status)) return "no known status";
  const who = r.requester as Record<string, unknown> | null | undefined;
  if (typeof who?.user !== "string" || !Array.isArray(who.groups)) return "no requester";
  for (const k of ["params", "window"] as const) {
    if (typeof r[k] !== "object" || r[k] === null) return `no ${k}`;
  }
  if (r.events !== undefined && !Array.isArray(r.events)) return "its event log is not a list";
  if (r.events === undefined && isActive(r.status as RunRecord["status"])) {
    return `no event log, though ${r.status}`;
  }
  return undefined;
}
