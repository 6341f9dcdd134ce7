import { describe, expect, it } from "vitest";
import {
  type Caller,
  canApprove,
  needsApproval,
  parseAccessConfig,
  type RunbookFacts,
} from "../src/index.ts";

const cfg = parseAccessConfig(
  {
    rules: [
      { groups: ["security-leads", "oncall-leads"], allow: ["view", "run", "approve"] },
      { groups: ["security-oncall"], allow: ["view", "run"] },
    ],
    approvals: [
      { runbooks: { severity: ["critical"] }, approvers: ["security-leads"] },
      { runbooks: { tags: ["break-glass"] }, approvers: ["oncall-leads", "security-leads"] },
      { runbooks: { ids: ["wide-scan"] }, approvers: ["security-oncall"] },
    ],
    approvalTtl: "2h",
  },
  "x.yaml",
);
const rb = (id: string, tags: string[], severity: string): RunbookFacts => ({ id, tags, severity });
const critical = rb("root-account-usage", ["root"], "critical");
const glass = rb("assume-admin", ["break-glass"], "high");
const plain = rb("audit-iam", ["iam"], "medium");

const alice: Caller = { user: "alice@example.com", groups: ["security-oncall"], via: "oidc" };
const aliceToken: Caller = {
  user: "Alice@Example.com",
  groups: ["security-leads"],
  via: "token",
  token: "alice-ci",
};
const bob: Caller = { user: "bob@example.com", groups: ["security-leads"], via: "oidc" };
const carol: Caller = { user: "carol@example.com", groups: ["oncall-leads"], via: "oidc" };
const bot: Caller = { user: "token:ci", groups: ["security-leads"], via: "token", token: "ci" };
const dave: Caller = { user: "dave@example.com", groups: ["security-oncall"], via: "oidc" };

const at = new Date("2026-11-30T10:00:00Z");
const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

describe("needsApproval", () => {
  it("matches approval rules by selector and unions their approvers", () => {
    expect(needsApproval(cfg, critical)).toEqual({ approvers: ["security-leads"] });
    expect(needsApproval(cfg, { ...glass, severity: "critical" })).toEqual({
      approvers: ["security-leads", "oncall-leads"],
    });
    expect(needsApproval(cfg, plain)).toBeUndefined();
  });
});

describe("canApprove", () => {
  const req = (runbook: RunbookFacts, requester = alice) => ({
    requester,
    runbook,
    requestedAt: at,
  });

  it("lets another person in an approver group, allowed approve, approve before expiry", () => {
    expect(canApprove(cfg, req(critical), bob, later(5))).toEqual({ ok: true });
    expect(canApprove(cfg, req(glass), carol, later(119))).toEqual({ ok: true });
  });

  it("refuses the requester, also through a token bound to them in an approver group", () => {
    expect(canApprove(cfg, req(critical, bob), bob, later(1))).toMatchObject({
      ok: false,
      reason: "self-approval",
    });
    expect(canApprove(cfg, req(critical), aliceToken, later(1))).toMatchObject({
      ok: false,
      reason: "self-approval",
      message: "the requester cannot approve or deny their own run (to withdraw it, cancel it)",
    });
  });

  it("refuses callers outside the approver groups, or whom the rules do not allow approve", () => {
    expect(canApprove(cfg, req(critical), carol, later(1))).toMatchObject({
      ok: false,
      reason: "not-approver",
    });
    // dave is in wide-scan's approver group but no rule allows security-oncall to approve.
    expect(canApprove(cfg, req(rb("wide-scan", [], "low")), dave, later(1))).toMatchObject({
      ok: false,
      reason: "not-approver",
    });
  });

  it("refuses a token bound to no person", () => {
    expect(canApprove(cfg, req(critical), bot, later(1))).toMatchObject({
      ok: false,
      reason: "not-a-person",
    });
  });

  it("refuses an expired request (access.approvalTtl 2h), and one that needs no approval", () => {
    expect(canApprove(cfg, req(critical), bob, later(120))).toEqual({
      ok: false,
      reason: "expired",
      message: "the request expired at 2026-11-30T12:00:00.000Z",
    });
    const dflt = parseAccessConfig(
      {
        approvals: [{ approvers: ["security-leads"] }],
        rules: [{ groups: ["security-leads"], allow: ["approve"] }],
      },
      "x",
    );
    expect(canApprove(dflt, req(plain), bob, later(24 * 60 - 1)).ok).toBe(true);
    expect(canApprove(dflt, req(plain), bob, later(24 * 60)).ok).toBe(false);
    expect(canApprove(cfg, req(plain), bob, later(1))).toMatchObject({
      ok: false,
      reason: "not-needed",
    });
  });
});
