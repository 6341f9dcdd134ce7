/**
 * Access rules (spec access-proxy.md §3): default deny, a deny wins over any allow, `"*"` is
 * everyone. A rule counts for a runbook its selector matches; the runbook-less actions
 * (`approve`, `query`, `audit`, `admin`) come only from rules without a selector, which
 * `parseAccessConfig` enforces. `run:params` is allowed only where `run` is too: a deny of
 * `run` also stops runs with other parameters. `query` is never allowed to a caller whom a masking
 * rule covers (§8): masking goes by column name, and a query the caller writes can carry a masked
 * column under another name, in an expression, a filter or Logs Insights' `@message` (a review
 * read masked addresses back with `SELECT sourceipaddress AS ip`). Nor is `audit`: the log keeps
 * every run request's parameters and every ad-hoc query's text as sent, the values masking hides
 * in the rows (the address or ARN under investigation), and its entries are served as stored
 * (their hashes chain them), so they cannot be redacted per caller (a second review read a
 * masked contractor's view of another person's run parameters there).
 */

import { maskPlan } from "./masking.ts";
import {
  ACTIONS,
  type AccessConfig,
  type Action,
  type Caller,
  inGroups,
  isEmptySelector,
  RUNBOOK_LESS,
  type RunbookFacts,
  selects,
} from "./model.ts";

export { parseAccessConfig } from "./config.ts";
export type {
  AccessConfig,
  AccessRule,
  Action,
  ApprovalRule,
  BudgetRule,
  Caller,
  MaskRule,
  RunbookFacts,
  Selector,
} from "./model.ts";

export function isAllowed(
  cfg: AccessConfig,
  caller: Caller,
  action: Action,
  runbook?: RunbookFacts,
): boolean {
  if (action === "run:params" && !isAllowed(cfg, caller, "run", runbook)) return false;
  if ((action === "query" || action === "audit") && maskPlan(cfg, caller).size > 0) return false;
  let allowed = false;
  for (const rule of cfg.rules) {
    if (!inGroups(caller, rule.groups) || !applies(rule.runbooks, action, runbook)) continue;
    if (rule.deny.includes(action)) return false;
    if (rule.allow.includes(action)) allowed = true;
  }
  return allowed;
}

/** A rule's selector counts for this action: runbook-less actions, or no runbook given, need none. */
function applies(
  selector: AccessConfig["rules"][number]["runbooks"],
  action: Action,
  runbook: RunbookFacts | undefined,
): boolean {
  if (RUNBOOK_LESS.includes(action) || runbook === undefined) return isEmptySelector(selector);
  return selects(selector, runbook);
}

/** Every action `isAllowed` grants the caller, in the spec's order. */
export function allowedActions(
  cfg: AccessConfig,
  caller: Caller,
  runbook?: RunbookFacts,
): Action[] {
  return ACTIONS.filter((a) => isAllowed(cfg, caller, a, runbook));
}
