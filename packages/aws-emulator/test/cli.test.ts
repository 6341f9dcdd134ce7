/**
 * `npm run emulator`: started by hand over a log directory, it prints its endpoint and the
 * settings for run-md, answers the SDK there, and stops cleanly on Ctrl-C (SIGINT).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetQueryResultsCommand } from "@aws-sdk/client-athena";
import { expect, it } from "vitest";
import { inTurn } from "../../../test/in-process.ts";
import { main, partitioningFor } from "../src/cli.ts";
import { athenaClient, endpointOf, finalState, spawnCli } from "./athena-client.ts";

it("prints its endpoint and run-md settings, serves Athena there, and stops on SIGINT", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-cli-"));
  const run = spawnCli(["--log-dir", dir, "--port", "0"]);
  try {
    const endpoint = await endpointOf(run);
    const out = run.stdout();
    expect(out).toContain(`RUN_MD_ATHENA_ENDPOINT=${endpoint}`);
    expect(out).toContain("RUN_MD_ATHENA_TABLE=security.cloudtrail_org_pp");
    // Both engines: a runbook with a Logs Insights step refuses --engine athena alone.
    expect(out).toContain(`RUN_MD_LOGS_ENDPOINT=${endpoint}`);
    // Without log groups (a configuration lacking logs.logGroups) every Insights step errors.
    expect(out).toContain("RUN_MD_LOG_GROUPS=aws-cloudtrail-logs");
    expect(out).toContain("--engine aws");
    // An empty directory has no AWSLogs/.../yyyy/mm/dd/ layout, so no partition values.
    expect(out).toContain("RUN_MD_ATHENA_PARTITIONING=none");

    const client = athenaClient(endpoint);
    const q = await finalState(client, "SELECT 1 AS one");
    expect(q.state, q.reason).toBe("SUCCEEDED");
    const results = await client.send(new GetQueryResultsCommand({ QueryExecutionId: q.id }));
    expect(results.ResultSet?.Rows?.map((r) => r.Data?.[0]?.VarCharValue)).toEqual(["one", "1"]);
    client.destroy();

    run.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/stopping \(\d+ calls served\)/);
  } finally {
    if (run.running()) run.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses to start without a log directory", async () => {
  // In this process: the refusal comes before anything starts (the process is the test above).
  const run = await inTurn(async () => main, []);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("--log-dir is required");
});

it("suggests projection partitioning only for the S3 delivery layout", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-layout-"));
  try {
    writeFileSync(path.join(dir, "flat.json"), "[]");
    expect(partitioningFor(dir)).toBe("none");
    const day = path.join(
      dir,
      "AWSLogs",
      "123456789012",
      "CloudTrail",
      "us-east-1",
      "2026",
      "11",
      "23",
    );
    mkdirSync(day, { recursive: true });
    writeFileSync(path.join(day, "a.json"), "[]");
    expect(partitioningFor(dir)).toBe("projection");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
