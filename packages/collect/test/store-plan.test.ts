/**
 * Which days a step reads from the store and which from `local.logDir` (store.ts `planStore`),
 * where a condition's edge changes the answer (mutation audit). The truth is computed from the
 * records the test writes: which lie in the window, and which files the store was collected from.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createLocalEngine, type LocalEngine, LogCatalog } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { dayRange } from "../src/collect.ts";
import { collectFiles, collectFromDir } from "../src/index.ts";
import { FROM, idsOf, QUERIES, type Rec, TO, truthOf } from "./day-ids.ts";
import { cloudTrailRecord, layoutFile } from "./truth.ts";

let root: string;
const engines: LocalEngine[] = [];
beforeAll(async () => {
  root = await tempDir("run-md-store-plan-");
});
afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

/** The ids a step over [FROM, TO) reads in each dialect, with the engine's options. */
const ids = (opts: { store?: string; logDir: string }) => idsOf(engines, opts);
const truth = truthOf;

const WEEK = { start: new Date("2026-11-18T00:00:00Z"), end: new Date("2026-11-27T00:00:00Z") };

/** Collects every file of `dir` over `window` (2026-11-18..2026-11-26), listed at `at`. */
async function collectAt(dir: string, store: string, at: Date, window = WEEK): Promise<void> {
  const catalog = new LogCatalog(dir, `${store}-cache`);
  const { files } = await catalog.scan(dayRange(window));
  const all = files.map((src) => ({ src, key: src.rel, id: src.identity }));
  await collectFiles({ store, window }, catalog, all, { complete: true, at });
}

describe("a day that ends exactly an hour before a collect's listing, with a log directory staler than the store", () => {
  // Mutation audit (planStore: `d.to <= r.to - DELIVERY_LAG_MS` as `<`): such a day is settled
  // in the store; read raw from a sync older than the collect, it lost the events the store holds.
  it("is answered from the store: every event the collect found", async () => {
    const [bucket, sync, store] = ["edge-bucket", "edge-sync", "edge-store"].map((d) =>
      path.join(root, d),
    ) as [string, string, string];
    const recs = [
      { id: "a", time: "2026-11-24T10:00:00Z" },
      { id: "c", time: "2026-11-24T20:00:00Z" },
    ];
    await layoutFile(bucket, "2026/11/24", "a", [recs[0] as Rec]);
    await fsp.cp(bucket, sync, { recursive: true });
    // Delivered after the sync, before the collect (listing at 01:00 the day after).
    await layoutFile(bucket, "2026/11/24", "c", [recs[1] as Rec]);
    await collectAt(bucket, store, new Date("2026-11-25T01:00:00Z"));
    expect(await ids({ store, logDir: sync })).toEqual(truth(recs));
  });
});

describe("the day after the window, found empty by the collect, its folder holding files in a log directory that is not the store's source", () => {
  // Mutation audit (planStore: `!behind.has(d)` dropped for the day after the window): that day
  // was answered from the store's empty day, without the window's last minutes delivered there.
  it("is read from the raw files", async () => {
    const [source, other, store] = ["after-source", "after-other", "after-store"].map((d) =>
      path.join(root, d),
    ) as [string, string, string];
    const stored = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
    await layoutFile(source, "2026/11/24", "a", stored);
    await collectFromDir({
      sourceDir: source,
      store,
      window: { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-27T00:00:00Z") },
    });
    // Another folder's delivery of the window's last minutes, into the next day's folder.
    const late = [{ id: "late", time: "2026-11-24T23:58:00Z" }];
    await layoutFile(other, "2026/11/25", "late", late);
    expect(await ids({ store, logDir: other })).toEqual(truth([...stored, ...late]));
    // Read, so not named as not read (unrelatedBeside: only days the store answers with events).
    const e = await createLocalEngine({ store, logDir: other, threads: 1 });
    engines.push(e);
    const w = { start: new Date(FROM), end: new Date(TO) };
    const r = await e.query(queryRequest("sql", QUERIES.sql, w));
    expect(r.warnings.join("\n")).not.toContain("was not read over the days the store answers");
  });
});

describe("the hour before a collect's listing, with a log directory that lacks only a file the collect could not read", () => {
  // Mutation audit (daysLacking: a skipped object counted as one the log directory lacks): the
  // store holds none of that file's events, so the day is read raw as any other; counted, the
  // store answered it and said it may lack events (`notReadFrom`), so the nightly read it again.
  it("is read from the raw files, without the store's warning", async () => {
    const [logs, store] = ["skipped-logs", "skipped-store"].map((d) => path.join(root, d)) as [
      string,
      string,
    ];
    const recs = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
    await layoutFile(logs, "2026/11/24", "a", recs);
    const cut = path.join(logs, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/cut.json.gz");
    await fsp.writeFile(cut, zlib.gzipSync("x".repeat(100)).subarray(0, 30));
    await collectAt(logs, store, new Date("2026-11-25T00:20:00Z"));
    await fsp.rm(cut);
    const e = await createLocalEngine({ store, logDir: logs, threads: 1 });
    engines.push(e);
    const w = { start: new Date(FROM), end: new Date(TO) };
    const r = await e.query(queryRequest("sql", QUERIES.sql, w));
    expect(r.rows.map((x) => x[0])).toEqual(truth(recs).sql);
    expect(r.notReadFrom).toBeUndefined();
    expect(r.warnings.join("\n")).not.toContain("the store was collected up to");
  });
});

/** An export holding one event, written outside the delivery layout of `dir`. */
async function writeExport(dir: string, rec: Rec): Promise<void> {
  await fsp.mkdir(path.join(dir, "exports"), { recursive: true });
  const body = JSON.stringify({ Records: [cloudTrailRecord(rec)] });
  await fsp.writeFile(path.join(dir, "exports", "x.json"), body);
}

/** A step over [FROM, TO) in SQL: its ids, `notReadFrom` and whether it warned of the hour. */
async function hourAnswer(store: string, logDir: string) {
  const e = await createLocalEngine({ store, logDir, threads: 1 });
  engines.push(e);
  const r = await e.query(
    queryRequest("sql", QUERIES.sql, { start: new Date(FROM), end: new Date(TO) }),
  );
  const warned = r.warnings.join("\n").includes("the store was collected up to");
  return { ids: r.rows.map((x) => x[0]), notReadFrom: r.notReadFrom, warned };
}

describe("the hour before a collect's listing, and the exports the store took events from", () => {
  // Mutation audit (daysLacking's exports): an export the log directory holds, or one whose
  // collected ranges do not reach the day, is not one it lacks; counted, the day was answered
  // from the store with its warning and a false `notReadFrom` instead of from the raw files.
  const listing = new Date("2026-11-25T00:20:00Z");
  it("reads the day raw when the log directory holds the export", async () => {
    const [logs, store] = ["held-export", "held-export-store"].map((d) => path.join(root, d));
    const recs = [
      { id: "a", time: "2026-11-24T10:00:00Z" },
      { id: "x", time: "2026-11-24T22:00:00Z" },
    ];
    await layoutFile(logs as string, "2026/11/24", "a", [recs[0] as Rec]);
    await writeExport(logs as string, recs[1] as Rec);
    await collectAt(logs as string, store as string, listing);
    expect(await hourAnswer(store as string, logs as string)).toEqual({
      ids: truth(recs).sql,
      notReadFrom: undefined,
      warned: false,
    });
  });
  for (const [when, window] of [
    ["before", { start: new Date("2026-11-18T00:00:00Z"), end: new Date("2026-11-24T00:00:00Z") }],
    ["after", { start: new Date("2026-11-26T00:00:00Z"), end: new Date("2026-11-27T00:00:00Z") }],
  ] as const) {
    it(`reads the day raw when the export was collected only ${when} it`, async () => {
      const [bucket, sync, store] = ["bucket", "sync", "store"].map((d) =>
        path.join(root, `ranged-${when}-${d}`),
      ) as [string, string, string];
      const recs = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
      await layoutFile(bucket, "2026/11/24", "a", recs);
      await fsp.cp(bucket, sync, { recursive: true });
      // The bucket also holds an export, collected only over `window`, away from 2026-11-24.
      await writeExport(bucket, { id: "x", time: "2026-11-24T22:00:00Z" });
      await collectAt(bucket, store, new Date("2026-12-01T00:00:00Z"), window);
      await collectAt(sync, store, listing);
      expect(await hourAnswer(store, sync)).toEqual({
        ids: truth(recs).sql,
        notReadFrom: undefined,
        warned: false,
      });
    });
  }
});

describe("a delivery file of a day the store took from an export of the log directory", () => {
  // Mutation audit (exportsBehind: layout files taken as exports): the log directory is the
  // store's source by its export alone; a delivery of a day the store answers from that export
  // (`lookup-events` of the same trail) may hold its events: named as not read, never read raw
  // beside the store (which counted the export's events twice).
  it("is named as not read, and the export's events counted once", async () => {
    const [logs, store] = ["export-day", "export-day-store"].map((d) => path.join(root, d)) as [
      string,
      string,
    ];
    const rec = { id: "x", time: "2026-11-24T10:00:00Z" };
    await writeExport(logs, rec);
    await collectAt(logs, store, new Date("2026-12-01T00:00:00Z"));
    await layoutFile(logs, "2026/11/24", "delivered", [rec]);
    const e = await createLocalEngine({ store, logDir: logs, threads: 1 });
    engines.push(e);
    const r = await e.query(
      queryRequest("sql", QUERIES.sql, { start: new Date(FROM), end: new Date(TO) }),
    );
    expect(r.rows.map((x) => x[0])).toEqual(truth([rec]).sql);
    expect(r.warnings.join("\n")).toContain(
      "1 file of the log directory (AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/delivered.json.gz) was not read over the days the store answers",
    );
  });
});

describe("an export in a log directory that is not the store's source, over a window the store does not cover", () => {
  // Mutation audit (besideWarning without its no-store-days guard): every day is read raw, the
  // export with them; it was also said not to be read over the days the store answers (none).
  it("is read, and not named as not read", async () => {
    const [source, other, store] = ["uncovered-source", "uncovered-other", "uncovered-store"].map(
      (d) => path.join(root, d),
    ) as [string, string, string];
    await layoutFile(source, "2026/11/10", "a", [{ id: "a", time: "2026-11-10T10:00:00Z" }]);
    const early = {
      start: new Date("2026-11-08T00:00:00Z"),
      end: new Date("2026-11-12T00:00:00Z"),
    };
    await collectAt(source, store, new Date("2026-12-01T00:00:00Z"), early);
    const recs = [{ id: "x", time: "2026-11-24T10:00:00Z" }];
    await writeExport(other, recs[0] as Rec);
    const e = await createLocalEngine({ store, logDir: other, threads: 1 });
    engines.push(e);
    const w = { start: new Date(FROM), end: new Date(TO) };
    const r = await e.query(queryRequest("sql", QUERIES.sql, w));
    expect(r.rows.map((x) => x[0])).toEqual(truth(recs).sql);
    expect(r.warnings.join("\n")).not.toContain("was not read over the days the store answers");
  });
});

describe("an export rewritten since the collect, over a window the store does not cover", () => {
  // Mutation audit (changedWarning without its store-days guard): the window is read raw, the
  // export's new version with it; the step also said the store answered its days without it.
  it("is read whole, and not said to be answered without its new events", async () => {
    const [logs, store] = ["rewritten-logs", "rewritten-store"].map((d) => path.join(root, d)) as [
      string,
      string,
    ];
    await layoutFile(logs, "2026/11/10", "a", [{ id: "a", time: "2026-11-10T10:00:00Z" }]);
    await writeExport(logs, { id: "x", time: "2026-11-10T12:00:00Z" });
    const early = {
      start: new Date("2026-11-08T00:00:00Z"),
      end: new Date("2026-11-12T00:00:00Z"),
    };
    await collectAt(logs, store, new Date("2026-12-01T00:00:00Z"), early);
    // Written again, another size: an event of the window now.
    const recs = [{ id: "x-rewritten", time: "2026-11-24T10:00:00Z" }];
    await writeExport(logs, recs[0] as Rec);
    const e = await createLocalEngine({ store, logDir: logs, threads: 1 });
    engines.push(e);
    const w = { start: new Date(FROM), end: new Date(TO) };
    const r = await e.query(queryRequest("sql", QUERIES.sql, w));
    expect(r.rows.map((x) => x[0])).toEqual(truth(recs).sql);
    expect(r.warnings.join("\n")).not.toContain("changed since the collect");
  });
});
