/**
 * `npm run emulator`: started by hand over a log directory, it prints its endpoint and the
 * settings for run-md, answers the SDK there, and stops cleanly on Ctrl-C (SIGINT).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { expect, it } from "vitest";
import { partitioningFor } from "../src/cli.ts";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

it("prints its endpoint and run-md settings, serves Athena there, and stops on SIGINT", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-cli-"));
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--log-dir", dir, "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    child.stdout.setEncoding("utf8");
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no endpoint printed: ${out}`)), 30_000);
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes("Ctrl-C")) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    expect(out).toContain(`RUN_MD_ATHENA_ENDPOINT=${endpoint}`);
    expect(out).toContain("RUN_MD_ATHENA_TABLE=security.cloudtrail_org_pp");
    expect(out).toContain("--engine athena");
    // An empty directory has no AWSLogs/.../yyyy/mm/dd/ layout, so no partition values.
    expect(out).toContain("RUN_MD_ATHENA_PARTITIONING=none");

    const client = new AthenaClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" },
    });
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: "SELECT 1 AS one" }),
    );
    for (;;) {
      const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = r.QueryExecution?.Status?.State;
      if (state === "SUCCEEDED") break;
      expect(["QUEUED", "RUNNING"], r.QueryExecution?.Status?.StateChangeReason).toContain(state);
      await new Promise((res) => setTimeout(res, 20));
    }
    const results = await client.send(new GetQueryResultsCommand({ QueryExecutionId }));
    expect(results.ResultSet?.Rows?.map((r) => r.Data?.[0]?.VarCharValue)).toEqual(["one", "1"]);
    client.destroy();

    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(out).toMatch(/stopping \(\d+ calls served\)/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses to start without a log directory", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", CLI], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c: string) => {
    err += c;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code).toBe(2);
  expect(err).toContain("--log-dir is required");
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
