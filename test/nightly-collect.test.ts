/**
 * `npm run nightly -- --collect <source>` (issue 14): the job first collects the window into the
 * configured store, then its runs read the store. The job in this process (test/in-process.ts),
 * its `run-md collect` and `run-md run` real processes; the truth is counted from the records
 * the generator wrote.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "@run-md/core";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";
import { inWindow, readGenerated } from "./truth/runbook-answers.ts";

const HOUR = 3_600_000;
let work: string;
let logs: string;
let config: string;
let expected: number;

const RUNBOOK = `---
title: Every event of the day
schedule: nightly
window: 24h
---

\`\`\`sql everything
SELECT count(*) AS n FROM cloudtrail_logs
\`\`\`

\`\`\`expect
rows == 1
\`\`\`
`;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-collect-"));
  logs = path.join(work, "logs");
  const end = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
  await generateLogs({
    outDir: logs,
    start: new Date(end.getTime() - 30 * HOUR),
    end,
    totalEvents: 600,
    incidents: false,
    seed: "nightly-collect",
    regions: ["us-east-1"],
  });
  await mkdir(path.join(work, "runbooks"));
  await writeFile(path.join(work, "runbooks", "day.md"), RUNBOOK);
  config = path.join(work, "run-md.config.yaml");
  await writeFile(config, "local:\n  store: ./store\n");
  // The run's 24 hours end when it starts; its events, counted from the records.
  const now = Date.now();
  expected = inWindow(readGenerated(logs), new Date(now - 24 * HOUR), new Date(now + HOUR)).length;
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function nightly(extra: string[]) {
  return nightlyHere(
    [
      "--runbooks",
      path.join(work, "runbooks"),
      "--reports-dir",
      path.join(work, "reports"),
      "--config",
      config,
      "--no-build",
      ...extra,
    ],
    { env: { RUN_MD_WEBHOOK_URL: "" } },
  );
}

describe("npm run nightly -- --collect", () => {
  it("collects the window into local.store first, then the runs read the store", async () => {
    const res = await nightly(["--collect", logs, "--collect-since", "3d"]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain(`collecting ${logs} (--since 3d) into local.store`);
    expect(await readdir(path.join(work, "store"))).toContain("manifest.json");
    const latest = JSON.parse(
      await readFile(path.join(work, "reports", "day", "latest.json"), "utf8"),
    ) as RunReport;
    const step = latest.steps[0]!;
    // Read from the store, not from files (there is no log directory configured).
    expect(String(step.stats?.storeDays)).toMatch(/^\d{4}\/\d\d\/\d\d/);
    // The count is within a few events of the truth counted when the test set up (the window
    // ends when the run starts, seconds later): of the same size, and not zero.
    expect(Number(step.rows[0]?.[0])).toBeGreaterThan(0);
    expect(Math.abs(Number(step.rows[0]?.[0]) - expected)).toBeLessThanOrEqual(expected * 0.05);
  }, 120_000);

  it("exits 2 when the collect fails, and still runs the runbooks", async () => {
    const empty = path.join(work, "no-logs-here");
    await mkdir(empty);
    const res = await nightly(["--collect", empty]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("error run-md collect exited 2");
    expect(res.stdout).toMatch(/1 runbook/);
  }, 120_000);

  it("refuses --collect-since without --collect, and a bad duration", async () => {
    expect((await nightly(["--collect-since", "3d"])).stderr).toContain(
      "--collect-since needs --collect <source>",
    );
    expect((await nightly(["--collect", logs, "--collect-since", "soon"])).stderr).toContain(
      '--collect-since must be a duration such as 30d, got "soon"',
    );
  });
});
