/**
 * A run's own error (the report's `error`, a run stopped before its first step), for a caller
 * whom masking covers (red-team, 2026-12-07): a run waiting for approval across a restart runs
 * the runbook as the restarted server serves it, and a parameter the edited runbook no longer
 * takes stops it with core's `bad-param` error, which quotes the value (`expected ..., got
 * "..."`). The run's `params` hid that text value from a masked caller; the report's error sent
 * it. The truth is the value the test sends.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, waitForEnd } from "./helpers.ts";

const SECRET = "principal-under-investigation";
const ACCESS = {
  rules: [
    { groups: ["oncall"], allow: ["view", "run", "run:params"] },
    { groups: ["leads"], allow: ["view", "run", "approve"] },
    { groups: ["con"], allow: ["view"] },
  ],
  approvals: [{ runbooks: { severity: ["critical"] }, approvers: ["leads"] }],
  masking: [{ groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" }],
};

const runbook = (pattern: string) => `---
title: Who did it
owner: test
severity: critical
tags: [test]
window: 7d
params:
  who:
    type: string
    default: "arn:aws:iam::000000000000:user/nobody"
    pattern: "${pattern}"
---

# Who did it

\`\`\`sql calls
SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{who}}
\`\`\`
`;

let dir: string;
let runbooks: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-mask-run-error-"));
  runbooks = path.join(dir, "runbooks");
  await mkdir(runbooks);
  await writeFile(path.join(runbooks, "who.md"), runbook(".+"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a run's own error, for a masked caller", () => {
  it("does not quote another person's text parameter", async () => {
    const server = (o: { tokens?: boolean }) =>
      startTestServer({
        dir: path.join(dir, "server"),
        runbooks: [runbooks],
        access: ACCESS,
        ...(o.tokens
          ? {
              tokens: {
                alice: { groups: ["oncall"], user: "alice@example.com" },
                bob: { groups: ["leads"], user: "bob@example.com" },
                con: { groups: ["con"], user: "con@example.com" },
              },
            }
          : {}),
      });
    await mkdir(path.join(dir, "server"));
    const first = await server({ tokens: true });
    const tokens = first.tokens;
    const asked = await call(`${first.url}/api/runs`, {
      token: tokens.alice!,
      body: { runbook: "who", params: { who: SECRET } },
    });
    expect([asked.status, asked.body.status]).toEqual([202, "pending-approval"]);
    await first.close();
    // The runbook now takes ARNs only: the recorded value no longer fits.
    await writeFile(path.join(runbooks, "who.md"), runbook("arn:.+"));
    const second = await server({});
    try {
      const ok = await call(`${second.url}/api/runs/${asked.body.id}/approve`, {
        token: tokens.bob!,
        body: {},
      });
      expect(ok.status).toBe(200);
      const ended = await waitForEnd(second, asked.body.id, tokens.alice!);
      // The requester reads why it stopped, their value in it.
      expect(ended.status).toBe("errored");
      expect(ended.result.error.code).toBe("bad-param");
      expect(ended.result.error.message).toContain(SECRET);
      const con = (await call(`${second.url}/api/runs/${asked.body.id}`, { token: tokens.con! }))
        .body;
      expect(con.params).toEqual({ who: "[redacted]" });
      expect(con.result.error.code).toBe("bad-param");
      expect(JSON.stringify(con)).not.toContain(SECRET);
    } finally {
      await second.close();
    }
  });
});
