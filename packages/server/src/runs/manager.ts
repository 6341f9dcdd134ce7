/**
 * Runs requested through the API: recorded, queued, run through core's `runRunbook` (the CLI's
 * engines, parameters, window, sandbox), reported with core's `storeReport`, followed live, and
 * cancelled through the run's AbortSignal. Every step is audited before it takes effect.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Caller } from "@run-md/access";
import {
  configParamsFor,
  type Engine,
  errorReport,
  isRunMdError,
  type MaskOptions,
  type Runbook,
  type RunReport,
  reportKind,
  runRunbook,
  storeReport,
} from "@run-md/core";
import { type Auditor, SERVER_ACTOR } from "../audit.ts";
import { HttpError, refusalOf } from "../http-error.ts";
import { EventHub } from "./events.ts";
import { RunQueue } from "./queue.ts";
import { isActive, type RunRecord, type RunRecordStatus } from "./record.ts";
import { reporterFor } from "./reporter.ts";
import { type RunRequest, refusedParams } from "./request.ts";
import { RunStore } from "./store.ts";

/** How runs run: what `run-md run` would take from its configuration and flags. */
export interface RunSettings {
  getEngine(name: string): Promise<Engine>;
  reportsDir: string;
  toolVersion: string;
  configEngines?: Record<string, string | undefined>;
  /** Parameter values per runbook id (configuration `params:`). */
  configParams?: Record<string, Record<string, unknown>>;
  defaultTimeoutMs?: number;
  /**
   * The run-wide Athena scan budget the engines of `getEngine` enforce (the CLI creates its
   * Athena engine with it): what scan budgets count for an Athena step without `max_scan=`.
   */
  maxScanBytes?: number;
  mask?: MaskOptions;
  /**
   * What the run's engines add to its report, as `run-md run` does (the CLI's pool marks a run
   * over the bundled sample data: RunReport.sampleData).
   */
  finishReport?: (report: RunReport) => RunReport;
}

/**
 * Room for approvals (spec §6): decides, once the request is recorded, whether the run is
 * queued now or waits as `pending-approval`. Without it, every run is queued.
 */
export type AdmitHook = (rec: RunRecord, caller: Caller) => Promise<"queued" | "pending-approval">;

/**
 * Room for budgets (spec §8): called when a run leaves the queue, before its first query. A
 * `RunMdError` it throws ends the run `errored` with that message in its report.
 */
export type BeforeStartHook = (rec: RunRecord) => Promise<void>;

/** Where governance (packages/server/src/governance) steps into a run's life. */
export interface RunHooks {
  admit?: AdmitHook;
  beforeStart?: BeforeStartHook;
  /** Before anything is recorded: throws (an HttpError) to refuse the request (scan budgets). */
  check?: (caller: Caller, runbook: Runbook, req: RunRequest) => Promise<void>;
  /**
   * The engines a run uses: wraps the pool's (scan budgets watch and charge Athena queries);
   * `abort` stops the whole run with a reason its cancelled step reports.
   */
  /**
   * Asked every STANDING_CHECK_MS while a run runs (the token that asked for it revoked since):
   * an error it gives stops the run with that reason, which its cancelled step reports, after a
   * `run.cancel` entry of the server's naming the error's code.
   */
  stands?: (rec: RunRecord) => Promise<Error | undefined>;
  /** Whether a run of this runbook will wait for approval (counted against that cap then). */
  awaitsApproval?: (runbook: Runbook) => boolean;
  engines?: (
    rec: RunRecord,
    getEngine: (name: string) => Promise<Engine>,
    abort: (reason: Error) => void,
  ) => (name: string) => Promise<Engine>;
}

/**
 * How many of one person's runs may wait in the queue at once (running runs and runs pending
 * approval are not counted); one more is refused 429 `too-many-queued`, audited. Without it one
 * caller could queue without end, and the queue (first in, first out) starved every other.
 */
export const MAX_QUEUED_PER_CALLER = 10;

/**
 * How many of one person's runs may wait for approval at once: each is a record, a message to
 * every approver webhook and a row on the approvers' page for up to a day. One more is refused
 * 429 `too-many-pending`, audited (red-team: uncapped, a loop of requests was a loop of messages).
 */
export const MAX_PENDING_PER_CALLER = 10;

/** How often a running run's `stands` hook is asked (as an event stream asks for its caller). */
export const STANDING_CHECK_MS = 1000;

/** One person whatever the case of their address (as `samePerson`, the streams' count). */
const personOf = (user: string) => user.toLowerCase();

export class RunManager {
  readonly store: RunStore;
  readonly hub: EventHub;
  private readonly queue: RunQueue;
  private readonly controllers = new Map<string, AbortController>();
  private readonly runbooks = new Map<string, Runbook>();
  /** Runs on the queue or running: resolved (and removed) when each ends. */
  private readonly done = new Map<string, { ended: Promise<void>; resolve: () => void }>();
  /** Per run, the state changes (approve, deny, expire, cancel) in progress or waiting. */
  private readonly changing = new Map<string, { tail: Promise<unknown>; count: number }>();
  /** Set by `shutdown`: no run is queued any more. */
  private stopping = false;
  /**
   * Requests being recorded and ad-hoc queries waiting for a slot, by id: the person each counts
   * against until it is stored (a run) or starts (a query).
   */
  private readonly submitting = new Map<string, { person: string; pending: boolean }>();

  constructor(
    runsDir: string,
    concurrency: number,
    private readonly settings: RunSettings,
    private readonly auditor: Auditor,
    private readonly hooks: RunHooks = {},
  ) {
    this.store = new RunStore(runsDir);
    this.hub = new EventHub((rec) => this.store.save(rec));
    this.queue = new RunQueue(concurrency);
  }

  configParams(id: string): Record<string, unknown> {
    return configParamsFor(this.settings.configParams ?? {}, id);
  }

  /**
   * Loads the records and marks the runs a stopped server left queued or running as
   * `interrupted`, each with a `run.interrupted` entry. A run waiting for approval keeps waiting
   * (spec §6: a request lives until it expires) when `resume` gives its runbook, which an
   * approval then runs; else it is interrupted with the reason `resume` gives. The
   * `server.recover` entry names both. Returns how many were interrupted.
   */
  async recover(
    warn: (msg: string) => void,
    resume: (rec: RunRecord) => Runbook | string = () =>
      "the server stopped while the run was pending-approval",
  ): Promise<number> {
    const active = (await this.store.load(warn)).filter((r) => isActive(r.status));
    const resumed = new Map(
      active.filter((r) => r.status === "pending-approval").map((r) => [r, resume(r)] as const),
    );
    const waiting = active.filter((r) => typeof resumed.get(r) === "object");
    const stale = active.filter((r) => !waiting.includes(r));
    if (active.length > 0) {
      await this.auditor.record(SERVER_ACTOR, "server.recover", undefined, {
        interrupted: stale.map((r) => r.id),
        ...(waiting.length === 0 ? {} : { waiting: waiting.map((r) => r.id) }),
      });
    }
    for (const rec of waiting) {
      this.runbooks.set(rec.id, resumed.get(rec) as Runbook);
      await this.store.save(rec); // its deadline as the restarted server's rules set it
    }
    for (const rec of stale) await this.interrupt(rec, resumed.get(rec) as string | undefined);
    return stale.length;
  }

  /** Ends a run a stopped server left behind `interrupted`, audited first. */
  private async interrupt(rec: RunRecord, reason: string | undefined): Promise<void> {
    await this.auditor.record(SERVER_ACTOR, "run.interrupted", rec.runbook, {
      run: rec.id,
      was: rec.status,
    });
    rec.error = reason ?? `the server stopped while the run was ${rec.status}`;
    await this.finish(rec, "interrupted");
  }

  /** Records, audits and queues a checked request; resolves once the record is on disk. */
  async submit(caller: Caller, runbook: Runbook, req: RunRequest): Promise<RunRecord> {
    const id = randomUUID();
    let leave: () => void;
    try {
      if (this.stopping) {
        throw new HttpError(503, "the server is stopping: request the run again once it is back", {
          code: "stopping",
        });
      }
      leave = this.reserve(id, caller, this.hooks.awaitsApproval?.(runbook) ?? false);
    } catch (refused) {
      // Every run request is one entry (spec §9): one refused here too, before its answer.
      await this.auditor.record(caller, "run.request", runbook.meta.id, {
        params: refusedParams(req.params),
        window: req.window,
        ...(req.engine === undefined ? {} : { engine: req.engine }),
        refused: refusalOf(refused),
      });
      throw refused;
    }
    try {
      return await this.record(id, caller, runbook, req);
    } finally {
      leave();
    }
  }

  /**
   * Counts `id` against the caller's place in the queue until the returned function is called
   * (a run once recorded, an ad-hoc query once it starts or is given up): 429
   * `too-many-queued` when the person already has MAX_QUEUED_PER_CALLER runs and queries waiting.
   * Synchronous, so requests sent together cannot all pass the count.
   */
  reserve(id: string, caller: Caller, pending = false): () => void {
    const person = personOf(caller.user);
    if (pending && this.pendingBy(person) >= MAX_PENDING_PER_CALLER) {
      throw new HttpError(
        429,
        `you already have ${MAX_PENDING_PER_CALLER} runs waiting for approval: request more once some are decided (or cancel some)`,
        { code: "too-many-pending", limit: MAX_PENDING_PER_CALLER },
      );
    }
    if (!pending && this.queuedBy(person) >= MAX_QUEUED_PER_CALLER) {
      throw new HttpError(
        429,
        `you already have ${MAX_QUEUED_PER_CALLER} runs and queries waiting in the queue: send more once some have started (or cancel some)`,
        { code: "too-many-queued", limit: MAX_QUEUED_PER_CALLER },
      );
    }
    this.submitting.set(id, { person, pending });
    return () => {
      this.submitting.delete(id);
    };
  }

  /** The person's runs and queries waiting in the queue, and their run requests being recorded. */
  private queuedBy(person: string): number {
    return this.count(person, false, (rec) => rec.status === "queued");
  }

  /** The person's runs waiting for approval, and their requests for one being recorded. */
  private pendingBy(person: string): number {
    return this.count(person, true, (rec) => rec.status === "pending-approval");
  }

  private count(person: string, pending: boolean, stored: (rec: RunRecord) => boolean): number {
    let n = 0;
    for (const s of this.submitting.values()) if (s.person === person && s.pending === pending) n++;
    for (const rec of this.store.values()) {
      if (stored(rec) && !this.submitting.has(rec.id) && personOf(rec.requester.user) === person)
        n++;
    }
    return n;
  }

  private async record(
    id: string,
    caller: Caller,
    runbook: Runbook,
    req: RunRequest,
  ): Promise<RunRecord> {
    await this.hooks.check?.(caller, runbook, req);
    const rec: RunRecord = {
      id,
      runbook: runbook.meta.id,
      requester: {
        user: caller.user,
        groups: caller.groups,
        via: caller.via,
        ...(caller.token === undefined ? {} : { token: caller.token }),
      },
      requestedAt: new Date().toISOString(),
      status: "queued",
      params: req.params,
      window: req.window,
      ...(req.engine === undefined ? {} : { engine: req.engine }),
      events: [],
    };
    await this.auditor.record(caller, "run.request", rec.runbook, {
      run: rec.id,
      params: req.params,
      window: req.window,
      ...(req.engine === undefined ? {} : { engine: req.engine }),
    });
    this.runbooks.set(rec.id, runbook);
    rec.status = this.hooks.admit ? await this.hooks.admit(rec, caller) : "queued";
    if (rec.status === "queued") await this.enqueue(rec);
    else await this.store.save(rec);
    return rec;
  }

  /**
   * Runs `change` once every earlier state change of the run (approve, deny, expire, cancel) has
   * settled: one at a time per run, so a change that awaits its audit entry never interleaves
   * with another. Each change checks the run's status again inside, after each await.
   */
  exclusive<T>(id: string, change: () => Promise<T>): Promise<T> {
    let slot = this.changing.get(id);
    if (slot === undefined) {
      slot = { tail: Promise.resolve(), count: 0 };
      this.changing.set(id, slot);
    }
    const own = slot;
    own.count++;
    const result = own.tail.then(change);
    own.tail = result
      .catch(() => {})
      .finally(() => {
        own.count--;
        if (own.count === 0 && this.changing.get(id) === own) this.changing.delete(id);
      });
    return result;
  }

  /** How many state changes of the run are in progress or waiting (a seam for tests). */
  pendingChanges(id: string): number {
    return this.changing.get(id)?.count ?? 0;
  }

  /** Puts a recorded run on the queue (also what an approval does, spec §6). */
  async enqueue(rec: RunRecord): Promise<void> {
    if (!isActive(rec.status)) {
      throw new Error(`run ${rec.id} has already ended (${rec.status}): it cannot be queued`);
    }
    if (this.stopping) {
      // Approved while the server stops: it ends as the queued runs the stop drops do.
      rec.error = "cancelled: the server is stopping";
      await this.finish(rec, "cancelled");
      return;
    }
    rec.status = "queued";
    await this.hub.emit(rec, "queued", { position: this.queue.size.waiting + 1 });
    let resolve!: () => void;
    const ended = new Promise<void>((r) => (resolve = r));
    this.done.set(rec.id, { ended, resolve });
    this.queue.push(rec.id, () => this.execute(rec), personOf(rec.requester.user));
  }

  /**
   * Runs `job` under the same concurrency limit as runs (an ad-hoc query, spec §7). `started` is
   * called when it leaves the queue. Once `signal` aborts (its client went away) a job still
   * waiting is taken off the queue and never starts; the promise rejects with the signal's reason.
   */
  limited<T>(
    id: string,
    job: () => Promise<T>,
    signal?: AbortSignal,
    started?: () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const dropped = () => {
        if (this.queue.remove(id)) reject(signal!.reason);
      };
      signal?.addEventListener("abort", dropped, { once: true });
      // Its caller's, while it counts against their places (`reserve`).
      const owner = this.submitting.get(id)?.person;
      const run = () => {
        signal?.removeEventListener("abort", dropped);
        started?.();
        return job().then(resolve, reject);
      };
      this.queue.push(id, run, owner);
    });
  }

  queueSize(): { waiting: number; running: number } {
    return this.queue.size;
  }

  /** Whether the server is stopping: it takes no more runs (`/healthz` says so). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves when the run has ended (tests, shutdown). */
  settled(id: string): Promise<void> {
    return this.done.get(id)?.ended ?? Promise.resolve();
  }

  /**
   * Cancels a queued or running run (the caller's right to is checked by the route). A running
   * run's signal aborts, which stops the engine's query; the run then ends `cancelled`.
   */
  async cancel(caller: Caller, rec: RunRecord): Promise<void> {
    await this.exclusive(rec.id, async () => {
      if (!isActive(rec.status)) {
        // A refused cancel is audited as every refusal is (spec §9).
        await this.auditor.record(caller, "access.refused", rec.runbook, {
          action: "cancel",
          run: rec.id,
          reason: "ended",
        });
        throw endedError(rec);
      }
      await this.auditor.record(caller, "run.cancel", rec.runbook, {
        run: rec.id,
        was: rec.status,
      });
      // A running run may have ended while the entry was written: nothing left to cancel.
      if (!isActive(rec.status)) throw endedError(rec);
      rec.cancelledBy = caller.user;
      if (this.queue.remove(rec.id) || rec.status === "pending-approval") {
        await this.finish(rec, "cancelled");
        return;
      }
      this.controllers.get(rec.id)?.abort(new Error("cancelled"));
    });
  }

  /** Stops: queued runs are dropped from the queue, running ones cancelled; waits for them. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const rec of this.store.all()) {
      if (rec.status === "queued" && this.queue.remove(rec.id)) await this.finish(rec, "cancelled");
    }
    for (const c of this.controllers.values())
      c.abort(new Error("cancelled: the server is stopping"));
    await Promise.allSettled([...this.done.values()].map((d) => d.ended));
    await this.store.flush();
  }

  private async execute(rec: RunRecord): Promise<void> {
    const runbook = this.runbooks.get(rec.id)!;
    const controller = new AbortController();
    this.controllers.set(rec.id, controller);
    let stopWatching = () => {};
    try {
      await this.auditor.record(SERVER_ACTOR, "run.start", rec.runbook, { run: rec.id });
      rec.status = "running";
      rec.startedAt = new Date().toISOString();
      await this.store.save(rec); // on disk before the first query, for recovery
      stopWatching = this.watchStanding(rec, controller);
      const report = await this.runReport(rec, runbook, controller.signal);
      const file = await storeReport(this.settings.reportsDir, report);
      const stored = path.relative(this.settings.reportsDir, file);
      try {
        await this.auditor.record(SERVER_ACTOR, "run.end", rec.runbook, {
          run: rec.id,
          status: report.status,
          report: stored,
        });
      } finally {
        // The report and the status change together (finish sets the status before it awaits):
        // a reader never sees a run's answer beside "running".
        rec.report = stored;
        rec.reportKind = reportKind(report);
        const warnings = report.steps.reduce((n, s) => n + (s.warnings?.length ?? 0), 0);
        if (warnings > 0) rec.warnings = warnings;
        if (report.sampleData) rec.sampleData = true;
      }
      await this.finish(rec, report.status);
    } catch (e) {
      // Storing the report or the audit log failed: the run cannot be said to have ended well.
      rec.error = e instanceof Error ? e.message : String(e);
      await this.finish(rec, "errored").catch(() => {});
    } finally {
      stopWatching();
      this.controllers.delete(rec.id);
      this.runbooks.delete(rec.id);
    }
  }

  /**
   * Asks the `stands` hook every STANDING_CHECK_MS while the run runs; the first error it gives
   * is audited (`run.cancel` by the server, `reason`: its code), then stops the run with it as
   * the budgets' stop does (aborted even should the entry fail: a revoked token's queries must
   * not go on). Returns the function that stops asking.
   */
  private watchStanding(rec: RunRecord, controller: AbortController): () => void {
    const stands = this.hooks.stands;
    if (stands === undefined) return () => {};
    let asking = false;
    const timer = setInterval(async () => {
      if (asking || controller.signal.aborted) return;
      asking = true;
      try {
        const lapsed = await stands(rec).catch(() => undefined);
        if (lapsed === undefined || controller.signal.aborted || rec.status !== "running") return;
        clearInterval(timer);
        const code = (lapsed as { code?: unknown }).code;
        await this.auditor
          .record(SERVER_ACTOR, "run.cancel", rec.runbook, {
            run: rec.id,
            was: rec.status,
            reason: typeof code === "string" ? code : "stopped",
            ...(rec.requester.token === undefined ? {} : { token: rec.requester.token }),
            error: lapsed.message,
          })
          .catch(() => {});
        if (!controller.signal.aborted) controller.abort(lapsed);
      } finally {
        asking = false;
      }
    }, STANDING_CHECK_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async runReport(
    rec: RunRecord,
    runbook: Runbook,
    signal: AbortSignal,
  ): Promise<RunReport> {
    const s = this.settings;
    const startedAt = new Date();
    try {
      await this.hooks.beforeStart?.(rec);
      const report = await runRunbook(
        runbook,
        {
          ...(rec.engine === undefined ? {} : { engine: rec.engine }),
          configEngines: s.configEngines ?? {},
          configParams: { ...this.configParams(rec.runbook), ...rec.params },
          window: rec.window,
          ...(s.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: s.defaultTimeoutMs }),
          signal,
          ...(s.mask === undefined ? {} : { mask: s.mask }),
          toolVersion: s.toolVersion,
          runId: rec.id,
        },
        { getEngine: this.enginesFor(rec, signal), reporter: reporterFor(rec, this.hub) },
      );
      return s.finishReport ? s.finishReport(report) : report;
    } catch (e) {
      if (!isRunMdError(e)) throw e;
      return errorReport(runbook, e, { toolVersion: s.toolVersion, runId: rec.id }, startedAt);
    }
  }

  /** The pool's engines, as the governance hook wraps them for this run. */
  private enginesFor(rec: RunRecord, signal: AbortSignal): (name: string) => Promise<Engine> {
    const base = (name: string) => this.settings.getEngine(name);
    if (this.hooks.engines === undefined) return base;
    const abort = (reason: Error) => {
      if (!signal.aborted) this.controllers.get(rec.id)?.abort(reason);
    };
    return this.hooks.engines(rec, base, abort);
  }

  /**
   * The end of a run: its status, the `run-end` event, the record on disk. Also how a run that
   * never started ends (denied, expired: spec §6).
   */
  async finish(rec: RunRecord, status: RunRecordStatus): Promise<void> {
    // One end per run: a run that already ended keeps its status and its one `run-end`.
    if (!isActive(rec.status)) {
      this.done.get(rec.id)?.resolve();
      this.done.delete(rec.id);
      return;
    }
    rec.status = status;
    rec.endedAt = new Date().toISOString();
    this.runbooks.delete(rec.id);
    try {
      await this.hub.emit(rec, "run-end", {
        status,
        ...(rec.report === undefined ? {} : { report: rec.report, kind: rec.reportKind }),
        ...(rec.sampleData ? { sampleData: true } : {}),
        ...(rec.error === undefined ? {} : { error: rec.error }),
      });
      // Its log to disk only: an ended run keeps its summary in memory. Should that write
      // fail, the log stays in memory and on the record's file, whole either way.
      await this.store.release(rec).catch(() => {});
    } finally {
      this.done.get(rec.id)?.resolve();
      this.done.delete(rec.id);
    }
  }
}

/** 409 `ended`: the run is no longer queued, running or waiting for approval. */
export function endedError(rec: RunRecord): HttpError {
  return new HttpError(409, `run ${rec.id} has already ended (${rec.status})`, { code: "ended" });
}
