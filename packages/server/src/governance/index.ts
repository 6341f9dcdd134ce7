/**
 * Governance on the access proxy (spec §6-8), built once by `startServer`: approvals, scan
 * budgets, masking and ad-hoc queries, joined to the run manager through its hooks (`RunHooks`)
 * and to the API through `routes/approvals.ts` and `routes/query.ts`.
 */
import {
  type AccessConfig,
  BudgetLedger,
  type Caller,
  maskKeyFromEnv,
  needsApproval,
} from "@run-md/access";
import type { RetryPolicy } from "@run-md/notify";
import type { Auditor } from "../audit.ts";
import type { Catalog } from "../catalog.ts";
import type { ServerConfig } from "../config.ts";
import type { RowsHook } from "../context.ts";
import type { RunHooks, RunManager, RunSettings } from "../runs/manager.ts";
import { Approvals, requesterOf } from "./approvals.ts";
import { ScanBudgets } from "./budgets.ts";
import { maskingHook } from "./masking.ts";
import type { ApprovalWebhook } from "./notify.ts";

export interface GovernanceOptions {
  /** The clock of approvals' expiry and of the budgets' UTC day (tests inject one). */
  now?: () => Date;
  /** Where approval requests are sent (the CLI: the `notify:` section's webhook targets). */
  webhooks?: ApprovalWebhook[];
  /** Their retries (the `notify:` section's `retry:`; default 3 attempts). */
  notifyRetry?: RetryPolicy;
  /** How often waiting requests are checked for expiry (default 60 s). */
  expirySweepMs?: number;
}

export interface GovernanceDeps {
  access: AccessConfig;
  config: ServerConfig;
  auditor: Auditor;
  catalog: Catalog;
  run: RunSettings;
  /** The address users reach the server at (known once it listens). */
  publicUrl: () => string;
  warn: (msg: string) => void;
}

export class Governance {
  readonly rowsFor: RowsHook;
  private approvalsOf?: Approvals;
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly deps: GovernanceDeps,
    readonly budgets: ScanBudgets,
    private readonly opts: GovernanceOptions,
    maskKey: string | undefined,
  ) {
    this.rowsFor = maskingHook(deps.access, maskKey);
  }

  /** Reads the masking key (a named but unset or short key stops the start) and the ledger. */
  static async open(deps: GovernanceDeps, opts: GovernanceOptions = {}): Promise<Governance> {
    const maskKey = maskKeyFromEnv(deps.config.maskKey);
    const now = opts.now ?? (() => new Date());
    const ledger = await BudgetLedger.open(deps.access, deps.config.budgets, now);
    const budgets = new ScanBudgets(ledger, deps.auditor, {
      ...(deps.run.maxScanBytes === undefined ? {} : { maxScanBytes: deps.run.maxScanBytes }),
      ...(deps.run.configEngines === undefined ? {} : { configEngines: deps.run.configEngines }),
    });
    return new Governance(deps, budgets, opts, maskKey);
  }

  /** The run manager's hooks (admit: approvals; check and engines: budgets). */
  get hooks(): RunHooks {
    return {
      admit: (rec, caller) => this.approvals.admit(rec, caller),
      awaitsApproval: (runbook) => {
        const { id, tags, severity } = runbook.meta;
        return needsApproval(this.deps.access, { id, tags, severity }) !== undefined;
      },
      check: (caller, runbook, req) =>
        this.budgets.check(caller, runbook, req.engine, runbook.meta.id),
      beforeStart: async (rec) => {
        const runbook = this.deps.catalog.get(rec.runbook)?.runbook;
        if (runbook === undefined) return;
        await this.budgets.checkAtStart(requesterOf(rec), runbook, rec.engine, rec.id);
      },
      engines: (rec, getEngine, abort) =>
        this.budgets.engines(
          requesterOf(rec),
          { target: rec.runbook, run: rec.id },
          getEngine,
          abort,
        ),
    };
  }

  get approvals(): Approvals {
    if (this.approvalsOf === undefined) throw new Error("governance: attach the run manager first");
    return this.approvalsOf;
  }

  /** Joins the run manager (made with `hooks`) and starts the expiry timer. */
  attach(runs: RunManager): void {
    const d = this.deps;
    this.approvalsOf = new Approvals(d.access, d.auditor, runs, d.catalog, {
      now: this.opts.now ?? (() => new Date()),
      webhooks: this.opts.webhooks ?? [],
      ...(this.opts.notifyRetry === undefined ? {} : { retry: this.opts.notifyRetry }),
      publicUrl: d.publicUrl,
      warn: d.warn,
    });
    this.timer = setInterval(() => {
      this.approvals.expireDue().catch((e) => d.warn(`approval expiry: ${(e as Error).message}`));
    }, this.opts.expirySweepMs ?? 60_000);
    this.timer.unref();
  }

  /** What `caller` may still scan today (figures for the API and the query page). */
  budgetStatus(caller: Caller) {
    return this.budgets.ledger.status(caller).map((s) => ({
      groups: s.budget.groups,
      perDay: s.budget.athenaScanPerDay,
      used: s.used,
      remaining: s.remaining,
    }));
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
