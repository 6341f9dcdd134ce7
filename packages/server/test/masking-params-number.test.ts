/**
 * Another person's `account_id` parameter sent as a JSON number (the API takes a safe integer
 * for an account id, as YAML does): its value is the account under investigation, text to the
 * engine, and stays [redacted] for a masked caller wherever the run shows it. The truth is the
 * digits the test sends.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, opsAndMaskedCon, readEvents, startTestServer, waitForEnd } from "./helpers.ts";

const SECRET = 210987654321;
const ACCESS = opsAndMaskedCon([
  { groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" },
]);

const RUNBOOK = `---
title: One account
owner: test
severity: low
tags: [test]
window: 7d
params:
  acct:
    type: account_id
    default: "111122223333"
---

# One account

\`\`\`sql calls
SELECT count(*) AS n FROM cloudtrail_logs WHERE recipientaccountid = {{acct}}
\`\`\`
`;

let dir: string;
let runbooks: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-mask-number-"));
  runbooks = path.join(dir, "runbooks");
  await mkdir(runbooks);
  await writeFile(path.join(runbooks, "acct.md"), RUNBOOK);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("another person's account id sent as a number", () => {
  it("is [redacted] for a masked caller in params, the report and the events", async () => {
    const server = await startTestServer({
      dir: path.join(dir, "server"),
      runbooks: [runbooks],
      access: ACCESS,
      tokens: {
        ops: { groups: ["ops"], user: "ops@example.com" },
        con: { groups: ["con"], user: "con@example.com" },
      },
    });
    try {
      const { ops, con } = server.tokens as Record<string, string>;
      const asked = await call(`${server.url}/api/runs`, {
        token: ops!,
        body: { runbook: "acct", params: { acct: SECRET } },
      });
      expect(asked.status).toBe(202);
      const id = asked.body.id as string;
      await waitForEnd(server, id, ops!);
      const mine = (await call(`${server.url}/api/runs/${id}`, { token: ops! })).body;
      expect(JSON.stringify(mine)).toContain(String(SECRET));
      const run = (await call(`${server.url}/api/runs/${id}`, { token: con! })).body;
      const list = (await call(`${server.url}/api/runs`, { token: con! })).body;
      const { events } = await readEvents(`${server.url}/api/runs/${id}/events`, { token: con! });
      expect(run.params).toEqual({ acct: "[redacted]" });
      expect(list.find((r: { id: string }) => r.id === id).params).toEqual({ acct: "[redacted]" });
      for (const seen of [run, list, events])
        expect(JSON.stringify(seen)).not.toContain(String(SECRET));
    } finally {
      await server.close();
    }
  });
});
