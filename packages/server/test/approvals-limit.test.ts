/**
 * The per-person cap on runs waiting for approval (MAX_PENDING_PER_CALLER, red-team 2026-12-07):
 * each request of a runbook an approval rule selects is a record on disk, a signed message to
 * every approver webhook and a row on the approvers' page for a day. Uncapped, one person with
 * `run` on a critical runbook sent 30 requests in a loop and the approvers 30 messages. One more
 * than the cap is 429 `too-many-pending`, audited as a refused `run.request`, and sends nothing.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { MAX_PENDING_PER_CALLER } from "../src/runs/manager.ts";
import { call, fixtureServer, until, webhookReceiver } from "./helpers.ts";

const { received: sent, url: hookUrl } = webhookReceiver();
/** The server's clock: the real time plus what a test adds. */
let offsetMs = 0;

const t = fixtureServer(() => ({
  access: {
    rules: [{ groups: ["oncall"], allow: ["view", "run"] }],
    approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
    approvalTtl: "1h",
  },
  tokens: {
    alice: { groups: ["oncall"], user: "alice@example.com" },
    shouting: { groups: ["oncall"], user: "ALICE@example.com" },
    bob: { groups: ["oncall"], user: "bob@example.com" },
    carol: { groups: ["oncall"], user: "carol@example.com" },
  },
  governance: {
    now: () => new Date(Date.now() + offsetMs),
    // The sweep does not come during the test: a request past its TTL is expired by the request.
    expirySweepMs: 600_000,
    webhooks: [
      {
        url: `${hookUrl()}/approvals`,
        secret: "approval-webhook-secret-0123456789",
      },
    ],
  },
}));

const request = (token: string) =>
  call(`${t.url}/api/runs`, { token, body: { runbook: "net-critical" } });

describe("runs waiting for approval, per person", () => {
  it("refuses one more than the cap (429, audited, no message to the approvers)", async () => {
    // Sent together, under two cases of one address: the cap holds for requests in flight too.
    const answers = await Promise.all(
      Array.from({ length: MAX_PENDING_PER_CALLER + 3 }, (_, i) =>
        request(i % 2 === 0 ? t.tokens.alice! : t.tokens.shouting!),
      ),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(MAX_PENDING_PER_CALLER);
    expect(accepted.every((a) => a.body.status === "pending-approval")).toBe(true);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.body).toMatchObject({
      code: "too-many-pending",
      limit: MAX_PENDING_PER_CALLER,
    });
    const entries = (await t.audit()).filter(
      (e) => e.action === "run.request" && (e.details as { refused?: unknown }).refused,
    );
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      actor: expect.stringMatching(/^alice@example\.com$/i),
      target: "net-critical",
      details: { refused: { status: 429, code: "too-many-pending" } },
    });
    const ids = accepted.map((a) => a.body.id as string);
    await until(() =>
      ids.every((id) => sent.some((r) => r.body.includes(id))) ? true : undefined,
    );
    expect(sent).toHaveLength(MAX_PENDING_PER_CALLER);

    // Another person still gets in; a request withdrawn (cancelled) leaves room again.
    expect((await request(t.tokens.bob!)).status).toBe(202);
    const cancel = await call(`${t.url}/api/runs/${ids[0]}/cancel`, {
      token: t.tokens.alice!,
      method: "POST",
    });
    expect(cancel.status).toBe(202);
    expect((await request(t.tokens.alice!)).status).toBe(202);
  });

  it("frees the places of requests past their TTL for the next request, before the expiry sweep", async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_PENDING_PER_CALLER; i++) {
      const r = await request(t.tokens.carol!);
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    expect((await request(t.tokens.carol!)).status).toBe(429);
    // A day later nothing of carol's waits any more: her next request is the only one waiting.
    offsetMs = 24 * 3_600_000;
    const next = await request(t.tokens.carol!);
    expect(next.status).toBe(202);
    expect(next.body.status).toBe("pending-approval");
    const first = await call(`${t.url}/api/runs/${ids[0]}`, { token: t.tokens.carol! });
    expect(first.body.status).toBe("expired");
  });
});
