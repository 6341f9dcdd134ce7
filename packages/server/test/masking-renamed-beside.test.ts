/**
 * A masked field read under another name in a step that also selects it under its own (second
 * review, 2026-12-08): `SELECT sourceipaddress, lag(sourceipaddress) OVER (...) AS previous_ip`
 * showed a masked caller every previous address in clear, since a column named after the field
 * made the step count as masked by name. A step that selects the field only as itself keeps its
 * other text values readable. The truth is the unmasked caller's rows of the same run.
 */
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { call, fixtureServer, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  runbooks: [path.join(import.meta.dirname, "mask-renamed-fixtures")],
  access: {
    rules: [{ groups: ["ops", "con"], allow: ["view", "run"] }],
    masking: [{ groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" }],
  },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    con: { groups: ["con"], user: "con@example.com" },
  },
});

type Step = { id: string; rows: unknown[][]; masked?: string };
let raw: Step[];
let seen: Step[];

beforeAll(async () => {
  const r = await call(`${t.url}/api/runs`, { token: t.ops, body: { runbook: "address-changes" } });
  expect(r.status).toBe(202);
  raw = (await waitForEnd(t, r.body.id, t.ops)).result.steps;
  seen = (await call(`${t.url}/api/runs/${r.body.id}`, { token: t.tokens.con! })).body.result.steps;
});

const step = (steps: Step[], id: string) => steps.find((s) => s.id === id)!;

it("hides the field's values under another name beside its own column", () => {
  const previous = step(raw, "changes")
    .rows.map((r) => r[1])
    .filter((v) => v !== null);
  expect(previous.length).toBeGreaterThan(0); // the premise: addresses the step shows
  const text = JSON.stringify(step(seen, "changes").rows);
  for (const address of previous) expect(text).not.toContain(`"${address}"`);
  expect(step(seen, "changes").masked).toContain("sourceipaddress");
});

it("keeps the other text values of a step that selects the field as itself only", () => {
  const calls = step(seen, "calls");
  expect(calls.masked).toBeUndefined();
  expect(calls.rows.map((r) => r[1])).toEqual(step(raw, "calls").rows.map((r) => r[1]));
  expect(calls.rows.every((r) => r[0] === "[redacted]")).toBe(true);
});
