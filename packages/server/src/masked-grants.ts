/**
 * Rules that allow `query` or `audit` to a group that masking covers: its members are refused both
 * all the same (a query can read a masked column under another name; the audit log holds the
 * values masking hides, `@run-md/access` rules.ts), so the grant does nothing for them. The
 * server warns of each at its start, rather than leave the refusals to be found one 403 at a time.
 */
import type { AccessConfig } from "@run-md/access";

export function maskedGrants(access: AccessConfig): string[] {
  const masked = new Set(access.masking.flatMap((m) => m.groups));
  const out: string[] = [];
  access.rules.forEach((rule, i) => {
    const actions = rule.allow.filter((a) => a === "query" || a === "audit");
    const groups = rule.groups.filter((g) => masked.has(g));
    if (actions.length === 0 || groups.length === 0) return;
    out.push(
      `access.rules[${i}] allows ${actions.join(" and ")} to ${groups.join(", ")}, which access.masking covers: its members are refused ${actions.join(" and ")} all the same (a query could read a masked column under another name, and the audit log holds the values masking hides)`,
    );
  });
  return out;
}
