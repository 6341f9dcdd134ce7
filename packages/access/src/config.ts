/** `parseAccessConfig`: the `access:` section validated, with errors naming the key path. */
import { type ConfigSource, parseBytes, parseDuration, SEVERITIES } from "@run-md/core";
import {
  ACTIONS,
  type AccessConfig,
  type AccessRule,
  type Action,
  type ApprovalRule,
  type BudgetRule,
  DEFAULT_APPROVAL_TTL_MS,
  isEmptySelector,
  MASK_STRATEGIES,
  type MaskRule,
  RUNBOOK_LESS,
  type Selector,
} from "./model.ts";
import { ConfigReader } from "./read.ts";

const SECTION_KEYS = ["rules", "approvals", "masking", "budgets", "approvalTtl"];

/**
 * Validates the `access:` section (`raw` as YAML gave it; absent means no rules: everything is
 * refused). A bad one throws a RunMdError naming `source` and the key path.
 */
export function parseAccessConfig(raw: unknown, source: ConfigSource): AccessConfig {
  const r: ConfigReader = new ConfigReader(source);
  const cfg: AccessConfig = {
    rules: [],
    approvals: [],
    masking: [],
    budgets: [],
    approvalTtlMs: DEFAULT_APPROVAL_TTL_MS,
  };
  if (raw === undefined || raw === null) return cfg;
  const o = r.object("access", raw, SECTION_KEYS);
  const each = <T>(key: string, fn: (path: string, v: unknown) => T): T[] =>
    o[key] === undefined
      ? []
      : r.list(`access.${key}`, o[key]).map((v, i) => fn(`access.${key}[${i}]`, v));
  cfg.rules = each("rules", (p, v) => parseRule(r, p, v));
  cfg.approvals = each("approvals", (p, v) => parseApproval(r, p, v));
  cfg.masking = each("masking", (p, v) => parseMask(r, p, v));
  cfg.budgets = each("budgets", (p, v) => parseBudget(r, p, v));
  if (o.approvalTtl !== undefined) {
    const text = r.string("access.approvalTtl", o.approvalTtl);
    const ms = parseDuration(text);
    if (ms === undefined)
      r.fail("access.approvalTtl", `invalid duration "${text}": expected e.g. 30m, 24h, 3d`);
    cfg.approvalTtlMs = ms;
  }
  return cfg;
}

function parseRule(r: ConfigReader, path: string, v: unknown): AccessRule {
  const o = r.object(path, v, ["groups", "allow", "deny", "runbooks"]);
  if (o.allow === undefined && o.deny === undefined)
    r.fail(path, "a rule needs allow: or deny: (or both)");
  const rule: AccessRule = {
    groups: r.strings(`${path}.groups`, o.groups, true),
    allow: actions(r, `${path}.allow`, o.allow),
    deny: actions(r, `${path}.deny`, o.deny),
  };
  if (o.runbooks !== undefined) rule.runbooks = parseSelector(r, `${path}.runbooks`, o.runbooks);
  if (!isEmptySelector(rule.runbooks)) {
    for (const key of ["allow", "deny"] as const) {
      const i = rule[key].findIndex((a) => RUNBOOK_LESS.includes(a));
      if (i >= 0)
        r.fail(
          `${path}.${key}[${i}]`,
          `"${rule[key][i]}" is not about one runbook: only a rule without runbooks: can ${key} it`,
        );
    }
  }
  return rule;
}

function actions(r: ConfigReader, path: string, v: unknown): Action[] {
  if (v === undefined) return [];
  return r.list(path, v).map((a, i) => r.oneOf(`${path}[${i}]`, a, ACTIONS, "action"));
}

function parseSelector(r: ConfigReader, path: string, v: unknown): Selector {
  const o = r.object(path, v, ["ids", "tags", "severity"]);
  const s: Selector = {};
  if (o.ids !== undefined) s.ids = r.strings(`${path}.ids`, o.ids, true);
  if (o.tags !== undefined) s.tags = r.strings(`${path}.tags`, o.tags, true);
  if (o.severity !== undefined)
    s.severity = r
      .list(`${path}.severity`, o.severity)
      .map((x, i) => r.oneOf(`${path}.severity[${i}]`, x, SEVERITIES, "severity"));
  if (s.severity?.length === 0) r.fail(`${path}.severity`, "expected at least one entry");
  return s;
}

function parseApproval(r: ConfigReader, path: string, v: unknown): ApprovalRule {
  const o = r.object(path, v, ["runbooks", "approvers"]);
  const rule: ApprovalRule = { approvers: r.strings(`${path}.approvers`, o.approvers, true) };
  if (o.runbooks !== undefined) rule.runbooks = parseSelector(r, `${path}.runbooks`, o.runbooks);
  return rule;
}

function parseMask(r: ConfigReader, path: string, v: unknown): MaskRule {
  const o = r.object(path, v, ["groups", "columns", "strategy"]);
  return {
    groups: r.strings(`${path}.groups`, o.groups, true),
    columns: r.strings(`${path}.columns`, o.columns, true),
    strategy: r.oneOf(`${path}.strategy`, o.strategy, MASK_STRATEGIES, "strategy"),
  };
}

function parseBudget(r: ConfigReader, path: string, v: unknown): BudgetRule {
  const o = r.object(path, v, ["groups", "athenaScanPerDay"]);
  const text = r.string(`${path}.athenaScanPerDay`, o.athenaScanPerDay);
  const bytes = parseBytes(text);
  if (bytes === undefined)
    r.fail(`${path}.athenaScanPerDay`, `invalid size "${text}": expected e.g. 500MB, 100GB, 1TB`);
  const groups = r.strings(`${path}.groups`, o.groups, true);
  return { groups, athenaScanPerDay: bytes, text, key: [...groups].sort().join(",") };
}
