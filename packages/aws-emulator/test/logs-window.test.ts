/**
 * The window's edges on both Logs Insights engines: events one second apart at a half-open
 * window's start and end, whole-second and fractional, counted against the raw event times
 * (StartQuery's epoch seconds are both inclusive; the run's window is [start, end)).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { type EnginePair, localAndLogs } from "./engine-pair.ts";

const TIMES = [
  "2026-11-23T00:00:00Z",
  "2026-11-23T00:00:01Z",
  "2026-11-23T11:59:59Z",
  "2026-11-23T12:00:00Z",
  "2026-11-23T12:00:01Z",
];

let dir: string;
let pair: EnginePair;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "run-md-logs-window-"));
  const day = path.join(
    dir,
    "AWSLogs",
    "123456789012",
    "CloudTrail",
    "us-east-1",
    "2026",
    "11",
    "23",
  );
  mkdirSync(day, { recursive: true });
  const Records = TIMES.map((eventTime, i) => ({
    eventVersion: "1.08",
    eventTime,
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    eventID: `id-${i}`,
    recipientAccountId: "123456789012",
  }));
  writeFileSync(path.join(day, "a.json.gz"), gzipSync(JSON.stringify({ Records })));
  pair = await localAndLogs(dir, { logGroups: ["CloudTrail/management"] });
}, 60_000);

afterAll(async () => {
  await pair?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.each([
  ["whole seconds", "2026-11-23T00:00:01Z", "2026-11-23T12:00:00Z"],
  ["fractional bounds", "2026-11-23T00:00:00.400Z", "2026-11-23T12:00:00.250Z"],
])("%s: the events at or after the start and before the end", async (_name, from, to) => {
  const window = { start: new Date(from), end: new Date(to) };
  const want = TIMES.map((t, i) => ({ t: Date.parse(t), id: `id-${i}` }))
    .filter(({ t }) => t >= window.start.getTime() && t < window.end.getTime())
    .map(({ id }) => id);
  for (const engine of [pair.local, pair.logs]) {
    const r = await engine.query(
      queryRequest("logs-insights", "fields eventID | sort eventID asc", window),
    );
    expect(r.rows.map((row) => row[0])).toEqual(want);
  }
});

test("a window between two whole seconds: no event of the next second (StartQuery's seconds cannot say it)", async () => {
  // [00:00:00.400, 00:00:00.900) holds no whole second, so no CloudTrail event; StartQuery's
  // inclusive seconds cannot ask for nothing, and asking for 00:00:01 answered id-1.
  const window = {
    start: new Date("2026-11-23T00:00:00.400Z"),
    end: new Date("2026-11-23T00:00:00.900Z"),
  };
  const req = queryRequest("logs-insights", "fields eventID | sort eventID asc", window);
  expect((await pair.local.query(req)).rows).toEqual([]);
  await expect(pair.logs.query(req)).rejects.toMatchObject({ code: "bad-window" });
});
