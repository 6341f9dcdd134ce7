/** What every route reaches: built once by `startServer`. */
import type { Caller } from "@run-md/access";
import type { FastifyRequest } from "fastify";
import type { Auditor } from "./audit.ts";
import type { Catalog } from "./catalog.ts";
import type { ServerConfig } from "./config.ts";
import type { Guard } from "./guard.ts";
import { HttpError } from "./http-error.ts";
import { type Identifier, type Identity, refusalDetails } from "./identity/identify.ts";
import type { OidcSignIn } from "./identity/oidc.ts";
import type { RefusalAudit } from "./identity/refusals.ts";
import type { SessionStore } from "./identity/sessions.ts";
import type { RunManager } from "./runs/manager.ts";

/**
 * Room for spec §8 (masking): what a caller receives of a run's rows. `data` is a `step-end`
 * event's data or a report's step; the default gives it unchanged.
 */
export type RowsHook = (
  caller: Caller,
  runbook: string,
  data: Record<string, unknown>,
) => Record<string, unknown>;

export interface ServerContext {
  config: ServerConfig;
  catalog: Catalog;
  guard: Guard;
  auditor: Auditor;
  identifier: Identifier;
  /** The audit entries of refusals before sign-in, bounded (identity/refusals.ts). */
  refusals: RefusalAudit;
  sessions: SessionStore;
  runs: RunManager;
  reportsDir: string;
  oidc?: OidcSignIn;
  rowsFor: RowsHook;
  heartbeatMs: number;
}

declare module "fastify" {
  interface FastifyRequest {
    identity: Identity;
  }
}

/** The 401, saying how to sign in: `/auth/login` only where browser sign-in is on (OIDC). */
function notSignedIn(browserSignIn: boolean): HttpError {
  return new HttpError(
    401,
    browserSignIn
      ? "not signed in: sign in at /auth/login or send Authorization: Bearer <token>"
      : "not signed in: send Authorization: Bearer <token> (an API token from run-md token create)",
    { code: "unauthenticated" },
  );
}

/**
 * The signed-in caller, or 401. A request without credentials has already been refused
 * (audited) by `refuseUnsigned` on every API route but `GET /api/me`, the site's sign-in probe,
 * whose 401 this is.
 */
export function callerOf(req: FastifyRequest, browserSignIn = true): Caller {
  const caller = req.identity?.caller;
  if (caller === undefined) throw notSignedIn(browserSignIn);
  return caller;
}

/** Whether the route matched needs a caller: every API route but the sign-in probe. */
function needsSignIn(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  if (route === undefined || !route.startsWith("/api/")) return false;
  return !(route === "/api/me" && (req.method === "GET" || req.method === "HEAD"));
}

/**
 * An `onRequest` hook, after the request is identified: a request without credentials to an API
 * route that needs them is refused (401) and audited as `auth.refused`, bounded as the other
 * refusals before sign-in are (identity/refusals.ts). Before its body is read: the 401 is the
 * answer whatever the body.
 */
export async function refuseUnsigned(ctx: ServerContext, req: FastifyRequest): Promise<void> {
  if (req.identity.caller !== undefined || !needsSignIn(req)) return;
  await ctx.refusals.refuse(req.ip, refusalDetails(req, "not signed in"));
  throw notSignedIn(ctx.oidc !== undefined);
}
