/**
 * Files outside CloudTrail's delivery naming (exports, JSON lines) that hold the same events as
 * another file the step reads: each event is counted once per file, as Athena counts them, and
 * the step says so. The truth (which events two files share) is computed here from the files'
 * own lines, by eventID and the instant of eventTime (a Logstash export's `@timestamp`).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { datasetsDir, hasShared, tempDir, window } from "./helpers.ts";

const NAME = "otrf-ec2-proxy-s3-exfiltration";
const RAW = "raw/ec2_proxy_s3_exfiltration_2020-09-14011940.json";
const WIDE = window("2015-01-01T00:00:00Z", "2026-01-01T00:00:00Z");

/** The (eventID, instant) keys of a JSON lines file, read line by line. */
async function keysOf(file: string): Promise<string[]> {
  const text = await fsp.readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const e = JSON.parse(l) as Record<string, string>;
      const t = e.eventTime ?? e["@timestamp"];
      return `${e.eventID} ${Date.parse(t as string)}`;
    });
}

const sharedWarning = (n: number, a: string, b: string) =>
  `${n} event${n === 1 ? "" : "s"} of ${a} ${n === 1 ? "is" : "are"} also in ${b} (the same eventID and eventTime): each is counted once per file, as Athena counts them; keep one copy`;

describe.skipIf(!hasShared)("an export and its raw file side by side (the shared data set)", () => {
  let dir = "";
  let engine: LocalEngine | undefined;
  beforeAll(async () => {
    // The data set's folder as it is shared: events.jsonl beside raw/ (the zip and SOURCE.json
    // are skipped and named, as before).
    dir = await tempDir("run-md-shared-events-");
    await fsp.cp(path.join(datasetsDir, NAME), dir, { recursive: true });
    engine = await createLocalEngine({ logDir: dir, threads: 1 });
  });
  afterAll(async () => {
    await engine?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("counts each event once per file, as Athena would, and says how many the files share", async () => {
    const exported = await keysOf(path.join(dir, "events.jsonl"));
    const raw = await keysOf(path.join(dir, RAW));
    const rawKeys = new Set(raw);
    const shared = new Set(exported.filter((k) => rawKeys.has(k))).size;
    expect(shared).toBe(103);
    const e = engine as LocalEngine;
    for (const sql of [
      "SELECT count(*) AS n FROM cloudtrail_logs",
      "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
    ]) {
      const r = await e.query(queryRequest("sql", sql, WIDE));
      if (r.columns.length === 1) expect(r.rows).toEqual([[exported.length + raw.length]]);
      // Every step reading both files says so, not only the first.
      expect(r.warnings).toContain(sharedWarning(shared, RAW, "events.jsonl"));
    }
  });
});

describe("exports that share some events", () => {
  const ev = (id: string, time: string) => ({
    eventVersion: "1.08",
    eventID: id,
    eventTime: time,
    eventName: "ListBuckets",
    awsRegion: "us-east-1",
    recipientAccountId: "111111111111",
  });
  const lines = (es: object[]) => `${es.map((x) => JSON.stringify(x)).join("\n")}\n`;

  it("counts the shared events of the window only, by id and instant", async () => {
    const dir = await tempDir("run-md-shared-events-");
    const e = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      const a = [
        ev("id-1", "2024-03-01T10:00:00Z"),
        ev("id-2", "2024-03-01T11:00:00Z"),
        ev("id-3", "2024-03-02T10:00:00Z"), // outside the window below
        ev("id-4", "2024-03-01T12:00:00Z"),
      ];
      const b = [
        ev("id-1", "2024-03-01T10:00:00.000Z"), // the same instant, written otherwise
        ev("id-2", "2024-03-01T11:00:00Z"),
        ev("id-3", "2024-03-02T10:00:00Z"),
        ev("id-4", "2024-03-01T12:00:01Z"), // the same id at another time: another event
        ev("id-5", "2024-03-01T13:00:00Z"),
      ];
      await fsp.writeFile(path.join(dir, "a.jsonl"), lines(a));
      await fsp.writeFile(path.join(dir, "b.jsonl"), lines(b));
      await fsp.writeFile(path.join(dir, "c.jsonl"), lines([ev("id-6", "2024-03-01T10:00:00Z")]));
      const day = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
      const r = await e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", day));
      expect(r.rows).toEqual([[3 + 4 + 1]]);
      expect(r.warnings.filter((w) => w.includes("also in"))).toEqual([
        sharedWarning(2, "b.jsonl", "a.jsonl"),
      ]);
      const both = window("2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z");
      const r2 = await e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", both));
      expect(r2.rows).toEqual([[4 + 5 + 1]]);
      expect(r2.warnings.filter((w) => w.includes("also in"))).toEqual([
        sharedWarning(3, "b.jsonl", "a.jsonl"),
      ]);
      // A third copy is named against the first file that holds its events.
      await fsp.writeFile(path.join(dir, "d.jsonl"), lines(a.slice(0, 1)));
      const r3 = await e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", day));
      expect(r3.warnings.filter((w) => w.includes("also in"))).toEqual([
        sharedWarning(2, "b.jsonl", "a.jsonl"),
        sharedWarning(1, "d.jsonl", "a.jsonl"),
      ]);
    } finally {
      await e.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("says nothing of files that share no event", async () => {
    const dir = await tempDir("run-md-shared-events-");
    const e = await createLocalEngine({ logDir: dir, threads: 1 });
    try {
      await fsp.writeFile(path.join(dir, "a.jsonl"), lines([ev("id-1", "2024-03-01T10:00:00Z")]));
      await fsp.writeFile(path.join(dir, "b.jsonl"), lines([ev("id-2", "2024-03-01T10:00:00Z")]));
      const day = window("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z");
      const r = await e.query(queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", day));
      expect(r.rows).toEqual([[2]]);
      expect(r.warnings.filter((w) => w.includes("also in"))).toEqual([]);
    } finally {
      await e.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
