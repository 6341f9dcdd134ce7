/**
 * `POST /api/runs/{id}/approve` and `/deny` `{comment?}` (spec §6), and the expiry check on
 * every read of the runs API (a request past its TTL is `expired` before anyone sees it).
 */
import type { FastifyInstance } from "fastify";
import { callerOf, type ServerContext } from "../context.ts";
import type { Verdict } from "../governance/approvals.ts";
import type { Governance } from "../governance/index.ts";
import { HttpError } from "../http-error.ts";
import { viewableRun } from "./runs.ts";

const MAX_COMMENT = 2000;

function commentOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object such as {"comment": "ok"}');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (k !== "comment")
      throw new HttpError(400, `unknown field "${k}" (expected comment)`, { field: k });
  }
  if (b.comment === undefined) return undefined;
  if (typeof b.comment !== "string" || b.comment.length > MAX_COMMENT) {
    throw new HttpError(
      400,
      `field "comment" must be a string of at most ${MAX_COMMENT} characters`,
      {
        field: "comment",
      },
    );
  }
  return b.comment.trim() === "" ? undefined : b.comment;
}

const RUNS_READ = /^\/api\/runs(?:[/?]|$)/;
/** A run request: its caller's requests past their TTL no longer count against the pending cap. */
const RUN_REQUEST = /^\/api\/runs(?:\?|$)/;

export function approvalRoutes(app: FastifyInstance, ctx: ServerContext, gov: Governance): void {
  app.addHook("preHandler", async (req) => {
    // A signed-in caller's read of runs, or request of one (whose requests past their TTL would
    // count against MAX_PENDING_PER_CALLER until the sweep): an anonymous one is refused, and
    // costs no walk.
    const read = req.method === "GET" && RUNS_READ.test(req.url);
    const request = req.method === "POST" && RUN_REQUEST.test(req.url);
    if (!read && !request) return;
    if (req.identity?.caller !== undefined) await gov.approvals.expireDue();
  });

  for (const verdict of ["approve", "deny"] as Verdict[]) {
    app.post(`/api/runs/:id/${verdict}`, async (req, reply) => {
      const caller = callerOf(req);
      const rec = await viewableRun(ctx, caller, (req.params as { id: string }).id);
      // The body is read once the caller's right to decide holds: a refusal of that right is
      // 403 and audited whatever the body (red-team, 2026-12-07).
      await gov.approvals.decide(caller, rec, verdict, () => commentOf(req.body));
      return reply.code(200).send({ id: rec.id, status: rec.status, approval: rec.approval });
    });
  }
}
