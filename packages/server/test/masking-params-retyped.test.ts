/**
 * Another person's run parameters after the runbook changed (red-team, 2026-12-07): which values
 * a masked caller sees is decided by the runbook as the server serves it now, and a parameter
 * once declared `string` and now `duration` (or `integer`) no longer counted as text, so the
 * value an earlier run was given (the principal under investigation) was sent as it was, in
 * `params`, the report's `params` and the `run-start` event. The truth is the value the test
 * sends.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, opsAndMaskedCon, readEvents, startTestServer, waitForEnd } from "./helpers.ts";

const SECRET = "principal-under-investigation";
const ACCESS = opsAndMaskedCon([
  { groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" },
]);

const runbook = (decl: string) => `---
title: Who did it
owner: test
severity: low
tags: [test]
window: 7d
params:
  who:
${decl}
---

# Who did it

\`\`\`sql calls
SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname <> 'x'
\`\`\`
`;

let dir: string;
let runbooks: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-mask-retyped-"));
  runbooks = path.join(dir, "runbooks");
  await mkdir(runbooks);
  await mkdir(path.join(dir, "server"));
  await writeFile(path.join(runbooks, "who.md"), runbook("    type: string\n    default: nobody"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("another person's parameter of a runbook changed since", () => {
  it("stays [redacted] for a masked caller when its declaration is no longer text", async () => {
    const server = (tokens?: boolean) =>
      startTestServer({
        dir: path.join(dir, "server"),
        runbooks: [runbooks],
        access: ACCESS,
        ...(tokens
          ? {
              tokens: {
                ops: { groups: ["ops"], user: "ops@example.com" },
                con: { groups: ["con"], user: "con@example.com" },
              },
            }
          : {}),
      });
    const first = await server(true);
    const tokens = first.tokens;
    const asked = await call(`${first.url}/api/runs`, {
      token: tokens.ops!,
      body: { runbook: "who", params: { who: SECRET } },
    });
    expect(asked.status).toBe(202);
    await waitForEnd(first, asked.body.id, tokens.ops!);
    await first.close();
    for (const decl of [
      "    type: duration\n    default: 1h",
      "    type: integer\n    default: 1",
    ]) {
      await writeFile(path.join(runbooks, "who.md"), runbook(decl));
      const again = await server();
      try {
        const id = asked.body.id as string;
        // The requester still reads the value they gave.
        const ops = (await call(`${again.url}/api/runs/${id}`, { token: tokens.ops! })).body;
        expect(ops.params).toEqual({ who: SECRET });
        const run = (await call(`${again.url}/api/runs/${id}`, { token: tokens.con! })).body;
        const list = (await call(`${again.url}/api/runs`, { token: tokens.con! })).body;
        const { events } = await readEvents(`${again.url}/api/runs/${id}/events`, {
          token: tokens.con!,
        });
        expect(run.params, decl).toEqual({ who: "[redacted]" });
        for (const seen of [run, list, events])
          expect(JSON.stringify(seen), decl).not.toContain(SECRET);
      } finally {
        await again.close();
      }
    }
  });
});
