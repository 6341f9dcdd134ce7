/**
 * Runs one ad-hoc query (spec §7) for a caller allowed `query`: audited in full before it runs
 * (`query.request`), refused when the caller's scan budget would be passed, run by core's
 * `runRunbook` on the server's engines (watched by the budget), and answered with the step's
 * result masked for the caller. A query the engine refuses or that fails is a 400 with the
 * engine's code and message; a query stopped by the budget a 429.
 */
import { randomUUID } from "node:crypto";
import type { Caller } from "@run-md/access";
import {
  errorReport,
  isRunMdError,
  RunMdError,
  runRunbook,
  type Runbook,
  type StepReport,
} from "@run-md/core";
import type { Auditor } from "../audit.ts";
import type { RowsHook } from "../context.ts";
import { HttpError, refusalOf } from "../http-error.ts";
import type { RunManager, RunSettings } from "../runs/manager.ts";
import { checkRunRequest } from "../runs/request.ts";
import { ADHOC_ID, adhocRunbook, type QueryBody } from "./adhoc.ts";
import type { ScanBudgets } from "./budgets.ts";

export interface QueryDeps {
  auditor: Auditor;
  /** The run manager: a query waits for a slot under `server.concurrency` as runs do. */
  runs: RunManager;
  run: RunSettings;
  budgets: ScanBudgets;
  rowsFor: RowsHook;
}

/** What `POST /api/query` answers: the step's result as a run's `step-end` shows it. */
function answer(step: StepReport, window: { start: string; end: string }) {
  return {
    status: step.status,
    engine: step.engine,
    window,
    query: step.query,
    stats: step.stats,
    columns: step.columns,
    rows: step.rows,
    rowCount: step.rowCount,
    warnings: step.warnings,
    durationMs: step.durationMs,
  };
}

/** The query text of a request body, if it has one (for the audit of a refused request). */
export function queryTextOf(raw: unknown): { dialect: string; text: string } | undefined {
  const b = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const [dialect, text] =
    typeof b.sql === "string" ? ["sql", b.sql] : ["logs-insights", b.insights];
  return typeof text === "string" && text.trim() !== "" ? { dialect, text } : undefined;
}

/**
 * A query refused before it ran (a bad window, an undeclared `{{x}}`, a bad engine) is one
 * `query.request` entry too, with its text in full and why (spec §9: every ad-hoc query is one
 * entry; the sandbox's refusals were audited and these were not, found by review). A body with no
 * query text in it has nothing to audit.
 */
export async function auditRefusedQuery(
  auditor: Auditor,
  caller: Caller,
  query: { dialect: string; text: string } | undefined,
  e: unknown,
): Promise<void> {
  if (query === undefined) return;
  await auditor.record(caller, "query.request", undefined, { ...query, refused: refusalOf(e) });
}

/**
 * Runs the query for `caller`. `gone` aborts once the client has gone away: a query still waiting
 * leaves the queue, a running one is stopped (its slot is nobody's answer any more).
 */
export async function runQuery(
  deps: QueryDeps,
  caller: Caller,
  body: QueryBody,
  gone?: AbortSignal,
) {
  let runbook: ReturnType<typeof adhocRunbook>;
  try {
    runbook = adhocRunbook(body);
    checkRunRequest(
      runbook,
      { runbook: ADHOC_ID, params: {}, window: body.window },
      {},
      new Date(),
    );
  } catch (e) {
    await auditRefusedQuery(deps.auditor, caller, { dialect: body.dialect, text: body.text }, e);
    throw e;
  }
  const id = randomUUID();
  // Its place in the queue counts against the caller's, as a queued run's does (red-team: one
  // caller's queries filled the FIFO queue ahead of everyone's runs).
  let leave: () => void;
  try {
    leave = deps.runs.reserve(id, caller);
  } catch (e) {
    await auditRefusedQuery(deps.auditor, caller, { dialect: body.dialect, text: body.text }, e);
    throw e;
  }
  try {
    return await runReserved(deps, caller, body, { runbook, id, leave, gone });
  } finally {
    leave();
  }
}

/** The query once its place is reserved: audited, checked against the budget, run, answered. */
async function runReserved(
  deps: QueryDeps,
  caller: Caller,
  body: QueryBody,
  q: { runbook: Runbook; id: string; leave: () => void; gone: AbortSignal | undefined },
) {
  const { runbook, id, leave, gone } = q;
  await deps.auditor.record(caller, "query.request", undefined, {
    query: id,
    dialect: body.dialect,
    text: body.text,
    window: body.window,
    ...(body.engine === undefined ? {} : { engine: body.engine }),
  });
  await deps.budgets.check(caller, runbook, body.engine, ADHOC_ID);
  const controller = new AbortController();
  const stop = () => controller.abort(clientGone());
  if (gone?.aborted) stop();
  gone?.addEventListener("abort", stop, { once: true });
  const s = deps.run;
  const getEngine = deps.budgets.engines(
    caller,
    { target: ADHOC_ID, run: id },
    (name) => s.getEngine(name),
    (reason) => controller.abort(reason),
  );
  let report: Awaited<ReturnType<typeof runRunbook>>;
  try {
    report = await deps.runs.limited(
      id,
      () =>
        runRunbook(
          runbook,
          {
            ...(body.engine === undefined ? {} : { engine: body.engine }),
            configEngines: s.configEngines ?? {},
            window: body.window,
            ...(s.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: s.defaultTimeoutMs }),
            signal: controller.signal,
            ...(s.mask === undefined ? {} : { mask: s.mask }),
            toolVersion: s.toolVersion,
            runId: id,
          },
          { getEngine },
        ),
      controller.signal,
      leave,
    );
  } catch (e) {
    if (!isRunMdError(e)) throw e;
    report = errorReport(runbook, e, { toolVersion: s.toolVersion, runId: id }, new Date());
  } finally {
    gone?.removeEventListener("abort", stop);
  }
  const step = report.steps[0];
  if (step === undefined || step.error !== undefined) {
    const error = step?.error ?? report.error;
    const status = error?.code === "budget-reached" ? 429 : 400;
    const hint = adhocHint(error?.code) ?? error?.hint;
    throw new HttpError(status, error?.message ?? "the query did not run", {
      code: error?.code ?? "query-failed",
      ...(hint === undefined ? {} : { hint }),
    });
  }
  const masked = deps.rowsFor(caller, ADHOC_ID, { ...step }) as unknown as StepReport;
  return { id, ...answer(masked, { start: report.window.start, end: report.window.end }) };
}

/** Why a query was given up: its client closed the connection before the answer. */
function clientGone(): RunMdError {
  return new RunMdError("cancelled", "cancelled: the client went away before the answer");
}

/**
 * The hint for a query Athena would reject, said for an ad-hoc query: the engines' own speaks of
 * `run-md check`, a runbook and dialect=duckdb, none of which an API caller has.
 */
function adhocHint(code: string | undefined): string | undefined {
  if (code !== "sql-invalid" && code !== "sql-refused") return undefined;
  return "Athena would reject this query: the line and column are those of the query's text. Ad-hoc queries are Athena SQL over cloudtrail_logs, whatever the engine.";
}
