import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../packages/core/src/index.ts";
import { timeSeries } from "../site/src/lib/series.ts";
import { HAS_SHARED, SHARED } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";

/*
 * A step's `chart=bar`/`chart=line` whose result cannot be drawn (no time column, a named column
 * the result lacks) says why, as a warning of the step: in the terminal and in the report, which
 * the site shows. A chart that is drawn, and a result without rows, say nothing. On CloudTrail
 * recorded by Stratus Red Team detonations; what each result holds is known from its query.
 */
const DATA = path.join(SHARED, "datasets/stratus-red-team-detonation-logs");

const RUNBOOK = [
  "---",
  "title: Charts",
  "---",
  "",
  "```sql by_event chart=bar",
  "SELECT eventname, count(*) AS calls FROM cloudtrail_logs GROUP BY eventname",
  "```",
  "",
  "```sql by_day chart=line:day,calls",
  "SELECT date_trunc('day', from_iso8601_timestamp(eventtime)) AS day, count(*) AS calls",
  "FROM cloudtrail_logs GROUP BY 1",
  "```",
  "",
  "```sql named chart=bar:hour,calls",
  "SELECT eventname, count(*) AS calls FROM cloudtrail_logs GROUP BY eventname",
  "```",
  "",
  "```logs-insights insights chart=bar",
  "stats count(*) as calls by eventName",
  "```",
  "",
  "```sql nothing chart=bar:hour,calls",
  "SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour, count(*) AS calls",
  "FROM cloudtrail_logs WHERE eventname = 'NoSuchCall' GROUP BY 1",
  "```",
  "",
].join("\n");

const NO_TIME =
  "the result has no time column (a timestamp or a date, or text that is all ISO dates and times)";

describe.skipIf(!HAS_SHARED)("a chart= that draws nothing", () => {
  it("is a warning of its step, saying why, in the report and the terminal", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-chart-warnings-"));
    const file = path.join(dir, "charts.md");
    await writeFile(file, RUNBOOK);
    const window = ["--from", "2024-07-30", "--to", "2024-12-01", "--no-report"];
    const args = [file, "--log-dir", path.join(DATA, "raw"), ...window];
    const json = await runMd([...args, "--json"]);
    expect(json.stderr).toBe("");
    const report = (JSON.parse(json.stdout) as RunReport[])[0]!;
    const warnings = Object.fromEntries(report.steps.map((s) => [s.id, s.warnings]));
    expect(warnings).toEqual({
      by_event: [`chart=bar draws no chart: ${NO_TIME}`],
      by_day: [],
      named: [
        'chart=bar:hour,calls draws no chart: the result has no column "hour" (its columns: eventname, calls)',
      ],
      insights: [`chart=bar draws no chart: ${NO_TIME}`],
      nothing: [],
    });
    // The step without a warning is drawn by the site: a point a day of the data.
    const days = new Set(
      readFileSync(path.join(DATA, "events.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => (JSON.parse(l) as { eventTime?: string }).eventTime?.slice(0, 10))
        .filter((d) => d !== undefined),
    );
    const byDay = report.steps.find((s) => s.id === "by_day")!;
    expect(timeSeries(byDay, { mark: "line", x: "day", y: "calls" })?.buckets).toHaveLength(
      days.size,
    );
    const text = await runMd(args);
    expect(text.stdout).toContain(`! chart=bar draws no chart: ${NO_TIME}`);
    expect(text.stdout).toContain(
      '! chart=bar:hour,calls draws no chart: the result has no column "hour"',
    );
  });
});
