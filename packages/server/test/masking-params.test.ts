/**
 * Another person's run parameters, for a caller whom masking covers (red-team, 2026-12-07): an
 * investigation's parameters are the values its rows are about (an address, an ARN, a principal),
 * and masking hid those in the rows while `params`, the report's `params` and the `run-start`
 * event sent them as requested: a contractor read the address under investigation there. Text
 * parameters (string, arn, account_id) of runs the caller did not request are `[redacted]` for
 * them, in the query as run too; numbers, booleans, instants and durations are kept, and the
 * requester and callers without masking see every value.
 */
import { describe, expect, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import { call, fixtureServer, readEvents, waitForEnd } from "./helpers.ts";

const t = fixtureServer({
  access: {
    rules: [
      { groups: ["ops"], allow: ["view", "run", "run:params", "audit"] },
      { groups: ["con"], allow: ["view", "run", "run:params", "audit"] },
    ],
    masking: [{ groups: ["con"], columns: ["sourceipaddress"], strategy: "partial" }],
  },
  tokens: {
    ops: { groups: ["ops"], user: "ops@example.com" },
    con: { groups: ["con"], user: "con@example.com" },
  },
});

const SECRET = "s3.amazonaws.com";

async function runAs(token: string, source: string): Promise<string> {
  const r = await call(`${t.url}/api/runs`, {
    token,
    body: { runbook: "iam-low", params: { source, limit: 7 } },
  });
  expect(r.status).toBe(202);
  await waitForEnd(t, r.body.id, token);
  return r.body.id;
}

async function seenBy(token: string, id: string) {
  const run = (await call(`${t.url}/api/runs/${id}`, { token })).body;
  const list = (await call(`${t.url}/api/runs?limit=500`, { token })).body.find(
    (r: { id: string }) => r.id === id,
  );
  const { events } = await readEvents(`${t.url}/api/runs/${id}/events`, { token });
  const start = events.find((e) => e.event === "run-start")!;
  return { run, list, start };
}

describe("another person's run parameters, for a masked caller", () => {
  it("are [redacted] when they are text; the requester and unmasked callers see them", async () => {
    const id = await runAs(t.tokens.ops!, SECRET);
    const con = await seenBy(t.tokens.con!, id);
    expect(con.run.params).toEqual({ source: "[redacted]", limit: 7 });
    expect(con.list.params).toEqual({ source: "[redacted]", limit: 7 });
    expect(con.run.result.params).toEqual({ source: "[redacted]", limit: 7 });
    expect(con.start.data.params).toEqual({ source: "[redacted]", limit: 7 });
    expect(JSON.stringify(con)).not.toContain(SECRET);

    const ops = await seenBy(t.tokens.ops!, id);
    expect(ops.run.params).toEqual({ source: SECRET, limit: 7 });
    expect(ops.run.result.params).toEqual({ source: SECRET, limit: 7 });
    expect(ops.start.data.params).toEqual({ source: SECRET, limit: 7 });

    // The masked caller's own run: they sent the value.
    const own = await runAs(t.tokens.con!, "ec2.amazonaws.com");
    const mine = await seenBy(t.tokens.con!, own);
    expect(mine.run.params).toEqual({ source: "ec2.amazonaws.com", limit: 7 });
    expect(mine.start.data.params).toMatchObject({ source: "ec2.amazonaws.com" });
  });

  it("are not read in the audit log by a masked caller, whom audit is refused (the log keeps them as sent)", async () => {
    const id = await runAs(t.tokens.ops!, SECRET);
    // The log holds the value: the unmasked auditor reads it there.
    const ops = await call(`${t.url}/api/audit?limit=1000`, { token: t.tokens.ops! });
    expect(ops.status).toBe(200);
    const request = (
      ops.body as { action: string; details?: { run?: string; params?: unknown } }[]
    ).find((e) => e.action === "run.request" && e.details?.run === id);
    expect(request?.details?.params).toEqual({ source: SECRET, limit: 7 });
    // The masked caller is granted audit by a rule, and refused: the entries are as stored.
    const con = await call(`${t.url}/api/audit?limit=1000`, { token: t.tokens.con! });
    expect(con.status).toBe(403);
    expect(JSON.stringify(con.body)).not.toContain(SECRET);
    const me = await call(`${t.url}/api/me`, { token: t.tokens.con! });
    expect(me.body.actions).not.toContain("audit");
  });
});
