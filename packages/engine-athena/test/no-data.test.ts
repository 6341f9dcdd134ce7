/**
 * Never a pass on no data, on Athena (through the SDK against the emulator backed by the local
 * engine): a window whose partitions hold nothing gives the step's result `noEvents` (the runner
 * makes it a `no-data` error), decided by a `SELECT 1 ... LIMIT 1` probe on the scoped table (once
 * per window with events). A query whose own filters leave nothing over a window full of events is
 * not "no data"; a window after a day's last event, whose partition the query scans, is.
 */
import { rmSync } from "node:fs";
import type { Emulator } from "@run-md/aws-emulator";
import type { TimeWindow } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { type AthenaEngine, MIN_BILLED_BYTES } from "../src/index.ts";
import { cloudTrailDir } from "./cloudtrail-files.ts";
import { athenaOver } from "./emulated.ts";

let dir: string;
let emulator: Emulator;
let engine: AthenaEngine;

beforeAll(async () => {
  dir = cloudTrailDir("athena-no-data", "2026-11-22", 3, ["us-east-1"], 24);
  ({ emulator, engine } = await athenaOver(dir, {
    table: "security.cloudtrail_org_pp",
    partitioning: "projection",
  }));
});

afterAll(async () => {
  await engine?.close();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const request = (sql: string, window: TimeWindow) => queryRequest("sql", sql, window);

const IN_DATA = { start: new Date("2026-11-23T00:00:00Z"), end: new Date("2026-11-24T00:00:00Z") };
const NO_DATA = { start: new Date("2026-12-01T00:00:00Z"), end: new Date("2026-12-02T00:00:00Z") };
/** Between two events of a day with events (they come on the hour): its partition is scanned. */
const BETWEEN = { start: new Date("2026-11-23T10:30:00Z"), end: new Date("2026-11-23T10:45:00Z") };

function probes(): number {
  return emulator.calls.filter(
    (c) =>
      c.op === "StartQueryExecution" &&
      String(c.body.QueryString).includes("SELECT 1 AS present FROM"),
  ).length;
}

describe("a window without partitions on Athena", () => {
  it("is reported as no events, with the table named", async () => {
    const r = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", NO_DATA));
    expect(r.rows).toEqual([[0]]);
    expect(r.stats.dataScannedBytes).toBe(0);
    expect(r.noEvents).toMatch(
      /^no partition of security\.cloudtrail_org_pp in the window holds an event/,
    );
    // A step that reads no CloudTrail too, as on the local engine (review: the engines disagreed),
    // and without a second probe: the window ended over a day ago, its answer stands.
    const before = probes();
    const values = await engine.query(request("SELECT 1 AS one", NO_DATA));
    expect(values.noEvents).toEqual(r.noEvents);
    expect(probes()).toBe(before);
  });

  it("is not confused with a query that selects nothing from a window with events", async () => {
    const before = probes();
    const nothing = await engine.query(
      request("SELECT eventname FROM cloudtrail_logs WHERE eventname = 'NoSuchEvent'", IN_DATA),
    );
    expect(nothing.rows).toEqual([]);
    expect(nothing.noEvents).toBeUndefined();
    // One probe found the window's events; a second step over the window asks no more.
    expect(probes()).toBe(before + 1);
    await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", IN_DATA));
    expect(probes()).toBe(before + 1);
    // Athena prunes the partitions a query's own filter excludes and reports 0 bytes scanned (the
    // emulator does not push such filters into the scoped table: its scanned-bytes fault stands in).
    emulator.faults.athena = { scannedBytes: 0 };
    try {
      const pruned = await engine.query(
        request("SELECT count(*) AS n FROM cloudtrail_logs WHERE region = 'xx-none-1'", IN_DATA),
      );
      expect([pruned.rows, pruned.stats.dataScannedBytes]).toEqual([[[0]], 0]);
      expect(pruned.noEvents).toBeUndefined();
      expect(probes()).toBe(before + 1);
    } finally {
      emulator.faults.athena = {};
    }
  });

  it("bills the window's probe with the step that asked it, once per window", async () => {
    const window = {
      start: new Date("2026-11-22T06:00:00Z"),
      end: new Date("2026-11-22T12:00:00Z"),
    };
    const min = (MIN_BILLED_BYTES / 1024 ** 4) * 5;
    const first = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", window));
    expect(first.stats.windowProbeBytes).toEqual(expect.any(Number));
    expect(first.stats.costUsd).toBeCloseTo(2 * min, 12);
    const second = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", window));
    expect(second.stats.windowProbeBytes).toBeUndefined();
    expect(second.stats.costUsd).toBeCloseTo(min, 12);
  });

  it("resubmits a window probe that failed with a retryable error, as the step's query (review)", async () => {
    const slow = {
      reason: "HIVE_CURSOR_ERROR: Please reduce your request rate. SlowDown",
      category: 1 as const,
      retryable: true,
    };
    // The step's query succeeds (no failure for the first query), the probe fails once.
    emulator.faults.athena = { failures: [undefined as never, slow] };
    const window = {
      start: new Date("2026-11-24T01:00:00Z"),
      end: new Date("2026-11-24T02:00:00Z"),
    };
    try {
      const before = probes();
      const r = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", window));
      expect(r.rows).toEqual([[1]]);
      expect(r.noEvents).toBeUndefined();
      expect(probes()).toBe(before + 2);
    } finally {
      emulator.faults.athena = {};
    }
  });

  it("names the probe when the step's budget stops it, not the step's query (review)", async () => {
    const MB = 1024 * 1024;
    // The step's query scans 1 MB a poll; the probe, reading partitions the step's filter prunes,
    // 400 MB a poll (the emulator reads its faults per query: a getter counts the queries).
    let query = 0;
    const perQuery = [
      { polls: 2, bytes: MB },
      { polls: 3, bytes: 400 * MB },
    ];
    emulator.faults.athena = {
      get runningPolls() {
        return perQuery[query]?.polls ?? 0;
      },
      get scannedBytesPerRunningPoll() {
        return perQuery[query++]?.bytes ?? 0;
      },
    };
    const window = {
      start: new Date("2026-11-24T03:00:00Z"),
      end: new Date("2026-11-24T04:00:00Z"),
    };
    try {
      const sql = "SELECT count(*) AS n FROM cloudtrail_logs WHERE region = 'us-east-1'";
      const err = await engine
        .query(
          queryRequest("sql", sql, window, {
            attributes: { optional: false, maxScanBytes: 500 * MB },
          }),
        )
        .then(
          () => undefined,
          (e: { code: string; message: string }) => e,
        );
      expect(err?.code).toBe("scan-budget-exceeded");
      expect(err?.message).toMatch(
        /^the check that the step's window holds events \(SELECT 1 AS present FROM the window LIMIT 1\) failed, after the step's own query succeeded: Athena query \S+ was stopped after scanning/,
      );
    } finally {
      emulator.faults.athena = {};
    }
  });

  it("is a window after a day's last event too, though its partition is scanned (review: a stopped trail passed)", async () => {
    const r = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", BETWEEN));
    expect(r.rows).toEqual([[0]]);
    expect(r.stats.dataScannedBytes).toBeGreaterThan(0);
    expect(r.noEvents).toMatch(
      /^no event of security\.cloudtrail_org_pp lies in the window \(its partitions hold events of other times/,
    );
  });

  it("is a window whose last whole day holds none while its earlier days do: a stale end (red-team: a 7-day runbook passed over a stopped trail)", async () => {
    // The data runs from the 22nd to the 24th; this window runs to the 27th.
    const stopped = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-27T00:00:00Z"),
    };
    const before = probes();
    const r = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", stopped));
    expect(r.rows).toEqual([[72]]);
    expect(r.noEvents).toBeUndefined();
    expect(r.staleEnd).toBe(
      "no event of security.cloudtrail_org_pp lies in the window's end, 2026-11-26T00:00:00Z → 2026-11-27T00:00:00Z, while its earlier days hold events (SELECT 1 FROM that end LIMIT 1 found no row): a trail that stopped delivering, or its logs not delivered since",
    );
    // The end, then the whole window.
    expect(probes()).toBe(before + 2);
    // A window whose last day holds events: one probe, of that day only.
    const active = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    const ok = await engine.query(request("SELECT count(*) AS n FROM cloudtrail_logs", active));
    expect([ok.rows, ok.staleEnd, ok.noEvents]).toEqual([[[72]], undefined, undefined]);
    expect(probes()).toBe(before + 3);
    const last = emulator.calls.filter((c) => c.op === "StartQueryExecution").at(-1);
    expect(String(last?.body.QueryString)).toContain("SELECT 1 AS present FROM");
    expect(String(last?.body.QueryString)).toContain("2026-11-24");
    expect(String(last?.body.QueryString)).not.toContain("2026-11-22");
  });

  it("asks about a window ending after now again once the clock moves its end (review: its first answer stood)", async () => {
    // --to a day to come: the data ends on the 24th.
    const ahead = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-28T00:00:00Z"),
    };
    const req = () => request("SELECT count(*) AS n FROM cloudtrail_logs", ahead);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2026-11-24T12:00:00Z")); // the end from 11-23T11:00 holds events
      expect((await engine.query(req())).staleEnd).toBeUndefined();
      vi.setSystemTime(new Date("2026-11-26T12:00:00Z")); // from 11-25T11:00: none since
      expect((await engine.query(req())).staleEnd).toBe(
        "no event of security.cloudtrail_org_pp lies in the window's end, 2026-11-25T11:00:00Z → 2026-11-28T00:00:00Z, while its earlier days hold events (SELECT 1 FROM that end LIMIT 1 found no row): a trail that stopped delivering, or its logs not delivered since",
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
