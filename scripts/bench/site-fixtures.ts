/**
 * Synthetic runbooks and reports for the site benchmark: `runbooks` runbooks in the format of
 * the spec, each with `reports` nightly reports shaped like `RunReport`.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CheckOutcome, JsonValue, RunReport, Status, StepReport } from "@run-md/core";

const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
const TAGS = ["iam", "s3", "kms", "ec2", "network", "audit", "compliance", "access", "data"];
const STEPS = 3;
const ROWS = 20;

function runbookSource(i: number): string {
  const id = `bench-${String(i).padStart(3, "0")}`;
  const steps = Array.from({ length: STEPS }, (_, s) => {
    const dialect = s === 2 ? "logs-insights" : "sql";
    const query =
      dialect === "sql"
        ? `SELECT useridentity.arn AS principal, eventname, count(*) AS calls\nFROM cloudtrail_logs\nWHERE eventsource = 'svc${s}.amazonaws.com'\n  AND useridentity.arn LIKE {{principal_pattern}}\nGROUP BY 1, 2\nORDER BY calls DESC`
        : `filter eventSource = "svc${s}.amazonaws.com"\n| stats count(*) as calls by userIdentity.arn, eventName\n| sort calls desc`;
    return `## Step ${s + 1}: look at service ${s}

Read the result top to bottom; an unexpected **principal** here deserves a question to its
owner. See [the service's documentation](https://docs.aws.amazon.com/) for the event names.

- check the principal
- check the source address

\`\`\`${dialect} step_${s}
${query}
\`\`\`

\`\`\`expect
max(calls) < 100          # a burst is worth a look
no principal like '%:root'
\`\`\`
`;
  });
  return `---
title: Benchmark runbook ${i}
description: Synthetic runbook number ${i} of the site benchmark.
id: ${id}
owner: team-${i % 7}
severity: ${SEVERITIES[i % SEVERITIES.length]}
tags: [${TAGS[i % TAGS.length]}, ${TAGS[(i + 3) % TAGS.length]}]
schedule: nightly
window: 24h
params:
  principal_pattern:
    type: string
    default: "%"
    description: LIKE pattern of the principal ARNs to look at
escalation: Page the owner of the runbook.
---

# Benchmark runbook ${i}

${steps.join("\n")}
## Calls hour by hour

\`\`\`sql hourly chart=bar
SELECT date_trunc('hour', eventtime) AS hour, count(*) AS calls
FROM cloudtrail_logs
GROUP BY 1
ORDER BY 1
\`\`\`

\`\`\`expect
max(calls) < 100          # a burst hour is worth a look
\`\`\`
`;
}

/** A step whose result is a time series, so every page of the benchmark draws its chart. */
function hourlyStep(i: number, n: number, at: Date): StepReport {
  const start = at.getTime() - 86_400_000;
  const burst = (i + n) % 7 === 0;
  const rows: JsonValue[][] = Array.from({ length: 24 }, (_, h) => [
    `${new Date(start + h * 3_600_000).toISOString().replace("T", " ").slice(0, 23)} UTC`,
    burst && h === 20 ? 140 : 10 + ((i * 7 + n * 3 + h * 5) % 40),
  ]);
  const max = Math.max(...rows.map((r) => Number(r[1])));
  return {
    id: "hourly",
    title: "Calls hour by hour",
    dialect: "sql",
    engine: "athena",
    optional: false,
    status: burst ? "failed" : "passed",
    startedAt: at.toISOString(),
    durationMs: 600 + ((i + n) % 5) * 200,
    query: "SELECT ...",
    window: { start: new Date(start).toISOString(), end: at.toISOString() },
    stats: { DataScannedInBytes: 5_000_000 * (1 + (i % 9)) },
    columns: [
      { name: "hour", type: "timestamp(3) with time zone" },
      { name: "calls", type: "bigint" },
    ],
    rows,
    rowCount: rows.length,
    truncated: false,
    warnings: [],
    checks: [
      {
        check: "max(calls) < 100",
        label: "a burst hour is worth a look",
        line: 110,
        warn: false,
        status: burst ? "failed" : "passed",
        actual: max,
        message: burst ? `max(calls) = ${max}, expected < 100` : `max(calls) = ${max}`,
      },
    ],
  };
}

function count(values: string[], keys: readonly string[]): Record<string, number> {
  const r = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const v of values) r[v] = (r[v] ?? 0) + 1;
  return r;
}

/** Step `s` of bench runbook `i`'s run `n`: some fail, a few error (by `seed`). */
function benchStep(i: number, n: number, s: number, at: Date, seed: number): StepReport {
  const errored = seed === 5 && s === 1;
  const failing = !errored && seed % 4 === 0 && s === 0;
  const rows: JsonValue[][] = errored
    ? []
    : Array.from({ length: ROWS }, (_, r) => [
        r === 0 && failing
          ? `arn:aws:iam::1234567890${n % 10}:root`
          : `arn:aws:iam::123456789012:user/u${r}`,
        `Event${r % 5}`,
        failing && r === 0 ? 150 : 50 - r,
      ]);
  const offending = failing
    ? [{ principal: `arn:aws:iam::1234567890${n % 10}:root`, eventname: "Event0", calls: 150 }]
    : [];
  const checks: CheckOutcome[] = [
    {
      check: "max(calls) < 100",
      label: "a burst is worth a look",
      line: 30 + s * 25,
      warn: false,
      status: errored ? "errored" : failing ? "failed" : "passed",
      ...(errored ? {} : { actual: failing ? 150 : 50 }),
      message: errored
        ? "not checked: the step errored"
        : failing
          ? "max(calls) = 150, expected < 100"
          : "max(calls) = 50",
    },
    {
      check: "no principal like '%:root'",
      line: 31 + s * 25,
      warn: false,
      status: errored ? "errored" : failing ? "failed" : "passed",
      ...(errored ? {} : { actual: offending.length }),
      message: failing ? "1 row has principal like '%:root'" : "no offending rows",
      ...(failing ? { offendingRows: offending, offendingCount: 1 } : {}),
    },
  ];
  const status: Status = errored ? "errored" : failing ? "failed" : "passed";
  return {
    id: `step_${s}`,
    title: `Step ${s + 1}: look at service ${s}`,
    dialect: s === 2 ? "logs-insights" : "sql",
    engine: s === 2 ? "logs" : "athena",
    optional: false,
    status,
    startedAt: at.toISOString(),
    durationMs: 800 + ((i + s + n) % 9) * 310,
    query: "SELECT ...",
    window: { start: new Date(at.getTime() - 86_400_000).toISOString(), end: at.toISOString() },
    stats: (s === 2
      ? { recordsScanned: 100_000 + i * 10 + n }
      : { DataScannedInBytes: 10_000_000 * (1 + i) }) as StepReport["stats"],
    columns: [
      { name: "principal", type: "varchar" },
      { name: "eventname", type: "varchar" },
      { name: "calls", type: "bigint" },
    ],
    rows,
    rowCount: rows.length,
    truncated: false,
    warnings: [],
    checks,
    ...(errored
      ? {
          error: {
            code: "ATHENA_QUERY_FAILED",
            message: "Query exhausted resources",
            hint: "Narrow the window.",
          },
        }
      : {}),
  };
}

function report(i: number, n: number, source: string, at: Date): RunReport {
  const id = `bench-${String(i).padStart(3, "0")}`;
  // Deterministic variety: some runs fail, a few error.
  const seed = (i * 31 + n * 17) % 23;
  const steps: StepReport[] = Array.from({ length: STEPS }, (_, s) => benchStep(i, n, s, at, seed));
  steps.push(hourlyStep(i, n, at));
  const statuses = steps.map((s) => s.status);
  const status = statuses.includes("errored")
    ? "errored"
    : statuses.includes("failed")
      ? "failed"
      : "passed";
  const durationMs = steps.reduce((a, s) => a + s.durationMs, 0);
  return {
    reportVersion: 1,
    tool: { name: "run-md", version: "0.1.0" },
    runId: `${id}-${n}`,
    runbook: {
      id,
      path: `runbooks/${id}.md`,
      title: `Benchmark runbook ${i}`,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      tags: [],
      sourceHash: createHash("sha256").update(source).digest("hex"),
      escalation: "Page the owner of the runbook.",
    },
    status,
    startedAt: at.toISOString(),
    endedAt: new Date(at.getTime() + durationMs).toISOString(),
    durationMs,
    engine: "athena",
    params: { principal_pattern: "%" },
    window: {
      start: new Date(at.getTime() - 86_400_000).toISOString(),
      end: at.toISOString(),
      source: "24h",
    },
    steps,
    summary: {
      checks: count(
        steps.flatMap((s) => s.checks.map((c) => c.status)),
        ["passed", "warned", "failed", "errored"],
      ) as Record<Status, number>,
      steps: count(statuses, [
        "passed",
        "warned",
        "failed",
        "errored",
        "skipped",
        "cancelled",
      ]) as RunReport["summary"]["steps"],
    },
  };
}

export async function writeSiteFixtures(
  dir: string,
  options: { runbooks: number; reports: number; now?: Date },
): Promise<{ runbooksDir: string; reportsDir: string }> {
  const runbooksDir = path.join(dir, "runbooks");
  const reportsDir = path.join(dir, "reports");
  await mkdir(runbooksDir, { recursive: true });
  const now = options.now ?? new Date();
  for (let i = 1; i <= options.runbooks; i++) {
    const id = `bench-${String(i).padStart(3, "0")}`;
    const source = runbookSource(i);
    await writeFile(path.join(runbooksDir, `${id}.md`), source);
    const rdir = path.join(reportsDir, id);
    await mkdir(rdir, { recursive: true });
    let last = "";
    for (let n = 0; n < options.reports; n++) {
      const at = new Date(now.getTime() - (options.reports - n) * 86_400_000);
      const r = report(i, n, source, at);
      last = `${JSON.stringify(r, null, 2)}\n`;
      await writeFile(path.join(rdir, `${r.startedAt.replaceAll(":", "-")}.json`), last);
    }
    if (last) await writeFile(path.join(rdir, "latest.json"), last);
  }
  return { runbooksDir, reportsDir };
}
