/**
 * The values of a Logs Insights step, the same on the local engine and on the logs engine (the
 * real SDK against the emulator over the same files): CloudWatch Logs' GetQueryResults gives every
 * value as text, and the logs engine reads only the numeric aggregates' columns back as numbers.
 * The expected rows are written by hand from the records below.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { QueryRequest } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { type EnginePair, localAndLogs } from "./engine-pair.ts";

const START = new Date("2026-11-23T00:00:00Z");
const END = new Date("2026-11-24T00:00:00Z");

let dir: string;
let pair: EnginePair;

function record(hour: number, eventName: string): Record<string, unknown> {
  return {
    eventVersion: "1.08",
    userIdentity: {
      type: "IAMUser",
      arn: "arn:aws:iam::111122223333:user/u",
      accountId: "111122223333",
    },
    eventTime: `2026-11-23T0${hour}:00:00Z`,
    eventSource: "s3.amazonaws.com",
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "10.0.0.1",
    userAgent: "ua",
    requestID: `req${hour}`,
    eventID: `00000000-0000-0000-0000-00000000000${hour}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: "111122223333",
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "run-md-logs-values-"));
  const day = path.join(dir, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/23");
  mkdirSync(day, { recursive: true });
  const records = [record(1, "GetObject"), record(2, "GetObject"), record(3, "PutObject")];
  writeFileSync(
    path.join(day, "111122223333_CloudTrail_us-east-1_20261123T0100Z_a.json"),
    JSON.stringify({ Records: records }),
  );
  pair = await localAndLogs(dir, { logGroups: ["CloudTrail/management"] });
}, 60_000);

afterAll(async () => {
  await pair?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function request(query: string): QueryRequest {
  return queryRequest("logs-insights", query, { start: START, end: END });
}

const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

describe("a Logs Insights step's values on both engines", () => {
  test("a computed field is the service's text on both (compare said they differed: 9 and '9')", async () => {
    const query = `fields eventName, strlen(eventName) as len, 7 / 2 as half, 1 as one
| sort @timestamp asc`;
    // strlen("GetObject") = 9, strlen("PutObject") = 9; 7 / 2 is 3.5: GetQueryResults says "9".
    const expected = [
      ["GetObject", "9", "3.5", "1"],
      ["GetObject", "9", "3.5", "1"],
      ["PutObject", "9", "3.5", "1"],
    ];
    for (const engine of [pair.local, pair.logs]) {
      const r = await engine.query(request(query));
      expect(r.columns.map((c) => [c.name, c.type])).toEqual([
        ["eventName", "varchar"],
        ["len", "varchar"],
        ["half", "varchar"],
        ["one", "varchar"],
      ]);
      expect(r.rows).toEqual(expected);
    }
  });

  test("a stats step's numeric by-key is text and its aggregates numbers on both", async () => {
    const query = "stats count(*) as n, count(*) * 2 as n2 by strlen(eventName) as len, eventName";
    const expected = sorted([
      ["9", "GetObject", 2, 4],
      ["9", "PutObject", 1, 2],
    ]);
    for (const engine of [pair.local, pair.logs]) {
      const r = await engine.query(request(query));
      expect(r.columns.map((c) => c.name)).toEqual(["len", "eventName", "n", "n2"]);
      expect(sorted(r.rows)).toEqual(expected);
    }
  });
});
