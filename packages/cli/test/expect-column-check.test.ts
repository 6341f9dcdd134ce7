import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";

/*
 * `run-md check` reports a check of an `expect` block that names a column the SQL query's SELECT
 * list does not give: every run errors that check ("column ... is not in the result"), so a typo
 * must not pass check and fail the night's run. The labels here are read off each query by hand.
 */
const RUNBOOK = [
  "---", //                                                                       1
  "title: Expect columns", //                                                     2
  "---", //                                                                       3
  "", //                                                                          4
  "```sql typo", //                                                               5
  "SELECT eventname, count(*) AS calls FROM cloudtrail_logs GROUP BY eventname", // 6
  "```", //                                                                       7
  "", //                                                                          8
  "```expect", //                                                                 9
  "max(CALLS) < 1000   # case is ignored, as a run ignores it", //                10
  "warn: max(call) < 1000", //                                                    11 typo
  "no eventnam in ('DeleteTrail')", //                                            12 typo
  "rows > 0", //                                                                  13
  "```", //                                                                       14
  "", //                                                                          15
  "```sql star", //                                                               16 * not judged
  "SELECT * FROM cloudtrail_logs", //                                             17
  "```", //                                                                       18
  "", //                                                                          19
  "```expect", //                                                                 20
  "every nothing is null", //                                                     21
  "```", //                                                                       22
  "", //                                                                          23
  "```sql field", //                                                              24
  "SELECT l.useridentity.arn, count(*) FROM cloudtrail_logs l GROUP BY 1", //     25 not judged
  "```", //                                                                       26
  "", //                                                                          27
  "```sql label", //                                                              28
  "SELECT l.useridentity.arn FROM cloudtrail_logs l", //                          29 arn
  "```", //                                                                       30
  "", //                                                                          31
  "```expect", //                                                                 32
  "every useridentity.arn like 'arn:%'", //                                       33 the label is arn
  "some arn like 'arn:%'", //                                                     34
  "```", //                                                                       35
  "",
].join("\n");

it("reports a check on a column the SQL query's SELECT list does not give, at the check", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-expect-column-"));
  const file = path.join(dir, "expect-columns.md");
  await writeFile(file, RUNBOOK);
  const res = await runMd(["check", file], { cwd: dir });
  const lines = res.stdout.split("\n").filter((l) => l.includes("[expect-column]"));
  expect(lines).toEqual([
    `${file}:11:1 error check on column "call", which the query's SELECT list does not give (its columns: eventname, calls; did you mean "calls"?): every run errors this check [expect-column]`,
    `${file}:12:1 error check on column "eventnam", which the query's SELECT list does not give (its columns: eventname, calls; did you mean "eventname"?): every run errors this check [expect-column]`,
    `${file}:33:1 error check on column "useridentity.arn", which the query's SELECT list does not give (its columns: arn): every run errors this check [expect-column]`,
  ]);
  expect(res.code).toBe(2);
});
