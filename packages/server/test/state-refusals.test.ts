/**
 * Refusals that depend on a run's state or on the caller's open streams are audited like every
 * other refusal (spec §9: every refusal is one entry; red-team, 2026-12-07). Before, an approval
 * or denial of a run no longer waiting (409 `not-pending`) or expired (410), a cancel of a run
 * that had ended (409 `ended`) and a stream past the caller's limit (429 `too-many-streams`)
 * left no entry, while the same refusals found by `canApprove` (409 `not-needed`, 410) did.
 */
import type { AuditEntry } from "@run-md/access";
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { STREAMS_PER_CALLER } from "../src/routes/events.ts";
import { call, fixtureServer } from "./helpers.ts";

/** The server's clock: the real time plus what a test adds. */
let offsetMs = 0;

const t = fixtureServer(() => ({
  access: {
    rules: [
      { groups: ["oncall"], allow: ["view", "run"] },
      { groups: ["leads"], allow: ["view", "run", "approve"] },
    ],
    approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
    approvalTtl: "1h",
  },
  tokens: {
    alice: { groups: ["oncall"], user: "alice@example.com" },
    bob: { groups: ["leads"], user: "bob@example.com" },
  },
  governance: { now: () => new Date(Date.now() + offsetMs) },
}));

async function pending(): Promise<string> {
  const r = await call(`${t.url}/api/runs`, {
    token: t.tokens.alice!,
    body: { runbook: "net-critical" },
  });
  expect(r.body.status).toBe("pending-approval");
  return r.body.id;
}

const post = (token: string, id: string, what: string) =>
  call(`${t.url}/api/runs/${id}/${what}`, { token, method: "POST", body: {} });

/** The `access.refused` entries about this run. */
async function refusals(id: string): Promise<AuditEntry[]> {
  return (await t.audit()).filter(
    (e) => e.action === "access.refused" && (e.details as { run?: string }).run === id,
  );
}

describe("refusals for a run's state, audited", () => {
  it("an approval or denial of a run no longer waiting, a cancel of one that ended", async () => {
    const id = await pending();
    expect((await post(t.tokens.bob!, id, "deny")).status).toBe(200);
    const again = await post(t.tokens.bob!, id, "approve");
    expect([again.status, again.body.code]).toEqual([409, "not-pending"]);
    const cancel = await post(t.tokens.alice!, id, "cancel");
    expect([cancel.status, cancel.body.code]).toEqual([409, "ended"]);
    expect((await refusals(id)).map((e) => [e.actor, e.target, e.details])).toEqual([
      ["bob@example.com", "net-critical", { action: "approve", run: id, reason: "not-pending" }],
      ["alice@example.com", "net-critical", { action: "cancel", run: id, reason: "ended" }],
    ]);
  });

  it("an approval of a request that expired", async () => {
    const id = await pending();
    offsetMs = 2 * 3_600_000;
    try {
      // A read of the runs API ends it `expired` first (then the approval is 410 for its state).
      await call(`${t.url}/api/runs/${id}`, { token: t.tokens.bob! });
      const late = await post(t.tokens.bob!, id, "approve");
      expect([late.status, late.body.code]).toEqual([410, "expired"]);
    } finally {
      offsetMs = 0;
    }
    expect((await refusals(id)).map((e) => e.details)).toEqual([
      { action: "approve", run: id, reason: "expired" },
    ]);
  });

  it("an event stream past the caller's limit", async () => {
    const id = await pending();
    const url = `${t.url}/api/runs/${id}/events`;
    const open: AbortController[] = [];
    try {
      for (let i = 0; i < STREAMS_PER_CALLER; i++) {
        const stop = new AbortController();
        open.push(stop);
        const res = await fetch(url, {
          headers: { authorization: `Bearer ${t.tokens.alice!}` },
          signal: stop.signal,
        });
        expect(res.status).toBe(200);
      }
      const over = await call(url, { token: t.tokens.alice! });
      expect([over.status, over.body.code]).toEqual([429, "too-many-streams"]);
    } finally {
      for (const stop of open) stop.abort();
    }
    expect((await refusals(id)).map((e) => [e.actor, e.details])).toEqual([
      ["alice@example.com", { action: "view", run: id, reason: "too-many-streams" }],
    ]);
  });
});
