/**
 * SHOW PARTITIONS through the real SDK client: a DDL statement (StatementType DDL, no header row,
 * nothing scanned), listing the partitions the emulator was given, else those of the log
 * directory's delivery folders by the table's partition keys (the bootstrap's `date_partition`
 * escaped as Hive escapes `/`); a table without partition keys, or another table, fails as
 * Hive's DDL does; the injected refusal ends it FAILED. The truth is the folders the test makes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.ts";
import { athenaClient, pollUntilDone } from "./athena-client.ts";

const manual = (keys: string) => `CREATE EXTERNAL TABLE security.cloudtrail_logs (eventtime STRING)
${keys === "" ? "" : `PARTITIONED BY (${keys})`}
LOCATION 's3://bucket/AWSLogs/'`;

let dir: string;
let emu: Emulator | undefined;
let client: AthenaClient | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "run-md-show-partitions-"));
  for (const [account, region, day] of [
    ["111122223333", "us-east-1", "20"],
    ["111122223333", "us-east-1", "21"],
    ["111122223333", "eu-west-1", "21"],
    ["444455556666", "us-east-1", "22"],
  ] as const) {
    const folder = path.join(dir, "AWSLogs", account, "CloudTrail", region, "2026", "11", day);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "f.json.gz"), "");
  }
  // A day folder without a file, and a digest folder: no partition.
  mkdirSync(
    path.join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "23"),
    {
      recursive: true,
    },
  );
  const digest = path.join(
    dir,
    "AWSLogs",
    "111122223333",
    "CloudTrail-Digest",
    "us-east-1",
    "2026",
    "11",
    "20",
  );
  mkdirSync(digest, { recursive: true });
  writeFileSync(path.join(digest, "d.json.gz"), "");
});
afterEach(async () => {
  client?.destroy();
  await emu?.close();
  emu = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function over(opts: Partial<EmulatorOptions>): Promise<AthenaClient> {
  emu = await startEmulator({ logDir: dir, ...opts });
  client = athenaClient(emu.endpoint);
  return client;
}

/** Runs the statement to its end: its description, and its rows' first values when it succeeded. */
async function run(c: AthenaClient, sql: string) {
  const { QueryExecutionId: id } = await c.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "security" },
    }),
  );
  const { status } = await pollUntilDone(c, id!);
  const qe = (await c.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution!;
  if (status.State !== "SUCCEEDED") return { qe, rows: undefined };
  const r = await c.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
  return { qe, rows: (r.ResultSet?.Rows ?? []).map((row) => row.Data?.[0]?.VarCharValue) };
}

describe("SHOW PARTITIONS", () => {
  it("lists the folders' partitions by the manual table's keys: DDL, no header row, nothing scanned", async () => {
    const c = await over({
      tableDdl: manual("region string, year string, month string, day string"),
    });
    const { qe, rows } = await run(c, "SHOW PARTITIONS `security`.`cloudtrail_logs`");
    expect(qe.StatementType).toBe("DDL");
    expect(qe.Statistics?.DataScannedInBytes).toBe(0);
    expect(rows).toEqual([
      "region=eu-west-1/year=2026/month=11/day=21",
      "region=us-east-1/year=2026/month=11/day=20",
      "region=us-east-1/year=2026/month=11/day=21",
      "region=us-east-1/year=2026/month=11/day=22",
    ]);
  });

  it("escapes the bootstrap's date as Hive does, and names the accounts", async () => {
    const c = await over({
      tableDdl: manual("date_partition string, region_partition string, account_partition string"),
    });
    const { rows } = await run(c, "SHOW PARTITIONS cloudtrail_logs");
    expect(rows).toContain(
      "date_partition=2026%2F11%2F22/region_partition=us-east-1/account_partition=444455556666",
    );
    expect(rows).toHaveLength(4);
  });

  it("lists the partitions it was given instead of the folders'", async () => {
    const given = ["region=us-east-1/year=2026/month=11/day=05"];
    const c = await over({
      tableDdl: manual("region string, year string, month string, day string"),
      partitions: given,
    });
    expect((await run(c, "SHOW PARTITIONS security.cloudtrail_logs")).rows).toEqual(given);
  });

  it("fails for a table without partitions, another table, and the injected refusal", async () => {
    const c = await over({ tableDdl: manual("") });
    const plain = await run(c, "SHOW PARTITIONS cloudtrail_logs");
    expect(plain.qe.Status?.State).toBe("FAILED");
    expect(plain.qe.Status?.StateChangeReason).toMatch(/is not a partitioned table/);
    const other = await run(c, "SHOW PARTITIONS security.other");
    expect(other.qe.Status?.StateChangeReason).toMatch(/Table not found security\.other/);
    emu!.faults.athena = {
      showPartitionsFailure: {
        reason: "FAILED: AccessDeniedException: not authorized to perform: glue:GetPartitions",
      },
    };
    const denied = await run(c, "SHOW PARTITIONS cloudtrail_logs");
    expect(denied.qe.Status?.StateChangeReason).toMatch(/glue:GetPartitions/);
  });
});
