/**
 * A refused run request's audit entry keeps its parameters clipped, as a request refused for its
 * body already did (red-team: one refused for `run:params`, or past the queue's limit, wrote the
 * 60 KB a caller sent into the audit log with each request, synced: a loop of refusals grew the
 * log by 60 KB a request without bound).
 */
import { describe, expect, it } from "vitest";
import { call, fixtureServer } from "./helpers.ts";

const t = fixtureServer({
  access: {
    rules: [
      { groups: ["ops"], allow: ["view", "run", "run:params"] },
      { groups: ["runner"], allow: ["view", "run"] },
    ],
  },
  tokens: { runner: { groups: ["runner"], user: "runner@example.com" } },
});

describe("a refused run request's audit entry", () => {
  it("keeps a 60 KB parameter clipped when the request is refused for run:params", async () => {
    const source = "s".repeat(60_000);
    for (let i = 0; i < 3; i++) {
      const r = await call(`${t.url}/api/runs`, {
        token: t.tokens.runner!,
        body: { runbook: "iam-low", params: { source } },
      });
      expect(r.status).toBe(403);
    }
    const refused = (await t.audit()).filter(
      (e) => e.action === "access.refused" && e.actor === "runner@example.com",
    );
    expect(refused).toHaveLength(3);
    for (const e of refused) {
      expect(JSON.stringify(e).length).toBeLessThan(2_000);
      const kept = (e.details as { params: { source: string } }).params.source;
      expect(kept.startsWith("sss")).toBe(true);
      expect(kept).toContain("(60000 characters)");
    }
  });
});
