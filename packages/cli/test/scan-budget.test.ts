/**
 * The Athena scan budget from the command line to the engine, through the built CLI and the
 * real SDK client against the emulator: `--max-scan` (else the configuration's `maxScan`) is the
 * Athena engine's run-wide budget, and a step's own `max_scan=` replaces it for that step. The
 * emulator's running query scans 1 GB more at each poll, so where a query is stopped shows the
 * budget it had.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { RunReport } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { emulatorEnv } from "../../../test/helpers.ts";
import { runMdHere as runMd } from "../../../test/in-process.ts";

const RUNBOOK = `---
title: Scan budget probe
description: Two Athena steps, one with its own max_scan= and one without.
owner: test
severity: low
tags: [test]
window: 1d
---

# Scan budget probe

\`\`\`sql own max_scan=3.5GB
SELECT count(*) AS n FROM cloudtrail_logs
\`\`\`

\`\`\`sql plain
SELECT count(*) AS n FROM cloudtrail_logs
\`\`\`
`;

let emulator: Emulator;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({
    logDir: inject("sampleData").incidents,
    tableAliases: ["security.cloudtrail_logs_pp"],
  });
  // Every poll of a running query adds 1 GB to what it has scanned; it never finishes by itself.
  emulator.faults.athena = { runningPolls: 100_000, scannedBytesPerRunningPoll: 1e9 };
  env = emulatorEnv(emulator.endpoint);
  cwd = await mkdtemp(path.join(tmpdir(), "run-md-scan-budget-"));
  await writeFile(
    path.join(cwd, "run-md.config.yaml"),
    "maxScan: 1GB\nathena:\n  pollMinMs: 50\n  pollMaxMs: 50\n",
  );
  await writeFile(path.join(cwd, "probe.md"), RUNBOOK);
});
afterAll(async () => {
  await emulator?.close();
});

/** The step's scan-budget error: `[scanned, budget]` as its message prints them. */
function stoppedAt(report: RunReport, step: string): [string, string] {
  const error = report.steps.find((s) => s.id === step)?.error;
  expect(error?.code).toBe("scan-budget-exceeded");
  const m = /after scanning (\S+ GB), over the step's budget of (\S+ GB)/.exec(error!.message);
  expect(m, error!.message).not.toBeNull();
  return [m![1]!, m![2]!];
}

async function run(args: string[]): Promise<RunReport> {
  // A step the budget does not stop ends at its timeout instead (and the test fails fast).
  const r = await runMd(
    ["run", "probe.md", "--engine", "athena", "--json", "--no-report", "--timeout", "20s", ...args],
    {
      cwd,
      env,
    },
  );
  expect(r.code, r.stderr).not.toBe(0);
  const reports = JSON.parse(r.stdout) as RunReport[];
  expect(reports).toHaveLength(1);
  return reports[0]!;
}

describe("the Athena scan budget", () => {
  it("--max-scan bounds a step without max_scan=; a step's own max_scan= replaces it", async () => {
    const report = await run(["--max-scan", "1.5GB"]);
    expect(stoppedAt(report, "own")).toEqual(["4.00 GB", "3.50 GB"]);
    expect(stoppedAt(report, "plain")).toEqual(["2.00 GB", "1.50 GB"]);
  });

  it("without --max-scan, the configuration's maxScan is the run-wide budget", async () => {
    const report = await run([]);
    expect(stoppedAt(report, "own")).toEqual(["4.00 GB", "3.50 GB"]);
    expect(stoppedAt(report, "plain")).toEqual(["2.00 GB", "1.00 GB"]);
  });

  it("a bad budget names where it came from, and nothing runs", async () => {
    const started = emulator.callsOf("StartQueryExecution").length;
    const flag = await runMd(["run", "probe.md", "--engine", "athena", "--max-scan", "lots"], {
      cwd,
      env,
    });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--max-scan "lots" is not a size');
    await writeFile(path.join(cwd, "bad.config.yaml"), "maxScan: lots\n");
    const configured = await runMd(
      ["run", "probe.md", "--engine", "athena", "--config", "bad.config.yaml"],
      { cwd, env },
    );
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain('bad.config.yaml:1:10 "maxScan" must be a size');
    expect(emulator.callsOf("StartQueryExecution")).toHaveLength(started);
  });
});
