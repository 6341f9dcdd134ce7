/** The runs API (spec §4): request, list, show, cancel. Events are in `events.ts`. */
import path from "node:path";
import { type Caller, samePerson } from "@run-md/access";
import { isRunMdError, type Runbook, type RunReport, readReport } from "@run-md/core";
import type { FastifyInstance } from "fastify";
import { callerOf, type ServerContext } from "../context.ts";
import { clipped, HttpError, refusalOf } from "../http-error.ts";
import { RUN_STATUSES, type RunRecord } from "../runs/record.ts";
import {
  checkRunRequest,
  parseRunBody,
  type RunRequest,
  refusedParams,
  requestedRunbook,
} from "../runs/request.ts";
import { RUN_ID } from "../runs/store.ts";
import { paramViewFor, steeredMaskedParams } from "./run-params.ts";

const MAX_LIST = 500;

/**
 * The run of that id if the caller may view its runbook; otherwise 404 with the very answer a
 * run that does not exist gets (both refusals audited): nothing says whose runbook it is.
 */
export async function viewableRun(
  ctx: ServerContext,
  caller: Caller,
  id: string,
): Promise<RunRecord> {
  // Only a run id is quoted back: a crafted one (`/api/runs/Sign%20in%20at...`) would write its
  // own sentence into the answer, and into pages that show it (red-team).
  const wellFormed = RUN_ID.test(id);
  const missing = wellFormed ? `no run "${id}"` : "no such run (a run id is a UUID)";
  const rec = wellFormed ? ctx.runs.store.get(id) : undefined;
  if (rec === undefined) {
    // Audited as a run hidden from the caller is (the same action and details, without the
    // runbook nobody may learn): a refusal all the same, and answered after the same synced
    // write, so the time does not tell a hidden run from none (red-team review).
    await ctx.auditor.record(caller, "access.refused", undefined, {
      action: "view",
      run: clipped(id),
    });
    throw new HttpError(404, missing, { code: "not-found" });
  }
  await ctx.guard.viewable(caller, rec.runbook, { run: id }, missing);
  return rec;
}

/**
 * A record as the API shows it to `caller`: without its event log (that is `/events`), its
 * parameters as the caller may see them (run-params.ts).
 */
async function summary(ctx: ServerContext, caller: Caller, rec: RunRecord) {
  const { events: _events, ...rest } = rec;
  // An ended run's large parameters are read from its file (store.ts `PARAMS_KEPT`).
  const params = rec.params ?? (await ctx.runs.store.params(rec));
  return { ...rest, params: paramViewFor(ctx, caller, rec).params(params) };
}

/**
 * Why a run's stored report cannot be shown (`resultUnavailable`): its file is gone (pruned,
 * removed) or is not a report any more. The run itself is still answered.
 */
export interface ResultUnavailable {
  code: "report-missing" | "report-unreadable";
  message: string;
}

async function reportOf(
  ctx: ServerContext,
  caller: Caller,
  rec: RunRecord,
): Promise<{ result: RunReport } | { resultUnavailable: ResultUnavailable } | undefined> {
  if (rec.report === undefined) return undefined;
  let report: RunReport;
  try {
    report = await readReport(path.join(ctx.reportsDir, rec.report));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return {
      resultUnavailable: missing
        ? {
            code: "report-missing",
            message: `the stored report ${rec.report} is missing (pruned or removed)`,
          }
        : {
            code: "report-unreadable",
            message: `the stored report ${rec.report} cannot be read: ${isRunMdError(e) ? "it is not a run-md report" : ((e as NodeJS.ErrnoException).code ?? "read error")}`,
          },
    };
  }
  const view = paramViewFor(ctx, caller, rec);
  // The run's own error (one stopped before its first step) is masked as a step's: core's
  // `bad-param` quotes the value it refused (red-team, 2026-12-07). No query: it reads nothing.
  const error =
    report.error === undefined
      ? {}
      : {
          error: ctx.rowsFor(caller, rec.runbook, { error: report.error, query: "" })
            .error as RunReport["error"],
        };
  return {
    result: {
      ...report,
      ...error,
      params: view.params(report.params) as RunReport["params"],
      steps: report.steps.map((s) => {
        const masked = ctx.rowsFor(caller, rec.runbook, { ...s }) as unknown as typeof s;
        return {
          ...masked,
          query: view.query(masked.query, report.params) as string,
          stats: view.stats(masked.stats, report.params) as typeof s.stats,
        };
      }),
    },
  };
}

/**
 * The request's body read and checked against the runbook; whether it changes the runbook's
 * parameters, window or engine (then it needs `run:params`). A request refused for its body
 * (parameters, window, engine) is audited too (spec §9), then answered 400.
 */
async function checkedRequest(
  ctx: ServerContext,
  caller: Caller,
  runbook: Runbook,
  raw: unknown,
): Promise<{ body: RunRequest; changesDefaults: boolean }> {
  try {
    const body = parseRunBody(raw);
    const { changesDefaults } = checkRunRequest(
      runbook,
      body,
      ctx.runs.configParams(body.runbook),
      new Date(),
    );
    return { body, changesDefaults };
  } catch (e) {
    const params = refusedParams((raw as { params?: unknown }).params);
    await ctx.auditor.record(caller, "run.request", runbook.meta.id, {
      ...(params === undefined ? {} : { params }),
      refused: refusalOf(e),
    });
    throw e;
  }
}

/**
 * 403 (audited, with the parameters' names, not their values) for a masked caller's value of a
 * parameter that a step reading a field masked for them compares (run-params.ts
 * `steeredMaskedParams`): `run:params` does not extend to it.
 */
async function refuseSteeredMasked(
  ctx: ServerContext,
  caller: Caller,
  runbook: Runbook,
  params: Record<string, unknown>,
): Promise<void> {
  const steered = steeredMaskedParams(ctx, caller, runbook, params);
  if (steered.length === 0) return;
  await ctx.auditor.record(caller, "access.refused", runbook.meta.id, {
    action: "run:params",
    params: steered,
    reason: "masked",
  });
  const names = steered.map((n) => `"${n}"`).join(", ");
  throw new HttpError(
    403,
    `refused: you may not "run:params" runbook ${runbook.meta.id} with your own value of ${names}: a step compares it with a field masked for you (leave it as written)`,
    { code: "forbidden", field: `params.${steered[0]}` },
  );
}

export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/api/runs", async (req, reply) => {
    const caller = callerOf(req);
    const entry = await ctx.guard.viewable(caller, requestedRunbook(req.body));
    await ctx.guard.require(caller, "run", entry.facts);
    const { body, changesDefaults } = await checkedRequest(ctx, caller, entry.runbook, req.body);
    if (changesDefaults) {
      await ctx.guard.require(caller, "run:params", entry.facts, {
        params: refusedParams(body.params),
        window: body.window,
        ...(body.engine === undefined ? {} : { engine: body.engine }),
      });
      await refuseSteeredMasked(ctx, caller, entry.runbook, body.params);
    }
    const rec = await ctx.runs.submit(caller, entry.runbook, body);
    return reply
      .code(202)
      .header("location", `/api/runs/${rec.id}`)
      .send({ id: rec.id, status: rec.status });
  });

  app.get("/api/runs", async (req) => {
    const caller = callerOf(req);
    const q = req.query as { runbook?: string; status?: string; limit?: string; mine?: string };
    if (q.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(q.status)) {
      throw new HttpError(400, `status must be one of ${RUN_STATUSES.join(", ")}`, {
        field: "status",
      });
    }
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
      throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIST}`, {
        field: "limit",
      });
    }
    const out = [];
    for (const rec of ctx.runs.store.all()) {
      if (out.length >= limit) break;
      if (q.runbook !== undefined && rec.runbook !== q.runbook) continue;
      if (q.status !== undefined && rec.status !== q.status) continue;
      if (q.mine === "true" && !samePerson(rec.requester, caller)) continue;
      const entry = ctx.catalog.get(rec.runbook);
      if (entry === undefined || !ctx.guard.can(caller, "view", entry.facts)) continue;
      try {
        out.push(await summary(ctx, caller, rec));
      } catch (e) {
        // Removed (server.keepRuns) since the list began: left out, as a moment later.
        if (ctx.runs.store.get(rec.id) !== rec) continue;
        throw e;
      }
    }
    return out;
  });

  app.get("/api/runs/:id", async (req) => {
    const caller = callerOf(req);
    const rec = await viewableRun(ctx, caller, (req.params as { id: string }).id);
    // A report that cannot be read leaves the run's answer whole, with `resultUnavailable`.
    return { ...(await summary(ctx, caller, rec)), ...(await reportOf(ctx, caller, rec)) };
  });

  app.post("/api/runs/:id/cancel", async (req, reply) => {
    const caller = callerOf(req);
    const rec = await viewableRun(ctx, caller, (req.params as { id: string }).id);
    const entry = ctx.catalog.get(rec.runbook)!;
    if (!samePerson(rec.requester, caller)) {
      await ctx.guard.require(caller, "admin", entry.facts, { run: rec.id, cancel: true });
    }
    // 409 `ended` when the run is no longer queued, running or waiting (checked under the run's
    // lock, so a cancel and an approval sent together give the run one end).
    await ctx.runs.cancel(caller, rec);
    return reply.code(202).send({ id: rec.id, status: rec.status });
  });
}
