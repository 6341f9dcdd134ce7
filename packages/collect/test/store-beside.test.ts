/**
 * Files of the store's source read raw beside the store's days (`local.store` with
 * `local.logDir`): each event once, whichever way its file is found. The truth is computed from
 * the records the test writes (which lie in the window), never from the engine.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { createLocalEngine, type LocalEngine, LogCatalog } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { dayRange } from "../src/collect.ts";
import { collectFiles, collectFromDir } from "../src/index.ts";
import { FROM, idsOf, QUERIES, TO, truthOf } from "./day-ids.ts";
import { layoutFile } from "./truth.ts";

let root: string;
const engines: LocalEngine[] = [];
beforeAll(async () => {
  root = await tempDir("run-md-store-beside-");
});
afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const WEEK = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-26T00:00:00Z") };

/** The ids a step over [FROM, TO) reads in each dialect, with the engine's options. */
const ids = (opts: { store?: string; logDir: string }) => idsOf(engines, opts);
const truth = truthOf;

/** A delivery's name (CloudTrail never gives two deliveries one). */
const NAME = "111122223333_CloudTrail_us-east-1_20261124T1005Z_Ab12Cd34Ef56Gh78";

describe("a stored delivery copied under another folder of the store's source after the collect", () => {
  // Red-team: the raw files alone read such a copy once (files.ts withoutCopies); beside the
  // store, the copy under a folder sorting first was read as a file the store lacks, and its
  // events were counted twice, with a warning that the store lacked it.
  it("is read once: its events are the store's", async () => {
    const logs = path.join(root, "copied");
    const store = `${logs}-store`;
    const recs = [
      { id: "a", time: "2026-11-24T10:00:00Z" },
      { id: "b", time: "2026-11-24T10:01:00Z" },
    ];
    await layoutFile(logs, "2026/11/24", NAME, recs, "sync-b/AWSLogs/111122223333");
    await collectFromDir({ sourceDir: logs, store, window: WEEK });
    await fsp.cp(path.join(logs, "sync-b"), path.join(logs, "sync-a"), { recursive: true });
    expect(await ids({ logDir: logs })).toEqual(truth(recs));
    expect(await ids({ store, logDir: logs })).toEqual(truth(recs));
  });
});

describe("a delivery the store holds under two folders, in the hour before a collect's listing", () => {
  // Review of the fix above: both copies are recorded; leaving the second out of the listing as
  // a copy made the store look like it held a file the log directory lacks, so the hour was
  // answered from the store with its warning (a false `notReadFrom`) instead of the raw files.
  it("is read from the raw files, each event once, without the store's warning", async () => {
    const logs = path.join(root, "recorded-twice");
    const store = `${logs}-store`;
    const recs = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
    for (const sync of ["sync-a", "sync-b"])
      await layoutFile(logs, "2026/11/24", NAME, recs, `${sync}/AWSLogs/111122223333`);
    const catalog = new LogCatalog(logs, `${store}-cache`);
    const { files } = await catalog.scan(dayRange(WEEK));
    const all = files.map((src) => ({ src, key: src.rel, id: src.identity }));
    await collectFiles({ store, window: WEEK }, catalog, all, {
      complete: true,
      at: new Date("2026-11-25T00:20:00Z"),
    });
    const e = await createLocalEngine({ store, logDir: logs, threads: 1 });
    engines.push(e);
    const r = await e.query(
      queryRequest("sql", QUERIES.sql, { start: new Date(FROM), end: new Date(TO) }),
    );
    expect(r.rows.map((x) => x[0])).toEqual(truth(recs).sql);
    expect(r.notReadFrom).toBeUndefined();
    expect(r.warnings.join("\n")).not.toContain("the store was collected up to");
  });
});

describe("a file the store lacks that the engine does not read by its name, in a folder of a day the store answers", () => {
  // Red-team: the raw files alone name such a file as not read (the step errors rather than
  // passes without its events); beside the store, the folders' listing was used for the files
  // to read beside it only, and the file was passed over without a word.
  it("is named as not read, as on the raw files", async () => {
    const logs = path.join(root, "unread-name");
    const store = `${logs}-store`;
    const recs = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
    await layoutFile(logs, "2026/11/24", "a", recs);
    await collectFromDir({ sourceDir: logs, store, window: WEEK });
    // Synced after the collect, compressed in a way the engine does not read.
    const bz2 = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/late.json.bz2";
    await fsp.writeFile(path.join(logs, bz2), "BZh9");
    for (const opts of [{ logDir: logs }, { store, logDir: logs }]) {
      const e = await createLocalEngine({ ...opts, threads: 1 });
      engines.push(e);
      for (const [dialect, q] of Object.entries(QUERIES)) {
        const w = { start: new Date(FROM), end: new Date(TO) };
        const r = await e.query(queryRequest(dialect as keyof typeof QUERIES, q, w));
        expect(r.rows.map((x) => x[0])).toEqual(truth(recs).sql);
        expect(r.unread).toEqual([bz2]);
        expect(r.warnings.join("\n")).toContain(`skipped ${bz2}: a file in a CloudTrail delivery`);
      }
    }
  });
});

describe("files read beside the store that hold events of the days around the window", () => {
  it("give the window its own events only, in both dialects", async () => {
    const logs = path.join(root, "around");
    const store = `${logs}-store`;
    const stored = [{ id: "a", time: "2026-11-24T10:00:00Z" }];
    await layoutFile(logs, "2026/11/24", "a", stored);
    await collectFromDir({ sourceDir: logs, store, window: WEEK });
    // Synced after the collect: a late event of the day before in the window's first folder,
    // the window's last minutes and the next day's first in the folder after it.
    const first = [
      { id: "day-before", time: "2026-11-23T23:58:00Z" },
      { id: "in-window", time: "2026-11-24T11:00:00Z" },
    ];
    const next = [
      { id: "last-minute", time: "2026-11-24T23:59:00Z" },
      { id: "day-after", time: "2026-11-25T00:30:00Z" },
    ];
    await layoutFile(logs, "2026/11/24", "y", first);
    await layoutFile(logs, "2026/11/25", "z", next);
    const all = [...stored, ...first, ...next];
    expect(await ids({ logDir: logs })).toEqual(truth(all));
    expect(await ids({ store, logDir: logs })).toEqual(truth(all));
  });
});

describe("a file read beside the store on a covered day, in a window that also has a day read raw", () => {
  // Mutation audit (sources: the raw days' range, not the window's, handed to the reader with
  // files beside the store): the beside file's day lay outside it, and its events were lost.
  it("gives the window the events of both", async () => {
    const logs = path.join(root, "beside-and-raw");
    const store = `${logs}-store`;
    const stored = [{ id: "a", time: "2026-11-23T10:00:00Z" }];
    await layoutFile(logs, "2026/11/23", "a", stored);
    // The store covers 2026/11/23 only; 2026/11/24 is read raw.
    const w = { start: new Date("2026-11-23T00:00:00Z"), end: new Date("2026-11-24T00:00:00Z") };
    await collectFromDir({ sourceDir: logs, store, window: w });
    const beside = [{ id: "late", time: "2026-11-23T11:00:00Z" }];
    const raw = [{ id: "b", time: "2026-11-24T10:00:00Z" }];
    await layoutFile(logs, "2026/11/23", "late", beside);
    await layoutFile(logs, "2026/11/24", "b", raw);
    const e = await createLocalEngine({ store, logDir: logs, threads: 1 });
    engines.push(e);
    const span = { start: new Date("2026-11-23T00:00:00Z"), end: new Date("2026-11-25T00:00:00Z") };
    const r = await e.query(queryRequest("sql", QUERIES.sql, span));
    expect(r.rows.map((x) => x[0])).toEqual(["a", "b", "late"]);
  });
});
