/**
 * One of several log groups that stopped delivering (red-team): each account's trail delivers
 * to its own log group (the emulator's `groupAccounts` fault), one account's events stop a day
 * before the window's end, and the `logs` engine, through the real SDK client, names that group
 * in the step's stale end. The truth is the written events: which account has events on which
 * day, and which group holds which account.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { createLogsEngine, type LogsEngine } from "@run-md/engine-logs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { type Emulator, startEmulator } from "../src/index.ts";

const A = "111111111111";
const B = "222222222222";
/** A's trail delivers every day; B's stops after the 19th. */
const DAYS: Record<string, string[]> = {
  [A]: ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"],
  [B]: ["2026-11-18", "2026-11-19"],
};
const HOURS = ["01", "09", "17", "23"];
const GROUPS: Record<string, string[]> = { "trail-a": [A], "trail-b": [B], "trail-c": [] };
const arnOf = (account: string, name: string) =>
  `arn:aws:logs:us-east-1:${account}:log-group:${name}`;

interface Written {
  account: string;
  time: number;
  eventName: string;
}
const written: Written[] = [];

let dir: string;
let emulator: Emulator;
let engine: LogsEngine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "run-md-logs-groups-"));
  for (const [account, days] of Object.entries(DAYS)) {
    for (const day of days) {
      const folder = path.join(
        dir,
        "AWSLogs",
        account,
        "CloudTrail",
        "us-east-1",
        ...day.split("-"),
      );
      mkdirSync(folder, { recursive: true });
      const Records = HOURS.map((h, i) => ({
        eventVersion: "1.08",
        eventTime: `${day}T${h}:00:00Z`,
        eventSource: "s3.amazonaws.com",
        eventName: i === 0 ? "DeleteBucket" : "GetObject",
        awsRegion: "us-east-1",
        eventID: `${account}-${day}-${h}`,
        recipientAccountId: account,
      }));
      for (const r of Records)
        written.push({ account, time: Date.parse(r.eventTime), eventName: r.eventName });
      writeFileSync(path.join(folder, "a.json.gz"), gzipSync(JSON.stringify({ Records })));
    }
  }
  emulator = await startEmulator({ logDir: dir });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.faults.logs = { groupAccounts: GROUPS };
  engine = createLogsEngine({ endpoint: emulator.endpoint, logGroups: [], pollIntervalMs: 10 });
});
afterEach(async () => engine.close());

const day = (d: string) => new Date(`${d}T00:00:00Z`);
const nameOf = (g: string) => g.split(":log-group:").at(-1)!;
/** The written events a log group holds in [from, to). */
const held = (group: string, from: Date, to: Date) =>
  written.filter(
    (e) =>
      GROUPS[nameOf(group)]!.includes(e.account) &&
      e.time >= from.getTime() &&
      e.time < to.getTime(),
  );
/** The window's end as the docs define it: its last 24 hours. */
const tailOf = (w: { start: Date; end: Date }) => ({
  start: new Date(w.end.getTime() - 86_400_000),
  end: w.end,
});
/** The groups with no event in the window's end and some before it: stopped. */
function stoppedTruth(groups: string[], w: { start: Date; end: Date }): string[] {
  const tail = tailOf(w);
  return groups.filter(
    (g) => held(g, tail.start, tail.end).length === 0 && held(g, w.start, tail.start).length > 0,
  );
}
const staleText = (groups: string[], w: { start: Date; end: Date }) => {
  const tail = tailOf(w);
  const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
  return `CloudWatch Logs holds no log event in ${groups.join(", ")} at the window's end, ${iso(tail.start)} → ${iso(tail.end)}, while its earlier days hold events (a trail that stopped delivering, or its logs not delivered since)`;
};
/** Some groups stopped while the others deliver: a warning, and the window's end not read. */
const stoppedText = (groups: string[], w: { start: Date; end: Date }) => {
  const tail = tailOf(w);
  const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
  return `CloudWatch Logs holds no log event in ${groups.join(", ")} at the window's end, ${iso(tail.start)} → ${iso(tail.end)}, while its earlier days hold events and the step's other log groups deliver: a trail that stopped delivering, or its logs not delivered since, read as quiet; check the source before trusting an empty answer`;
};
/** The step's stopped-group warnings, and from when it is not read. */
const stopped = (r: { warnings: string[]; notReadFrom?: string; staleEnd?: string }) => ({
  warnings: r.warnings.filter((w) => w.includes("at the window's end")),
  notReadFrom: r.notReadFrom,
  staleEnd: r.staleEnd,
});
const stoppedAs = (groups: string[], w: { start: Date; end: Date }) => ({
  warnings: [stoppedText(groups, w)],
  notReadFrom: tailOf(w).start.toISOString(),
  staleEnd: undefined,
});
const QUERY = 'filter eventName = "DeleteBucket" | stats count(*) as n';
const starts = () => emulator.calls.filter((c) => c.op === "StartQuery");

async function step(groups: string[], w: { start: Date; end: Date }) {
  const r = await engine.query(
    queryRequest("logs-insights", QUERY, w, {
      attributes: { optional: false, logGroups: groups },
    }),
  );
  const deletes = groups.flatMap((g) => held(g, w.start, w.end));
  expect(r.rows).toEqual([[deletes.filter((e) => e.eventName === "DeleteBucket").length]]);
  return r;
}

describe("the emulator's own log groups", () => {
  test("@log is account:name, each group's count its accounts' events", async () => {
    const client = new CloudWatchLogsClient({
      region: "us-east-1",
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const from = day("2026-11-18");
    const to = day("2026-11-22");
    const { queryId } = await client.send(
      new StartQueryCommand({
        logGroupIdentifiers: [arnOf(A, "trail-a"), arnOf(B, "trail-b"), arnOf(A, "trail-c")],
        startTime: from.getTime() / 1000,
        endTime: to.getTime() / 1000 - 1,
        queryString: "stats count(*) as n by @log",
      }),
    );
    let out: GetQueryResultsCommandOutput;
    do out = await client.send(new GetQueryResultsCommand({ queryId: queryId! }));
    while (out.status === "Running" || out.status === "Scheduled");
    client.destroy();
    const rows = out.results!.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value])));
    expect(rows.sort((x, y) => String(x["@log"]).localeCompare(String(y["@log"])))).toEqual([
      { "@log": `${A}:trail-a`, n: String(held("trail-a", from, to).length) },
      { "@log": `${B}:trail-b`, n: String(held("trail-b", from, to).length) },
    ]);
    expect(out.statistics?.recordsScanned).toBe(
      held("trail-a", from, to).length + held("trail-b", from, to).length,
    );
  });
});

describe("a step over several log groups (red-team)", () => {
  const stoppedWindow = { start: day("2026-11-18"), end: day("2026-11-21") };

  test("one group's account stopped a day before the window's end: the step names that group (a warning, as the other engines name a region that stopped)", async () => {
    const groups = ["trail-a", "trail-b"];
    const before = starts().length;
    const r = await step(groups, stoppedWindow);
    const truth = stoppedTruth(groups, stoppedWindow);
    expect(truth).toEqual(["trail-b"]);
    expect(stopped(r)).toEqual(stoppedAs(truth, stoppedWindow));
    expect(r.noEvents).toBeUndefined();
    // The step, whether the end holds a CloudTrail event, the end over both groups, then the
    // days before it over the silent one only.
    const sent = starts().slice(before);
    expect(sent.map((c) => c.body.logGroupNames)).toEqual([groups, groups, groups, ["trail-b"]]);
    expect(sent[1]!.body.queryString).toBe(
      "filter ispresent(eventVersion) | fields @timestamp | limit 1",
    );
    expect(sent[3]!.body).toMatchObject({
      queryString: "stats count(*) as n by @log",
      startTime: stoppedWindow.start.getTime() / 1000,
      endTime: tailOf(stoppedWindow).start.getTime() / 1000 - 1,
    });
  });

  test("the next step over the same window is told the stopped group without asking again (each asked scanned the group's window)", async () => {
    const groups = ["trail-a", "trail-b"];
    const w = { start: day("2026-11-17"), end: day("2026-11-21") };
    const first = await step(groups, w);
    const before = starts().length;
    const next = await step(groups, w);
    expect(stopped(next)).toEqual(stoppedAs(stoppedTruth(groups, w), w));
    expect(stopped(next)).toEqual(stopped(first));
    // The step's own query only.
    expect(starts().length).toBe(before + 1);
  });

  test("groups named by ARN: the stopped one is named by its ARN", async () => {
    const groups = [arnOf(A, "trail-a"), arnOf(B, "trail-b")];
    const r = await step(groups, stoppedWindow);
    expect(stopped(r)).toEqual(stoppedAs(stoppedTruth(groups, stoppedWindow), stoppedWindow));
    expect(stopped(r).warnings.join("")).toContain(arnOf(B, "trail-b"));
    expect(stopped(r).warnings.join("")).not.toContain(arnOf(A, "trail-a"));
  });

  test("a window starting less than a second before its end's 24 hours: no probe of the time before (it holds no whole second)", async () => {
    // trail-c holds nothing at the end; before it lies only [23:59:59.5, 00:00): no event, so
    // trail-c did not stop, and StartQuery has no range of whole seconds to ask it for.
    const groups = ["trail-a", "trail-c"];
    const w = { start: new Date("2026-11-20T23:59:59.500Z"), end: day("2026-11-22") };
    expect(stoppedTruth(groups, w)).toEqual([]);
    const before = starts().length;
    const r = await step(groups, w);
    expect([r.staleEnd, r.noEvents]).toEqual([undefined, undefined]);
    // The step, whether the end holds a CloudTrail event, the end over both groups.
    expect(starts().length).toBe(before + 3);
  });

  test("both delivering: no stale end, one probe, remembered for the next step", async () => {
    const groups = ["trail-a", "trail-b"];
    const w = { start: day("2026-11-18"), end: day("2026-11-20") };
    expect(stoppedTruth(groups, w)).toEqual([]);
    const before = starts().length;
    const r = await step(groups, w);
    expect([r.staleEnd, r.noEvents]).toEqual([undefined, undefined]);
    // The step, whether the end holds a CloudTrail event, the end over both groups.
    expect(starts().length).toBe(before + 3);
    await step(groups, w);
    expect(starts().length).toBe(before + 4);
  });

  test("a group empty the whole window did not stop; beside a stopped one, only that one is named", async () => {
    const quiet = await step(["trail-a", "trail-c"], stoppedWindow);
    expect(held("trail-c", stoppedWindow.start, stoppedWindow.end)).toEqual([]);
    expect(stopped(quiet)).toEqual({ warnings: [], notReadFrom: undefined, staleEnd: undefined });
    const groups = ["trail-a", "trail-b", "trail-c"];
    const r = await step(groups, stoppedWindow);
    expect(stopped(r)).toEqual(stoppedAs(stoppedTruth(groups, stoppedWindow), stoppedWindow));
    expect(stopped(r).warnings.join("")).toContain(" trail-b at");
  });

  test.each([
    ["of another shape", "cloudtrail", ["trail-a", "trail-b"]],
    ["of an account no ARN names", "999999999999", [arnOf(A, "trail-a"), arnOf(B, "trail-b")]],
  ])(
    "a @log %s names no group: the whole set is judged as before",
    async (_name, logAccount, groups) => {
      emulator.faults.logs = { groupAccounts: GROUPS, logAccount };
      // A still delivers at the end: as before, the set's end holds events, whatever B did.
      const before = starts().length;
      const r = await step(groups, stoppedWindow);
      expect(stoppedTruth(groups, stoppedWindow)).toEqual([groups[1]]);
      expect(r.staleEnd).toBeUndefined();
      // The step, whether the end holds a CloudTrail event, the end over both groups.
      expect(starts().length).toBe(before + 3);
      // A window whose end no group holds: the whole set, as before.
      const late = { start: day("2026-11-18"), end: day("2026-11-23") };
      expect(groups.flatMap((g) => held(g, tailOf(late).start, late.end))).toEqual([]);
      const stale = await step(groups, late);
      expect(stale.staleEnd).toBe(staleText(groups, late));
    },
  );
});

describe("log groups of another source (a VPC flow log's, a Lambda's: no CloudTrail event)", () => {
  // "lambda-logs" holds 400 events of its own in any window and none of the trail's.
  const faults = () => {
    emulator.faults.logs = {
      groupAccounts: { ...GROUPS, "lambda-logs": [] },
      otherEvents: { "lambda-logs": 400 },
    };
  };
  const oneDay = { start: day("2026-11-20"), end: day("2026-11-21") };
  const threeDays = { start: day("2026-11-18"), end: day("2026-11-21") };

  test("a step over such a group alone is no data, not a pass: it scanned events, none of them CloudTrail's (the local engine's files without CloudTrail events)", async () => {
    faults();
    for (const w of [oneDay, threeDays]) {
      const r = await engine.query(
        queryRequest("logs-insights", QUERY, w, {
          attributes: { optional: false, logGroups: ["lambda-logs"] },
        }),
      );
      // What the step's query saw: 400 events, no DeleteBucket among them.
      expect([r.rows, r.stats.recordsScanned]).toEqual([[[0]], 400]);
      const iso = (d: Date) => d.toISOString();
      expect(r.noEvents).toBe(
        `CloudWatch Logs scanned 400 log events in lambda-logs between ${iso(w.start)} and ${iso(w.end)}, none of them a CloudTrail event (filter ispresent(eventVersion) found none): log groups of another source than a trail`,
      );
      expect(r.staleEnd).toBeUndefined();
    }
  });

  test("beside the trail's group it is no matter: the window holds CloudTrail events, found once for the steps over it", async () => {
    faults();
    const run = () =>
      engine.query(
        queryRequest("logs-insights", QUERY, oneDay, {
          attributes: { optional: false, logGroups: ["trail-a", "lambda-logs"] },
        }),
      );
    const deletes = held("trail-a", oneDay.start, oneDay.end).filter(
      (e) => e.eventName === "DeleteBucket",
    );
    const r = await run();
    expect([r.rows, r.noEvents, r.staleEnd]).toEqual([[[deletes.length]], undefined, undefined]);
    const before = starts().length;
    await run();
    expect(starts().length).toBe(before + 1);
  });
});
