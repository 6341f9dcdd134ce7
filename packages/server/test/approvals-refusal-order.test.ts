/**
 * A decision with a malformed body from someone who may not make it (red-team, 2026-12-07): the
 * body was read before the caller's right to approve, so a viewer who is no approver (or the
 * requester, on their own run) got 400 for the body, and no refusal was written to the audit
 * log: spec §3 has a refused request answered 403 naming the action, and audited. The rights
 * come first now; an approver's malformed body is still 400, and the run still waits.
 */
import { describe, expect, it } from "vitest";
import { call, fixtureServer } from "./helpers.ts";

const t = fixtureServer({
  access: {
    rules: [
      { groups: ["ops"], allow: ["view", "run"] },
      { groups: ["leads"], allow: ["view", "run", "approve"] },
      { groups: ["viewer"], allow: ["view"] },
    ],
    approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
  },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    viewer: { groups: ["viewer"], user: "viewer@example.com" },
    lead: { groups: ["leads"], user: "lead@example.com" },
  },
});

describe("an approval or denial with a malformed body", () => {
  it("is refused for the caller's rights first (403, audited), then for its body", async () => {
    const asked = await call(`${t.url}/api/runs`, {
      token: t.tokens.ops!,
      body: { runbook: "net-critical" },
    });
    expect(asked.body.status).toBe("pending-approval");
    const id = asked.body.id as string;
    const cases: [token: string, verdict: string, status: number, reason?: string][] = [
      [t.tokens.viewer!, "approve", 403, "not-approver"],
      [t.tokens.viewer!, "deny", 403, "not-approver"],
      [t.tokens.ops!, "approve", 403, "self-approval"],
      [t.tokens.lead!, "approve", 400],
    ];
    for (const [token, verdict, status, reason] of cases) {
      const before = (await t.audit()).length;
      const r = await call(`${t.url}/api/runs/${id}/${verdict}`, {
        token,
        body: { comment: "ok", bogus: 1 },
      });
      expect([verdict, r.status]).toEqual([verdict, status]);
      const added = (await t.audit()).slice(before);
      if (reason === undefined) continue;
      expect(added).toEqual([
        expect.objectContaining({
          action: "access.refused",
          target: "net-critical",
          details: expect.objectContaining({ action: verdict, run: id, reason }),
        }),
      ]);
    }
    const run = await call(`${t.url}/api/runs/${id}`, { token: t.tokens.ops! });
    expect(run.body.status).toBe("pending-approval");
  });
});
