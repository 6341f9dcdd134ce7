import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { HAS_SHARED, SHARED } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";

/*
 * A run over the bundled sample data (local.logDir: sample, what `init` writes) says so in its
 * report: published by a nightly job set up before the logs were, its planted incidents read as
 * the account's findings on the site, and its passes as a night of real logs checked.
 */
const RUNBOOK = [
  "---",
  "title: Count",
  "window: 7d",
  "---",
  "",
  "```sql events",
  "SELECT count(*) AS n FROM cloudtrail_logs",
  "```",
  "",
].join("\n");

async function runbookFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-sample-report-"));
  const file = path.join(dir, "count.md");
  await writeFile(file, RUNBOOK);
  return file;
}

async function report(args: string[]): Promise<RunReport> {
  const res = await runMd([...args, "--json", "--no-report"]);
  expect(res.stderr.replace(/^run-md: generated the sample data.*\n/m, "")).toBe("");
  return (JSON.parse(res.stdout) as RunReport[])[0]!;
}

describe("a run's report", () => {
  it("says it read the bundled sample data", async () => {
    const r = await report([await runbookFile(), "--log-dir", "sample"]);
    expect(r.steps[0]?.engine).toBe("local");
    expect(Number(r.steps[0]?.rows[0]?.[0])).toBeGreaterThan(0);
    expect(r.sampleData).toBe(true);
  });

  it.skipIf(!HAS_SHARED)(
    "says nothing of sample data over a folder of CloudTrail files",
    async () => {
      const data = path.join(SHARED, "datasets/stratus-red-team-detonation-logs/raw");
      const window = ["--from", "2024-07-30", "--to", "2024-12-01"];
      const r = await report([await runbookFile(), "--log-dir", data, ...window]);
      expect(Number(r.steps[0]?.rows[0]?.[0])).toBeGreaterThan(0);
      expect(r.sampleData).toBeUndefined();
    },
  );
});

describe("run-md query's status line", () => {
  const status = async (args: string[]) => {
    const res = await runMd(["query", "SELECT count(*) AS n FROM cloudtrail_logs", ...args]);
    expect(res.code, res.stderr).toBe(0);
    return res.stderr.replace(/^run-md: generated the sample data.*\n/m, "");
  };

  it("says the query read the bundled sample data (review: only runs said so)", async () => {
    expect(await status(["--log-dir", "sample", "--since", "7d"])).toContain(
      " · bundled sample data",
    );
  });

  it.skipIf(!HAS_SHARED)(
    "says nothing of sample data over a folder of CloudTrail files",
    async () => {
      const data = path.join(SHARED, "datasets/stratus-red-team-detonation-logs/raw");
      const out = await status(["--log-dir", data, "--from", "2024-07-30", "--to", "2024-12-01"]);
      expect(out).toMatch(/^local · window /m);
      expect(out).not.toContain("sample data");
    },
  );
});
