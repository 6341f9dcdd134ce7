/**
 * Selectors that miss a runbook only by the case or blanks of a tag or id (red-team,
 * 2026-12-07). Tags and ids are compared exactly, so `tags: [iam]` does not select a runbook
 * tagged `IAM`: an allow then fails closed, but a `deny` or an approval rule fails open (the
 * runbook runs, unapproved). The server warns of each at its start.
 */
import type { AccessConfig, Selector } from "@run-md/access";
import type { Catalog } from "./catalog.ts";

const norm = (s: string) => s.trim().toLowerCase();

/** One warning per selector value that a served runbook's tag or id spells otherwise. */
export function selectorNearMisses(access: AccessConfig, catalog: Catalog): string[] {
  const selectors: Array<[string, Selector | undefined]> = [
    ...access.rules.map((r, i) => [`access.rules[${i}]`, r.runbooks] as [string, Selector]),
    ...access.approvals.map((a, i) => [`access.approvals[${i}]`, a.runbooks] as [string, Selector]),
  ];
  const out: string[] = [];
  for (const [where, selector] of selectors) {
    for (const field of ["tags", "ids"] as const) {
      for (const wanted of selector?.[field] ?? []) {
        for (const { facts } of catalog.all()) {
          const values = field === "tags" ? facts.tags : [facts.id];
          const near = values.find((v) => v !== wanted && norm(v) === norm(wanted));
          if (near === undefined || values.includes(wanted)) continue;
          out.push(
            `${where}.runbooks.${field}: "${wanted}" does not select runbook ${facts.id}, whose ${field === "tags" ? "tag" : "id"} is "${near}": tags and ids are compared exactly (case matters), so the rule does not apply to it`,
          );
        }
      }
    }
  }
  return out;
}
