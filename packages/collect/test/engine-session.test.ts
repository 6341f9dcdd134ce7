/**
 * One local engine session over a store a collect keeps changing: the engine keeps the parsed
 * manifest between queries (store.ts `ManifestCache`) and tells a window without events from the
 * manifest when it can; both must follow the store as collects replace its manifest.
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createLocalEngine,
  type LocalEngine,
  readManifest,
  STORE_DAYS,
} from "@run-md/engine-local";
import { generateLogs } from "@run-md/generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { collectFromDir, pruneStore } from "../src/index.ts";
import { truth } from "./truth.ts";

const day = (d: string, hours = 24) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + hours * 3_600_000),
});
let root: string;
let logs: string;
let store: string;
let engine: LocalEngine;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-collect-session-"));
  logs = path.join(root, "logs");
  store = path.join(root, "store");
  await generateLogs({
    outDir: logs,
    start: new Date("2024-03-01T00:00:00Z"),
    end: new Date("2024-03-03T00:00:00Z"),
    eventsPerDay: 200,
    seed: 11,
    regions: ["us-east-1"],
  });
  await collectFromDir({ sourceDir: logs, store, window: day("2024-03-01") });
  engine = await createLocalEngine({ store, threads: 1 });
});

afterAll(async () => {
  await engine?.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const COUNT = "SELECT count(*) AS n FROM cloudtrail_logs";
const count = (window: { start: Date; end: Date }) =>
  engine.query(queryRequest("sql", COUNT, window));

describe("a local engine session over a store that a collect updates", () => {
  it("reads the days a later collect adds, with the raw files' counts", async () => {
    const want = await truth(logs);
    const first = await count(day("2024-03-01"));
    expect(first.rows).toEqual([[want.get("2024/03/01")?.size]]);
    expect(first.noEvents).toBeUndefined();
    await expect(count(day("2024-03-02"))).rejects.toMatchObject({ code: "store-not-collected" });
    await collectFromDir({ sourceDir: logs, store, window: day("2024-03-02", 48) });
    const second = await count(day("2024-03-02"));
    expect(second.rows).toEqual([[want.get("2024/03/02")?.size]]);
    // The 3rd's file too: the 2nd's last minutes are delivered into its folder.
    expect(second.stats.storeDays).toBe("2024/03/02..2024/03/03");
  });

  it("still says a collected window holds no events (a day without files)", async () => {
    // 2024-03-03 was collected by the second collect above, and has no source files.
    const empty = await count(day("2024-03-03"));
    expect(empty.rows).toEqual([[0]]);
    expect(empty.noEvents).toMatch(/\S/);
    expect((await count(day("2024-03-02"))).noEvents).toBeUndefined();
  });
});

describe("a store changed between a query's manifest read and its files' opening", () => {
  /** Runs `change` right after the engine has read the store's manifest, once. */
  function changeAfterManifestRead(change: () => Promise<unknown>) {
    const e = engine as unknown as { sources: (w: unknown) => Promise<unknown> };
    const original = e.sources.bind(engine);
    e.sources = async (w) => {
      const sources = await original(w);
      e.sources = original;
      await change();
      return sources;
    };
  }

  it("a collect replaced the day's file: the query reads the new manifest and answers from it", async () => {
    // More of 2024-03-01 delivered later: the next collect rewrites that day's file.
    const more = path.join(root, "more");
    await generateLogs({
      outDir: more,
      start: new Date("2024-03-01T00:00:00Z"),
      end: new Date("2024-03-02T00:00:00Z"),
      eventsPerDay: 50,
      seed: 12,
      regions: ["us-east-1"],
    });
    await fsp.cp(more, logs, { recursive: true });
    const oldFile = (await readManifest(store)).days["2024/03/01"]!.file;
    changeAfterManifestRead(() =>
      collectFromDir({ sourceDir: logs, store, window: day("2024-03-01") }),
    );
    const r = await count(day("2024-03-01"));
    expect((await readManifest(store)).days["2024/03/01"]!.file).not.toBe(oldFile);
    const want = await truth(logs);
    expect(r.rows).toEqual([[want.get("2024/03/01")?.size]]);
  });

  it("a prune removed the day: the query says it is not collected, not that a file is missing", async () => {
    changeAfterManifestRead(() => pruneStore(store, new Date("2024-03-02T00:00:00Z")));
    await expect(count(day("2024-03-01"))).rejects.toMatchObject({ code: "store-not-collected" });
  });
});

describe("a collect cancelled through its signal", () => {
  it("keeps the days it committed, and leaves no file the manifest does not name", async () => {
    const cancelled = path.join(root, "store-cancelled");
    const ctl = new AbortController();
    const run = collectFromDir({
      sourceDir: logs,
      store: cancelled,
      window: day("2024-03-01", 72),
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.phase === "write") ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "cancelled" });
    const m = await readManifest(cancelled);
    expect(Object.keys(m.days)).toEqual(["2024/03/01"]);
    const files = (await fsp.readdir(path.join(cancelled, STORE_DAYS), { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith(".parquet"))
      .map((f) => path.posix.join(STORE_DAYS, f.split(path.sep).join("/")));
    expect(files).toEqual(Object.values(m.days).map((d) => d.file));
    const want = await truth(logs);
    expect(m.days["2024/03/01"]?.events).toBe(want.get("2024/03/01")?.size);
  });
});

describe("a step whose window ends after the last collect", () => {
  it("says the store is collected up to the collect, and how to end the run's window there", async () => {
    const HOUR = 3_600_000;
    const now = Date.now();
    const recent = path.join(root, "recent");
    await generateLogs({
      outDir: recent,
      start: new Date(now - 2 * HOUR),
      end: new Date(now),
      totalEvents: 20,
      incidents: false,
      seed: "tail",
      regions: ["us-east-1"],
    });
    const tailStore = path.join(root, "tail-store");
    const since = new Date(now - 3 * HOUR);
    await collectFromDir({
      sourceDir: recent,
      store: tailStore,
      window: { start: since, end: new Date(now + HOUR) },
    });
    const until = (await readManifest(tailStore)).covered.at(-1)?.to ?? "";
    expect(Date.parse(until)).toBeGreaterThanOrEqual(now - 1000);
    const e = await createLocalEngine({ store: tailStore, threads: 1 });
    try {
      const ask = (end: Date) => e.query(queryRequest("sql", COUNT, { start: since, end }));
      const later = new Date(Date.parse(until) + 60_000);
      const err = await ask(later).catch((x: unknown) => x);
      expect(err).toMatchObject({
        code: "store-not-collected",
        message: `The store ${tailStore} is collected up to ${until}, and the step's window ends later, at ${later.toISOString()}.`,
      });
      expect((err as { hint: string }).hint).toContain(`--to ${until}`);
      expect((err as { hint: string }).hint).toContain(`RUN_MD_WINDOW_END=${until}`);
      // A window wholly after the collect is days not collected: ending it earlier is no help.
      const after = await e
        .query(
          queryRequest("sql", COUNT, { start: new Date(Date.parse(until) + 1000), end: later }),
        )
        .catch((x: unknown) => x);
      expect(after).toMatchObject({ code: "store-not-collected" });
      expect((after as Error).message).toMatch(/has not collected/);
      // Ended at the collect, the same step answers.
      expect((await ask(new Date(until))).rows).toEqual([[20]]);
    } finally {
      await e.close();
    }
  });
});

describe("a collected day whose files hold no event", () => {
  it("says what the store read, not an empty reason", async () => {
    const src = path.join(root, "no-events");
    const dayDir = path.join(src, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/05");
    await fsp.mkdir(dayDir, { recursive: true });
    await fsp.writeFile(path.join(dayDir, "a.json"), JSON.stringify({ Records: null }));
    const s = path.join(root, "no-events-store");
    await collectFromDir({ sourceDir: src, store: s, window: day("2024-03-05") });
    const e = await createLocalEngine({ store: s, threads: 1 });
    try {
      const r = await e.query(queryRequest("sql", COUNT, day("2024-03-05")));
      expect(r.rows).toEqual([[0]]);
      expect(r.noEvents).toMatch(
        /^\d+ day files? of the store read, none with an event in the window/,
      );
    } finally {
      await e.close();
    }
  });
});

describe("the window end's probe over a store", () => {
  it("is asked once per window and store files, and again once a collect changed them (bench: 41 ms of every step on a 30-day store)", async () => {
    const own = path.join(root, "probe-store");
    const twoDays = { start: day("2024-03-01").start, end: day("2024-03-02").end };
    await collectFromDir({ sourceDir: logs, store: own, window: twoDays });
    const session = await createLocalEngine({ store: own, threads: 1 });
    try {
      const ask = () => session.query(queryRequest("sql", COUNT, twoDays));
      const days = await truth(logs);
      const want = (days.get("2024/03/01")?.size ?? 0) + (days.get("2024/03/02")?.size ?? 0);
      expect((await ask()).rows).toEqual([[want]]);
      expect((await ask()).rows).toEqual([[want]]);
      expect(session.probesRun("end")).toBe(1);
      // A new object of the last day collected (a copy of one, under another name): the day's
      // store file is written anew, and the probe asked again (its events are stored once).
      const folder = path.join(logs, "AWSLogs");
      const [object] = (await fsp.readdir(folder, { recursive: true })).filter((f) =>
        /2024\/03\/02\/.*\.json\.gz$/.test(f),
      );
      const source = path.join(folder, object!);
      await fsp.copyFile(source, source.replace(/\.json\.gz$/, "_copy.json.gz"));
      await collectFromDir({ sourceDir: logs, store: own, window: twoDays });
      expect((await ask()).rows).toEqual([[want]]);
      expect(session.probesRun("end")).toBe(2);
    } finally {
      await session.close();
    }
  });
});
