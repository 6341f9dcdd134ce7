/**
 * Files of a step's window that could not be read are named in its result (`unread`), on the raw
 * files and on the store, so the runner never passes a step over logs it never read (round-two
 * red-team: a truncated .json.gz made `rows == 0` pass with exit 0). A file that was read and
 * holds no CloudTrail event misses nothing and is not named; a Logs Insights result of the
 * service's default limit is reported as possibly cut (`capped`).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {
  createLocalEngine,
  type LocalEngine,
  readManifest,
  writeManifest,
} from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";
import { cloudTrailRecord } from "./truth.ts";

const FOLDER = "AWSLogs/111122223333/CloudTrail/us-east-1";
const WINDOW = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-22T00:00:00Z") };
const DENIED = "SELECT count(*) AS n FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'";
let root: string;
let logs: string;
const engines: LocalEngine[] = [];

const record = (i: number, day: string, denied: boolean) =>
  cloudTrailRecord({
    id: `e-${day}-${i}`,
    time: `${day}T10:00:${String(i % 60).padStart(2, "0")}Z`,
    ...(denied ? { extra: { errorCode: "AccessDenied" } } : {}),
  });

async function write(rel: string, body: Buffer | string, dir = logs): Promise<void> {
  await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await fsp.writeFile(path.join(dir, rel), body);
}

const gz = (recs: unknown[]) => zlib.gzipSync(JSON.stringify({ Records: recs }));

/** A gzip file of `count` refused calls of the day, cut in half: it cannot be read. */
function cutGz(count: number, day: string): Buffer {
  const whole = gz(Array.from({ length: count }, (_, i) => record(i, day, true)));
  return whole.subarray(0, whole.length >> 1);
}

beforeAll(async () => {
  root = await tempDir("run-md-unread-");
  logs = path.join(root, "logs");
  await write(`${FOLDER}/2026/11/20/good.json.gz`, gz([record(1, "2026-11-20", false)]));
  // 50 refused calls, cut in half: the file cannot be read.
  await write(`${FOLDER}/2026/11/21/cut.json.gz`, cutGz(50, "2026-11-21"));
  // Read, and no CloudTrail event in it: nothing missed.
  await write("notes/settings.json", JSON.stringify({ owner: "security" }));
});

afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function engine(opts: { store?: string; logDir?: string }): Promise<LocalEngine> {
  const e = await createLocalEngine({ ...opts, threads: 1, cacheLimit: "0" });
  engines.push(e);
  return e;
}

describe("files of the window that could not be read", () => {
  it("are named on the raw files; a JSON file without CloudTrail events is not", async () => {
    const r = await (await engine({ logDir: logs })).query(queryRequest("sql", DENIED, WINDOW));
    expect(r.rows).toEqual([[0]]);
    expect(r.unread).toEqual([`${FOLDER}/2026/11/21/cut.json.gz`]);
    // A window that does not need the cut file's day names nothing; one ending at midnight needs
    // it (the day's last minutes are delivered into the next day's folder).
    const day = { start: WINDOW.start, end: new Date("2026-11-20T22:00:00Z") };
    const before = await (await engine({ logDir: logs })).query(queryRequest("sql", DENIED, day));
    expect(before.unread).toBeUndefined();
  });

  it("are named on the store for the days whose objects the collect could not read", async () => {
    const store = path.join(root, "store");
    await collectFromDir({ sourceDir: logs, store, window: WINDOW });
    const e = await engine({ store });
    const r = await e.query(queryRequest("sql", DENIED, WINDOW));
    expect(r.rows).toEqual([[0]]);
    expect(r.unread).toEqual([`${FOLDER}/2026/11/21/cut.json.gz`]);
    const day = { start: WINDOW.start, end: new Date("2026-11-20T22:00:00Z") };
    expect((await e.query(queryRequest("sql", DENIED, day))).unread).toBeUndefined();
  });
});

describe("a store with the raw files as the fallback", () => {
  it("names an unreadable raw file of a day it reads there, never one of a day the store answers", async () => {
    const src = path.join(root, "hybrid");
    const day = (d: string, id: string) =>
      write(`${FOLDER}/${d.replaceAll("-", "/")}/${id}.json.gz`, gz([record(1, d, false)]), src);
    await day("2026-11-19", "a");
    await day("2026-11-20", "b");
    await day("2026-11-21", "c");
    const store = path.join(root, "hybrid-store");
    // The store answers the 20th; the 19th and the 21st come from the raw files.
    const the20th = {
      start: new Date("2026-11-20T00:00:00Z"),
      end: new Date("2026-11-21T00:00:00Z"),
    };
    await collectFromDir({ sourceDir: src, store, window: the20th });
    // After the collect, the stored day's file is damaged in the source, and a corrupt file
    // lands on a raw day. Not gzip at all: found unreadable as soon as the raw files are listed
    // and profiled. (A file landing on the stored day, which the store has no record of, would
    // make the day read raw: store-window.test.ts.)
    await write(`${FOLDER}/2026/11/20/b.json.gz`, "not gzip", src);
    await write(`${FOLDER}/2026/11/21/cut.json.gz`, cutGz(5, "2026-11-21"), src);
    const e = await createLocalEngine({ store, logDir: src, threads: 1 });
    engines.push(e);
    const window = {
      start: new Date("2026-11-19T00:00:00Z"),
      end: new Date("2026-11-22T00:00:00Z"),
    };
    const r = await e.query(
      queryRequest("sql", "SELECT count(*) AS n FROM cloudtrail_logs", window),
    );
    expect(r.rows).toEqual([[3]]);
    expect(r.stats.storeDays).toBe("2026/11/20");
    expect(r.unread).toEqual([`${FOLDER}/2026/11/21/cut.json.gz`]);
    expect(r.warnings.join("\n")).not.toContain("b.json.gz");
  });
});

describe("a corrupt object removed from the source", () => {
  // Recorded as skipped, it was named as unread in every step over its day for ever: removing it
  // from the source (the usual repair) changed nothing, and only a new store helped.
  it("is forgotten by the next collect of its source whose listing covers it, and named no more", async () => {
    const dir = path.join(root, "repaired");
    const put = (rel: string, body: Buffer) => write(rel, body, dir);
    await put(`${FOLDER}/2026/11/20/good.json.gz`, gz([record(1, "2026-11-20", false)]));
    await put(`${FOLDER}/2026/11/21/cut.json.gz`, cutGz(20, "2026-11-21"));
    // Outside the layout, yet inside a layout day's folder: a listing of other days skips it.
    await put(`${FOLDER}/2026/11/20/sub/cut.json.gz`, cutGz(20, "2026-11-20"));
    await put("exports/cut.json.gz", cutGz(20, "2026-11-20"));
    const store = path.join(root, "repaired-store");
    await collectFromDir({ sourceDir: dir, store, window: WINDOW });
    const e = await engine({ store });
    const unread = async () =>
      (await e.query(queryRequest("sql", DENIED, WINDOW))).unread?.slice().sort();
    const [layout, sub, exported] = [
      `${FOLDER}/2026/11/21/cut.json.gz`,
      `${FOLDER}/2026/11/20/sub/cut.json.gz`,
      "exports/cut.json.gz",
    ];
    expect(await unread()).toEqual([sub, exported, layout].sort());
    const forgot = (r: { warnings: string[] }) => r.warnings.filter((w) => w.startsWith("forgot "));
    // Another source collected into the same store, everything of it: it forgets nothing.
    const elsewhere = path.join(root, "repaired-elsewhere");
    await write(
      `${FOLDER}/2026/11/22/good.json.gz`,
      gz([record(2, "2026-11-22", false)]),
      elsewhere,
    );
    expect(forgot(await collectFromDir({ sourceDir: elsewhere, store, window: null }))).toEqual([]);
    // A window of another day lists neither the day's folder nor the one holding `sub`.
    const day22 = {
      start: new Date("2026-11-22T00:00:00Z"),
      end: new Date("2026-11-23T00:00:00Z"),
    };
    expect(forgot(await collectFromDir({ sourceDir: dir, store, window: day22 }))).toEqual([]);
    await fsp.rm(path.join(dir, layout));
    await fsp.rm(path.join(dir, exported));
    expect(forgot(await collectFromDir({ sourceDir: dir, store, window: day22 }))).toEqual([]);
    expect(await unread()).toEqual([sub, exported, layout].sort());
    // The window of the removed object's day forgets it; objects outside the layout wait for a
    // collect of everything.
    expect(forgot(await collectFromDir({ sourceDir: dir, store, window: WINDOW }))).toEqual([
      `forgot ${layout}: skipped before (cannot read it (Z_BUF_ERROR)), and no longer in the source`,
    ]);
    expect(await unread()).toEqual([sub, exported].sort());
    expect(forgot(await collectFromDir({ sourceDir: dir, store, window: null }))).toEqual([
      `forgot ${exported}: skipped before (cannot read it (Z_BUF_ERROR)), and no longer in the source`,
    ]);
    expect(await unread()).toEqual([sub]);
  });
});

describe("an export outside the delivery layout that could not be read", () => {
  // Its days are unknown (it was never read), so it may hold events of any window: named in every
  // step on the raw files and, after a collect that skipped it, on the store (a red-team pass found
  // the store answering 5 events of 55 with no word).
  it("is named in every window, on the raw files and on the store", async () => {
    const dir = path.join(root, "with-export");
    const put = (rel: string, body: Buffer) => write(rel, body, dir);
    await put(`${FOLDER}/2026/11/20/good.json.gz`, gz([record(1, "2026-11-20", false)]));
    await put("exports/a.json.gz", cutGz(50, "2026-11-21"));
    // Read and empty: nothing missed, so named in no step (on the store as on the raw files).
    await put("exports/empty.json", Buffer.from(""));
    const store = path.join(root, "with-export-store");
    await collectFromDir({ sourceDir: dir, store, window: WINDOW });
    const day = { start: WINDOW.start, end: new Date("2026-11-21T00:00:00Z") };
    for (const e of [await engine({ logDir: dir }), await engine({ store })]) {
      for (const w of [WINDOW, day]) {
        expect((await e.query(queryRequest("sql", DENIED, w))).unread).toEqual([
          "exports/a.json.gz",
        ]);
      }
    }
  });
});

describe("the manifest records whether a skipped object was read", () => {
  // The store tells a skip that lost events from one that lost nothing by a flag the collect
  // records from the reader's own list of unread files, not by the words of the reason.
  it("and steps follow the flag, whatever the reason says", async () => {
    const dir = path.join(root, "flags");
    const put = (rel: string, body: Buffer) => write(rel, body, dir);
    await put(`${FOLDER}/2026/11/20/good.json.gz`, gz([record(1, "2026-11-20", false)]));
    await put(`${FOLDER}/2026/11/20/cut.json.gz`, cutGz(20, "2026-11-20"));
    await put(`${FOLDER}/2026/11/20/settings.json`, Buffer.from(JSON.stringify({ a: 1 })));
    const store = path.join(root, "flags-store");
    await collectFromDir({ sourceDir: dir, store, window: WINDOW });
    const manifest = await readManifest(store);
    const [cut, settings] = [
      `${FOLDER}/2026/11/20/cut.json.gz`,
      `${FOLDER}/2026/11/20/settings.json`,
    ];
    expect([manifest.objects[cut]?.unread, manifest.objects[settings]?.unread]).toEqual([
      true,
      false,
    ]);
    const unread = async () =>
      (await (await engine({ store })).query(queryRequest("sql", DENIED, WINDOW))).unread;
    expect(await unread()).toEqual([cut]);
    // The reasons swapped: the flags still decide.
    const [a, b] = [manifest.objects[cut]!, manifest.objects[settings]!];
    [a.skipped, b.skipped] = [b.skipped, a.skipped];
    await writeManifest(store, manifest);
    expect(await unread()).toEqual([cut]);
  });
});

describe("a file whose first document parses and whose second is cut short", () => {
  // A red-team pass: the lines that parsed were read, the cut one skipped with a warning, and a
  // DeleteTrail in it went unseen by a passing step. Now the file is not read, and named.
  it("is named on the raw files and on the store, never read in part", async () => {
    const dir = path.join(root, "two-docs");
    const day = (i: number) => record(i, "2026-11-21", true);
    const second = JSON.stringify({ Records: Array.from({ length: 40 }, (_, i) => day(i + 10)) });
    const text = `${JSON.stringify({ Records: [day(1), day(2), day(3)] })}\n${second.slice(0, second.length >> 1)}`;
    await fsp.mkdir(path.join(dir, "exports"), { recursive: true });
    await fsp.writeFile(path.join(dir, "exports/two.json.gz"), zlib.gzipSync(text));
    const store = path.join(root, "two-docs-store");
    const collected = await collectFromDir({ sourceDir: dir, store, window: WINDOW });
    expect(collected.warnings.join("\n")).toContain(
      "skipped exports/two.json.gz: malformed JSON on 1 of its 2 lines (the first: line 2)",
    );
    for (const e of [await engine({ logDir: dir }), await engine({ store })]) {
      expect((await e.query(queryRequest("sql", DENIED, WINDOW))).unread).toEqual([
        "exports/two.json.gz",
      ]);
    }
  });
});

describe("a Logs Insights result of the service's default limit", () => {
  it("is capped without a limit command, and not with one", async () => {
    const dir = path.join(root, "many");
    const recs = Array.from({ length: 10_005 }, (_, i) => record(i, "2026-11-20", false));
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, "export.json"), JSON.stringify({ Records: recs }));
    const e = await engine({ logDir: dir });
    const cut = await e.query(queryRequest("logs-insights", "fields eventID", WINDOW));
    expect(cut.rows).toHaveLength(10_000);
    expect(cut.capped).toBe(10_000);
    expect(cut.warnings.join(" ")).toContain("there may be more");
    const chosen = await e.query(
      queryRequest("logs-insights", "fields eventID | limit 10000", WINDOW),
    );
    expect(chosen.capped).toBeUndefined();
    const few = await e.query(queryRequest("logs-insights", "stats count(*) as n", WINDOW));
    expect(few.rows).toEqual([[10_005]]);
    expect(few.capped).toBeUndefined();
  });
});

describe("a gzip file with bytes after its end (DuckDB's error names no file)", () => {
  it("is found and set aside: read by the lenient reader when it can, else named, on the raw files and the store", async () => {
    const dir = path.join(root, "padded");
    const day = "2026-11-20";
    const denied = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => record(from + i, day, true));
    await write(`${FOLDER}/2026/11/20/good.json.gz`, gz(denied(0, 1)), dir);
    // Zero bytes after the end: gunzip (Node's, Python's) reads the file whole.
    await write(
      `${FOLDER}/2026/11/20/padded.json.gz`,
      Buffer.concat([gz(denied(10, 3)), Buffer.alloc(64)]),
      dir,
    );
    // Text after the end: not gzip, so the file cannot be read; it is named.
    await write(
      `${FOLDER}/2026/11/20/junk.json.gz`,
      Buffer.concat([gz(denied(20, 5)), Buffer.from("appended text")]),
      dir,
    );
    const window = { start: new Date(`${day}T00:00:00Z`), end: new Date("2026-11-21T00:00:00Z") };
    const raw = await (await engine({ logDir: dir })).query(queryRequest("sql", DENIED, window));
    expect(raw.rows).toEqual([[4]]);
    expect(raw.unread).toEqual([`${FOLDER}/2026/11/20/junk.json.gz`]);
    const store = path.join(root, "padded-store");
    const collected = await collectFromDir({ sourceDir: dir, store, window });
    expect(collected.objectsSkipped).toBe(1);
    const onStore = await (await engine({ store })).query(queryRequest("sql", DENIED, window));
    expect(onStore.rows).toEqual([[4]]);
    expect(onStore.unread).toEqual([`${FOLDER}/2026/11/20/junk.json.gz`]);
  });
});
