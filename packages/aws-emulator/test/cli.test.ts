/**
 * `npm run emulator`: started by hand over a log directory, it prints its endpoint and the
 * settings for run-md, answers the SDK there, and stops cleanly on Ctrl-C (SIGINT).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { GetQueryResultsCommand } from "@aws-sdk/client-athena";
import { generateLogs } from "@run-md/generator";
import { expect, it } from "vitest";
import { inTurn, runMdHere } from "../../../test/in-process.ts";
import { main, partitioningFor, trailPrefixFor } from "../src/cli.ts";
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
    // A --table-ddl of AWS's manually partitioned table, or the bootstrap's, says which.
    const ddl = (keys: string) =>
      `CREATE EXTERNAL TABLE t (eventtime STRING) PARTITIONED BY (${keys}) LOCATION 's3://b/'`;
    expect(partitioningFor(dir, ddl("region string, year string, month string, day string"))).toBe(
      "manual",
    );
    expect(partitioningFor(dir, ddl("date_partition string, region_partition string"))).toBe(
      "bootstrap",
    );
    expect(partitioningFor(dir, ddl("`timestamp` string"))).toBe("projection");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The CloudTrail records of every file under `dir`, counted from the files themselves. */
function recordsUnder(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || !f.name.endsWith(".json.gz")) continue;
    const text = gunzipSync(readFileSync(path.join(f.parentPath, f.name))).toString("utf8");
    n += (JSON.parse(text) as { Records: unknown[] }).Records.length;
  }
  return n;
}

it("serves the log directory as an S3 bucket: the collect command it prints works as printed", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-bucket-"));
  const user = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-user-"));
  const end = new Date(Date.now() - 2 * 3_600_000);
  await generateLogs({
    outDir: dir,
    start: new Date(end.getTime() - 2 * 86_400_000),
    end,
    eventsPerDay: 40,
    seed: 5,
    regions: ["us-east-1"],
  });
  const run = spawnCli(["--log-dir", dir, "--port", "0"]);
  try {
    const endpoint = await endpointOf(run);
    const out = run.stdout();
    // The lines a user copies: the exports (region, placeholder credentials, the endpoint) and
    // the collect command, run here as printed.
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
      if (!line.trim().startsWith("export ")) continue;
      for (const pair of line.trim().slice("export ".length).split(/\s+/)) {
        const [k, v] = pair.split("=");
        env[k as string] = v as string;
      }
    }
    expect(env.RUN_MD_S3_ENDPOINT).toBe(endpoint);
    const command = /npx run-md (collect .*)$/m.exec(out)?.[1];
    expect(command).toBe("collect --source s3://trail --store .run-md/store --since 30d");
    const res = await runMdHere((command as string).split(" "), { env, cwd: user });
    expect(res.stderr).not.toMatch(/error|warning/);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`, ${recordsUnder(dir)} new events, `);
  } finally {
    run.kill("SIGINT");
    await run.exit;
    rmSync(dir, { recursive: true, force: true });
    rmSync(user, { recursive: true, force: true });
  }
});

it("names the prefix above AWSLogs/ in the printed source, and says when there is none", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-prefix-"));
  try {
    writeFileSync(path.join(dir, "flat.json"), "[]");
    expect(trailPrefixFor(dir)).toBeNull();
    const day = path.join(dir, "exports", "org", "AWSLogs", "123456789012", "CloudTrail");
    mkdirSync(day, { recursive: true });
    writeFileSync(path.join(day, "a.json"), "[]");
    expect(trailPrefixFor(dir)).toBe("exports/org");
    expect(trailPrefixFor(path.join(dir, "exports", "org"))).toBe("");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("reads a relative --log-dir and --table-ddl from the folder npm run was typed in (INIT_CWD)", async () => {
  // npm runs a script in the package's root, whatever folder it was typed in, and says which
  // in INIT_CWD (as the nightly job and the site build read it): `npm run emulator -- --log-dir
  // ../logs` from runbooks/ meant runbooks/../logs, not a folder beside the repository.
  const typed = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-typed-"));
  const root = mkdtempSync(path.join(os.tmpdir(), "run-md-emulator-root-"));
  try {
    mkdirSync(path.join(typed, "logs"));
    const env = { INIT_CWD: typed };
    const missing = await inTurn(async () => main, ["--log-dir", "nope"], { env, cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--log-dir ${path.join(typed, "nope")} is not a directory`);
    const ddl = await inTurn(
      async () => main,
      ["--log-dir", "logs", "--port", "0", "--table-ddl", "t.sql"],
      { env, cwd: root },
    );
    expect(ddl.code).toBe(2);
    expect(ddl.stderr).toContain(`--table-ddl ${path.join(typed, "t.sql")} cannot be read`);
  } finally {
    rmSync(typed, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});
