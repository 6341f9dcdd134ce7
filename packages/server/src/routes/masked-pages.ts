/**
 * Masking and the built site (spec §8): the runbook pages, report files and search index are
 * built once, for everyone, with the stored (unmasked) results in them, so they cannot be masked
 * per caller. A caller whom a masking rule covers gets 403 for them, with where to look instead:
 * the live run page and the API, which mask what they send.
 */
import { type AccessConfig, maskPlan } from "@run-md/access";
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.ts";
import { clipped } from "../http-error.ts";
import { sitePath } from "./site-path.ts";

/** Top-level site folders whose pages hold stored results. */
const RESULT_PAGES = ["runbooks", "reports", "pagefind"];

export function maskedPageRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  access: AccessConfig,
): void {
  app.addHook("preHandler", async (req, reply) => {
    if (req.method !== "GET" && req.method !== "HEAD") return;
    const caller = req.identity?.caller;
    if (caller === undefined || maskPlan(access, caller).size === 0) return;
    // The path as the site serves it (decoded, normalized): `/%72eports/` is `/reports/`.
    const where = sitePath(req.url);
    if (where === undefined || !RESULT_PAGES.includes(where.top)) return;
    await ctx.auditor.record(caller, "access.refused", undefined, {
      action: "view",
      page: clipped(req.url.split("?")[0] ?? ""),
      reason: "masked",
    });
    return reply
      .code(403)
      .type("text/plain; charset=utf-8")
      .send(
        "403: this page holds stored results, which are masked for you: follow runs on their live page (/run/?id=...) or through the API\n",
      );
  });
}
