/** `GET /api/me`, `GET /api/runbooks`, `GET /api/audit`, `GET /healthz` (spec §4). */
import type { FastifyInstance } from "fastify";
import { paramInfo } from "../catalog.ts";
import { callerOf, type ServerContext } from "../context.ts";
import { HttpError } from "../http-error.ts";

const MAX_AUDIT = 1000;

export function apiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // 200 when the server can take work (spec §4): not while its audit log cannot be written,
  // since every audited action is then refused (audit.ts; the check tries a repair first).
  app.get("/healthz", async (_req, reply) => {
    const queue = ctx.runs.queueSize();
    // A stopping server answers run requests 503 `stopping` while its runs end: out of rotation.
    if (ctx.runs.isStopping) {
      return reply.code(503).send({
        ok: false,
        code: "stopping",
        reason: "the server is stopping: it takes no more runs",
        queue,
      });
    }
    if (await ctx.auditor.healthy()) return { ok: true, queue };
    const f = ctx.auditor.failed;
    return reply.code(503).send({
      ok: false,
      code: "audit-unavailable",
      reason: `the audit log cannot be written${f === undefined ? "" : ` (${f.error}, since ${f.since})`}: audited actions are refused`,
      queue,
    });
  });

  app.get("/api/me", async (req) => {
    const caller = callerOf(req, ctx.oidc !== undefined);
    return {
      user: caller.user,
      groups: caller.groups,
      via: caller.via,
      actions: ctx.guard.actions(caller),
      // Cookie sessions send it back in the x-csrf-token header on POSTs.
      ...(req.identity.session ? { csrfToken: req.identity.session.csrf } : {}),
    };
  });

  app.get("/api/runbooks", async (req) => {
    const caller = callerOf(req);
    return ctx.guard.viewableEntries(caller).map(({ runbook, facts }) => ({
      id: facts.id,
      title: runbook.meta.title,
      ...(runbook.meta.description === undefined ? {} : { description: runbook.meta.description }),
      severity: facts.severity,
      tags: facts.tags,
      ...(runbook.meta.window === undefined ? {} : { window: runbook.meta.window }),
      params: paramInfo(runbook),
      steps: runbook.steps.map((s) => ({
        id: s.id,
        ...(s.title === undefined ? {} : { title: s.title }),
      })),
      actions: ctx.guard.actions(caller, facts),
    }));
  });

  app.get("/api/audit", async (req) => {
    const caller = callerOf(req);
    await ctx.guard.require(caller, "audit");
    const q = req.query as { since?: string; limit?: string };
    const since = q.since === undefined ? undefined : new Date(q.since);
    if (since !== undefined && Number.isNaN(since.getTime())) {
      throw new HttpError(400, `since "${q.since}" is not an ISO-8601 instant`, { field: "since" });
    }
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT) {
      throw new HttpError(400, `limit must be an integer from 1 to ${MAX_AUDIT}`, {
        field: "limit",
      });
    }
    await ctx.auditor.record(caller, "audit.read", undefined, { since: q.since, limit });
    return ctx.auditor.log.read({ ...(since === undefined ? {} : { since }), limit });
  });
}
