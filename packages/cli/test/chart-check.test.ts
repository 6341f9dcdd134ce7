import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";

/*
 * `run-md check` warns at a step's chart=<mark>:x,y when the SQL query's SELECT list cannot give
 * a named column: the site would draw no chart. Each query's labels are known here by reading it.
 */
const RUNBOOK = [
  "---", //                                                                       1
  "title: Charts", //                                                             2
  "---", //                                                                       3
  "", //                                                                          4
  "```sql missing chart=bar:hour,calls", //                                       5  hour missing
  "SELECT eventname, count(*) AS calls FROM cloudtrail_logs GROUP BY eventname", // 6
  "```", //                                                                       7
  "", //                                                                          8
  "```sql given chart=line:HOUR,calls", //                                        9  both given
  "SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour,", //     10
  '  count(*) AS "Calls"', //                                                    11
  "FROM cloudtrail_logs GROUP BY 1", //                                           12
  "```", //                                                                       13
  "", //                                                                          14
  "```sql star chart=bar:hour,calls", //                                          15 * not judged
  "SELECT * FROM cloudtrail_logs", //                                             16
  "```", //                                                                       17
  "", //                                                                          18
  "```sql unnamed chart=bar:day,calls", //                                        19 count(*) unnamed
  "SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1", //                20
  "```", //                                                                       21
  "", //                                                                          22
  "```sql field chart=bar:arn,total", //                                          23 arn given, total not
  "WITH c AS (SELECT 1 AS total) SELECT l.useridentity.arn, eventname", //        24
  "FROM cloudtrail_logs l", //                                                    25
  "```", //                                                                       26
  "",
].join("\n");

it("warns at chart= when a named column is not in the SQL query's SELECT list", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-chart-check-"));
  const file = path.join(dir, "charts.md");
  await writeFile(file, RUNBOOK);
  const res = await runMd(["check", file], { cwd: dir });
  const lines = res.stdout.split("\n").filter((l) => l.includes("[chart-column]"));
  expect(lines).toEqual([
    `${file}:5:16 warning chart=bar:hour,calls names column "hour", which the query's SELECT list does not give (its columns: eventname, calls): no chart will be drawn [chart-column]`,
    `${file}:23:14 warning chart=bar:arn,total names column "total", which the query's SELECT list does not give (its columns: arn, eventname): no chart will be drawn [chart-column]`,
  ]);
  // Warnings: check still passes.
  expect(res.code).toBe(0);
});
