/**
 * A window whose events lie in some of its days and not in others: the days without a log file
 * are named in the step's warnings, so that logs never synced or delivered do not read as quiet
 * days. The truth is which day folders the test writes.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { gapStart, gapWarning } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/engine.ts";
import { tempDir, window } from "./helpers.ts";

let root: string;
const engines: LocalEngine[] = [];

beforeAll(async () => {
  root = await tempDir("run-md-gaps-");
  // Events on the 1st and the 4th; nothing on the 2nd and the 3rd.
  for (const day of ["01", "04"]) {
    const dir = path.join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03", day);
    await fsp.mkdir(dir, { recursive: true });
    const record = { eventID: `e${day}`, eventTime: `2024-03-${day}T10:00:00Z`, eventName: "X" };
    await fsp.writeFile(
      path.join(dir, "a.json.gz"),
      zlib.gzipSync(JSON.stringify({ Records: [record] })),
    );
  }
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function result(from: string, to: string) {
  const e = await createLocalEngine({ logDir: root, threads: 1 });
  engines.push(e);
  return e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", window(from, to)));
}

async function warnings(from: string, to: string): Promise<string[]> {
  return (await result(from, to)).warnings;
}

describe("days of a window without log files", () => {
  it("are named when the window has events on other days", async () => {
    expect(await warnings("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z")).toEqual([
      "the window's days 2024-03-02..2024-03-03 (UTC) have no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer",
    ]);
    // Every day of the window has its file: nothing to say.
    expect(await warnings("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z")).toEqual([]);
  });

  it("say from when the window is not read (QueryResult.notReadFrom), for the nightly's record", async () => {
    const gap = await result("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z");
    expect(gap.notReadFrom).toBe("2024-03-01T23:00:00.000Z");
    const whole = await result("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
    expect(whole.notReadFrom).toBeUndefined();
  });

  it("are not named for an export outside the delivery layout: its days without events are quiet (review)", async () => {
    const dir = path.join(root, "..", `${path.basename(root)}-export`);
    await fsp.mkdir(dir, { recursive: true });
    const lines = ["01", "04"].map((day) =>
      JSON.stringify({ eventID: `x${day}`, eventTime: `2024-03-${day}T10:00:00Z`, eventName: "X" }),
    );
    await fsp.writeFile(path.join(dir, "detonation.jsonl"), lines.join("\n"));
    try {
      const e = await createLocalEngine({ logDir: dir, threads: 1 });
      engines.push(e);
      const w = window("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z");
      const r = await e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", w));
      expect(r.rows).toEqual([[2]]);
      expect(r.warnings).toEqual([]);
      // Nor is its end without events a stale end: an export is a snapshot, not a live trail.
      const later = window("2024-03-01T00:00:00Z", "2024-03-09T00:00:00Z");
      const past = await e.query(
        queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", later),
      );
      expect([past.rows, past.staleEnd]).toEqual([[[2]], undefined]);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("list five ranges of days at most, and count them all (review)", () => {
    // Sixty days, with events on every other one: thirty single days without.
    const start = Date.parse("2024-01-01T00:00:00Z");
    const w = { start: new Date(start), end: new Date(start + 60 * 86_400_000) };
    const every = Array.from({ length: 30 }, (_, i) => new Date(start + 2 * i * 86_400_000));
    const data = new Set(every.map((d) => d.toISOString().slice(0, 10).replaceAll("-", "/")));
    expect(gapWarning(w, data, Date.now())).toBe(
      "the window's days 2024-01-02, 2024-01-04, 2024-01-06, 2024-01-08, 2024-01-10 … (30 days in all) (UTC) have no log file with events: logs not synced, collected or delivered read as a quiet day; check the source before trusting an empty answer",
    );
  });

  it("count a day only for an hour or more of the window, up to what has been delivered", () => {
    const w = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });
    const none = new Set<string>(["2024/03/01"]);
    // Half an hour of the 2nd: too little to expect an event.
    expect(gapWarning(w("2024-03-01T00:00:00Z", "2024-03-02T00:30:00Z"), none, Date.now())).toBe(
      undefined,
    );
    expect(gapWarning(w("2024-03-01T00:00:00Z", "2024-03-02T01:00:00Z"), none, Date.now())).toMatch(
      /the window's day 2024-03-02 \(UTC\) has no log file/,
    );
    // The 2nd is today, 40 minutes old: CloudTrail may not have delivered anything yet.
    const now = Date.parse("2024-03-02T00:40:00Z");
    expect(gapWarning(w("2024-03-01T00:00:00Z", "2024-03-02T00:40:00Z"), none, now)).toBe(
      undefined,
    );
    // 90 minutes old: CloudTrail has delivered its first 30 minutes at most, less than an hour.
    const later = Date.parse("2024-03-02T01:30:00Z");
    expect(gapWarning(w("2024-03-01T00:00:00Z", "2024-03-02T01:30:00Z"), none, later)).toBe(
      undefined,
    );
  });

  it("say from when the window is not read: an hour before its first day without logs, never before its start", () => {
    const w = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });
    const days = new Set(["2024/03/01", "2024/03/03"]);
    // The 2nd's folder would hold the 1st's last events too (delivered after midnight).
    expect(gapStart(w("2024-03-01T06:00:00Z", "2024-03-04T00:00:00Z"), days, Date.now())).toBe(
      "2024-03-01T23:00:00.000Z",
    );
    // A window starting on that day is not read from its start.
    expect(gapStart(w("2024-03-02T00:30:00Z", "2024-03-04T00:00:00Z"), days, Date.now())).toBe(
      "2024-03-02T00:30:00.000Z",
    );
    expect(gapStart(w("2024-03-03T00:00:00Z", "2024-03-04T00:00:00Z"), days, Date.now())).toBe(
      undefined,
    );
  });

  it("a window whose last 24 hours hold no event while its earlier days do has a stale end (red-team: a stopped trail passed)", async () => {
    const e = await createLocalEngine({ logDir: root, threads: 1 });
    engines.push(e);
    const request = (to: string, dialect: "sql" | "logs-insights" = "sql") =>
      queryRequest(
        dialect,
        dialect === "sql" ? "SELECT count(*) FROM cloudtrail_logs" : "stats count(*) as n",
        window("2024-03-01T00:00:00Z", to),
      );
    // Events on the 1st and the 4th (10:00): nothing after, and the window runs to the 7th.
    const stale = await e.query(request("2024-03-07T00:00:00Z"));
    expect(stale.rows).toEqual([[2]]);
    expect(stale.staleEnd).toBe(
      "no event lies in the window's end, 2024-03-06T00:00:00Z → 2024-03-07T00:00:00Z, while its earlier days hold events: a trail that stopped delivering, or logs not synced, collected or delivered since",
    );
    // Asked once per view, window and files: a second step is answered from memory.
    const asked = e.probesRun("end");
    await e.query(request("2024-03-07T00:00:00Z"));
    expect(e.probesRun("end")).toBe(asked);
    // A Logs Insights step asks it the same way.
    expect((await e.query(request("2024-03-07T00:00:00Z", "logs-insights"))).staleEnd).toBe(
      stale.staleEnd,
    );
    // 22 hours after the last event: no stale end, though the 5th has no file (a warning).
    const recent = await e.query(request("2024-03-05T08:00:00Z"));
    expect(recent.staleEnd).toBeUndefined();
    expect(recent.warnings).toEqual([
      expect.stringContaining("the window's days 2024-03-02..2024-03-03, 2024-03-05 (UTC) have"),
    ]);
    // A step whose query names no eventtime still has its end asked by event time.
    const other = await e.query(
      queryRequest(
        "sql",
        "SELECT eventname FROM cloudtrail_logs",
        window("2024-03-01T00:00:00Z", "2024-03-05T08:00:00Z"),
      ),
    );
    expect(other.staleEnd).toBeUndefined();
  });
});
