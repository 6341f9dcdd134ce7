/** The shapes of the `access:` configuration section (spec access-proxy.md §3, §6, §8). */

export const ACTIONS = ["view", "run", "run:params", "approve", "query", "audit", "admin"] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Actions that are not about one runbook. Only a rule without `runbooks:` grants or denies them;
 * `parseAccessConfig` refuses them in a rule with a selector (docs/serve.md "Writing rules").
 */
export const RUNBOOK_LESS: readonly Action[] = ["approve", "query", "audit", "admin"];

export interface Caller {
  /** The person (an e-mail from OIDC, a token's bound user) or `token:NAME` for an unbound token. */
  user: string;
  groups: string[];
  via: "oidc" | "token" | "none";
  /** The token's name when `via` is `token`. */
  token?: string;
}

export interface RunbookFacts {
  id: string;
  tags: string[];
  severity: string;
}

/** Which runbooks a rule is about: every present field must match, each field is any-of. */
export interface Selector {
  ids?: string[];
  tags?: string[];
  severity?: string[];
}

export interface AccessRule {
  groups: string[];
  allow: Action[];
  deny: Action[];
  /** Absent: every runbook (and the runbook-less actions). */
  runbooks?: Selector;
}

export interface ApprovalRule {
  runbooks?: Selector;
  approvers: string[];
}

export const MASK_STRATEGIES = ["redact", "partial", "hash"] as const;
export type MaskStrategy = (typeof MASK_STRATEGIES)[number];

export interface MaskRule {
  groups: string[];
  /** `sourceipaddress`, `useridentity.arn`, `requestparameters.bucketName` (docs/serve.md). */
  columns: string[];
  strategy: MaskStrategy;
}

export interface BudgetRule {
  groups: string[];
  /** Bytes per UTC day. */
  athenaScanPerDay: number;
  /** What the configuration said (`100GB`), for messages. */
  text: string;
  /** The budget's name in the ledger: its groups, sorted (so reordering the rules keeps tallies). */
  key: string;
}

export const DEFAULT_APPROVAL_TTL_MS = 24 * 3_600_000;

export interface AccessConfig {
  rules: AccessRule[];
  approvals: ApprovalRule[];
  masking: MaskRule[];
  budgets: BudgetRule[];
  /** How long a run waits for approval before it expires (`access.approvalTtl`, default 24h). */
  approvalTtlMs: number;
}

/** `"*"` matches everyone; otherwise the caller must be in one of the groups. */
export function inGroups(caller: Caller, groups: readonly string[]): boolean {
  return groups.some((g) => g === "*" || caller.groups.includes(g));
}

/** No selector matches every runbook; a present field must contain the runbook's value. */
export function selects(selector: Selector | undefined, runbook: RunbookFacts): boolean {
  if (!selector) return true;
  if (selector.ids && !selector.ids.includes(runbook.id)) return false;
  if (selector.tags && !selector.tags.some((t) => runbook.tags.includes(t))) return false;
  if (selector.severity && !selector.severity.includes(runbook.severity)) return false;
  return true;
}

export function isEmptySelector(selector: Selector | undefined): boolean {
  return !selector || (!selector.ids && !selector.tags && !selector.severity);
}
