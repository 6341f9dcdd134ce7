import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../src/index.ts";
import { datasetDir, datasetsDir, hasShared } from "./helpers.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

/** Expected counts, from each data set's index.tsv (the malformed Datadog file's records excluded). */
async function expectedCount(name: string, excludeFile?: string): Promise<number> {
  const tsv = await fsp.readFile(path.join(datasetsDir, name, "index.tsv"), "utf8");
  const rows = tsv.trim().split("\n").slice(1);
  return rows.filter((r) => !excludeFile || !r.split("\t")[1]?.endsWith(excludeFile)).length;
}

/** One Athena SQL query over a copy of a data set's files, on a fresh local engine. */
async function queryDataset(name: string, sql: string) {
  const dir = await datasetDir(name);
  dirs.push(dir);
  const engine = await createLocalEngine({ logDir: dir, threads: 2 });
  try {
    return await engine.runAthenaSql(sql, []);
  } finally {
    await engine.close();
  }
}

async function count(name: string) {
  const r = await queryDataset(
    name,
    "SELECT count(*) AS n, count(eventname) AS named, count(useridentity.type) AS typed FROM cloudtrail_logs",
  );
  return { row: r.rows[0] as number[], warnings: r.warnings };
}

describe.skipIf(!hasShared)("the four shared data sets load through their raw files", () => {
  it("reads stratus-red-team's bare JSON arrays: 310 events", async () => {
    const { row, warnings } = await count("stratus-red-team-detonation-logs");
    expect(row[0]).toBe(await expectedCount("stratus-red-team-detonation-logs"));
    expect(row[0]).toBe(310);
    expect(row[1]).toBe(310);
    expect(warnings).toEqual([]);
  });

  it("reads the OTRF Logstash JSON lines, taking eventTime from @timestamp: 103 events", async () => {
    const r = await queryDataset(
      "otrf-ec2-proxy-s3-exfiltration",
      'SELECT count(*), count(eventtime), min(eventtime), count(DISTINCT "timestamp") FROM cloudtrail_logs',
    );
    expect(r.rows[0]).toEqual([103, 103, "2020-09-14T00:44:20Z", 1]);
    expect(await expectedCount("otrf-ec2-proxy-s3-exfiltration")).toBe(103);
  });

  it("reads the Datadog Records files and names the malformed one as skipped", async () => {
    const { row, warnings } = await count("datadog-enriched-stratus-2022");
    const expected = await expectedCount(
      "datadog-enriched-stratus-2022",
      "aws.execution.ec2-user-data.json",
    );
    expect(expected).toBe(12);
    expect(row[0]).toBe(expected);
    expect(warnings).toHaveLength(1);
    // Where it broke, as Python's json module places it: "Expecting ',' delimiter: line 112
    // column 1 (char 3327)".
    expect(warnings[0]).toBe(
      "skipped aws.execution.ec2-user-data.json: malformed JSON (line 112, column 1)",
    );
  });

  it("reads panther's messy JSON lines (lower-case keys, missing fields): 472 events", async () => {
    const { row, warnings } = await count("panther-analysis-cloudtrail-tests");
    expect(row[0]).toBe(await expectedCount("panther-analysis-cloudtrail-tests"));
    expect(row[0]).toBe(472);
    // Every record has an event name, in whatever case its keys were written.
    expect(row[1]).toBe(472);
    // 18 records have no userIdentity at all.
    expect(row[2]).toBeLessThanOrEqual(472 - 18);
    expect(warnings.join("\n")).toMatch(/set to null: resources in 1 record/);
  });

  it("maps lower-case keys to the same columns as CloudTrail's spelling", async () => {
    const r = await queryDataset(
      "panther-analysis-cloudtrail-tests",
      "SELECT eventname, eventtime, awsregion, useridentity.arn, readonly FROM cloudtrail_logs WHERE eventid = '5d4b45ed-a15c-41b6-80e9-031729fa060d'",
    );
    expect(r.rows).toEqual([
      ["GetRecords", "2023-01-10 21:04:02", "eu-west-1", "arn:aws:test_arn", null],
    ]);
  });
});
