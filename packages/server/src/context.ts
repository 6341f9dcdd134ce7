/** What every route reaches: built once by `startServer`. */
import type { Caller } from "@run-md/access";
import type { FastifyRequest } from "fastify";
import type { Auditor } from "./audit.ts";
import type { Catalog } from "./catalog.ts";
import type { ServerConfig } from "./config.ts";
import type { Guard } from "./guard.ts";
import { HttpError } from "./http-error.ts";
import type { Identifier, Identity } from "./identity/identify.ts";
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

/** The signed-in caller, or 401. */
export function callerOf(req: FastifyRequest): Caller {
  const caller = req.identity?.caller;
  if (caller === undefined) {
    throw new HttpError(
      401,
      "not signed in: sign in at /auth/login or send Authorization: Bearer <token>",
      {
        code: "unauthenticated",
      },
    );
  }
  return caller;
}
