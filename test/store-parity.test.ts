import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmulator } from "@run-md/aws-emulator";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type JsonValue,
  maskValue,
  REPORT_ROWS,
  type RunReport,
} from "../packages/core/src/index.ts";
import { runMdHere as runMd } from "./in-process.ts";
import type { Event } from "./truth/published-answers.ts";
import { inWindow, RUNBOOK_ANSWERS, readGenerated } from "./truth/runbook-answers.ts";

/*
 * The bundled runbooks, on the raw files and on a store collected from them by `run-md collect`
 * (local.store through RUN_MD_STORE): every step's rows against the answers computed from the raw
 * records in JavaScript, and the two runs' rows, checks and statuses step by step (SQL and Logs
 * Insights alike).
 */

const HOUR = 3_600_000;
let base: string;
let logDir: string;
let store: string;
let win: string[];
let events: Event[];
let raw: RunReport[];
let stored: RunReport[];
let collectedOut: { stdout: string; stderr: string };

async function runAll(env: Record<string, string>, extra: string[]): Promise<RunReport[]> {
  const res = await runMd(
    ["runbooks/", "--engine", "local", "--no-report", "--json", ...win, ...extra],
    {
      env,
    },
  );
  expect(res.stderr).toBe("");
  return JSON.parse(res.stdout) as RunReport[];
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "run-md-store-parity-"));
  logDir = path.join(base, "data");
  store = path.join(base, "store");
  const end = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const start = new Date(end.getTime() - 24 * HOUR);
  await generateLogs({
    outDir: logDir,
    start,
    end,
    totalEvents: 3000,
    incidents: true,
    seed: "store-parity",
    regions: ["us-east-1", "eu-west-1"],
  });
  win = ["--from", start.toISOString(), "--to", end.toISOString()];
  events = inWindow(readGenerated(logDir), start, end);
  const collected = await runMd(["collect", "--source", logDir, "--store", store, ...win]);
  expect(collected.stderr).not.toMatch(/error|warning/);
  expect(collected.code).toBe(0);
  collectedOut = collected;
  [raw, stored] = await Promise.all([
    runAll({}, ["--log-dir", logDir]),
    runAll({ RUN_MD_STORE: store }, []),
  ]);
}, 300_000);

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

function rowSet(rows: JsonValue[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

function outcomes(reports: RunReport[]) {
  return reports.flatMap((r) =>
    r.steps.map((s) => ({
      step: `${r.runbook.id}/${s.id}`,
      status: s.status,
      error: s.error?.message,
      columns: s.columns.map((c) => c.name),
      rows: rowSet(s.rows),
      checks: s.checks.map((c) => [c.check, c.status, c.actual]),
    })),
  );
}

describe("run-md collect", () => {
  it("prints progress lines (not a TTY) and a summary", () => {
    const events = readGenerated(logDir).length;
    expect(collectedOut.stderr).toMatch(/^collect: listing the source$/m);
    expect(collectedOut.stderr).toMatch(
      /^collect: \d+\/\d+ objects, [\d.]+ [KM]?B, \d+ events, [\d.]+ objects\/s/m,
    );
    expect(collectedOut.stdout).toMatch(
      new RegExp(
        `^collected (\\d+) of \\1 objects \\(0 already in the store, 0 skipped\\), .*, ${events} new events, \\d+ day\\(s\\) written`,
      ),
    );
  });

  it("without a store, or with a bad window, exits 2 with a message", async () => {
    const noStore = await runMd(["collect", "--source", logDir], { cwd: base });
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(
      /^error run-md collect needs a store: --store DIR or local.store/m,
    );
    const bad = await runMd(["collect", "--source", logDir, "--store", store, "--since", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "soon" is not a duration/);
  });

  it("collects from an S3 bucket (the emulator, RUN_MD_S3_ENDPOINT) the same events", async () => {
    const emulator = await startEmulator({ logDir, s3Buckets: { trail: base } });
    try {
      const s3Store = path.join(base, "s3-store");
      const res = await runMd(
        ["collect", "--source", "s3://trail/data", "--store", s3Store, ...win],
        {
          env: {
            RUN_MD_S3_ENDPOINT: emulator.endpoint,
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: "AKIDLOCALEMULATOR",
            AWS_SECRET_ACCESS_KEY: "local-emulator-secret",
          },
        },
      );
      expect(res.stderr).not.toMatch(/error|warning/);
      expect(res.code).toBe(0);
      const events = readGenerated(logDir).length;
      expect(res.stdout).toMatch(new RegExp(`, ${events} new events, \\d+ day\\(s\\) written`));
    } finally {
      await emulator.close();
    }
  });
});

describe("the bundled runbooks on a collected store", () => {
  it("every step reads the store only, and gives the computed answer", () => {
    let checked = 0;
    for (const report of stored) {
      for (const step of report.steps) {
        const where = `${report.runbook.id}/${step.id}`;
        expect(step.error?.message, where).toBeUndefined();
        expect(step.stats.storeDays, where).toMatch(/^\d{4}\/\d{2}\/\d{2}/);
        const truth = RUNBOOK_ANSWERS[where];
        if (!truth) continue;
        const expected = rowSet(
          truth(events, report.params as Record<string, JsonValue>).map((r) =>
            r.map((v) => maskValue(v)),
          ),
        );
        if (step.truncated) {
          // More rows than a report keeps (how many depends on the hour: the data ends now):
          // every row it has is a computed one, and the count is the computed count.
          expect(step.rowCount, where).toBe(expected.length);
          expect(step.rows.length, where).toBe(REPORT_ROWS);
          const left = [...expected];
          for (const row of rowSet(step.rows)) {
            const at = left.indexOf(row);
            expect(at, `${where}: ${row}`).toBeGreaterThanOrEqual(0);
            left.splice(at, 1);
          }
        } else {
          expect(rowSet(step.rows), where).toEqual(expected);
        }
        checked++;
      }
    }
    expect(checked).toBe(120);
  });

  it("gives the same rows, checks and statuses as the raw files, SQL and Logs Insights alike", () => {
    const dialects = new Set(stored.flatMap((r) => r.steps.map((s) => s.dialect)));
    expect(dialects).toEqual(new Set(["sql", "logs-insights"]));
    expect(outcomes(stored)).toEqual(outcomes(raw));
    expect(stored.map((r) => r.status)).toEqual(raw.map((r) => r.status));
    expect(raw.every((r) => r.steps.every((s) => s.stats.storeDays === undefined))).toBe(true);
  });

  it("a window the store has not collected is an error that says to collect it", async () => {
    const res = await runMd(
      [
        "runbooks/audit-iam.md",
        "--engine",
        "local",
        "--no-report",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-02",
      ],
      { env: { RUN_MD_STORE: store } },
    );
    expect(res.code).toBe(2);
    expect(res.stdout + res.stderr).toMatch(/has not collected 2020\/01\/01/);
    expect(res.stdout + res.stderr).toMatch(/run-md collect --from 2020-01-01 --to 2020-01-02/);
  });

  it("with local.logDir set as well, days the store lacks are read from the raw files", async () => {
    const other = path.join(base, "empty-store");
    const first = await runMd([
      "collect",
      "--source",
      logDir,
      "--store",
      other,
      "--from",
      "2020-01-01",
      "--to",
      "2020-01-02",
    ]);
    expect(first.code).toBe(0);
    const mixed = await runAll({ RUN_MD_STORE: other }, ["--log-dir", logDir]);
    expect(outcomes(mixed)).toEqual(outcomes(raw));
    expect(mixed.flatMap((r) => r.steps.map((s) => s.stats.storeDays))).toContain("none");
  });
});
