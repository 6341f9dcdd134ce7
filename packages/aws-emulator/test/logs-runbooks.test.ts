/**
 * Every bundled runbook with `logs-insights` steps gets the same outcomes with `--engine logs`
 * (the logs engine through the SDK against the emulator's CloudWatch Logs endpoint) as with
 * `--engine local`, on the bundled sample data.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Engine, parseRunbook, type RunReport, runRunbook } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { sampleWindow } from "../../../test/sample-data.ts";
import { type EnginePair, localAndLogs } from "./engine-pair.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const runbookDir = path.join(repo, "runbooks");
const files = readdirSync(runbookDir)
  .filter((f) => f.endsWith(".md"))
  .filter((f) =>
    /```(logs-insights|insights)\b/.test(readFileSync(path.join(runbookDir, f), "utf8")),
  )
  .sort();

// The shared week with the planted incidents (test/sample-data.ts), read only; the runs happen
// at its end.
const SAMPLE = inject("sampleData").incidents;
const NOW = sampleWindow(SAMPLE).end;
let engines: EnginePair;
let local: Engine;
let logs: Engine;

beforeAll(async () => {
  engines = await localAndLogs(SAMPLE, {
    logGroups: ["aws-cloudtrail-logs"],
    maxPollIntervalMs: 50,
  });
  local = engines.local;
  logs = engines.logs;
}, 180_000);

afterAll(async () => {
  await engines?.close();
});

async function run(file: string, engine: "local" | "logs"): Promise<RunReport> {
  const source = readFileSync(path.join(runbookDir, file), "utf8");
  const { runbook, diagnostics } = parseRunbook(source, `runbooks/${file}`);
  if (!runbook) throw new Error(`${file}: ${JSON.stringify(diagnostics)}`);
  // Only the Insights steps: the SQL steps would run on the local engine both times.
  const insightsOnly = {
    ...runbook,
    steps: runbook.steps.filter((s) => s.dialect === "logs-insights"),
  };
  return runRunbook(
    insightsOnly,
    { engine, now: () => NOW, toolVersion: "test" },
    { getEngine: async (name) => (name === "logs" ? logs : local) },
  );
}

/** What a reader sees of an Insights step: its status, its checks' outcomes, its rows. */
function outcomes(report: RunReport) {
  return report.steps
    .filter((s) => s.dialect === "logs-insights")
    .map((s) => ({
      id: s.id,
      status: s.status,
      rowCount: s.rowCount,
      columns: s.columns.map((c) => c.name),
      checks: s.checks.map((c) => [c.check, c.status, c.actual ?? null]),
      rows: s.rows.map((r) => JSON.stringify(r)).sort(),
      error: s.error?.message,
    }));
}

describe("bundled runbooks on the logs engine and on the local engine", () => {
  test("some bundled runbooks have Logs Insights steps", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  test.each(files)("%s has the same outcomes", async (file) => {
    const viaLogs = await run(file, "logs");
    const viaLocal = await run(file, "local");
    const a = outcomes(viaLogs);
    const b = outcomes(viaLocal);
    expect(a.length).toBeGreaterThan(0);
    expect(
      viaLogs.steps.filter((s) => s.dialect === "logs-insights").every((s) => s.engine === "logs"),
    ).toBe(true);
    for (const s of a) expect(s.error, `${file} ${s.id}`).toBeUndefined();
    expect(a).toEqual(b);
  });
});
