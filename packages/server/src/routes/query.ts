/** `POST /api/query` (spec §7) and `GET /api/budget`: ad-hoc queries for callers with `query`. */
import type { FastifyInstance } from "fastify";
import { callerOf, type ServerContext } from "../context.ts";
import { parseQueryBody } from "../governance/adhoc.ts";
import type { Governance } from "../governance/index.ts";
import { auditRefusedQuery, queryTextOf, runQuery } from "../governance/query.ts";
import type { RunSettings } from "../runs/manager.ts";

export function queryRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  gov: Governance,
  run: RunSettings,
): void {
  app.post("/api/query", async (req, reply) => {
    const caller = callerOf(req);
    await ctx.guard.require(caller, "query");
    let body: ReturnType<typeof parseQueryBody>;
    try {
      body = parseQueryBody(req.body);
    } catch (e) {
      await auditRefusedQuery(ctx.auditor, caller, queryTextOf(req.body), e);
      throw e;
    }
    // The connection closed before the answer: the query leaves the queue, or stops if it runs.
    const gone = new AbortController();
    const left = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.once("close", left);
    try {
      return await runQuery(
        { auditor: ctx.auditor, runs: ctx.runs, run, budgets: gov.budgets, rowsFor: ctx.rowsFor },
        caller,
        body,
        gone.signal,
      );
    } finally {
      reply.raw.off("close", left);
    }
  });

  /** The caller's scan budgets today: what they may still scan (the query page shows it). */
  app.get("/api/budget", async (req) => gov.budgetStatus(callerOf(req)));
}
