/**
 * The server's one way into the audit log (spec §9): `record` resolves once the entry is written
 * and synced, and callers await it BEFORE the action takes effect.
 */
import {
  type AuditAction,
  type AuditEntry,
  type AuditLog,
  type Caller,
  SYSTEM_ACTOR,
} from "@run-md/access";

/** The actor of entries the server itself writes (start, recovery, the queue starting a run). */
export const SERVER_ACTOR: Caller = { user: SYSTEM_ACTOR, groups: [], via: "none" };

export class Auditor {
  constructor(readonly log: AuditLog) {}

  record(
    caller: Pick<Caller, "user" | "groups">,
    action: AuditAction,
    target?: string,
    details?: Record<string, unknown>,
  ): Promise<AuditEntry> {
    return this.log.append({
      actor: caller.user,
      groups: caller.groups,
      action,
      ...(target === undefined ? {} : { target }),
      ...(details === undefined ? {} : { details }),
    });
  }
}
