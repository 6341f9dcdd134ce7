import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue, RunReport } from "../packages/core/src/index.ts";
import { ensureSampleData } from "@run-md/generator";
import { runMd } from "./helpers.ts";

/*
 * The same runbooks, the same data, three engines: every bundled runbook gives the same rows and
 * expectation outcomes with --engine athena (and --engine logs) against the local AWS endpoint as
 * with --engine local. The AWS engines go through the real SDK clients over HTTP.
 */

let emulator: Emulator;
let logDir: string;
let window: string[];
let config: string;

beforeAll(async () => {
  const base = await mkdtemp(path.join(tmpdir(), "run-md-parity-"));
  const sample = await ensureSampleData(path.join(base, "data"), {
    now: new Date(),
    incidents: true,
  });
  logDir = sample.dir;
  // One explicit window for every run, so that runs seconds apart see the same events.
  window = [
    "--from",
    sample.start.toISOString(),
    "--to",
    new Date(sample.end.getTime() + 3_600_000).toISOString(),
  ];
  emulator = await startEmulator({ logDir, tableAliases: ["security.cloudtrail_logs_pp"] });
  // The repository's configuration, with the AWS engines pointed at the emulator and polling it
  // faster than they would poll AWS.
  config = path.join(base, "run-md.config.yaml");
  await writeFile(
    config,
    [
      "athena:",
      `  endpoint: ${emulator.endpoint}`,
      "  region: us-east-1",
      "  table: security.cloudtrail_logs_pp",
      "  partitioning: projection",
      "  pollMinMs: 50",
      "  pollMaxMs: 200",
      "logs:",
      `  endpoint: ${emulator.endpoint}`,
      "  region: us-east-1",
      "  logGroups: [aws-cloudtrail-logs]",
      "  pollIntervalMs: 50",
      "  maxPollIntervalMs: 200",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await emulator?.close();
});

async function runAll(engine: string): Promise<RunReport[]> {
  const res = await runMd(
    ["runbooks/", "--engine", engine, "--log-dir", logDir, "--no-report", "--json", ...window],
    {
      env: {
        RUN_MD_ATHENA_ENDPOINT: emulator.endpoint,
        RUN_MD_ATHENA_TABLE: "security.cloudtrail_logs_pp",
        RUN_MD_ATHENA_PARTITIONING: "projection",
        RUN_MD_LOGS_ENDPOINT: emulator.endpoint,
        RUN_MD_LOG_GROUPS: "aws-cloudtrail-logs",
        AWS_ACCESS_KEY_ID: "AKIDLOCALEMULATOR",
        AWS_SECRET_ACCESS_KEY: "local-emulator-secret",
        AWS_REGION: "us-east-1",
      },
    },
  );
  expect(res.stderr).toBe("");
  return JSON.parse(res.stdout) as RunReport[];
}

/** Rows as a sorted list of JSON texts: the same rows, whatever the order of ties. */
function rowSet(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

function outcomes(reports: RunReport[], dialect: string) {
  return Object.fromEntries(
    reports.flatMap((r) =>
      r.steps
        .filter((s) => s.dialect === dialect)
        .map((s) => [
          `${r.runbook.id}/${s.id}`,
          {
            status: s.status,
            error: s.error?.message,
            columns: s.columns.map((c) => c.name),
            rowCount: s.rowCount,
            rows: rowSet(s.rows),
            checks: s.checks.map((c) => [c.check, c.status, c.actual]),
          },
        ]),
    ),
  );
}

describe("engine parity on the bundled runbooks", () => {
  let local: RunReport[];
  beforeAll(async () => {
    local = await runAll("local");
  });

  it("--engine athena gives the same rows and outcomes as --engine local", {
    timeout: 300_000,
  }, async () => {
    const athena = await runAll("athena");
    const sqlSteps = athena.flatMap((r) => r.steps.filter((s) => s.dialect === "sql"));
    expect(sqlSteps.length).toBeGreaterThan(15);
    expect(new Set(sqlSteps.map((s) => s.engine))).toEqual(new Set(["athena"]));
    expect(sqlSteps.every((s) => typeof s.stats.queryExecutionId === "string")).toBe(true);
    expect(outcomes(athena, "sql")).toEqual(outcomes(local, "sql"));
    expect(athena.map((r) => r.status)).toEqual(local.map((r) => r.status));
    // Window scoping reached Athena as partition and event-time predicates.
    const started = emulator
      .callsOf("StartQueryExecution")
      .map((c) => String((c.body as { QueryString: string }).QueryString));
    expect(started.length).toBeGreaterThanOrEqual(sqlSteps.length);
    expect(started.every((q) => q.includes('"timestamp"') && q.includes("eventtime"))).toBe(true);
  });

  it("--engine logs gives the same rows and outcomes as --engine local", {
    timeout: 300_000,
  }, async () => {
    const logs = await runAll("logs");
    const insightsSteps = logs.flatMap((r) => r.steps.filter((s) => s.dialect === "logs-insights"));
    expect(insightsSteps.length).toBeGreaterThanOrEqual(8);
    expect(new Set(insightsSteps.map((s) => s.engine))).toEqual(new Set(["logs"]));
    expect(outcomes(logs, "logs-insights")).toEqual(outcomes(local, "logs-insights"));
    expect(logs.map((r) => r.status)).toEqual(local.map((r) => r.status));
  });
});
