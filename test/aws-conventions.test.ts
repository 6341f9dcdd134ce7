/**
 * AWS conventions through the real binary and the real SDK clients against the emulator: the
 * region (the credential scope of each request's signature says which one the SDK signed for),
 * the profile, credential problems found once before the first step, `--engine aws`, and no run
 * that mixes the bundled sample data with AWS.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RunReport } from "../packages/core/src/report.ts";
import { runMdHere as runMd } from "./in-process.ts";

const { incidents } = inject("sampleData");

const RUNBOOK = `---
title: Both dialects
---

\`\`\`sql calls
SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1
\`\`\`

\`\`\`expect
rows > 0
\`\`\`

\`\`\`logs-insights sources
stats count(*) as n by eventSource
\`\`\`

\`\`\`expect
rows > 0
\`\`\`
`;

const TABLE = "security.cloudtrail_logs_pp";
let dir: string;
let emulator: Emulator;
let runbook: string;
/** No AWS setting of the machine running the tests leaks into a run. */
let baseEnv: Record<string, string>;

function config(name: string, region: string | undefined, extra = ""): Promise<string> {
  const file = path.join(dir, name);
  const r = region === undefined ? "" : `  region: ${region}\n`;
  return writeFile(
    file,
    `local:\n  logDir: ${incidents}\nathena:\n  endpoint: ${emulator.endpoint}\n  table: ${TABLE}\n  partitioning: projection\n${r}  pollMinMs: 50\n  pollMaxMs: 200\nlogs:\n  endpoint: ${emulator.endpoint}\n${r}  logGroups: [aws-cloudtrail-logs]\n  pollIntervalMs: 50\n  maxPollIntervalMs: 200\n${extra}`,
  ).then(() => file);
}

/** The regions the run's requests were signed for, by service. */
function signingRegions(): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const c of emulator.calls) {
    out[c.service] ??= new Set();
    out[c.service]!.add(c.signingRegion ?? "none");
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-aws-"));
  emulator = await startEmulator({ logDir: incidents, tableAliases: [TABLE] });
  runbook = path.join(dir, "both.md");
  await writeFile(runbook, RUNBOOK);
  const awsConfig = path.join(dir, "aws-config");
  await writeFile(
    awsConfig,
    "[default]\nregion = us-west-1\n\n[profile auditor]\nregion = sa-east-1\noutput = json\n",
  );
  baseEnv = {
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    AWS_REGION: "",
    AWS_DEFAULT_REGION: "",
    AWS_PROFILE: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
});

afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the region, like the AWS CLI", () => {
  const cases: {
    name: string;
    args: string[];
    env: Record<string, string>;
    configRegion?: string;
    want: string;
  }[] = [
    {
      name: "--region wins over the environment and the configuration",
      args: ["--region", "eu-central-1"],
      env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-north-1" },
      configRegion: "ap-southeast-2",
      want: "eu-central-1",
    },
    {
      name: "AWS_REGION wins over AWS_DEFAULT_REGION and the configuration",
      args: [],
      env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-north-1" },
      configRegion: "ap-southeast-2",
      want: "eu-west-1",
    },
    {
      name: "AWS_DEFAULT_REGION wins over the configuration",
      args: [],
      env: { AWS_DEFAULT_REGION: "eu-north-1" },
      configRegion: "ap-southeast-2",
      want: "eu-north-1",
    },
    {
      name: "the configuration wins over the profile",
      args: ["--profile", "auditor"],
      env: {},
      configRegion: "ap-southeast-2",
      want: "ap-southeast-2",
    },
    {
      name: "the profile's region comes last (--profile)",
      args: ["--profile", "auditor"],
      env: {},
      want: "sa-east-1",
    },
    {
      name: "the profile's region comes last (AWS_PROFILE)",
      args: [],
      env: { AWS_PROFILE: "auditor" },
      want: "sa-east-1",
    },
    {
      name: "the default profile's region without a profile",
      args: [],
      env: {},
      want: "us-west-1",
    },
  ];
  it.each(cases)(
    "$name",
    async ({ args, env, configRegion, want }) => {
      const cfg = await config(`c-${want}-${args.length}.yaml`, configRegion);
      emulator.calls.length = 0;
      const res = await runMd(
        [runbook, "--engine", "aws", "--config", cfg, "--no-report", "--json", ...args],
        { env: { ...baseEnv, ...env } },
      );
      expect(res.stderr).toBe("");
      expect(res.code, res.stdout.slice(0, 3000)).toBe(0);
      // `--engine aws`: the SQL step on Athena, the Logs Insights step on CloudWatch Logs.
      const [report] = JSON.parse(res.stdout) as RunReport[];
      expect(report!.steps.map((s) => [s.id, s.engine, s.status])).toEqual([
        ["calls", "athena", "passed"],
        ["sources", "logs", "passed"],
      ]);
      expect(signingRegions()).toEqual({ AmazonAthena: [want], Logs_20140328: [want] });
    },
    60_000,
  );
});

describe("problems found once, before the first step", () => {
  it("a profile that does not exist: named with the config file, once, exit 2, no report", async () => {
    const cfg = await config("c-profile.yaml", "eu-west-1");
    const reports = path.join(dir, "reports-profile");
    emulator.calls.length = 0;
    const res = await runMd(
      [runbook, "--engine", "aws", "--config", cfg, "--reports-dir", reports, "--profile", "nope"],
      { env: baseEnv },
    );
    expect(res.code).toBe(2);
    const message = `profile nope (--profile) not found in ${baseEnv.AWS_CONFIG_FILE}`;
    expect(res.stderr.split(message).length - 1).toBe(1);
    expect(res.stdout).toBe("");
    expect(existsSync(reports)).toBe(false);
    expect(emulator.calls).toEqual([]);
  }, 60_000);

  it("no credentials for a real endpoint: said once for a run of two AWS steps, no report", async () => {
    const cfg = path.join(dir, "c-nocreds.yaml");
    await writeFile(
      cfg,
      "athena:\n  endpoint: https://athena.run-md.invalid\n  region: eu-west-1\nlogs:\n  endpoint: https://logs.run-md.invalid\n  region: eu-west-1\n  logGroups: [g]\n",
    );
    const reports = path.join(dir, "reports-nocreds");
    const res = await runMd(
      [runbook, "--engine", "aws", "--config", cfg, "--reports-dir", reports],
      {
        env: {
          ...baseEnv,
          AWS_ACCESS_KEY_ID: "",
          AWS_SECRET_ACCESS_KEY: "",
          AWS_SESSION_TOKEN: "",
          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
          AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
          AWS_WEB_IDENTITY_TOKEN_FILE: "",
        },
      },
    );
    expect(res.code).toBe(2);
    expect(res.stderr.split("no AWS credentials").length - 1).toBe(1);
    expect(existsSync(reports)).toBe(false);
  }, 60_000);
});

describe("the bundled sample data never beside AWS", () => {
  it("refuses --engine athena when the Logs Insights steps would read the sample data", async () => {
    const cfg = path.join(dir, "c-sample.yaml");
    await writeFile(
      cfg,
      `local:\n  logDir: sample\nathena:\n  endpoint: ${emulator.endpoint}\n  region: eu-west-1\n`,
    );
    const reports = path.join(dir, "reports-sample");
    emulator.calls.length = 0;
    const res = await runMd(
      [runbook, "--engine", "athena", "--config", cfg, "--reports-dir", reports],
      { env: baseEnv },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("would read the bundled sample data");
    // Says what to configure.
    expect(res.stderr).toContain("--engine aws");
    expect(res.stderr).toContain("local.logDir");
    expect(existsSync(reports)).toBe(false);
    expect(emulator.calls).toEqual([]);
    // The same run with every step on AWS is no mix: it runs (and never generates sample data).
    const ok = await runMd(
      [runbook, "--engine", "aws", "--config", await config("c-aws.yaml", "eu-west-1")],
      { env: baseEnv, cwd: dir },
    );
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const written = (await readdir(path.join(dir, "reports", "both"))).filter((f) =>
      f.endsWith(".json"),
    );
    expect(written).toHaveLength(2); // the report and latest.json
  }, 60_000);
});
