/**
 * An emulated Athena over generated CloudTrail-shaped rows: an in-memory DuckDB table
 * `security.cloudtrail_org_pp` (projection-partitioned by `"timestamp"`), one event every 30
 * seconds from 2026-11-22 to 2026-11-25, each in the partition of the day it was delivered two
 * minutes later, served by the emulator on a free loopback port.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { duckdbBackend, type Emulator, startEmulator } from "@run-md/aws-emulator";
import type { QueryRequest, TimeWindow } from "@run-md/core";
import { queryRequest } from "../../core/test/query-request.ts";
import type { AthenaEngine, AthenaEngineOptions } from "../src/index.ts";
import { emulatedAthena } from "./emulated.ts";

export const TABLE = "security.cloudtrail_org_pp";
/** 2026-11-23, a whole UTC day: 2,880 events. */
export const DAY: TimeWindow = {
  start: new Date("2026-11-23T00:00:00Z"),
  end: new Date("2026-11-24T00:00:00Z"),
};
export const EVENTS_PER_DAY = 2880;
export const SCANNED_BYTES = 123_456;

export interface Harness {
  emulator: Emulator;
  instance: DuckDBInstance;
  engine(opts?: Partial<AthenaEngineOptions>): AthenaEngine;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run("CREATE SCHEMA security");
  await conn.run(`
    CREATE TABLE ${TABLE} AS
    WITH base AS (SELECT i, TIMESTAMP '2026-11-22 00:00:00' + to_seconds(i * 30) AS t FROM range(${3 * EVENTS_PER_DAY}) r(i))
    SELECT
      strftime(t, '%Y-%m-%dT%H:%M:%SZ') AS eventtime,
      ['ConsoleLogin', 'AssumeRole', 'GetObject', 'CreateUser'][1 + i % 4] AS eventname,
      ['signin.amazonaws.com', 'sts.amazonaws.com', 's3.amazonaws.com', 'iam.amazonaws.com'][1 + i % 4] AS eventsource,
      'us-east-1' AS awsregion,
      '10.0.' || (i % 7) || '.' || (i % 250) AS sourceipaddress,
      CASE WHEN i % 10 = 0 THEN 'AccessDenied' END AS errorcode,
      {'type': CASE WHEN i % 3 = 0 THEN 'Root' ELSE 'IAMUser' END,
       'arn': 'arn:aws:iam::123456789012:user/u' || (i % 5),
       'accountid': '123456789012',
       'username': 'u' || (i % 5)} AS useridentity,
      [{'arn': 'arn:aws:s3:::bucket-' || (i % 3), 'accountid': '123456789012', 'type': 'AWS::S3::Bucket'}] AS resources,
      CASE WHEN i % 4 = 2 THEN 'true' ELSE 'false' END AS readonly,
      -- The partition of the delivery (CloudTrail delivers minutes late): events of 23:58 and
      -- later lie in the next day's partition.
      strftime(t + INTERVAL 2 MINUTE, '%Y/%m/%d') AS "timestamp"
    FROM base`);
  conn.closeSync();
  const emulator = await startEmulator({
    logDir: "/nonexistent",
    athenaBackend: duckdbBackend(instance, { scannedBytes: () => SCANNED_BYTES }),
  });
  const engines: AthenaEngine[] = [];
  return {
    emulator,
    instance,
    engine(opts = {}) {
      const e = emulatedAthena(emulator.endpoint, {
        table: TABLE,
        partitioning: "projection",
        database: "security",
        outputLocation: "s3://results-bucket/run-md/",
        pollMaxMs: 20,
        ...opts,
      });
      engines.push(e);
      return e;
    },
    async close() {
      for (const e of engines) await e.close();
      await emulator.close();
      instance.closeSync();
    },
  };
}

/** A sql step's request over `DAY`. */
export function request(query: string, extra: Partial<QueryRequest> = {}): QueryRequest {
  return queryRequest("sql", query, DAY, extra);
}
