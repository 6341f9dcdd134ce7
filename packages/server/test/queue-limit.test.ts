/**
 * The per-person cap on runs waiting in the queue (MAX_QUEUED_PER_CALLER): one caller cannot fill
 * the queue (first in, first out) and starve the others. Running runs and runs pending approval
 * do not count; the same person under another case of their address does; a refusal is 429
 * `too-many-queued`, audited as a refused `run.request`.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { MAX_QUEUED_PER_CALLER } from "../src/runs/manager.ts";
import { call, fixtureServer, waitForEnd } from "./helpers.ts";

/** Holds every run at its start until released: the one slot stays taken. */
let release = () => {};
const gate = new Promise<void>((r) => (release = r));

const t = fixtureServer({
  server: { concurrency: 1 },
  access: { rules: [{ groups: ["ops"], allow: ["view", "run", "run:params", "admin"] }] },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    shouting: { groups: ["ops"], user: "OPS@Example.com" },
    other: { groups: ["ops"], user: "other@example.com" },
  },
  hooks: {
    admit: async (rec) => (rec.runbook === "net-critical" ? "pending-approval" : "queued"),
    beforeStart: () => gate,
  },
});

describe("runs waiting in the queue, per person", () => {
  it("refuses one more than the cap (429, audited), for that person only", async () => {
    const ids: string[] = [];
    try {
      await capped(ids);
    } finally {
      // Whatever failed: the server's stop waits for the run held at its start.
      for (const id of ids)
        await call(`${t.url}/api/runs/${id}/cancel`, { token: t.ops, method: "POST" });
      release();
      for (const id of ids) await waitForEnd(t, id, t.ops);
    }
  });
});

async function capped(ids: string[]) {
  const run = (token: string, runbook = "iam-low") =>
    call(`${t.url}/api/runs`, { token, body: { runbook } });
  // The first takes the one slot (held at its start): it is running, not waiting.
  const first = await run(t.tokens.ops!);
  ids.push(first.body.id);
  await expect
    .poll(async () => (await call(`${t.url}/api/runs/${first.body.id}`, { token: t.ops })).body)
    .toMatchObject({ status: "running" });
  // Pending approval does not count either.
  const held = await run(t.tokens.ops!, "net-critical");
  expect(held.body.status).toBe("pending-approval");
  ids.push(held.body.id);
  // Sent together: the cap holds for requests in flight too.
  const answers = await Promise.all(
    Array.from({ length: MAX_QUEUED_PER_CALLER + 3 }, (_, i) =>
      run(i % 2 === 0 ? t.tokens.ops! : t.tokens.shouting!),
    ),
  );
  const accepted = answers.filter((a) => a.status === 202);
  const refused = answers.filter((a) => a.status === 429);
  ids.push(...accepted.map((a) => a.body.id));
  expect(accepted).toHaveLength(MAX_QUEUED_PER_CALLER);
  expect(refused).toHaveLength(3);
  expect(refused[0]!.body).toMatchObject({
    code: "too-many-queued",
    limit: MAX_QUEUED_PER_CALLER,
  });
  expect(refused[0]!.body.error).toMatch(/already have 10 runs and queries waiting in the queue/);
  // Another person still gets in.
  const other = await run(t.tokens.other!);
  expect(other.status).toBe(202);
  ids.push(other.body.id);

  const entries = (await t.audit()).filter(
    (e) => e.action === "run.request" && (e.details as { refused?: unknown }).refused,
  );
  expect(entries).toHaveLength(3);
  expect(entries[0]).toMatchObject({
    target: "iam-low",
    details: { refused: { status: 429, code: "too-many-queued" } },
  });

  // One cancelled from the queue leaves room again.
  await call(`${t.url}/api/runs/${ids[2]}/cancel`, { token: t.ops, method: "POST" });
  const again = await run(t.tokens.ops!);
  expect(again.status).toBe(202);
  ids.push(again.body.id);
}
