/**
 * Access rules (spec §3) applied to requests: a refusal is audited (`access.refused`) before the
 * 403 (or, for a runbook the caller may not even view, the 404) goes out.
 */
import {
  type AccessConfig,
  type Action,
  allowedActions,
  type Caller,
  isAllowed,
  type RunbookFacts,
} from "@run-md/access";
import type { Auditor } from "./audit.ts";
import type { Catalog, CatalogEntry } from "./catalog.ts";
import { clipped, HttpError } from "./http-error.ts";

export class Guard {
  constructor(
    readonly access: AccessConfig,
    private readonly auditor: Auditor,
    private readonly catalog: Catalog,
  ) {}

  can(caller: Caller, action: Action, facts?: RunbookFacts): boolean {
    return isAllowed(this.access, caller, action, facts);
  }

  actions(caller: Caller, facts?: RunbookFacts): Action[] {
    return allowedActions(this.access, caller, facts);
  }

  /** Throws 403 naming the action (audited) unless the caller may do it. */
  async require(
    caller: Caller,
    action: Action,
    facts?: RunbookFacts,
    details?: Record<string, unknown>,
  ) {
    if (this.can(caller, action, facts)) return;
    await this.auditor.record(caller, "access.refused", facts?.id, { action, ...details });
    throw new HttpError(
      403,
      `refused: you may not "${action}"${facts ? ` runbook ${facts.id}` : ""}`,
      {
        code: "forbidden",
      },
    );
  }

  /** The catalog's runbooks the caller may view (none for a caller not signed in). */
  viewableEntries(caller: Caller | undefined): CatalogEntry[] {
    if (caller === undefined) return [];
    return this.catalog.all().filter((e) => this.can(caller, "view", e.facts));
  }

  /**
   * The runbook of that id if the caller may view it; else 404, the same answer as for a runbook
   * that does not exist (a caller learns nothing of runbooks they may not see). Audited.
   * `missing` is that answer's message: a run of a runbook hidden from the caller answers as a
   * run that does not exist, never naming its runbook. A runbook that does not exist is audited
   * as one hidden from the caller.
   */
  async viewable(
    caller: Caller,
    id: string,
    details?: Record<string, unknown>,
    missing = `no runbook "${id}"`,
  ): Promise<CatalogEntry> {
    const entry = this.catalog.get(id);
    if (entry !== undefined && this.can(caller, "view", entry.facts)) return entry;
    // Audited whether the runbook exists or not, the same entry: a refusal (spec §9), and a
    // runbook that does not exist takes as long to answer as one hidden from the caller (only
    // the hidden one was audited, a synced write: the time told them apart; red-team review).
    await this.auditor.record(caller, "access.refused", clipped(id), {
      action: "view",
      ...details,
    });
    throw new HttpError(404, missing, { code: "not-found" });
  }
}
