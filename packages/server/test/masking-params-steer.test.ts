/**
 * What else a masked caller's own parameter values may steer (second review, 2026-12-08): a
 * number is a question about a masked field as a text is (`try_cast(split_part(sourceipaddress,
 * '.', 1) AS integer) = {{octet}}` run with 1, 2, ... 255 told the addresses' first octets from
 * the counts), and a value given as written stays no choice of the caller's beside a required
 * parameter (the whole runbook as written could not be resolved, so every value was taken for
 * the caller's). The truth is the unmasked caller's counts of the same runs.
 */
import path from "node:path";
import { expect, it } from "vitest";
import { call, maskedParamsServer, waitForEnd } from "./helpers.ts";

const t = maskedParamsServer(path.join(import.meta.dirname, "mask-steer-fixtures"));

const run = (token: string, runbook: string, params: Record<string, unknown>) =>
  call(`${t.url}/api/runs`, { token, body: { runbook, params } });

/** The calls the by_octet step counts for an octet, as an unmasked caller reads them. */
async function counted(octet: number): Promise<number> {
  const r = await run(t.ops, "calls-by-octet", { octet });
  expect(r.status).toBe(202);
  const done = await waitForEnd(t, r.body.id, t.ops);
  const step = done.result.steps.find((s: { id: string }) => s.id === "by_octet");
  return step.rows.reduce((n: number, row: [string, number]) => n + row[1], 0);
}

it("refuses a masked caller's number compared with a masked field (the oracle's premise first)", async () => {
  expect(await counted(52)).toBeGreaterThan(0);
  expect(await counted(53)).toBe(0);
  const r = await run(t.tokens.con!, "calls-by-octet", { octet: 52 });
  expect(r.status).toBe(403);
  expect(r.body.error).toContain('"octet"');
  // Its value as written is still theirs to give.
  const same = await run(t.tokens.con!, "calls-by-octet", { octet: 0 });
  expect(same.status).toBe(202);
  await waitForEnd(t, same.body.id, t.tokens.con!);
});

it("takes a value given as written beside a required parameter as no choice of the caller's", async () => {
  const r = await run(t.tokens.con!, "calls-required", {
    source: "s3.amazonaws.com",
    ip_pattern: "%",
  });
  expect(r.status).toBe(202);
  await waitForEnd(t, r.body.id, t.tokens.con!);
  const steered = await run(t.tokens.con!, "calls-required", {
    source: "s3.amazonaws.com",
    ip_pattern: "52.%",
  });
  expect(steered.status).toBe(403);
  expect(steered.body.error).toContain('"ip_pattern"');
  expect(steered.body.error).not.toContain('"source"');
});
