/**
 * JSON files whose CloudTrail events lie deeper than the lenient reader looks (under a wrapper
 * key, in a bare `Events` list, in an EventBridge envelope's `detail`): they were skipped as
 * "no CloudTrail events in it", a warning only, and a step passed without their events. The
 * truth is what the files written here hold: one DeleteTrail event in the window in each.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DAY_FOLDER as DAY, dayEvent as event, readDay, tempDir, writeFiles } from "./helpers.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("run-md-nested-events-");
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

it("names a file whose events lie deeper unread, and still reads the others", async () => {
  const deleted = event("gone", "DeleteTrail");
  const files: Record<string, string | Buffer> = {
    [`${DAY}/read_T0900Z.json.gz`]: zlib.gzipSync(
      JSON.stringify({ Records: [event("read", "GetTrailStatus")] }),
    ),
    [`${DAY}/wrapped_T1000Z.json.gz`]: zlib.gzipSync(
      JSON.stringify({ data: { Records: [deleted] } }),
    ),
    "exports/events.json": JSON.stringify({ Events: [deleted], NextToken: null }),
    "exports/eventbridge.jsonl": `${JSON.stringify({
      version: "0",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.cloudtrail",
      time: "2026-11-24T10:00:00Z",
      region: "us-east-1",
      detail: deleted,
    })}\n`,
    "exports/nested-array.json": JSON.stringify([[deleted]]),
    // CloudTrail's log group sent on by a subscription: each event's JSON text in `message`.
    "exports/subscription.json": JSON.stringify({
      messageType: "DATA_MESSAGE",
      logGroup: "aws-cloudtrail-logs",
      logEvents: [{ id: "1", timestamp: 1795514400000, message: JSON.stringify(deleted) }],
    }),
    // An item of Records that is the event's JSON text, beside one read.
    [`${DAY}/texts_T1000Z.json.gz`]: zlib.gzipSync(
      `{"Records":[${JSON.stringify(event("kept", "GetTrailStatus"))},${JSON.stringify(JSON.stringify(deleted))}]}`,
    ),
    // JSON that holds no event at any depth is no loss: named in the warnings only, as before.
    "exports/meta.json": JSON.stringify({ records: 310, source: { repo: "x", files: [{ n: 1 }] } }),
  };
  await writeFiles(dir, files);
  const r = await readDay(dir);
  expect(r.ids).toEqual(["read"]);
  expect(r.unread).toEqual([
    `${DAY}/texts_T1000Z.json.gz`,
    `${DAY}/wrapped_T1000Z.json.gz`,
    "exports/eventbridge.jsonl",
    "exports/events.json",
    "exports/nested-array.json",
    "exports/subscription.json",
  ]);
  const where = (file: string) =>
    (r.warnings ?? []).find((w) => w.startsWith(`skipped ${file}: `))?.match(/"([^"]+)"/)?.[1];
  expect(where(`${DAY}/wrapped_T1000Z.json.gz`)).toBe("data.Records[]");
  expect(where("exports/events.json")).toBe("Events[]");
  expect(where("exports/eventbridge.jsonl")).toBe("detail");
  expect(where("exports/nested-array.json")).toBe("[]");
  expect(where("exports/subscription.json")).toBe("logEvents[].message");
  expect(r.warnings).toContain(
    `skipped ${DAY}/texts_T1000Z.json.gz: its CloudTrail events are JSON text (strings), where this reader does not look (it reads a top-level "Records" list, a bare array of events, one event a line, or lookup-events output): rewrite it in one of those shapes`,
  );
  expect(r.warnings).toContain("skipped exports/meta.json: no CloudTrail events in it");
});

it("reads a log archive bucket's AWS Config files as no events, not as events lying deeper", async () => {
  // An AWS Config delivery channel writes into the same bucket as the trail (Control Tower's log
  // archive does, under the organization's prefix): configuration items carry `awsRegion`, but
  // they are no CloudTrail events, and a sync of the bucket must not error every step.
  const root = path.join(dir, "log-archive");
  const account = "o-abc123/AWSLogs/111111111111";
  const item = {
    relatedEvents: [],
    relationships: [],
    configuration: { instanceId: "i-0123456789abcdef0" },
    configurationItemVersion: "1.3",
    configurationItemCaptureTime: "2026-11-24T10:00:00.000Z",
    configurationStateId: 1795514400000,
    awsAccountId: "111111111111",
    configurationItemStatus: "OK",
    resourceType: "AWS::EC2::Instance",
    resourceId: "i-0123456789abcdef0",
    awsRegion: "us-east-1",
    availabilityZone: "us-east-1a",
  };
  const files: Record<string, string | Buffer> = {
    [`${account}/CloudTrail/us-east-1/2026/11/24/111111111111_CloudTrail_us-east-1_20261124T1005Z_a.json.gz`]:
      zlib.gzipSync(JSON.stringify({ Records: [event("read", "GetTrailStatus")] })),
    [`${account}/Config/us-east-1/2026/11/24/ConfigHistory/111111111111_Config_us-east-1_ConfigHistory_AWS::EC2::Instance_20261124T100000Z_20261124T110000Z_1.json.gz`]:
      zlib.gzipSync(JSON.stringify({ fileVersion: "1.0", configurationItems: [item] })),
    [`${account}/Config/us-east-1/2026/11/24/ConfigSnapshot/111111111111_Config_us-east-1_ConfigSnapshot_20261124T100000Z_a.json.gz`]:
      zlib.gzipSync(
        JSON.stringify({ fileVersion: "1.0", configSnapshotId: "a", configurationItems: [item] }),
      ),
  };
  await writeFiles(root, files);
  const r = await readDay(root);
  expect(r.ids).toEqual(["read"]);
  expect(r.unread).toEqual([]);
});
