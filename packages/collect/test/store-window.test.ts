/**
 * A step's window on the store answers as on the raw files, where the store's days and the
 * events' times disagree: events delivered into the next day's folder (CloudTrail delivers
 * minutes late), events without a readable time, files outside the delivery layout collected
 * window by window, and times without a zone collected on a machine in another zone. The truth
 * is computed here from the records written (which files a window reads, which times fall in it).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import type { QueryResult } from "@run-md/core";
import {
  createLocalEngine,
  type LocalEngine,
  LogCatalog,
  readManifest,
  STORE_DAYS,
} from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMd } from "../../../test/helpers.ts";
import { queryRequest } from "../../core/test/query-request.ts";
import { daysBehind, ManifestCache, readStore } from "../../engine-local/src/store.ts";
import { hourlyDeliveries, tempDir } from "../../engine-local/test/helpers.ts";
import { dayRange } from "../src/collect.ts";
import { collectFiles, collectFromDir } from "../src/index.ts";
import { ACCOUNT_TRAIL, cloudTrailRecord, layoutFile, ORGANIZATION_TRAIL } from "./truth.ts";

interface Rec {
  id: string;
  time: string;
  name?: string;
}

let root: string;
const engines: LocalEngine[] = [];

beforeAll(async () => {
  root = await tempDir("run-md-store-window-");
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const record = (r: Rec) => cloudTrailRecord(r);

async function engine(opts: { store?: string; logDir?: string }): Promise<LocalEngine> {
  const e = await createLocalEngine({ ...opts, threads: 1 });
  engines.push(e);
  return e;
}

function ask(
  e: LocalEngine,
  dialect: "sql" | "logs-insights",
  query: string,
  from: string,
  to: string,
): Promise<QueryResult> {
  return e.query(queryRequest(dialect, query, { start: new Date(from), end: new Date(to) }));
}

const SQL_IDS = "SELECT eventid FROM cloudtrail_logs ORDER BY 1";
const INSIGHTS_IDS = "fields eventID | sort eventID asc";

async function ids(e: LocalEngine, from: string, to: string) {
  const sql = (await ask(e, "sql", SQL_IDS, from, to)).rows.map((r) => r[0]);
  const insights = (await ask(e, "logs-insights", INSIGHTS_IDS, from, to)).rows.map((r) => r[0]);
  return { sql, insights };
}

/**
 * The records a window selects: every record whose time lies in it, whichever day's folder holds
 * it (CloudTrail delivers an event of 23:59 into the next day's folder).
 */
function selected(folders: Record<string, Rec[]>, from: string, to: string): Rec[] {
  const [start, end] = [Date.parse(from), Date.parse(to)];
  return Object.values(folders)
    .flat()
    .filter((r) => {
      const t = Date.parse(r.time);
      return t >= start && t < end;
    });
}

/** The ids a window selects (see `selected`). */
function truth(folders: Record<string, Rec[]>, from: string, to: string): string[] {
  return selected(folders, from, to)
    .map((r) => r.id)
    .sort();
}

/**
 * Collects `window` from `source` into `store` as a collect that began listing at `at` (its
 * coverage ends there), every file listed read.
 */
async function collectListedAt(
  source: string,
  store: string,
  window: { start: Date; end: Date },
  at: string,
  cache: string,
): Promise<void> {
  const catalog = new LogCatalog(source, path.join(root, cache));
  const { files } = await catalog.scan(dayRange(window));
  const all = files.map((src) => ({ src, key: src.rel, id: src.identity }));
  await collectFiles({ store, window }, catalog, all, { complete: true, at: new Date(at) });
}

/** Another region's file of 2026/11/24 (`late`, at 11:00), synced after a collect. */
async function syncLateRegion(logs: string): Promise<string> {
  const late = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/24/late.json.gz";
  await fsp.mkdir(path.dirname(path.join(logs, late)), { recursive: true });
  await fsp.writeFile(
    path.join(logs, late),
    zlib.gzipSync(
      JSON.stringify({ Records: [record({ id: "late", time: "2026-11-24T11:00:00Z" })] }),
    ),
  );
  return late;
}

/** 2026/11/24's event `a`, and `early` (23:30) delivered into the next day's folder. */
async function dayAndEarly(logs: string): Promise<void> {
  await layoutFile(logs, "2026/11/24", "a", [{ id: "a", time: "2026-11-24T10:00:00Z" }]);
  await layoutFile(logs, "2026/11/25", "early", [{ id: "early", time: "2026-11-24T23:30:00Z" }]);
}

/** `late` (23:58 on 2026/11/24), delivered into the next day's folder after a collect. */
function deliverLate(logs: string): Promise<void> {
  return layoutFile(logs, "2026/11/25", "late", [
    { id: "late", time: "2026-11-24T23:58:00Z", name: "DeleteTrail" },
  ]);
}

describe("a window over whole days of the store", () => {
  // Each folder holds a late event of the day before; 03/02 also one without a readable time.
  const folders: Record<string, Rec[]> = {
    "2024/03/02": [
      { id: "e1-late-from-03-01", time: "2024-03-01T23:58:00Z" },
      { id: "e2", time: "2024-03-02T00:03:00Z" },
      { id: "e3-no-time", time: "not a time" },
      { id: "e4", time: "2024-03-02T23:30:00Z" },
    ],
    "2024/03/03": [{ id: "e5-late-from-03-02", time: "2024-03-02T23:59:30Z" }],
  };
  let raw: LocalEngine;
  let stored: LocalEngine;

  beforeAll(async () => {
    const logs = path.join(root, "late");
    for (const [day, recs] of Object.entries(folders)) await layoutFile(logs, day, "a", recs);
    const store = path.join(root, "late-store");
    await collectFromDir({ sourceDir: logs, store, window: null });
    raw = await engine({ logDir: logs });
    stored = await engine({ store });
  });

  it("takes the window's events from the next day's folder and leaves out other days' events", async () => {
    const [from, to] = ["2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"];
    const want = truth(folders, from, to);
    expect(want).toEqual(["e2", "e4", "e5-late-from-03-02"]);
    expect(await ids(stored, from, to)).toEqual({ sql: want, insights: want });
    expect(await ids(raw, from, to)).toEqual({ sql: want, insights: want });
  });

  it("collects a day's late events from the next day's folder when it collects the day alone", async () => {
    const [from, to] = ["2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"];
    const store = path.join(root, "late-one-day-store");
    const window = { start: new Date(from), end: new Date(to) };
    await collectFromDir({ sourceDir: path.join(root, "late"), store, window });
    const want = truth(folders, from, to);
    expect(await ids(await engine({ store }), from, to)).toEqual({ sql: want, insights: want });
  });

  it("says a window holds no events when its folder holds only another day's", async () => {
    const [from, to] = ["2024-03-03T00:00:00Z", "2024-03-04T00:00:00Z"];
    expect(truth(folders, from, to)).toEqual([]);
    const onStore = await ask(stored, "sql", SQL_IDS, from, to);
    const onRaw = await ask(raw, "sql", SQL_IDS, from, to);
    expect(onStore.rows).toEqual([]);
    expect(onRaw.noEvents).toBeDefined();
    expect(onStore.noEvents).toBeDefined();
  });

  it("says the store, not a log directory, holds no events in a window without day files", async () => {
    const [from, to] = ["2024-03-05T00:00:00Z", "2024-03-06T00:00:00Z"];
    expect(truth(folders, from, to)).toEqual([]);
    const store = path.join(root, "empty-window-store");
    const window = { start: new Date(from), end: new Date(to) };
    await collectFromDir({ sourceDir: path.join(root, "late"), store, window });
    const onStore = await ask(await engine({ store }), "sql", SQL_IDS, from, to);
    expect(onStore.noEvents).toBe(
      `the store ${store} holds no event in the window: its collects of these days found none`,
    );
  });
});

describe("a record written beside an event with its id and time", () => {
  it("is kept with it: a copy of the event is dropped, a different record is not (review)", async () => {
    // The trail's DeleteTrail at 23:58, delivered by both trails into two days; beside it, records
    // with its id and time that are not it (written into the bucket by someone hiding it).
    const real = { id: "k1", time: "2024-03-01T23:58:00Z", name: "DeleteTrail" };
    const logs = path.join(root, "planted");
    await layoutFile(logs, "2024/03/01", "a", [real]);
    await layoutFile(
      logs,
      "2024/03/01",
      "o",
      [{ ...real, name: "GetObject" }, real],
      ORGANIZATION_TRAIL,
    );
    await layoutFile(
      logs,
      "2024/03/02",
      "o",
      [real, { ...real, name: "ListBuckets" }],
      ORGANIZATION_TRAIL,
    );
    const store = path.join(root, "planted-store");
    await collectFromDir({ sourceDir: logs, store, window: null });
    const stored = await engine({ store });
    const names = "SELECT eventname FROM cloudtrail_logs WHERE eventid = 'k1' ORDER BY 1";
    const rows = await ask(stored, "sql", names, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z");
    expect(rows.rows.map((r) => r[0])).toEqual(["DeleteTrail", "GetObject", "ListBuckets"]);
  });
});

describe("one event delivered into two days by two trails", () => {
  // The account trail delivers e-mid (23:58) into 03/01, the organization trail into 03/02, after
  // midnight. "reused" names two different events (test data reuses ids), one on each day.
  const account: Record<string, Rec[]> = {
    "2024/03/01": [
      { id: "e-early", time: "2024-03-01T10:00:00Z" },
      { id: "e-mid", time: "2024-03-01T23:58:00Z" },
      { id: "reused", time: "2024-03-01T05:00:00Z" },
    ],
  };
  const organization: Record<string, Rec[]> = {
    "2024/03/02": [
      { id: "e-mid", time: "2024-03-01T23:58:00Z" },
      { id: "e-next", time: "2024-03-02T00:01:00Z" },
      { id: "reused", time: "2024-03-02T06:00:00Z" },
    ],
  };
  /** What the store answers: the events the window selects from either trail, each once. */
  const once = (from: string, to: string) => {
    const recs = [...selected(account, from, to), ...selected(organization, from, to)];
    const events = new Map(recs.map((r) => [`${r.id} ${r.time}`, r.id]));
    return [...events.values()].sort();
  };
  type Window = readonly [string, string];
  const ALL: Window = ["2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z"];
  const FIRST_DAY: Window = ["2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"];
  const ACROSS: Window = ["2024-03-01T12:00:00Z", "2024-03-02T12:00:00Z"];
  let logs: string;

  beforeAll(async () => {
    logs = path.join(root, "two-trails");
    for (const [day, recs] of Object.entries(account)) await layoutFile(logs, day, "a", recs);
    for (const [day, recs] of Object.entries(organization))
      await layoutFile(logs, day, "o", recs, ORGANIZATION_TRAIL);
  });

  const day = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });
  const storedEvents = async (store: string) =>
    Object.fromEntries(
      Object.entries((await readManifest(store)).days).map(([d, f]) => [d, f.events]),
    );

  it("stores it once, in the earlier day, and keeps different events that share an id", async () => {
    const store = path.join(root, "two-trails-store");
    const r = await collectFromDir({ sourceDir: logs, store, window: null });
    const stored = await engine({ store });
    const raw = await engine({ logDir: logs });
    expect(once(...ALL)).toEqual(["e-early", "e-mid", "e-next", "reused", "reused"]);
    for (const w of [ALL, FIRST_DAY, ACROSS]) {
      const want = once(...w);
      expect(await ids(stored, ...w), w.join(" to ")).toEqual({ sql: want, insights: want });
    }
    // The raw files answer with both copies where a window reads both days.
    const rawAcross = [...truth(account, ...ACROSS), ...truth(organization, ...ACROSS)].sort();
    expect(rawAcross).toEqual(["e-mid", "e-mid", "e-next", "reused"]);
    expect((await ids(raw, ...ACROSS)).sql).toEqual(rawAcross);
    expect(await storedEvents(store)).toEqual({ "2024/03/01": 3, "2024/03/02": 2 });
    expect(r.eventsAdded).toBe(5);
  });

  it("drops the later day's copy when the earlier day is collected after it", async () => {
    const store = path.join(root, "two-trails-later-first");
    await collectFromDir({
      sourceDir: logs,
      store,
      window: day("2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"),
    });
    expect(await storedEvents(store)).toEqual({ "2024/03/02": 3 });
    const second = await collectFromDir({ sourceDir: logs, store, window: day(...FIRST_DAY) });
    // A window ending at midnight reads only the earlier day: the copy kept must be that one.
    const stored = await engine({ store });
    for (const w of [FIRST_DAY, ALL, ACROSS]) {
      const want = once(...w);
      expect(await ids(stored, ...w), w.join(" to ")).toEqual({ sql: want, insights: want });
    }
    expect(await storedEvents(store)).toEqual({ "2024/03/01": 3, "2024/03/02": 2 });
    expect(second.eventsAdded).toBe(2);
    expect([...second.daysWritten].sort()).toEqual(["2024/03/01", "2024/03/02"]);
    // Only the files the manifest names are left in the store.
    const m = await readManifest(store);
    const files = (await fsp.readdir(path.join(store, STORE_DAYS), { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith(".parquet"));
    expect(files.map((f) => path.join(STORE_DAYS, f)).sort()).toEqual(
      Object.values(m.days)
        .map((d) => d.file)
        .sort(),
    );
  });

  it("drops the copy from a stored later day whose new objects are all unreadable", async () => {
    const broken = path.join(root, "two-trails-broken");
    await fsp.cp(logs, broken, { recursive: true });
    const store = path.join(root, "two-trails-broken-store");
    await collectFromDir({
      sourceDir: broken,
      store,
      window: day("2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"),
    });
    // A new object of 03/02 that is found unreadable only when the day is written (it starts as a
    // trail's file does, then breaks off): the next collect writes no new file for 03/02.
    const folder = path.join(broken, ORGANIZATION_TRAIL, "CloudTrail/us-east-1/2024/03/02");
    const cut = '{"Records":[{"eventVersion":"1.08","eventID":"cut-off","eventTime":"2024-03-02T0';
    await fsp.writeFile(path.join(folder, "broken.json.gz"), zlib.gzipSync(cut));
    const second = await collectFromDir({ sourceDir: broken, store, window: day(...ALL) });
    expect(second.warnings.join("\n")).toMatch(/broken\.json\.gz/);
    expect(await storedEvents(store)).toEqual({ "2024/03/01": 3, "2024/03/02": 2 });
    const stored = await engine({ store });
    const want = once(...ALL);
    expect(await ids(stored, ...ALL)).toEqual({ sql: want, insights: want });
  });
});

describe("a file outside the delivery layout, collected window by window", () => {
  const times = ["01", "02", "03", "04", "05"].map((d) => ({
    id: `x${d}`,
    time: `2024-03-${d}T12:00:00Z`,
  }));

  it("gives each later window its events, read again from the file", async () => {
    const src = path.join(root, "export");
    await fsp.mkdir(src, { recursive: true });
    const lines = times.map((r) => JSON.stringify(record(r))).join("\n");
    await fsp.writeFile(path.join(src, "export.jsonl"), `${lines}\n`);
    const store = path.join(root, "export-store");
    const w = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });
    await collectFromDir({ sourceDir: src, store, window: w("2024-03-02", "2024-03-03") });
    const second = await collectFromDir({
      sourceDir: src,
      store,
      window: w("2024-03-04", "2024-03-06"),
    });
    expect(second.objectsNew).toBe(1);
    const onStore = await engine({ store });
    const onRaw = await engine({ logDir: src });
    const later = ["2024-03-04T00:00:00Z", "2024-03-06T00:00:00Z"] as const;
    expect(await ids(onStore, ...later)).toEqual({ sql: ["x04", "x05"], insights: ["x04", "x05"] });
    expect(await ids(onRaw, ...later)).toEqual({ sql: ["x04", "x05"], insights: ["x04", "x05"] });
    // A window already taken from the file reads nothing again; a wider one reads the rest.
    const again = await collectFromDir({
      sourceDir: src,
      store,
      window: w("2024-03-04", "2024-03-05"),
    });
    expect(again.objectsNew).toBe(0);
    await collectFromDir({ sourceDir: src, store, window: w("2024-03-01", "2024-03-06") });
    const all = times.map((r) => r.id);
    expect(await ids(onStore, "2024-03-01T00:00:00Z", "2024-03-06T00:00:00Z")).toEqual({
      sql: all,
      insights: all,
    });
  });
});

describe("a file outside the delivery layout added after its days were collected", () => {
  // Red-team: a collect of the last day took only that day's events of an export copied into the
  // log folder since; the days before, collected earlier, stayed covered without its events, and
  // a run over them answered without a word, where the raw files (and the file) hold them.
  it("gives the days the store covers their events too, not only the collect's window's", async () => {
    const src = path.join(root, "export-late");
    await layoutFile(src, "2024/03/01", "a", [{ id: "t01", time: "2024-03-01T10:00:00Z" }]);
    await layoutFile(src, "2024/03/02", "a", [{ id: "t02", time: "2024-03-02T10:00:00Z" }]);
    await layoutFile(src, "2024/03/03", "a", [{ id: "t03", time: "2024-03-03T10:00:00Z" }]);
    const store = path.join(root, "export-late-store");
    const w = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });
    await collectFromDir({ sourceDir: src, store, window: w("2024-03-01", "2024-03-03") });
    // An export (a lookup-events dump, say) of events on the 1st and the 3rd.
    const exported = [
      { id: "x01", time: "2024-03-01T12:00:00Z" },
      { id: "x03", time: "2024-03-03T12:00:00Z" },
    ];
    const lines = exported.map((r) => JSON.stringify(record(r))).join("\n");
    await fsp.writeFile(path.join(src, "export.jsonl"), `${lines}\n`);
    await collectFromDir({ sourceDir: src, store, window: w("2024-03-03", "2024-03-04") });
    // The truth, from the records written: the 1st holds t01 and x01.
    const [from, to] = ["2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"];
    const written = [{ id: "t01", time: "2024-03-01T10:00:00Z" }, ...exported];
    expect(await ids(await engine({ store }), from, to)).toEqual({
      sql: truth({ written }, from, to),
      insights: truth({ written }, from, to),
    });
  });
});

describe("an export collected into the store", () => {
  it("is a snapshot there as it is raw: days without events and an end without any are quiet (review)", async () => {
    // Events on the 1st and the 4th of a window to the 9th: read raw, nothing is said.
    const src = path.join(root, "snapshot");
    await fsp.mkdir(src, { recursive: true });
    const lines = ["01", "04"].map((d) =>
      JSON.stringify(record({ id: `s${d}`, time: `2024-03-${d}T10:00:00Z` })),
    );
    await fsp.writeFile(path.join(src, "events.jsonl"), `${lines.join("\n")}\n`);
    const w = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-09T00:00:00Z") };
    const store = path.join(root, "snapshot-store");
    await collectFromDir({ sourceDir: src, store, window: w });
    const req = () => queryRequest("sql", "SELECT count(*) FROM cloudtrail_logs", w);
    for (const e of [await engine({ logDir: src }), await engine({ store })]) {
      const r = await e.query(req());
      expect([r.rows, r.staleEnd, r.warnings]).toEqual([[[2]], undefined, []]);
    }
    // The same events delivered by a trail: its store says the end holds none (truth: the
    // files written, the 4th's the last).
    const trail = path.join(root, "trail-src");
    for (const d of ["01", "04"]) {
      await layoutFile(trail, `2024/03/${d}`, "a.json.gz", [
        { id: `t${d}`, time: `2024-03-${d}T10:00:00Z` },
      ]);
    }
    const trailStore = path.join(root, "trail-store");
    await collectFromDir({ sourceDir: trail, store: trailStore, window: w });
    const r = await (await engine({ store: trailStore })).query(req());
    expect(r.staleEnd).toMatch(/^no event lies in the window's end, 2024-03-08T00:00:00Z → /);
  });
});

describe("times without a zone", () => {
  it("are UTC in the store whatever the collecting machine's zone, as on the raw files", async () => {
    const logs = path.join(root, "zoneless");
    const recs = [
      { id: "z1", time: "2024-03-02T01:00:00" },
      { id: "z2", time: "2024-03-02 07:00:00" },
      { id: "z3", time: "2024-03-02 03:00:00" },
    ];
    await layoutFile(logs, "2024/03/02", "a", recs);
    const store = path.join(root, "zoneless-store");
    const res = await runMd(["collect", "--all", "--source", logs, "--store", store], {
      env: { TZ: "Asia/Tokyo" },
    });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.code).toBe(0);
    const [from, to] = ["2024-03-02T00:00:00Z", "2024-03-02T06:00:00Z"];
    const want = ["z1", "z3"];
    expect(await ids(await engine({ store }), from, to)).toEqual({ sql: want, insights: want });
    expect(await ids(await engine({ logDir: logs }), from, to)).toEqual({
      sql: want,
      insights: want,
    });
  });
});

describe("a store whose day file was removed by hand", () => {
  it("has the day read again by the next collect, naming the file (damaged-day.test.ts)", async () => {
    const logs = path.join(root, "removed");
    await layoutFile(logs, "2024/03/02", "a", [{ id: "r1", time: "2024-03-02T10:00:00Z" }]);
    const store = path.join(root, "removed-store");
    await collectFromDir({ sourceDir: logs, store, window: null });
    const before = await readManifest(store);
    const file = path.join(store, before.days["2024/03/02"]?.file ?? "none");
    await fsp.rm(file);
    await layoutFile(logs, "2024/03/02", "b", [{ id: "r2", time: "2024-03-02T11:00:00Z" }]);
    const r = await collectFromDir({ sourceDir: logs, store, window: null });
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${file}) is gone: its objects are read again now`,
    );
    // By hand: r1 (its object read again) and r2 (new).
    expect(r.objectsNew).toBe(2);
    const day = (await readManifest(store)).days["2024/03/02"];
    expect(day?.events).toBe(2);
    await fsp.stat(path.join(store, day?.file ?? "none"));
  });
});

describe("copies within a day", () => {
  // A red-team pass: the store kept one record per eventid in a day, so records that reuse an id
  // (or share an empty one) for different events vanished, where Athena counts every record.
  it("are one event delivered twice (the same id and time); records sharing only an id, or an empty id, all stay", async () => {
    const logs = path.join(root, "same-id");
    const recs = [
      { id: "dup", time: "2024-03-02T10:00:00Z" },
      { id: "dup", time: "2024-03-02T12:00:00Z" },
      { id: "", time: "2024-03-02T10:00:00Z" },
      { id: "", time: "2024-03-02T11:00:00Z" },
      { id: "", time: "2024-03-02T12:00:00Z" },
    ];
    await layoutFile(logs, "2024/03/02", "a", recs);
    // The organization trail delivers the first and the fourth again: copies.
    await layoutFile(logs, "2024/03/02", "b", [recs[0]!, recs[3]!], ORGANIZATION_TRAIL);
    const store = path.join(root, "same-id-store");
    await collectFromDir({ sourceDir: logs, store, window: null });
    const [from, to] = ["2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"];
    const sql = "SELECT eventid, eventtime FROM cloudtrail_logs ORDER BY 2, 1";
    const rows = (await ask(await engine({ store }), "sql", sql, from, to)).rows;
    const want = recs
      .map((r) => [r.id, r.time])
      .sort((a, b) => (a[1]! + a[0]! < b[1]! + b[0]! ? -1 : 1));
    expect(rows).toEqual(want);
    // The raw files hold all seven records.
    expect((await ask(await engine({ logDir: logs }), "sql", sql, from, to)).rows).toHaveLength(7);
  });
});

describe("a store whose day file is not the one collected", () => {
  const [day2, day3, day4] = [
    "2024-03-02T00:00:00Z",
    "2024-03-03T00:00:00Z",
    "2024-03-04T00:00:00Z",
  ];

  async function twoDays(name: string): Promise<{ store: string; logs: string; file: string }> {
    const logs = path.join(root, name);
    await layoutFile(logs, "2024/03/02", "a", [
      { id: "p1", time: "2024-03-02T10:00:00Z" },
      { id: "p2", time: "2024-03-02T11:00:00Z" },
    ]);
    await layoutFile(logs, "2024/03/03", "a", [{ id: "q1", time: "2024-03-03T10:00:00Z" }]);
    const store = path.join(root, `${name}-store`);
    await collectFromDir({ sourceDir: logs, store, window: null });
    const file = path.join(store, (await readManifest(store)).days["2024/03/02"]?.file ?? "none");
    return { store, logs, file };
  }

  const refusal = (e: LocalEngine, dialect: "sql" | "logs-insights", from: string, to: string) =>
    ask(e, dialect, dialect === "sql" ? SQL_IDS : INSIGHTS_IDS, from, to).then(
      () => null,
      (err: Error & { code?: string }) => err,
    );

  it("is refused by a step over its day, naming the file; the other days still answer", async () => {
    const { store, file } = await twoDays("replaced");
    const e = await engine({ store });
    expect(await ids(e, day2, day4)).toEqual({
      sql: ["p1", "p2", "q1"],
      insights: ["p1", "p2", "q1"],
    });
    // A valid Parquet file of the same columns and no rows in its place: read, it answers nothing.
    const db = await DuckDBInstance.create();
    const conn = await db.connect();
    const tmp = `${file}.empty`;
    await conn.run(
      `COPY (SELECT * FROM read_parquet('${file}') WHERE false) TO '${tmp}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    await fsp.rename(tmp, file);
    for (const dialect of ["sql", "logs-insights"] as const) {
      const err = await refusal(e, dialect, day2, day4);
      expect(err?.code, dialect).toBe("bad-store");
      expect(err?.message).toMatch(
        /^The store's file for 2024\/03\/02 \(.*\) holds \d+ bytes, where the collect wrote \d+ bytes/,
      );
      expect(err?.message).toContain(file);
    }
    expect(await ids(e, day3, day4)).toEqual({ sql: ["q1"], insights: ["q1"] });
    await fsp.rm(file);
    expect((await refusal(e, "sql", day2, day3))?.message).toContain(`(${file}) is gone`);
  });

  it("reads the manifest again when a collect replaced the day between the manifest and its file", async () => {
    const { store, logs, file } = await twoDays("raced");
    const stale = await readManifest(store);
    await layoutFile(logs, "2024/03/02", "b", [{ id: "p3", time: "2024-03-02T12:00:00Z" }]);
    await collectFromDir({ sourceDir: logs, store, window: null });
    await expect(fsp.stat(file)).rejects.toThrow(); // the day's previous file is gone
    const fresh = new ManifestCache(store);
    let calls = 0;
    // The first read of the manifest is the one before the collect, as a query that read it just
    // before the rename would hold.
    const racing = {
      store,
      get: async () => (calls++ === 0 ? stale : fresh.get()),
    } as unknown as ManifestCache;
    // Ending before the 2nd's last hour: the window reads that day's file only.
    const w = { start: new Date(day2), end: new Date("2024-03-02T20:00:00Z") };
    const read = await readStore(racing, w, false);
    const now = await readManifest(store);
    expect(read.files.map((f) => f.origin)).toEqual([now.days["2024/03/02"]?.file]);
    expect(calls).toBe(3);
    // A manifest that stays the same with a file gone is refused.
    await fsp.rm(path.join(store, now.days["2024/03/02"]?.file ?? "none"));
    await expect(readStore(new ManifestCache(store), w, false)).rejects.toMatchObject({
      code: "bad-store",
    });
  });
});

describe("files the collect reads leniently or finds nothing to store in", () => {
  const w = (from: string, to: string) => ({ start: new Date(from), end: new Date(to) });

  it("keeps a leniently read layout file's late event in its folder's day, as the raw files do", async () => {
    const logs = path.join(root, "lenient-layout");
    const folder = path.join(logs, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02");
    await fsp.mkdir(folder, { recursive: true });
    const recs = [
      { id: "late-0301", time: "2024-03-01T23:58:00Z" },
      { id: "own-0302", time: "2024-03-02T08:00:00Z" },
    ];
    // JSON lines in a layout folder: not a Records document, so read leniently.
    await fsp.writeFile(
      path.join(folder, "lines.json"),
      recs.map((r) => JSON.stringify(record(r))).join("\n"),
    );
    const store = path.join(root, "lenient-layout-store");
    await collectFromDir({ sourceDir: logs, store, window: w("2024-03-02", "2024-03-03") });
    await collectFromDir({ sourceDir: logs, store, window: w("2024-03-01", "2024-03-02") });
    const folders = { "2024/03/02": recs };
    const onStore = await engine({ store });
    const onRaw = await engine({ logDir: logs });
    for (const [from, to] of [
      ["2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z"],
      ["2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"],
    ] as const) {
      const want = truth(folders, from, to);
      expect(await ids(onStore, from, to), from + to).toEqual({ sql: want, insights: want });
      expect(await ids(onRaw, from, to), from + to).toEqual({ sql: want, insights: want });
    }
  });

  it("does not read again an export without events in the window, nor one with an undated event", async () => {
    const src = path.join(root, "export-elsewhere");
    await fsp.mkdir(src, { recursive: true });
    const lines = [
      { id: "old", time: "2024-03-01T12:00:00Z" },
      { id: "undated", time: "no time" },
    ].map((r) => JSON.stringify(record(r)));
    await fsp.writeFile(path.join(src, "export.jsonl"), `${lines.join("\n")}\n`);
    const store = path.join(root, "export-elsewhere-store");
    const later = w("2024-03-04", "2024-03-05");
    await collectFromDir({ sourceDir: src, store, window: later });
    expect((await collectFromDir({ sourceDir: src, store, window: later })).objectsNew).toBe(0);
    const all = path.join(root, "export-elsewhere-all");
    await collectFromDir({ sourceDir: src, store: all, window: null });
    expect((await collectFromDir({ sourceDir: src, store: all, window: null })).objectsNew).toBe(0);
  });

  it("collects a file with a time beyond JavaScript's dates, and filters its day by time", async () => {
    const logs = path.join(root, "far-future");
    const recs = [
      { id: "far", time: "290000-01-01T00:00:00Z" },
      { id: "near", time: "2024-03-02T08:00:00Z" },
    ];
    await layoutFile(logs, "2024/03/02", "a", recs);
    const store = path.join(root, "far-future-store");
    const r = await collectFromDir({ sourceDir: logs, store, window: null });
    expect(r.eventsAdded).toBe(2);
    const [from, to] = ["2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"];
    expect(await ids(await engine({ store }), from, to)).toEqual({
      sql: ["near"],
      insights: ["near"],
    });
  });

  it("filters a day whose earliest event lies a fraction of a millisecond before the window, before 1970 too", async () => {
    const logs = path.join(root, "pre-epoch");
    const recs = [
      { id: "pre", time: "1969-12-31T23:59:59.9995Z" },
      { id: "in", time: "1970-01-01T10:00:00Z" },
    ];
    await layoutFile(logs, "1970/01/01", "a", recs);
    const store = path.join(root, "pre-epoch-store");
    await collectFromDir({ sourceDir: logs, store, window: null });
    const first = (await readManifest(store)).days["1970/01/01"]?.times?.first;
    expect(first).toBe("1969-12-31T23:59:59.999Z");
    const [from, to] = ["1970-01-01T00:00:00Z", "1970-01-02T00:00:00Z"];
    const want = { sql: ["in"], insights: ["in"] };
    expect(await ids(await engine({ store }), from, to)).toEqual(want);
    expect(await ids(await engine({ logDir: logs }), from, to)).toEqual(want);
  });

  it("refuses a store path DuckDB would read as a file pattern", async () => {
    const store = path.join(root, "store[1]");
    const err = await collectFromDir({ sourceDir: root, store, window: null }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(store);
  });
});

describe("the hour before a collect's listing (red-team: an event delivered after it was passed over)", () => {
  it("is read from the raw files when there are any, else answered from the store with a warning", async () => {
    const logs = path.join(root, "late-delivery");
    const store = path.join(root, "late-delivery-store");
    const now = Date.now();
    const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
    const folder = (ms: number) => iso(ms).slice(0, 10).replaceAll("-", "/");
    await layoutFile(logs, folder(now), "early", [{ id: "early", time: iso(now - 30 * 60_000) }]);
    await collectFromDir({
      sourceDir: logs,
      store,
      window: { start: new Date(now - 86_400_000), end: new Date(now) },
    });
    const listed = Date.parse((await readManifest(store)).covered.at(-1)?.to ?? "");
    // Delivered after the collect listed the folder: an event of 12 minutes before the listing.
    const late = listed - 12 * 60_000;
    await layoutFile(logs, folder(listed), "late", [
      { id: "late", time: iso(late), name: "DeleteTrail" },
    ]);
    const [from, to] = [iso(listed - 50 * 60_000), iso(listed)];
    const query = "SELECT eventid FROM cloudtrail_logs ORDER BY 1";
    // The truth: both records written lie in [from, to).
    const both = await ask(await engine({ store, logDir: logs }), "sql", query, from, to);
    expect(both.rows).toEqual([["early"], ["late"]]);
    const stored = await ask(await engine({ store }), "sql", query, from, to);
    expect(stored.rows).toEqual([["early"]]);
    expect(stored.notReadFrom).toBe(new Date(from).toISOString());
    expect(both.notReadFrom).toBeUndefined();
    // The day is read raw whole (the hour before the listing): said so, not "beside the store".
    const said = both.warnings.join("\n");
    expect(said).toContain(
      "late.json.gz), synced or delivered after the collect: those days are read from the raw files",
    );
    expect(said).not.toContain("beside the store's days");
    expect(stored.warnings).toContain(
      `the store was collected up to ${iso(listed)}, and CloudTrail delivers events up to about an hour late: events of the window from ${from} that it delivered after that collect are not in the store. Collect again for the whole window (run-md collect --from ${folder(listed - 50 * 60_000).replaceAll("/", "-")} --to ${folder(listed + 86_400_000).replaceAll("/", "-")}), or set local.logDir (or --log-dir) to read those days from the raw files`,
    );
  });
});

describe("a stored day whose folder in local.logDir holds files the store has no record of", () => {
  it("is read from the raw files, named in a warning, until a collect stores them (red-team: a region synced late was never read)", async () => {
    const logs = path.join(root, "synced-late");
    const store = path.join(root, "synced-late-store");
    await layoutFile(logs, "2026/11/24", "a", [{ id: "a", time: "2026-11-24T10:00:00Z" }]);
    const w = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    // Synced after the collect: another region's file of the same day.
    const late = await syncLateRegion(logs);
    const query = "SELECT eventid FROM cloudtrail_logs ORDER BY 1";
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    // The truth: both records written lie in the window.
    const r = await ask(await engine({ store, logDir: logs }), "sql", query, from, to);
    expect(r.rows).toEqual([["a"], ["late"]]);
    // The day is the store's, the file it lacks read beside it.
    expect(r.stats.storeDays).toBe("2026/11/24..2026/11/25");
    expect(r.warnings).toContain(
      `the store lacks 1 file of 2026/11/24 that the log directory holds (${late}), synced or delivered after the collect: read from the raw files beside the store's days; collect again to store them (run-md collect --from 2026-11-24 --to 2026-11-25)`,
    );
    await collectFromDir({ sourceDir: logs, store, window: w });
    const again = await ask(await engine({ store, logDir: logs }), "sql", query, from, to);
    expect(again.rows).toEqual([["a"], ["late"]]);
    expect(again.stats.storeDays).toBe("2026/11/24..2026/11/25");
    expect(again.warnings.join("\n")).not.toContain("the store lacks");
  });
});

describe("a stored day whose folder in local.logDir both lacks a file the store holds and holds one it lacks", () => {
  // s61 left-out: the day was read from the raw files alone, so the events of the file the log
  // directory lacks (pruned from the sync, the store kept them) were left out, and the warning
  // spoke only of the file the store lacks.
  it("is read from the store and, beside it, the file the store lacks: every event of both", async () => {
    const logs = path.join(root, "ahead-and-behind");
    const store = `${logs}-store`;
    const folders = {
      kept: [{ id: "kept", time: "2026-11-24T09:00:00Z" }],
      pruned: [{ id: "pruned", time: "2026-11-24T10:00:00Z" }],
      late: [{ id: "late", time: "2026-11-24T11:00:00Z" }],
    };
    await layoutFile(logs, "2026/11/24", "kept", folders.kept);
    await layoutFile(logs, "2026/11/24", "pruned", folders.pruned);
    const w = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    await fsp.rm(path.join(logs, ACCOUNT_TRAIL, "CloudTrail/us-east-1/2026/11/24/pruned.json.gz"));
    await layoutFile(logs, "2026/11/24", "late", folders.late);
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    const e = await engine({ store, logDir: logs });
    // The truth: every record written lies in the window.
    expect(await ids(e, from, to)).toEqual({
      sql: truth(folders, from, to),
      insights: truth(folders, from, to),
    });
    const r = await ask(e, "sql", SQL_IDS, from, to);
    expect(r.warnings.join("\n")).toContain(
      "the store lacks 1 file of 2026/11/24 that the log directory holds (AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/late.json.gz), synced or delivered after the collect: read from the raw files beside the store's days",
    );
    // Such a file that cannot be read is named as not read (the step errors), not hidden by the
    // store's answer for its day.
    const cut = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/cut.json.gz";
    await fsp.writeFile(path.join(logs, cut), zlib.gzipSync("x".repeat(100)).subarray(0, 30));
    const broken = await ask(await engine({ store, logDir: logs }), "sql", SQL_IDS, from, to);
    expect(broken.unread).toEqual([cut]);
  });
});

describe("a day whose folder holds a file the store lacks, in a log directory that lacks files the store holds", () => {
  // Review: the day was read raw as any day behind the store is, and the step said it was read
  // from the raw files: the copy (one account of the two the store collected) answered without
  // the other account's events. Now the store answers it, and the file it lacks is read beside.
  it("is answered from the store and the file it lacks: every event of both", async () => {
    const [bucket, sync, store] = ["partial-bucket", "partial-sync", "partial-store"].map((d) =>
      path.join(root, d),
    ) as [string, string, string];
    const other = "AWSLogs/444455556666";
    await layoutFile(bucket, "2026/11/20", "a", [{ id: "a", time: "2026-11-20T10:00:00Z" }]);
    await layoutFile(bucket, "2026/11/20", "b", [{ id: "b", time: "2026-11-20T11:00:00Z" }], other);
    // The copy holds one account only.
    await fsp.cp(
      path.join(bucket, "AWSLogs/111122223333"),
      path.join(sync, "AWSLogs/111122223333"),
      {
        recursive: true,
      },
    );
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(bucket, store, window, "2026-11-25T00:20:00Z", "partial-cache");
    // Delivered into the copy after the collect.
    await layoutFile(sync, "2026/11/20", "a2", [{ id: "a2", time: "2026-11-20T12:00:00Z" }]);
    const [from, to] = ["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"];
    const r = await ask(await engine({ store, logDir: sync }), "sql", SQL_IDS, from, to);
    // The truth: both accounts' events the store holds, and the one delivered since.
    expect(r.rows.map((x) => x[0])).toEqual(["a", "a2", "b"]);
    expect(r.warnings.join("\n")).toContain(
      "a2.json.gz), synced or delivered after the collect: read from the raw files beside the store's days",
    );
  });
});

describe("a store collected from another folder of the same logs than local.logDir", () => {
  // Red-team: the store's keys are paths relative to the collect's source, the log directory's
  // relative to it; a store collected from `./logs/AWSLogs` (or from s3://bucket/prefix) and read
  // with `logDir: ./logs` matched none of them, and a region synced late was passed over.
  for (const [name, source, logDir] of [
    ["collected from its AWSLogs folder, read with the folder above", "AWSLogs", "."],
    ["collected from the folder above AWSLogs, read with AWSLogs", ".", "AWSLogs"],
    [
      "collected from its account's folder, read with the folder above AWSLogs",
      "AWSLogs/111122223333",
      ".",
    ],
    // Mutation audit (recordedElsewhere's first end of a path unread): a key one folder below.
    ["collected from its account's folder, read with AWSLogs", "AWSLogs/111122223333", "AWSLogs"],
  ] as const) {
    it(`reads the files the store lacks from the raw files: ${name}`, async () => {
      const logs = path.join(
        root,
        `other-folder-${source.replaceAll("/", "-").replace(".", "up")}-${logDir.replace(".", "up")}`,
      );
      const store = `${logs}-store`;
      await layoutFile(logs, "2026/11/24", "a", [{ id: "a", time: "2026-11-24T10:00:00Z" }]);
      const w = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };
      await collectFromDir({ sourceDir: path.join(logs, source), store, window: w });
      await syncLateRegion(logs);
      const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
      // The truth: both records written lie in the window.
      const e = await engine({ store, logDir: path.join(logs, logDir) });
      const r = await ask(e, "sql", SQL_IDS, from, to);
      expect(r.rows).toEqual([["a"], ["late"]]);
      expect(r.warnings.join("\n")).toContain("the store lacks 1 file of 2026/11/24");
      const li = await ask(e, "logs-insights", INSIGHTS_IDS, from, to);
      expect(li.rows).toEqual([["a"], ["late"]]);
    });
  }
  it("tells an organization trail's file from the account trail's of the same name", () => {
    const below = "111122223333/CloudTrail/us-east-1/2026/11/24/a.json.gz";
    const m = {
      version: 3,
      days: {},
      covered: [],
      objects: { [`AWSLogs/${below}`]: { id: "x", size: 1, day: "2026/11/24" } },
    } as unknown as Parameters<typeof daysBehind>[0];
    const file = (rel: string) => ({ rel, layoutDay: "2026/11/24" });
    const behind = daysBehind(m, [
      file(`sync/AWSLogs/${below}`),
      file(`sync/AWSLogs/o-abc123/${below}`),
    ]);
    expect([...behind]).toEqual([["2026/11/24", [`sync/AWSLogs/o-abc123/${below}`]]]);
  });
});

describe("the day after a window the store covers, its folder in local.logDir holding a file the store lacks", () => {
  // Red-team: that day was to be read raw (the store lacks its new file) and was read from
  // neither the store nor the raw files, since nothing of the window itself was missing: the late
  // events of the window's last day (delivered into that folder) were lost, the stored ones too,
  // while the step said the day was read from the raw files.
  it("is read from the raw files: the window's last minutes are all there", async () => {
    const logs = path.join(root, "day-after-behind");
    const store = `${logs}-store`;
    await dayAndEarly(logs);
    const w = { start: new Date("2026-11-18T00:00:00Z"), end: new Date("2026-11-25T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    // Delivered after the collect into the next day's folder (a collect of the day just after
    // midnight; or any other file of that day, delivered or synced since).
    await deliverLate(logs);
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    // The truth: the three records written lie in the window.
    const e = await engine({ store, logDir: logs });
    expect((await ask(e, "sql", SQL_IDS, from, to)).rows).toEqual([["a"], ["early"], ["late"]]);
    const li = await ask(e, "logs-insights", INSIGHTS_IDS, from, to);
    expect(li.rows).toEqual([["a"], ["early"], ["late"]]);
    expect(li.warnings.join("\n")).toContain("the store lacks 1 file of 2026/11/25");
  });
});

describe("a collect of past days that listed the next day's folder within the hour after midnight", () => {
  // Red-team: `collect --from 2026-11-18 --to 2026-11-25` at 00:20 recorded the days as whole up
  // to midnight; an event of 23:58 that CloudTrail delivered at 00:35 into the next day's folder
  // was then never read, and a later run over 2026-11-24 passed over it without a word.
  it("covers them up to its listing: a window over the last hour warns, or reads raw with local.logDir", async () => {
    const logs = path.join(root, "listed-after-midnight");
    const store = `${logs}-store`;
    await dayAndEarly(logs);
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(
      logs,
      store,
      window,
      "2026-11-25T00:20:00Z",
      "listed-after-midnight-cache",
    );
    // Delivered after the listing, into the next day's folder.
    await deliverLate(logs);
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    // The truth: the three records written lie in the window; the store holds the first two.
    const raw = await ask(await engine({ store, logDir: logs }), "sql", SQL_IDS, from, to);
    expect(raw.rows).toEqual([["a"], ["early"], ["late"]]);
    const stored = await ask(await engine({ store }), "sql", SQL_IDS, from, to);
    expect(stored.rows).toEqual([["a"], ["early"]]);
    // From when the window is not known to be read: the nightly's record reads it again.
    expect(stored.notReadFrom).toBe("2026-11-24T23:20:00.000Z");
    expect(stored.warnings.join("\n")).toContain(
      "the store was collected up to 2026-11-25T00:20:00Z, and CloudTrail delivers events up to about an hour late: events of the window from 2026-11-24T23:20:00Z",
    );
    // A window ending before that hour is whole in the store, without a word.
    const early = await ask(await engine({ store }), "sql", SQL_IDS, from, "2026-11-24T23:00:00Z");
    expect(early.rows).toEqual([["a"]]);
    expect(early.warnings.join("\n")).not.toContain("the store was collected up to");
    expect(early.notReadFrom).toBeUndefined();
  });

  it("says the hour before the listing may lack events when the local.logDir records none of the store's files (other names)", async () => {
    // No file of the log directory is recorded: it may be a copy older than the store, so the
    // store answers that hour, and says it may lack events delivered after its listing and that
    // the log directory lacks its files (mutation audit: treating the hour as settled answered
    // without the late event, without a word; the stale-copy red-team below: reading it raw
    // answered without the store's).
    const logs = path.join(root, "listed-source");
    const other = path.join(root, "listed-other");
    const store = `${logs}-store`;
    await dayAndEarly(logs);
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(logs, store, window, "2026-11-25T00:20:00Z", "listed-source-cache");
    await layoutFile(other, "2026/11/24", "a2", [{ id: "a", time: "2026-11-24T10:00:00Z" }]);
    await layoutFile(other, "2026/11/25", "early2", [
      { id: "early", time: "2026-11-24T23:30:00Z" },
    ]);
    await deliverLate(other);
    const e = await engine({ store, logDir: other });
    const r = await ask(e, "sql", SQL_IDS, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z");
    expect(r.rows).toEqual([["a"], ["early"]]);
    expect(r.warnings).toEqual([
      expect.stringContaining(
        "events of the window from 2026-11-24T23:20:00Z that it delivered after that collect are not in the store",
      ),
      expect.stringContaining("were not read over the days the store answers"),
    ]);
    expect(r.warnings[0]).toContain("the log directory (local.logDir) lacks files of those days");
    // Its files, late's DeleteTrail among them, were not read: named.
    expect(r.warnings[1]).toMatch(
      /^3 files of the log directory \(.*\) were not read over the days the store answers/,
    );
  });
});

describe("the hour before a collect's listing, with a log directory staler than the store", () => {
  // Red-team: with local.logDir set, the days reaching into that hour were read from the raw
  // files whatever they held; a sync of the bucket older than the store's collect (the store
  // collected from S3, the folder synced by another job) lacked files the store holds, and the
  // step answered without their events, without a word (the store alone answered them, with a
  // warning).
  it("is answered from the store, with its warning, when the log directory lacks files the store holds", async () => {
    const [bucket, sync, store] = ["stale-bucket", "stale-sync", "stale-store"].map((d) =>
      path.join(root, d),
    ) as [string, string, string];
    const records = [
      { id: "a", time: "2026-11-24T10:00:00Z" },
      { id: "c", time: "2026-11-24T23:20:00Z" },
    ];
    await layoutFile(bucket, "2026/11/24", "a", [records[0] as Rec]);
    await fsp.cp(bucket, sync, { recursive: true });
    // Delivered after the sync, before the collect.
    await layoutFile(bucket, "2026/11/24", "c", [records[1] as Rec]);
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(bucket, store, window, "2026-11-25T00:20:00Z", "stale-cache");
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    const r = await ask(await engine({ store, logDir: sync }), "sql", SQL_IDS, from, to);
    expect(r.rows.map((x) => x[0])).toEqual(truth({ records }, from, to));
    expect(r.notReadFrom).toBe("2026-11-24T23:20:00.000Z");
    expect(r.warnings.join("\n")).toContain("the store was collected up to 2026-11-25T00:20:00Z");
  });
});

describe("the hour before a collect's listing, with a log directory that lacks an export the store holds", () => {
  // Review: only the store's objects of the delivery layout were looked for in the log
  // directory; an export the collect stored (its events of that day) and the folder lacks was
  // not, so the day was read raw, without the export's events, without a word.
  it("is answered from the store, with its warning", async () => {
    const [bucket, sync, store] = ["export-bucket", "export-sync", "export-store"].map((d) =>
      path.join(root, d),
    ) as [string, string, string];
    const records = [
      { id: "a", time: "2026-11-24T10:00:00Z" },
      { id: "x", time: "2026-11-24T22:00:00Z" },
    ];
    await layoutFile(bucket, "2026/11/24", "a", [records[0] as Rec]);
    await fsp.cp(bucket, sync, { recursive: true });
    // Copied into the source after the sync, before the collect.
    await fsp.mkdir(path.join(bucket, "exports"), { recursive: true });
    await fsp.writeFile(
      path.join(bucket, "exports", "x.json"),
      JSON.stringify({ Records: [record(records[1] as Rec)] }),
    );
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(bucket, store, window, "2026-11-25T00:20:00Z", "export-cache");
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    const r = await ask(await engine({ store, logDir: sync }), "sql", SQL_IDS, from, to);
    expect(r.rows.map((x) => x[0])).toEqual(truth({ records }, from, to));
    expect(r.warnings.join("\n")).toContain("the store was collected up to 2026-11-25T00:20:00Z");
  });
});

describe("a collect of past days that began listing in the first second after midnight", () => {
  // Red-team: the range it covers ends at its listing, in whole seconds: a listing at
  // 00:00:00.4 ended it at the midnight itself, which reads as a range covered whole (a collect
  // of past days an hour after them), so the last day's late events delivered after the listing
  // were passed over without a word.
  it("covers them up to its listing, never to the midnight: a window over the last hour warns", async () => {
    const logs = path.join(root, "listed-at-midnight");
    const store = `${logs}-store`;
    await dayAndEarly(logs);
    const window = {
      start: new Date("2026-11-18T00:00:00Z"),
      end: new Date("2026-11-25T00:00:00Z"),
    };
    await collectListedAt(
      logs,
      store,
      window,
      "2026-11-25T00:00:00.400Z",
      "listed-at-midnight-cache",
    );
    await deliverLate(logs);
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    // The truth, from the records written: a, early and late lie in the window.
    expect(
      truth(
        {
          x: [
            { id: "a", time: "2026-11-24T10:00:00Z" },
            { id: "early", time: "2026-11-24T23:30:00Z" },
            { id: "late", time: "2026-11-24T23:58:00Z" },
          ],
        },
        from,
        to,
      ),
    ).toEqual(["a", "early", "late"]);
    const stored = await ask(await engine({ store }), "sql", SQL_IDS, from, to);
    expect(stored.rows).toEqual([["a"], ["early"]]);
    expect(stored.warnings.join("\n")).toContain(
      "CloudTrail delivers events up to about an hour late: events of the window from 2026-11-24T23:",
    );
    expect(stored.notReadFrom).toBeDefined();
  });
});

describe("a stored day the collect found empty, whose folder in local.logDir holds files now", () => {
  // Red-team: the log directory is compared with the store only when one of the window's files
  // is recorded; a day whose folder was synced whole after the collect (the collect found it
  // empty) had none, so the store's empty day answered the window.
  it("is read from the raw files, named in a warning", async () => {
    const logs = path.join(root, "synced-whole-later");
    const store = `${logs}-store`;
    await layoutFile(logs, "2026/11/20", "before", [
      { id: "before", time: "2026-11-20T10:00:00Z" },
    ]);
    const w = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    await layoutFile(logs, "2026/11/24", "later", [
      { id: "later", time: "2026-11-24T10:00:00Z", name: "DeleteTrail" },
    ]);
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    // The truth: the record written on 2026/11/24 lies in the window.
    const r = await ask(await engine({ store, logDir: logs }), "sql", SQL_IDS, from, to).then(
      (x) => ({ rows: x.rows, warnings: x.warnings, error: "" }),
      (e: Error) => ({ rows: [], warnings: [], error: e.message }),
    );
    expect(r).toMatchObject({ rows: [["later"]], error: "" });
    // Read raw in the store's place (mutation audit: behindOf's guard), not beside its day.
    expect(r.warnings.join("\n")).toContain(
      "the store lacks 1 file of 2026/11/24 that the log directory holds (AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/later.json.gz), synced or delivered after the collect: those days are read from the raw files",
    );
  });
});

describe("a log directory that is not the store's source (none of its files is recorded there)", () => {
  // s61 left-out: an export, or another account's trail, in local.logDir beside a store collected
  // from elsewhere was not read over the days the store answers, and nothing said so. Whether
  // the store holds those events is unknown (reading them could count the store's twice): the
  // step answers from the store and names the files it did not read.
  it("has the files of the days the store answers named as not read", async () => {
    const logs = path.join(root, "unrelated-source");
    const store = `${logs}-store`;
    const beside = `${logs}-beside`;
    await layoutFile(logs, "2026/11/24", "a", [{ id: "a", time: "2026-11-24T10:00:00Z" }]);
    const w = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    await fsp.mkdir(beside, { recursive: true });
    await fsp.writeFile(
      path.join(beside, "export.json"),
      JSON.stringify({ Records: [record({ id: "x", time: "2026-11-24T12:00:00Z" })] }),
    );
    const [from, to] = ["2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"];
    const r = await ask(await engine({ store, logDir: beside }), "sql", SQL_IDS, from, to);
    // The store's answer, with the export's event not read, and said.
    expect(r.rows).toEqual([["a"]]);
    expect(r.warnings).toContain(
      "1 file of the log directory (export.json) was not read over the days the store answers (2026/11/24..2026/11/25): the store records none of the window's files, so whether their events are in it is unknown (the log directory is not the collect's source, or holds its files under other names); collect from it to store them, or leave local.store unset to read the raw files alone",
    );
    // The log directory that is the store's source says nothing of the kind.
    const same = await ask(await engine({ store, logDir: logs }), "sql", SQL_IDS, from, to);
    expect(same.warnings.join("\n")).not.toContain("was not read over the days");
  });
});

describe("a window ending at a stored day's last event", () => {
  // The day's events lie from the window's start to its end: the day file is not held whole by
  // the window (its end is exclusive), so its filter is applied (mutation audit).
  it("leaves that event out, as the raw files do", async () => {
    const logs = path.join(root, "end-at-last-event");
    const store = `${logs}-store`;
    await layoutFile(logs, "2026/03/02", "day", [
      { id: "first", time: "2026-03-02T09:00:00Z" },
      { id: "at-end", time: "2026-03-02T12:00:00Z" },
    ]);
    await collectFromDir({ sourceDir: logs, store, window: null });
    const [from, to] = ["2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z"];
    expect(await ids(await engine({ store }), from, to)).toEqual({
      sql: ["first"],
      insights: ["first"],
    });
    expect(await ids(await engine({ logDir: logs }), from, to)).toEqual({
      sql: ["first"],
      insights: ["first"],
    });
  });
});

describe("a stored day that holds an event without a readable time", () => {
  // No window holds that event: a window over the whole day filters the day's file all the same
  // (mutation audit: taken as whole, the day answered with it).
  it("answers a window over the whole day without it, as the raw files do", async () => {
    const logs = path.join(root, "untimed-whole-day");
    const store = `${logs}-store`;
    await layoutFile(logs, "2026/03/05", "day", [
      { id: "timed", time: "2026-03-05T10:00:00Z" },
      { id: "untimed", time: "yesterday" },
    ]);
    await collectFromDir({ sourceDir: logs, store, window: null });
    const [from, to] = ["2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"];
    const truth = { sql: ["timed"], insights: ["timed"] };
    expect(await ids(await engine({ logDir: logs }), from, to)).toEqual(truth);
    expect(await ids(await engine({ store }), from, to)).toEqual(truth);
  });
});

describe("an export the collect could not read", () => {
  it("is named as unread by a step over the store's days (its events may be of any day)", async () => {
    const logs = path.join(root, "unread-export");
    const store = `${logs}-store`;
    await layoutFile(logs, "2026/03/05", "day", [{ id: "timed", time: "2026-03-05T10:00:00Z" }]);
    await fsp.mkdir(path.join(logs, "exports"), { recursive: true });
    await fsp.writeFile(path.join(logs, "exports/cut.json"), '{"Records": [{"eventID": "x"');
    await collectFromDir({ sourceDir: logs, store, window: null });
    const r = await ask(
      await engine({ store }),
      "sql",
      SQL_IDS,
      "2026-03-05T00:00:00Z",
      "2026-03-06T00:00:00Z",
    );
    expect(r.unread).toEqual(["exports/cut.json"]);
  });
});

describe("a store collected from a sync of a deeper prefix (CloudTrail's names, no layout folders)", () => {
  // The trail delivered on March 1st to 3rd only: its files are still a trail's deliveries in the
  // store, so the days after are named and the end is stale, as on the raw files (mutation audit:
  // the store's objects outside the layout were not taken by their names' days).
  it("names the week's days without files and its stale end", async () => {
    const logs = path.join(root, "synced-prefix");
    const store = `${logs}-store`;
    await hourlyDeliveries((day) => path.join(logs, "us-east-1/2024/03", day), "us-east-1", [
      "01",
      "02",
      "03",
    ]);
    const w = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-08T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    const r = await ask(
      await engine({ store }),
      "sql",
      "SELECT count(*) FROM cloudtrail_logs WHERE eventname = 'StopLogging'",
      "2024-03-01T00:00:00Z",
      "2024-03-08T00:00:00Z",
    );
    expect(r.rows).toEqual([[0]]);
    expect(r.staleEnd).toMatch(/^no event lies in the window's end, 2024-03-07T00:00:00Z/);
    expect(r.warnings.join("\n")).toContain("the window's days 2024-03-04..2024-03-07 (UTC)");
  });
});
