/**
 * The server's one way into the audit log (spec §9): `record` resolves once the entry is written
 * and synced, and callers await it BEFORE the action takes effect.
 *
 * A write that fails (a full disk, an I/O error, a lock it cannot take) leaves the log failed:
 * `@run-md/access`'s `AuditLog` refuses every later append, since its file may now end in part
 * of a line. While it is failed, every audited action is refused with 503 `audit-unavailable`
 * (nothing is done that the log does not hold) and `GET /healthz` answers 503 with the reason.
 *
 * The failure clears once the log is repaired: at most once per `retryMs` (a request to an
 * audited action, or to `/healthz`, tries), the log is opened again, which moves a torn last
 * line to `<file>.torn-<time>` and continues the chain from the last whole entry, and a
 * `server.recover` entry saying when the log failed and why is appended. Only when that entry is
 * written and synced does the server use the new log: a log that cannot take that entry is still
 * failed. Entries of the failed write that reached the file whole stay in it (their actions did
 * not take effect: their requests were refused), before that `server.recover` entry.
 */
import {
  type AuditAction,
  type AuditEntry,
  AuditLog,
  type Caller,
  SYSTEM_ACTOR,
} from "@run-md/access";
import { HttpError } from "./http-error.ts";

/** The actor of entries the server itself writes (start, recovery, the queue starting a run). */
export const SERVER_ACTOR: Caller = { user: SYSTEM_ACTOR, groups: [], via: "none" };

/** Why the audit log cannot be written, since when. */
export interface AuditFailure {
  since: string;
  /** The error's code (`ENOSPC`, `EIO`, `audit-failed`): no path, as `/healthz` is public. */
  error: string;
}

export interface AuditorOptions {
  /** The least time between two repairs of a failed log (default 1 s). */
  retryMs?: number;
  now?: () => Date;
  warn?: (msg: string) => void;
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code !== "" ? code : e instanceof Error ? e.name : "unknown";
}

export class Auditor {
  private current: AuditLog;
  private failure: AuditFailure | undefined;
  private repairing: Promise<boolean> | undefined;
  private lastTry = 0;
  private closed = false;

  constructor(
    log: AuditLog,
    private readonly opts: AuditorOptions = {},
  ) {
    this.current = log;
  }

  /** The log in use (another one after a repair). */
  get log(): AuditLog {
    return this.current;
  }

  /** Why audited actions are refused now, or undefined when the log can be written. */
  get failed(): AuditFailure | undefined {
    return this.failure;
  }

  async record(
    caller: Pick<Caller, "user" | "groups">,
    action: AuditAction,
    target?: string,
    details?: Record<string, unknown>,
  ): Promise<AuditEntry> {
    if (this.failure !== undefined && !(await this.repair())) throw this.unavailable();
    const log = this.current;
    try {
      return await log.append({
        actor: caller.user,
        groups: caller.groups,
        action,
        ...(target === undefined ? {} : { target }),
        ...(details === undefined ? {} : { details }),
      });
    } catch (e) {
      // A bad entry is a programmer error; a closed log is the server stopping.
      if (e instanceof Error && e.message.startsWith("audit: bad entry")) throw e;
      if (this.closed || errorCode(e) === "audit-closed") throw e;
      if (this.failure === undefined && log === this.current) {
        this.failure = {
          since: (this.opts.now?.() ?? new Date()).toISOString(),
          error: errorCode(e),
        };
        this.opts.warn?.(
          `the audit log ${log.file} cannot be written (${e instanceof Error ? e.message : String(e)}): audited actions are refused until it can`,
        );
      }
      throw this.unavailable();
    }
  }

  /**
   * Whether the log can be written; when it is failed, first tries a repair (at most once per
   * `retryMs`). What `/healthz` asks.
   */
  async healthy(): Promise<boolean> {
    return this.failure === undefined || (await this.repair());
  }

  /** Closes the log in use (the server stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await this.repairing?.catch(() => {});
    await this.current.close();
  }

  private unavailable(): HttpError {
    const f = this.failure;
    return new HttpError(
      503,
      `the server cannot write its audit log${f === undefined ? "" : ` (${f.error}, since ${f.since})`}, so nothing was done: try again later`,
      { code: "audit-unavailable" },
    );
  }

  /** One repair at a time, at most once per `retryMs`; true once the log can be written. */
  private repair(): Promise<boolean> {
    if (this.failure === undefined) return Promise.resolve(true);
    if (this.repairing !== undefined) return this.repairing;
    const now = Date.now();
    if (this.closed || now - this.lastTry < (this.opts.retryMs ?? 1000)) {
      return Promise.resolve(false);
    }
    this.lastTry = now;
    this.repairing = this.reopen().finally(() => {
      this.repairing = undefined;
    });
    return this.repairing;
  }

  private async reopen(): Promise<boolean> {
    const failure = this.failure!;
    const old = this.current;
    let log: AuditLog | undefined;
    try {
      log = await AuditLog.open(old.file, this.opts.now, old.position());
      await log.append({
        actor: SYSTEM_ACTOR,
        groups: [],
        action: "server.recover",
        details: { auditFailed: { since: failure.since, error: failure.error }, reopened: true },
      });
    } catch (e) {
      await log?.close().catch(() => {});
      if (errorCode(e) !== failure.error) this.opts.warn?.(`the audit log is still failed: ${e}`);
      return false;
    }
    this.current = log;
    this.failure = undefined;
    this.opts.warn?.(`the audit log ${old.file} can be written again: audited actions resume`);
    await old.close().catch(() => {});
    return true;
  }
}
