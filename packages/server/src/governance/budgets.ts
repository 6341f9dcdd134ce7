/**
 * Daily Athena scan budgets (spec §8) in the server: a run whose `max_scan` would pass the
 * caller's budget is refused before anything is recorded (429, `budget.refused`); a running
 * Athena query is watched through the engine's progress statistics (`dataScannedBytes`) and the
 * whole run is stopped when the query passes the budget (`budget.stopped`); what every query
 * scanned is charged to the ledger when its step ends. The ledger (`@run-md/access`) starts each
 * UTC day afresh by its injected clock.
 */
import type { BudgetLedger, Caller } from "@run-md/access";
import {
  chooseEngine,
  type Engine,
  formatBytes,
  type QueryRequest,
  type Runbook,
  RunMdError,
} from "@run-md/core";
import type { Auditor } from "../audit.ts";
import { HttpError } from "../http-error.ts";

export interface BudgetSettings {
  /** `--max-scan` equivalent: the bound of steps without their own `max_scan=`. */
  maxScanBytes?: number;
  configEngines?: Record<string, string | undefined>;
}

/** The engine name that scans billed bytes. */
const ATHENA = "athena";

export class ScanBudgets {
  constructor(
    readonly ledger: BudgetLedger,
    private readonly auditor: Auditor,
    private readonly settings: BudgetSettings,
  ) {}

  /**
   * What the run may scan on Athena at most: the sum of its Athena steps' `max_scan` (or the
   * configured default); `undefined` when a step is unbounded; 0 when no step runs on Athena.
   */
  runBound(runbook: Runbook, engine: string | undefined): number | undefined {
    let total = 0;
    for (const step of runbook.steps) {
      if (chooseEngine(step, engine, this.settings.configEngines ?? {}) !== ATHENA) continue;
      const bound = step.attributes.maxScanBytes ?? this.settings.maxScanBytes;
      if (bound === undefined) return undefined;
      total += bound;
    }
    return total;
  }

  /** Refuses (audited, 429 with the figures) a run that would pass one of the caller's budgets. */
  async check(
    caller: Caller,
    runbook: Runbook,
    engine: string | undefined,
    target: string,
  ): Promise<void> {
    const refusal = await this.refusal(caller, runbook, engine, target);
    if (refusal === undefined) return;
    throw new HttpError(429, refusal.message, {
      code: "budget",
      hint: "Lower max_scan= (or narrow the window), or wait for the next UTC day.",
      ...refusal.figures,
    });
  }

  /**
   * The same check when an approved run leaves the queue (the day's figures may have grown
   * while it waited): a refusal ends the run errored with the message (the manager's
   * `beforeStart` hook).
   */
  async checkAtStart(caller: Caller, runbook: Runbook, engine: string | undefined, run: string) {
    const refusal = await this.refusal(caller, runbook, engine, runbook.meta.id, { run });
    if (refusal !== undefined) throw new RunMdError("budget", refusal.message);
  }

  /** The refusal (audited `budget.refused`) of a run that would pass a budget, if it would. */
  private async refusal(
    caller: Caller,
    runbook: Runbook,
    engine: string | undefined,
    target: string,
    details: Record<string, unknown> = {},
  ) {
    if (this.ledger.remaining(caller) === undefined) return undefined;
    const usesAthena = runbook.steps.some(
      (s) => chooseEngine(s, engine, this.settings.configEngines ?? {}) === ATHENA,
    );
    if (!usesAthena) return undefined;
    const requested = this.runBound(runbook, engine) ?? 0;
    const verdict = this.ledger.check(caller, requested);
    if (verdict.ok) return undefined;
    const figures = {
      budget: verdict.budget.groups,
      perDay: verdict.budget.athenaScanPerDay,
      used: verdict.used,
      requested: verdict.requested,
    };
    await this.auditor.record(caller, "budget.refused", target, { ...details, ...figures });
    return { message: verdict.message, figures };
  }

  /**
   * The engines of one run (or ad-hoc query) of `caller`: Athena queries are watched and
   * charged; `abort` stops the run when a query passes the budget.
   */
  engines(
    caller: Caller,
    context: { target: string; run: string },
    getEngine: (name: string) => Promise<Engine>,
    abort: (reason: Error) => void,
  ): (name: string) => Promise<Engine> {
    return async (name) => {
      const engine = await getEngine(name);
      if (engine.name !== ATHENA || this.ledger.remaining(caller) === undefined) return engine;
      return {
        name: engine.name,
        dialects: engine.dialects,
        close: () => engine.close(),
        query: (req) => this.watched(engine, req, caller, context, abort),
      };
    };
  }

  private async watched(
    engine: Engine,
    req: QueryRequest,
    caller: Caller,
    context: { target: string; run: string },
    abort: (reason: Error) => void,
  ) {
    // Counted against the budgets while it runs: queries running at once share what is left.
    const flight = this.ledger.begin(caller);
    let stopped = false;
    const onProgress: QueryRequest["onProgress"] = (p) => {
      req.onProgress?.(p);
      const bytes = p.stats?.dataScannedBytes;
      if (typeof bytes !== "number" || stopped) return;
      flight.scanned = bytes;
      const verdict = this.ledger.check(caller, bytes, flight);
      if (verdict.ok) return;
      stopped = true;
      const message = `the Athena scan budget of ${verdict.budget.groups.join(", ")} (${verdict.budget.text} a day) was reached: step "${req.stepId}" was stopped after scanning ${formatBytes(bytes)} (${formatBytes(verdict.used)} scanned today besides, by earlier and running queries)`;
      // The entry is on disk before the run is stopped (spec §9).
      void this.auditor
        .record(caller, "budget.stopped", context.target, {
          run: context.run,
          step: req.stepId,
          scanned: bytes,
          used: verdict.used,
          perDay: verdict.budget.athenaScanPerDay,
        })
        .finally(() =>
          abort(
            new RunMdError("budget-reached", message, {
              hint: "The budget starts again at midnight UTC.",
            }),
          ),
        );
    };
    try {
      const result = await engine.query({ ...req, onProgress });
      const bytes = result.stats.dataScannedBytes;
      // The engine's check that the window holds events scanned on Athena too (spec §8: what a
      // group may scan).
      const probe = Number(result.stats.windowProbeBytes ?? 0);
      const query = typeof bytes === "number" ? bytes : flight.scanned;
      await this.ledger.charge(caller, query + probe, flight);
      return result;
    } catch (e) {
      // A stopped or failed query is billed for what it scanned before it stopped.
      await this.ledger.charge(caller, flight.scanned, flight);
      throw e;
    } finally {
      // Charged, it stopped counting as running (a failed charge too).
      flight.end();
    }
  }
}
