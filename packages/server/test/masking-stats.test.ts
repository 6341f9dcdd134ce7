/**
 * A step's statistics, for a caller whom masking covers (red-team, 2026-12-07): the warnings of
 * a step lose the names of the accounts, regions and log groups they name, while the step's
 * statistics named the same log groups (`logGroups` of a CloudWatch Logs step: an account id in
 * the name) to every caller. The server's Logs engine is on the AWS emulator; the truth is the
 * log group the test configures.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { createLogsEngine, type LogsEngine } from "@run-md/engine-logs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type {} from "../../../test/sample-data.ts";
import {
  call,
  OPS_AND_CON,
  opsAndMaskedCon,
  readEvents,
  runAsOps,
  startTestServer,
  type TestServer,
} from "./helpers.ts";

const GROUP = "aws-cloudtrail-logs-111122223333-org";
let emulator: Emulator;
let logs: LogsEngine;
let t: TestServer;
let root: string;
let runId: string;

const RUNBOOK = `---
title: Calls by source
owner: test
severity: low
tags: [test]
window: 30d
---

# Calls by source

\`\`\`logs-insights calls
stats count(*) as n
\`\`\`
`;

beforeAll(async () => {
  const logDir = inject("sampleData").incidents;
  emulator = await startEmulator({ logDir });
  logs = createLogsEngine({
    region: "us-east-1",
    endpoint: emulator.endpoint,
    logGroups: [GROUP],
    pollIntervalMs: 10,
  });
  root = await mkdtemp(path.join(tmpdir(), "run-md-mask-stats-"));
  await mkdir(path.join(root, "runbooks"));
  await writeFile(path.join(root, "runbooks", "calls.md"), RUNBOOK);
  t = await startTestServer({
    runbooks: [path.join(root, "runbooks")],
    logDir,
    engines: { logs },
    run: { configEngines: { "logs-insights": "logs" } },
    access: opsAndMaskedCon([
      { groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" },
    ]),
    tokens: OPS_AND_CON,
  });
  runId = await runAsOps(t, { runbook: "calls", since: "3650d" });
});
afterAll(async () => {
  await t?.close();
  await logs?.close();
  await emulator?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function statsSeenBy(token: string) {
  const run = (await call(`${t.url}/api/runs/${runId}`, { token })).body;
  const { events } = await readEvents(`${t.url}/api/runs/${runId}/events`, { token });
  return [run.result.steps[0], events.find((e) => e.event === "step-end")!.data];
}

describe("a step's statistics, for a masked caller", () => {
  it("name the log group for a caller without masking", async () => {
    for (const step of await statsSeenBy(t.tokens.ops!)) {
      expect(step.engine).toBe("logs");
      expect(step.stats.logGroups).toBe(GROUP);
    }
  });

  it("do not name it for a masked caller; the figures stay", async () => {
    const ops = await statsSeenBy(t.tokens.ops!);
    const con = await statsSeenBy(t.tokens.con!);
    for (const [i, step] of con.entries()) {
      expect(JSON.stringify(step)).not.toContain("111122223333");
      expect(step.stats.logGroups).toBe("[redacted]");
      expect(step.stats.recordsScanned).toBe(ops[i].stats.recordsScanned);
      expect(step.stats.queryId).toBe(ops[i].stats.queryId);
    }
  });
});
