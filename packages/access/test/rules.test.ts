import { describe, expect, it } from "vitest";
import {
  type Action,
  allowedActions,
  type Caller,
  isAllowed,
  parseAccessConfig,
  type RunbookFacts,
} from "../src/index.ts";

// The spec's §3 example, plus rules for ids, severity + ids together, admin, audit and a deny
// with a selector.
const cfg = parseAccessConfig(
  {
    rules: [
      {
        groups: ["security-oncall"],
        allow: ["view", "run", "run:params"],
        runbooks: { tags: ["iam", "cloudtrail"] },
      },
      {
        groups: ["security-leads"],
        allow: ["view", "run", "run:params", "approve", "query", "audit"],
      },
      { groups: ["*"], allow: ["view"], runbooks: { severity: ["info", "low", "medium"] } },
      { groups: ["contractors"], deny: ["run"] },
      { groups: ["auditors"], allow: ["audit"] },
      {
        groups: ["responders"],
        allow: ["view", "run"],
        runbooks: { ids: ["audit-iam", "root-account-usage"], severity: ["high", "critical"] },
      },
      { groups: ["admins"], allow: ["admin", "view"] },
      { groups: ["interns"], deny: ["view"], runbooks: { tags: ["secrets"] } },
    ],
  },
  "run-md.config.yaml",
);

const rb = (id: string, tags: string[], severity: string): RunbookFacts => ({ id, tags, severity });
const iamHigh = rb("audit-iam", ["iam"], "high");
const iamLow = rb("audit-iam", ["iam"], "low");
const rootCrit = rb("root-account-usage", ["root"], "critical");
const s3Low = rb("s3-public", ["s3"], "low");
const ctMed = rb("trail-changes", ["cloudtrail", "secrets"], "medium");
const kmsHigh = rb("kms-keys", ["kms"], "high");

const caller = (...groups: string[]): Caller => ({ user: "u@example.com", groups, via: "oidc" });

// [groups, action, runbook, expected]: every answer worked out by hand from spec §3.
const CASES: Array<[string[], Action, RunbookFacts | undefined, boolean]> = [
  [["security-oncall"], "view", iamHigh, true], // tag iam
  [["security-oncall"], "run", iamHigh, true],
  [["security-oncall"], "run:params", iamHigh, true],
  [["security-oncall"], "view", kmsHigh, false], // no tag, severity high not in "*" rule
  [["security-oncall"], "view", s3Low, true], // "*" rule, low
  [["security-oncall"], "run", s3Low, false], // "*" only views
  [["security-oncall"], "view", ctMed, true], // tag cloudtrail
  [["security-oncall"], "query", undefined, false], // only selector-less rules grant query
  [["security-oncall"], "approve", undefined, false],
  [["security-oncall"], "view", undefined, false], // no runbook: only selector-less rules
  [["security-leads"], "query", undefined, true],
  [["security-leads"], "audit", undefined, true],
  [["security-leads"], "approve", undefined, true],
  [["security-leads"], "admin", undefined, false], // never granted
  [["security-leads"], "run", kmsHigh, true], // no selector: every runbook
  [["security-leads"], "view", undefined, true],
  [["security-leads", "contractors"], "run", iamHigh, false], // deny wins over allow
  [["security-leads", "contractors"], "run:params", iamHigh, false], // run denied: no run:params
  [["security-leads", "contractors"], "view", iamHigh, true], // only run is denied
  [["security-leads", "contractors"], "query", undefined, true],
  [["contractors"], "view", s3Low, true], // "*"
  [["contractors"], "view", rootCrit, false], // default deny
  [[], "view", s3Low, true], // "*" matches a caller in no group
  [[], "view", kmsHigh, false],
  [[], "run", s3Low, false],
  [["responders"], "run", iamHigh, true], // id and severity both match
  [["responders"], "run:params", iamHigh, false], // run alone does not give run:params
  [["responders"], "run", rootCrit, true],
  [["responders"], "run", kmsHigh, false], // severity matches, id does not
  [["responders"], "run", iamLow, false], // id matches, severity does not
  [["responders"], "view", iamLow, true], // but "*" views low
  [["auditors"], "audit", undefined, true],
  [["auditors"], "query", undefined, false],
  [["auditors"], "view", s3Low, true],
  [["admins"], "admin", undefined, true],
  [["admins"], "view", kmsHigh, true],
  [["admins"], "run", kmsHigh, false],
  [["interns"], "view", ctMed, false], // deny with a selector beats "*" allow
  [["interns"], "view", s3Low, true], // the deny's selector does not match
  [["interns", "security-leads"], "view", ctMed, false], // deny wins across groups
  [["Security-Leads"], "query", undefined, false], // group names are exact
];

describe("isAllowed", () => {
  it.each(
    CASES.map(([g, a, r, want]) => ({
      g,
      a,
      r,
      want,
      name: `${g.join("+") || "(none)"} ${a} ${r ? `${r.id}/${r.severity}` : "-"}`,
    })),
  )("$name → $want", ({ g, a, r, want }) => {
    expect(isAllowed(cfg, caller(...g), a, r)).toBe(want);
  });

  it("refuses everything when there is no access section (default deny)", () => {
    const empty = parseAccessConfig(undefined, "run-md.config.yaml");
    expect(allowedActions(empty, caller("*", "security-leads"), s3Low)).toEqual([]);
  });

  it("lists the caller's actions in the spec's order", () => {
    expect(allowedActions(cfg, caller("security-leads"), kmsHigh)).toEqual([
      "view",
      "run",
      "run:params",
      "approve",
      "query",
      "audit",
    ]);
    expect(allowedActions(cfg, caller("security-oncall"), iamHigh)).toEqual([
      "view",
      "run",
      "run:params",
    ]);
    expect(allowedActions(cfg, caller("contractors", "security-oncall"), iamHigh)).toEqual([
      "view",
    ]);
  });
});

describe("query and masking", () => {
  it("never allows query to a caller whom a masking rule covers, whatever else allows it", () => {
    const masked = parseAccessConfig(
      {
        rules: [{ groups: ["analysts", "contractors"], allow: ["view", "query"] }],
        masking: [{ groups: ["contractors"], columns: ["sourceipaddress"], strategy: "redact" }],
      },
      "run-md.config.yaml",
    );
    expect(isAllowed(masked, caller("analysts"), "query")).toBe(true);
    expect(isAllowed(masked, caller("contractors"), "query")).toBe(false);
    expect(isAllowed(masked, caller("analysts", "contractors"), "query")).toBe(false);
    expect(allowedActions(masked, caller("contractors"))).toEqual(["view"]);
  });
});

describe("parseAccessConfig", () => {
  const bad = (raw: unknown) => () => parseAccessConfig(raw, "conf/run-md.config.yaml");

  it("names the file, the key path and the unknown action with a suggestion", () => {
    expect(
      bad({
        rules: [
          { groups: ["a"], allow: ["view"] },
          { groups: ["b"], allow: ["view", "rn"] },
        ],
      }),
    ).toThrow(
      'conf/run-md.config.yaml: access.rules[1].allow[1]: unknown action "rn" (did you mean "run"?)',
    );
    expect(bad({ rules: [{ groups: ["a"], deny: ["admn"] }] })).toThrow(
      'access.rules[0].deny[0]: unknown action "admn" (did you mean "admin"?)',
    );
  });

  it("refuses a runbook-less action in a rule with a selector", () => {
    expect(
      bad({ rules: [{ groups: ["a"], allow: ["view", "query"], runbooks: { tags: ["iam"] } }] }),
    ).toThrow('access.rules[0].allow[1]: "query" is not about one runbook');
  });

  it("names unknown keys, bad severities, empty groups and rules that do nothing", () => {
    expect(bad({ rules: [{ group: ["a"], allow: ["view"] }] })).toThrow(
      'access.rules[0].group: unknown key "group" (did you mean "groups"?)',
    );
    expect(bad({ rule: [] })).toThrow('access.rule: unknown key "rule" (did you mean "rules"?)');
    expect(
      bad({ rules: [{ groups: ["a"], allow: ["view"], runbooks: { severity: ["hgh"] } }] }),
    ).toThrow(
      'access.rules[0].runbooks.severity[0]: unknown severity "hgh" (did you mean "high"?)',
    );
    expect(bad({ rules: [{ groups: [], allow: ["view"] }] })).toThrow(
      "access.rules[0].groups: expected at least one entry",
    );
    expect(bad({ rules: [{ groups: ["a"] }] })).toThrow(
      "access.rules[0]: a rule needs allow: or deny:",
    );
    expect(bad({ rules: { groups: ["a"] } })).toThrow(
      "access.rules: expected a list, got a mapping",
    );
  });

  it("reads approvals, masking, budgets and the approval TTL, naming bad values", () => {
    const c = parseAccessConfig(
      {
        approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["security-leads"] }],
        masking: [{ groups: ["contractors"], columns: ["sourceipaddress"], strategy: "partial" }],
        budgets: [{ groups: ["analysts"], athenaScanPerDay: "100GB" }],
        approvalTtl: "2h",
      },
      "x.yaml",
    );
    expect(c.approvalTtlMs).toBe(7_200_000);
    expect(c.budgets[0]).toMatchObject({ athenaScanPerDay: 100e9, key: "analysts" });
    expect(c.masking[0]!.strategy).toBe("partial");
    expect(parseAccessConfig({}, "x").approvalTtlMs).toBe(86_400_000);
    expect(bad({ masking: [{ groups: ["a"], columns: ["x"], strategy: "blur" }] })).toThrow(
      'access.masking[0].strategy: unknown strategy "blur"',
    );
    expect(bad({ budgets: [{ groups: ["a"], athenaScanPerDay: "lots" }] })).toThrow(
      'access.budgets[0].athenaScanPerDay: invalid size "lots"',
    );
    expect(bad({ approvalTtl: "soon" })).toThrow('access.approvalTtl: invalid duration "soon"');
  });
});
