/**
 * The session's parsed records (src/record-cache.ts): a day read a third time is kept, and every
 * answer is what reading the files on disk gives. The truth is computed here from the files as
 * they are on disk at each query (JSON.parse of each file), never from the engine.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type { QueryRequest } from "@run-md/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { createLocalEngine, type LocalEngine } from "../src/index.ts";
import { tempDir, window } from "./helpers.ts";

const ACCT = "111122223333";
const DAYS = ["01", "02", "03"];
const WINDOW = window("2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z");
const COUNT_SQL =
  "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY eventname ORDER BY eventname";

let logDir: string;
let engine: LocalEngine | undefined;

function dayDir(day: string): string {
  return path.join(logDir, "AWSLogs", ACCT, "CloudTrail", "us-east-1", "2024", "03", day);
}

/** A delivery file of `n` events named `name`, at hours 0..n-1 of the day. */
async function writeFile(day: string, file: string, name: string, n: number): Promise<string> {
  const records = Array.from({ length: n }, (_, i) => ({
    eventVersion: "1.09",
    eventTime: `2024-03-${day}T${String(i % 24).padStart(2, "0")}:00:00Z`,
    eventSource: "iam.amazonaws.com",
    eventName: name,
    awsRegion: "us-east-1",
    recipientAccountId: ACCT,
    eventID: `${file}-${i}`,
  }));
  await fsp.mkdir(dayDir(day), { recursive: true });
  const full = path.join(dayDir(day), `${ACCT}_CloudTrail_us-east-1_${file}.json.gz`);
  await fsp.writeFile(full, zlib.gzipSync(JSON.stringify({ Records: records })));
  return full;
}

/** Event counts by name over the files on disk now (of the days given): the truth. */
async function truth(days = DAYS): Promise<[string, number][]> {
  const counts = new Map<string, number>();
  for (const day of days) {
    const dir = dayDir(day);
    for (const f of await fsp.readdir(dir).catch(() => [] as string[])) {
      const { Records } = JSON.parse(
        zlib.gunzipSync(await fsp.readFile(path.join(dir, f))).toString("utf8"),
      ) as { Records: { eventName: string }[] };
      for (const r of Records) counts.set(r.eventName, (counts.get(r.eventName) ?? 0) + 1);
    }
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
}

async function counts(e: LocalEngine, extra: Partial<QueryRequest> = {}, w = WINDOW) {
  const r = await e.query(queryRequest("sql", COUNT_SQL, w, extra));
  return r.rows.map(([name, n]) => [String(name), Number(n)]);
}

beforeEach(async () => {
  logDir = await tempDir("run-md-record-cache-");
  for (const day of DAYS) {
    await writeFile(day, `${day}a`, `Create${day}`, 5);
    await writeFile(day, `${day}b`, "ListUsers", 7);
  }
});

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await fsp.rm(logDir, { recursive: true, force: true });
});

describe("the session's parsed records", () => {
  it("keeps each day read a third time and answers from it as the files would", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    const expected = await truth();
    for (const loads of [0, 0, 3, 3, 3]) {
      expect(await counts(engine)).toEqual(expected);
      expect(engine.records.loads).toBe(loads);
    }
    expect(engine.records.bytes).toBeGreaterThan(0);
    // The step's header says where its records came from.
    const kept = await engine.query(queryRequest("sql", COUNT_SQL, WINDOW));
    expect(kept.queryAsRun).toContain("6 file(s) read, 6 of them from the session cache,");
    const off = await createLocalEngine({ logDir, threads: 1, cacheLimit: "0" });
    const plain = await off.query(queryRequest("sql", COUNT_SQL, WINDOW));
    await off.close();
    expect(plain.queryAsRun).toContain("6 file(s) read, 0 outside the window");
    // A window of one day reads that day's table: only its own events, the window still applies.
    const r = await engine.query(
      queryRequest(
        "sql",
        "SELECT count(*) FROM cloudtrail_logs",
        window("2024-03-02T00:00:00Z", "2024-03-02T03:00:00Z"),
      ),
    );
    expect(Number(r.rows[0]?.[0])).toBe(3 + 3); // hours 0-2 of both files of the 2nd
    expect(engine.records.loads).toBe(3);
  });

  it("keeps the events of Logs Insights steps the same way, apart from the records", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    const e = engine;
    const insights = async () => {
      const q = "stats count(*) as n by eventName | sort eventName asc";
      const r = await e.query(queryRequest("logs-insights", q, WINDOW));
      return r.rows.map(([name, n]) => [String(name), Number(n)]);
    };
    for (const loads of [0, 0, 3, 3]) {
      expect(await insights()).toEqual(await truth());
      expect(engine.records.loads).toBe(loads);
    }
    // The SQL view's records are another kind: their own three reads, their own loads.
    for (const loads of [3, 3, 6]) {
      expect(await counts(engine)).toEqual(await truth());
      expect(engine.records.loads).toBe(loads);
    }
    await writeFile("02", "02c", "DeleteUser", 4);
    expect(await insights()).toEqual(await truth());
    expect(engine.records.loads).toBe(7);
  });

  it("returns rows in the files' order whether the cache holds their days or not", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    const e = engine;
    const ids = async (w = WINDOW) =>
      (await e.query(queryRequest("sql", "SELECT eventid FROM cloudtrail_logs", w))).rows.map(
        ([id]) => String(id),
      );
    // The truth: each file's records in order, the files in path order (as the catalog lists them).
    const expected: string[] = [];
    for (const day of DAYS) {
      for (const f of (await fsp.readdir(dayDir(day))).sort()) {
        const text = zlib.gunzipSync(await fsp.readFile(path.join(dayDir(day), f))).toString();
        for (const r of (JSON.parse(text) as { Records: { eventID: string }[] }).Records)
          expected.push(r.eventID);
      }
    }
    // The 1st and 3rd kept, the 2nd not: the query reads table, files, table.
    // Windows ending well before midnight: one ending in a day's last hour reads the next day's
    // folder too (the last minutes' events are delivered there).
    for (const day of ["01", "03"]) {
      const w = window(`2024-03-${day}T00:00:00Z`, `2024-03-${day}T22:00:00Z`);
      for (let i = 0; i < 3; i++) await ids(w);
    }
    expect(engine.records.loads).toBe(2);
    expect(await ids()).toEqual(expected);
    await ids();
    // The 2nd's third read loads it: all three from tables, still in the files' order.
    expect(await ids()).toEqual(expected);
    expect(engine.records.loads).toBe(3);
  });

  it("keeps files outside the delivery layout whole, for the same files unchanged", async () => {
    // Each file holds two days: the lenient reader's parts of a day sit in one folder, but
    // follow their source files in the query's order, so the query's files are one group.
    const flat = path.join(logDir, "exports");
    await fsp.mkdir(flat);
    const exported = async (name: string, event: string) => {
      const records = ["01", "02"].map((day, i) => ({
        eventTime: `2024-03-${day}T05:00:00Z`,
        eventName: event,
        eventID: `${name}-${i}`,
        awsRegion: "us-east-1",
        recipientAccountId: ACCT,
      }));
      await fsp.writeFile(path.join(flat, `${name}.json`), JSON.stringify({ Records: records }));
    };
    await exported("a", "GetObject");
    await exported("b", "PutObject");
    engine = await createLocalEngine({ logDir, threads: 1 });
    const e = engine;
    const ids = async () =>
      (await e.query(queryRequest("sql", "SELECT eventid FROM cloudtrail_logs", WINDOW))).rows
        .map(([id]) => String(id))
        .filter((id) => !id.startsWith("0"));
    const first = await ids();
    expect([...first].sort()).toEqual(["a-0", "a-1", "b-0", "b-1"]);
    for (const loads of [0, 1, 1]) {
      expect(await ids()).toEqual(first);
      expect(engine.records.loads).toBe(loads);
    }
    await exported("b", "DeleteObject");
    const r = await engine.query(
      queryRequest(
        "sql",
        "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'DeleteObject'",
        WINDOW,
      ),
    );
    expect(Number(r.rows[0]?.[0])).toBe(2);
  });

  it("appends a file added to a kept day, and loads a day again when a file changed or went", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    for (let i = 0; i < 3; i++) await counts(engine);
    expect(engine.records.loads).toBe(3);

    await writeFile("02", "02c", "DeleteUser", 4);
    expect(await counts(engine)).toEqual(await truth());
    expect(engine.records.loads).toBe(4);

    // Rewritten in place with other events (same name, same size class): its day loads again.
    await writeFile("01", "01a", "AttachRolePolicy", 5);
    expect(await counts(engine)).toEqual(await truth());
    expect(engine.records.loads).toBe(5);

    await fsp.rm(path.join(dayDir("03"), `${ACCT}_CloudTrail_us-east-1_03b.json.gz`));
    const expected = await truth();
    expect(expected.find(([n]) => n === "ListUsers")?.[1]).toBe(14);
    expect(await counts(engine)).toEqual(expected);
    expect(engine.records.loads).toBe(6);
  });

  it("never changes a day under a query that is reading it", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    for (let i = 0; i < 3; i++) await counts(engine);
    const before = await truth();
    let resume: () => void = () => undefined;
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    const streamed: unknown[][] = [];
    let reading: () => void = () => undefined;
    const started = new Promise<void>((r) => {
      reading = r;
    });
    const slow = engine.query(
      queryRequest("sql", COUNT_SQL, WINDOW, {
        onRows: async (chunk) => {
          streamed.push(...chunk.rows());
          reading();
          await paused;
        },
      }),
    );
    await started;
    await writeFile("01", "01c", "DeleteUser", 2);
    // The 1st is in use: this query reads its files itself, the table stays as it was.
    expect(await counts(engine)).toEqual(await truth());
    expect(engine.records.loads).toBe(3);
    resume();
    await slow;
    expect(streamed.map(([n, c]) => [String(n), Number(c)])).toEqual(before);
    // Released: the next query appends the new file.
    expect(await counts(engine)).toEqual(await truth());
    expect(engine.records.loads).toBe(4);
  });

  it("stays under its limit, dropping the least recently used days", async () => {
    const measure = await createLocalEngine({ logDir, threads: 1 });
    for (let i = 0; i < 3; i++) await counts(measure);
    const perDay = measure.records.bytes / 3;
    await measure.close();
    expect(perDay).toBeGreaterThan(0);

    const limit = Math.floor(perDay * 2.5);
    engine = await createLocalEngine({ logDir, threads: 1, cacheLimit: `${limit}b` });
    const e = engine;
    const oneDay = async (day: string, times: number) => {
      const w = window(`2024-03-${day}T00:00:00Z`, `2024-03-${day}T22:00:00Z`);
      for (let i = 0; i < times; i++) {
        expect(await counts(e, {}, w)).toEqual(await truth([day]));
        expect(e.records.bytes).toBeLessThanOrEqual(limit);
      }
    };
    await oneDay("01", 3);
    await oneDay("02", 3);
    expect(e.records.loads).toBe(2);
    // The third day does not fit beside two: the 1st, used least recently, is dropped for it.
    await oneDay("03", 3);
    expect(e.records.loads).toBe(3);
    await oneDay("02", 1);
    expect(e.records.loads).toBe(3);
    await oneDay("01", 1);
    expect(e.records.loads).toBe(4);
    // All three at once do not fit: the query reads what does not fit itself, and is right.
    expect(await counts(e)).toEqual(await truth());
    expect(e.records.bytes).toBeLessThanOrEqual(limit);
  });

  it("reads a day it cannot load as the files read without it, mistyped unused field and all", async () => {
    // userIdentity as a string: typed with every field (a load) DuckDB refuses the file; the
    // step reads only eventname, so its own read of the file never types that field.
    const dir = dayDir("02");
    const records = [
      { eventTime: "2024-03-02T05:00:00Z", eventName: "Odd", userIdentity: "not a struct" },
    ];
    await fsp.writeFile(
      path.join(dir, `${ACCT}_CloudTrail_us-east-1_02z.json.gz`),
      zlib.gzipSync(JSON.stringify({ Records: records })),
    );
    engine = await createLocalEngine({ logDir, threads: 1 });
    const sql =
      "SELECT day, eventname, count(*) AS n FROM cloudtrail_logs GROUP BY day, eventname ORDER BY day, eventname";
    const first = await engine.query(queryRequest("sql", sql, WINDOW));
    expect(first.rows).toContainEqual(["02", "Odd", 1]);
    for (let i = 0; i < 4; i++) {
      const r = await engine.query(queryRequest("sql", sql, WINDOW));
      expect(r.rows).toEqual(first.rows);
      expect(r.warnings).toEqual(first.warnings);
    }
    // The 1st and 3rd were loaded; the 2nd was tried once, failed, and is read as before.
    expect(engine.records.loads).toBe(2);
  });

  it("keeps nothing with a limit of 0, and names a limit it cannot read", async () => {
    engine = await createLocalEngine({ logDir, threads: 1, cacheLimit: "0" });
    for (let i = 0; i < 4; i++) expect(await counts(engine)).toEqual(await truth());
    expect(engine.records.loads).toBe(0);
    await expect(createLocalEngine({ logDir, cacheLimit: "lots" })).rejects.toMatchObject({
      code: "bad-config",
      message: expect.stringContaining('local.cacheLimit "lots"'),
    });
  });

  it("refuses a step that names the cache's tables", async () => {
    engine = await createLocalEngine({ logDir, threads: 1 });
    for (let i = 0; i < 3; i++) await counts(engine);
    for (const sql of [
      "SELECT count(*) FROM __runmd_records_1",
      "SELECT count(*) FROM memory.main.__runmd_records_1",
    ]) {
      await expect(engine.query(queryRequest("sql", sql, WINDOW))).rejects.toMatchObject({
        code: expect.stringMatching(/refused|unknown-table/),
      });
    }
  });
});
