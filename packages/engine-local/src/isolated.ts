/**
 * The local engine in a child process of its own, stopped when it passes a memory limit.
 *
 * DuckDB's `memoryLimit` bounds what its buffer manager hands out, not every allocation: a value
 * a list lambda or a string function builds is outside it, and an interrupt waits for the call
 * running. `list_transform(range(4000), x -> lpad('', 900000, 'a'))` takes 3.6 GB under a 200 MB
 * limit, and a value doubled by `reduce` grew to 9 GB in two minutes past a 20 s timeout
 * (measured, docs/engines.md "Safety"). The guards of bounds.ts refuse one call that builds a
 * value past 1 MB; what a query builds from many of them only the operating system can stop. So
 * `run-md serve` (and whoever sets `local.processMemoryLimit`) runs the engine in a child
 * process: this side watches its resident memory (rss.ts) while queries run and kills it past the
 * limit, failing the queries in flight with `engine-memory`; a cancelled query that has not
 * stopped within the grace is ended the same way; a crash of DuckDB ends the child, not the
 * server. The next query starts a new child (and DuckDB) with the same options.
 *
 * The child answers the engine's own interface (isolated-child.ts, isolated-wire.ts): rows of a
 * streamed query come one chunk at a time, each acknowledged before the next, without their
 * values when the request's `rowsWanted` says the consumer only counts them (a 2M-row result
 * counted took 4.3 s through the child with its values, against 0.23 s in the caller's process).
 */
import { type ChildProcess, fork } from "node:child_process";
import { promises as fsp } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  builtinEngine,
  type Dialect,
  type Engine,
  formatBytes,
  parseBytes,
  type QueryRequest,
  type QueryResult,
  RunMdError,
} from "@run-md/core";
import { threadsFromEnv } from "./descriptor.ts";
import { cancelled, defaultMemoryLimit, type LocalEngineOptions } from "./engine.ts";
import { type FromChild, fromWire, type ToChild } from "./isolated-wire.ts";
import { re2ValueProblem } from "./re2.ts";
import { RSS_INTERVAL_MS, residentBytes } from "./rss.ts";

export interface IsolationLimits {
  /** The child's resident memory past which it is killed, in bytes. */
  memoryBytes: number;
  /** How long a cancelled query may take to stop before the child is killed (default 5 s). */
  stopGraceMs?: number;
  /** How long a new child may take to open its engine before it is killed (default 60 s). */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5_000;
/**
 * Opening takes well under a second (a few under load); a child that has not answered in a minute
 * is stuck (a log folder on a file system that stopped answering, a stopped process), and its
 * queries would wait on it for good.
 */
const START_TIMEOUT_MS = 60_000;
/** Beside DuckDB's own limit: Node, DuckDB's allocations outside its buffer manager. */
const HEADROOM = 2 ** 30;

/**
 * The bytes `local.processMemoryLimit` means: a size (`8GiB`), or `auto`: DuckDB's memory limit
 * (configured, or the engine's default) plus 1 GiB, at most 80% of the machine's memory.
 * Undefined for `none`/`off` (the engine runs in the caller's process); `bad-config` otherwise.
 */
export function processMemoryBytes(
  limit: string,
  options: Pick<LocalEngineOptions, "memoryLimit" | "threads">,
): number | undefined {
  if (/^\s*(none|off)\s*$/i.test(limit)) return undefined;
  if (!/^\s*auto\s*$/i.test(limit)) {
    const bytes = parseBytes(limit);
    if (bytes !== undefined) return bytes;
    throw new RunMdError(
      "bad-config",
      `"local.processMemoryLimit" must be a size such as 8GiB, auto or none, not "${limit}"`,
    );
  }
  const duckdb = parseBytes(
    options.memoryLimit ??
      defaultMemoryLimit(options.threads ?? threadsFromEnv() ?? os.availableParallelism()),
  );
  const machine = Math.floor(os.totalmem() * 0.8);
  return duckdb === undefined ? machine : Math.min(duckdb + HEADROOM, machine);
}

/** Opens the engine in a child process (its options checked there, as createLocalEngine does). */
export async function createIsolatedEngine(
  options: LocalEngineOptions,
  limits: IsolationLimits,
): Promise<IsolatedLocalEngine> {
  const engine = new IsolatedLocalEngine(options, limits);
  await engine.start();
  return engine;
}

export class IsolatedLocalEngine implements Engine {
  readonly name = "local" as const;
  readonly dialects = builtinEngine("local").dialects;
  private child: Promise<ChildEngine> | undefined;
  private closed = false;
  /** Children started so far (the first included): for tests and the server's log. */
  starts = 0;
  /** The process of a child still opening its engine (close() kills it: it may never answer). */
  private opening: ChildProcess | undefined;
  /** The last child that opened (alive or not). */
  private open: ChildEngine | undefined;

  constructor(
    private readonly options: LocalEngineOptions,
    readonly limits: IsolationLimits,
  ) {}

  async start(): Promise<void> {
    await this.running();
  }

  /**
   * The request's signal stops the wait for a child that is not open, as it stops the query: the
   * first child, or one started again after the last ended (it starts a microtask later, so
   * `opening` cannot tell). A live open child is handed the request whatever its signal says (it
   * stops the query, or is killed past the grace: a stuck child is found so).
   */
  async query(req: QueryRequest): Promise<QueryResult> {
    const open = () => this.open?.alive === true;
    return (await untilAborted(this.running(), req.signal, open)).query(req);
  }

  /** RE2's verdict on a pattern value, asked in this process (re2.ts): no child is needed. */
  regexProblem(value: string, dialect: Dialect, name: string): Promise<string | undefined> {
    return re2ValueProblem(value, dialect, name);
  }

  /** The child's process id while one runs (tests stop it to play a stuck query). */
  async pid(): Promise<number | undefined> {
    return (await this.child?.catch(() => undefined))?.pid;
  }

  /** The process of the child opening its engine, before it answers (tests stop it there). */
  get openingPid(): number | undefined {
    return this.opening?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opening?.kill("SIGKILL");
    await (await this.child?.catch(() => undefined))?.close();
  }

  /**
   * The child that answers, started again when the last one ended; none once closed (a query
   * that found its child ended as close() ran started one that nobody closed).
   */
  private running(): Promise<ChildEngine> {
    if (this.closed) return Promise.reject(closedError());
    const p = this.child;
    if (p === undefined) {
      this.starts++;
      const started = startChild(this.options, this.limits, (proc) => {
        this.opening = proc;
      });
      this.child = started;
      started.then(
        (c) => {
          this.open = c;
        },
        () => {
          if (this.child === started) this.child = undefined;
        },
      );
      return started;
    }
    return p.then(
      (c) => (c.alive ? c : this.restart(p)),
      () => this.running(),
    );
  }

  private restart(ended: Promise<ChildEngine>): Promise<ChildEngine> {
    if (this.child === ended) this.child = undefined;
    return this.running();
  }
}

/** Where the child's code is: the source under tsx (tests), or the bundle's own entry. */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    return {
      file: path.join(path.dirname(here), "isolated-child.ts"),
      execArgv: ["--import", tsx],
    };
  }
  return { file: path.join(path.dirname(here), "local-engine-child.js"), execArgv: [] };
}

async function startChild(
  options: LocalEngineOptions,
  limits: IsolationLimits,
  opening: (proc: ChildProcess | undefined) => void,
): Promise<ChildEngine> {
  const { file, execArgv } = childEntry();
  const proc = fork(file, [], {
    execArgv,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Its own process group: Ctrl-C in the server's terminal (SIGINT to the foreground group)
    // reaches the server, which cancels its runs and closes the engine, not this process, whose
    // death was seen first under load and errored the runs (engine-crashed) instead of
    // cancelling them. It still ends with its channel (isolated-child.ts).
    detached: process.platform !== "win32",
  });
  opening(proc);
  const { processMemoryLimit: _, ...engineOptions } = options;
  let timer: NodeJS.Timeout | undefined;
  try {
    const cacheDir = await new Promise<string>((resolve, reject) => {
      proc.on("message", (m: FromChild) => {
        if (m.t === "opened") resolve(m.cacheDir);
        else if (m.t === "open-failed") reject(fromWire(m.error));
      });
      proc.once("error", reject);
      proc.once("exit", (code, signal) => reject(ended(code, signal)));
      const ms = limits.startTimeoutMs ?? START_TIMEOUT_MS;
      timer = setTimeout(() => reject(notStarted(ms)), ms);
      proc.send({ t: "open", options: engineOptions } satisfies ToChild);
    });
    proc.removeAllListeners();
    return new ChildEngine(proc, cacheDir, limits);
  } catch (e) {
    proc.removeAllListeners();
    proc.kill("SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
    opening(undefined);
  }
}

/** The child, or the request's cancellation while it is awaited and no child is `open`. */
function untilAborted<T>(child: Promise<T>, signal: AbortSignal, open: () => boolean): Promise<T> {
  if (signal.aborted && !open()) return Promise.reject(cancelled());
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      if (!open()) reject(cancelled());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([child, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

function notStarted(ms: number): RunMdError {
  return new RunMdError(
    "engine-crashed",
    `the local engine's process did not open within ${ms / 1000} s, and was stopped (a log folder or store on a file system that does not answer, a machine out of memory)`,
    { retryable: true, details: { engine: "local" } },
  );
}

/** The error of a child that ended by itself (DuckDB crashed, the system's OOM killer). */
function ended(code: number | null, signal: NodeJS.Signals | null): RunMdError {
  const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
  return new RunMdError(
    "engine-crashed",
    `the local engine's process ended unexpectedly (${how}) while this query ran`,
    { retryable: true, details: { engine: "local" } },
  );
}

interface Pending {
  request: QueryRequest;
  resolve(r: QueryResult): void;
  reject(e: unknown): void;
  /** The consumer of streamed rows failed: the query's error is this. */
  failure?: unknown;
  /** When the request's signal aborted (the grace counts from it). */
  abortedAt?: number;
  detach(): void;
}

/** One child process and the queries it answers, until it ends. */
class ChildEngine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why this side ended the child; undefined while it runs or when it ended by itself. */
  private stopping: ((p: Pending) => unknown) | undefined;
  private exited = false;
  private watch: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly gone: Promise<void>;

  constructor(
    private readonly proc: ChildProcess,
    cacheDir: string,
    private readonly limits: IsolationLimits,
  ) {
    proc.on("message", (m: FromChild) => this.onMessage(m));
    // An error of the process (a failed kill or write): its exit is what settles the queries.
    proc.on("error", () => {});
    this.gone = new Promise((resolve) => {
      // Its queries fail once its session folder is gone: a caller that stops then leaves none.
      proc.once("exit", (code, signal) => {
        this.exited = true;
        if (this.watch !== undefined) clearInterval(this.watch);
        void fsp.rm(cacheDir, { recursive: true, force: true }).finally(() => {
          this.onExit(code, signal);
          resolve();
        });
      });
    });
  }

  get alive(): boolean {
    return !this.exited && this.stopping === undefined;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  query(request: QueryRequest): Promise<QueryResult> {
    const id = this.nextId++;
    return new Promise<QueryResult>((resolve, reject) => {
      const onAbort = () => this.abort(id);
      request.signal.addEventListener("abort", onAbort);
      const detach = () => request.signal.removeEventListener("abort", onAbort);
      this.pending.set(id, { request, resolve, reject, detach });
      const { signal: _s, onProgress: _p, onRows, rowsWanted, ...wire } = request;
      const streaming = onRows !== undefined;
      const wanted = rowsWanted?.() ?? true;
      this.send({ t: "query", id, request: { ...wire, streaming, wanted } });
      this.startWatch();
      if (request.signal.aborted) onAbort();
    });
  }

  /** Closes the channel (the child closes DuckDB and ends); killed if it has not within the grace. */
  async close(): Promise<void> {
    this.stopping ??= closedError;
    if (!this.exited) this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), this.grace());
    await this.gone;
    clearTimeout(timer);
  }

  private grace(): number {
    return this.limits.stopGraceMs ?? STOP_GRACE_MS;
  }

  /**
   * A write to a process that died before this side read the end of its channel fails (EPIPE):
   * without a callback, Node emits it as an 'error' of the process, which nobody handled, and the
   * server ended. Its exit settles its queries.
   */
  private send(m: ToChild): void {
    if (this.proc.connected) this.proc.send(m, () => {});
  }

  private abort(id: number): void {
    const p = this.pending.get(id);
    if (p === undefined || p.abortedAt !== undefined) return;
    p.abortedAt = Date.now();
    this.send({ t: "abort", id });
    this.startWatch();
  }

  private onMessage(m: FromChild): void {
    if (m.t === "opened" || m.t === "open-failed") return;
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    if (m.t === "progress") {
      p.request.onProgress?.({ message: m.message, ...(m.stats ? { stats: m.stats } : {}) });
    } else if (m.t === "rows") {
      void this.deliver(m.id, p, m);
    } else {
      this.settle(m.id, p);
      if (m.t === "done") p.resolve(m.result);
      else p.reject(p.failure ?? fromWire(m.error));
    }
  }

  /** Hands a chunk to the request's consumer, then lets the child send the next. */
  private async deliver(id: number, p: Pending, m: Extract<FromChild, { t: "rows" }>) {
    const rows = (m.rows ?? []) as QueryResult["rows"];
    try {
      // A consumer that failed gets nothing more (the rest of a chunk's pieces may follow).
      if (p.failure === undefined)
        await p.request.onRows?.({
          columns: m.columns,
          length: m.length,
          rows: () => rows.map((r) => r.slice()),
          ...(m.restart ? { restart: true } : {}),
        });
    } catch (e) {
      p.failure = e;
      this.send({ t: "abort", id });
    }
    this.send({ t: "ack", id, wanted: p.request.rowsWanted?.() ?? true });
  }

  private settle(id: number, p: Pending): void {
    p.detach();
    this.pending.delete(id);
    if (this.pending.size === 0 && this.watch !== undefined) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }

  private startWatch(): void {
    this.watch ??= setInterval(() => void this.check(), RSS_INTERVAL_MS);
  }

  /** Past the memory limit, or a cancelled query past its grace: the child is killed. */
  private async check(): Promise<void> {
    if (this.checking || this.exited || this.proc.pid === undefined) return;
    this.checking = true;
    const rss = await residentBytes(this.proc.pid);
    this.checking = false;
    if (rss !== undefined && rss > this.limits.memoryBytes) {
      const error = this.memoryError(rss, this.pending.size - 1);
      return this.kill(() => error);
    }
    const now = Date.now();
    const stuck = [...this.pending.values()].some(
      (p) => p.abortedAt !== undefined && now - p.abortedAt > this.grace(),
    );
    if (stuck) this.kill((p) => (p.abortedAt === undefined ? this.stuckError() : cancelled()));
  }

  private kill(reason: (p: Pending) => unknown): void {
    if (this.stopping !== undefined || this.exited) return;
    this.stopping = reason;
    this.proc.kill("SIGKILL");
  }

  private memoryError(rss: number, others: number): RunMdError {
    const also = others > 0 ? ` (with ${others} other ${others === 1 ? "query" : "queries"})` : "";
    return new RunMdError(
      "engine-memory",
      `the local engine's process passed its memory limit (local.processMemoryLimit, ${formatBytes(this.limits.memoryBytes)}; it held ${formatBytes(rss)}) while this query ran${also}, and was stopped`,
      { details: { engine: "local" } },
    );
  }

  private stuckError(): RunMdError {
    return new RunMdError(
      "engine-crashed",
      `the local engine's process was stopped while this query ran: another query, cancelled, did not stop within ${this.grace()} ms`,
      { retryable: true, details: { engine: "local" } },
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    for (const [id, p] of this.pending) {
      this.settle(id, p);
      p.reject(this.stopping?.(p) ?? ended(code, signal));
    }
  }
}

const closedError = () => new RunMdError("cancelled", "The local engine was closed.");
