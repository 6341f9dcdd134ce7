/**
 * A collect of a window reads the folder of the day after it too (CloudTrail delivers the last
 * minutes of a day into the next day's folder): the store must not take that partial next day
 * for a collected one, nor keep an event twice across the two days when a collect stops between
 * them, nor read a window whose own folders are empty as one with objects. The truth is read from
 * the raw records written here.
 */
import { spawnSync } from "node:child_process";
import fs, { promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { createLocalEngine, type LocalEngine, readManifest } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { collectFromDir } from "../src/index.ts";
import { layoutFile, ORGANIZATION_TRAIL } from "./truth.ts";

let root: string;
const engines: LocalEngine[] = [];
beforeAll(async () => {
  root = await tempDir("run-md-day-boundary-");
});
afterAll(async () => {
  for (const e of engines) await e.close();
  await fsp.rm(root, { recursive: true, force: true });
});

const THE_20TH = { start: new Date("2026-11-20T00:00:00Z"), end: new Date("2026-11-21T00:00:00Z") };

/** Every record under `dir` whose time is in [from, to): its id. */
async function truth(dir: string, from: string, to: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await fsp.readdir(dir, { recursive: true })).map(String)) {
    if (!n.endsWith(".json.gz")) continue;
    const text = zlib.gunzipSync(await fsp.readFile(path.join(dir, n))).toString();
    for (const r of JSON.parse(text).Records as { eventID: string; eventTime: string }[]) {
      const t = Date.parse(r.eventTime);
      if (t >= Date.parse(from) && t < Date.parse(to)) out.push(r.eventID);
    }
  }
  return out.sort();
}

async function ids(opts: { store?: string; logDir?: string }, from: string, to: string) {
  const e = await createLocalEngine({ ...opts, threads: 1 });
  engines.push(e);
  const w = { start: new Date(from), end: new Date(to) };
  const r = await e.query(queryRequest("sql", "SELECT eventid FROM cloudtrail_logs ORDER BY 1", w));
  return r.rows.map((x) => String(x[0]));
}

describe("the day after a collected window", () => {
  it("is no day found for a later collect of everything from another source (review)", async () => {
    const [trail, archive, store] = ["f2-trail", "f2-archive", "f2-store"].map((d) =>
      path.join(root, d),
    );
    await layoutFile(trail!, "2026/11/20", "a", [{ id: "e1-day", time: "2026-11-20T10:00:00Z" }]);
    await layoutFile(trail!, "2026/11/21", "early", [
      { id: "e2-early", time: "2026-11-21T00:01:00Z" },
    ]);
    // The 20th collected just after midnight: the 21st's file holds its first minutes only.
    await collectFromDir({ sourceDir: trail!, store: store!, window: THE_20TH });
    await layoutFile(trail!, "2026/11/21", "noon", [
      { id: "e4-noon", time: "2026-11-21T12:00:00Z" },
    ]);
    await layoutFile(archive!, "2026/11/01", "old", [
      { id: "e0-old", time: "2026-11-01T10:00:00Z" },
    ]);
    await collectFromDir({ sourceDir: archive!, store: store!, window: null });
    expect((await readManifest(store!)).covered).toEqual([
      { from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z" },
      { from: "2026-11-20T00:00:00Z", to: "2026-11-21T00:00:00Z" },
    ]);
    // The 21st is not collected: with the raw files as the fallback, they answer it.
    const [from, to] = ["2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"];
    expect(await ids({ store: store!, logDir: trail! }, from, to)).toEqual(
      await truth(trail!, from, to),
    );
  });

  it("gets the day's late events a first collect did not see from the next collect of the day", async () => {
    const [logs, store] = ["f1-logs", "f1-store"].map((d) => path.join(root, d));
    await layoutFile(logs!, "2026/11/20", "a", [{ id: "e1-day", time: "2026-11-20T10:00:00Z" }]);
    await collectFromDir({ sourceDir: logs!, store: store!, window: THE_20TH });
    // Delivered after that collect, into the 21st's folder.
    await layoutFile(logs!, "2026/11/21", "late", [
      { id: "e3-late", time: "2026-11-20T23:58:00Z" },
    ]);
    await collectFromDir({ sourceDir: logs!, store: store!, window: THE_20TH });
    const [from, to] = ["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"];
    expect(await truth(logs!, from, to)).toEqual(["e1-day", "e3-late"]);
    expect(await ids({ store: store! }, from, to)).toEqual(["e1-day", "e3-late"]);
  });
});

/** The 20th collected from an account trail; the organization trail delivered e-mid too. */
async function twoTrails(tag: string) {
  const [acct, org, store] = ["acct", "org", "store"].map((d) => path.join(root, `f3-${tag}-${d}`));
  // The account trail delivered e-mid (23:58) at 00:04, into the 21st's folder...
  await layoutFile(acct!, "2026/11/20", "a", [{ id: "e-early", time: "2026-11-20T10:00:00Z" }]);
  await layoutFile(acct!, "2026/11/21", "a", [{ id: "e-mid", time: "2026-11-20T23:58:00Z" }]);
  // ...the organization trail at 23:59, into the 20th's.
  await layoutFile(
    org!,
    "2026/11/20",
    "o",
    [{ id: "e-mid", time: "2026-11-20T23:58:00Z" }],
    ORGANIZATION_TRAIL,
  );
  await layoutFile(
    org!,
    "2026/11/21",
    "o",
    [{ id: "e-next", time: "2026-11-21T00:30:00Z" }],
    ORGANIZATION_TRAIL,
  );
  await collectFromDir({ sourceDir: acct!, store: store!, window: THE_20TH });
  return { org: org!, store: store! };
}
const W = ["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"] as const;

describe("an event delivered into two days by two trails", () => {
  const here = path.dirname(fileURLToPath(import.meta.url));

  it("is kept once by a whole collect of the second trail", async () => {
    const { org, store } = await twoTrails("full");
    await collectFromDir({ sourceDir: org, store, window: THE_20TH });
    expect(await ids({ store }, ...W)).toEqual(["e-early", "e-mid"]);
  });

  it("is kept once when that collect is killed after its first day's commit (review)", async () => {
    const { org, store } = await twoTrails("killed");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(here, "kill-after-first-day.ts"), org, store, ...W],
      { encoding: "utf8" },
    );
    expect(child.signal).toBe("SIGKILL");
    expect(await ids({ store }, ...W)).toEqual(["e-early", "e-mid"]);
  });
});

describe("a collect writing a day and the next, whose stored file holds copies of the day's new events", () => {
  // Red-team: the day's commit drops the copies from the stored next day and was to remove that
  // file only once every day was committed (the next day's write, in flight beside it, reads it),
  // yet removed it at once: the next day's write then failed on a file gone (DuckDB's "No files
  // found"), and the collect with it.
  it("leaves the stored next day's file to the write that reads it: the collect ends, each event once", async () => {
    const { org, store } = await twoTrails("in-flight");
    // The next day's new objects take a while to type, so the day's commit comes first.
    const many = Array.from({ length: 60_000 }, (_, i) => ({
      id: `e-21-${i}`,
      time: "2026-11-21T02:00:00Z",
    }));
    await layoutFile(org, "2026/11/21", "many", many, ORGANIZATION_TRAIL);
    const window = { start: THE_20TH.start, end: new Date("2026-11-22T00:00:00Z") };
    const r = await collectFromDir({ sourceDir: org, store, window });
    expect(r.daysWritten.sort()).toEqual(["2026/11/20", "2026/11/21"]);
    // The file it left to that write is gone once the collect ends: every file is a named one.
    const named = Object.values((await readManifest(store)).days).map((d) => d.file);
    const files = fs.readdirSync(path.join(store, "days"), { recursive: true }).map(String);
    expect(
      files
        .filter((f) => f.endsWith(".parquet"))
        .map((f) => `days/${f}`)
        .sort(),
    ).toEqual(named.sort());
    const acct = path.join(root, "f3-in-flight-acct");
    const [from, to] = ["2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z"];
    const both = [...new Set([...(await truth(acct, from, to)), ...(await truth(org, from, to))])];
    expect(await ids({ store }, from, to)).toEqual(both.sort());
  });
});

describe("a day's commit that fails after it dropped copies from the stored next day", () => {
  it("keeps the next day's file the manifest still names (review)", async () => {
    const { org, store } = await twoTrails("failed");
    const manifest = path.join(store, "manifest.json");
    const saved = await fsp.readFile(manifest);
    const dayDir = path.join(store, "days/2026/11/20");
    const before = new Set(fs.readdirSync(dayDir));
    // Once the 20th's new file is written, the manifest cannot be replaced (a folder in its
    // place: its atomic rename fails, as on a full disk).
    const timer = setInterval(() => {
      if (!fs.readdirSync(dayDir).some((n) => !before.has(n))) return;
      clearInterval(timer);
      fs.rmSync(manifest);
      fs.mkdirSync(path.join(manifest, "x"), { recursive: true });
    }, 0);
    const err = await collectFromDir({ sourceDir: org, store, window: THE_20TH }).catch(
      (e: Error) => e,
    );
    clearInterval(timer);
    expect(err).toBeInstanceOf(Error);
    await fsp.rm(manifest, { recursive: true });
    await fsp.writeFile(manifest, saved);
    const named = (await readManifest(store)).days["2026/11/21"]!.file;
    expect(fs.existsSync(path.join(store, named))).toBe(true);
    expect(await ids({ store }, ...W)).toEqual(["e-early", "e-mid"]);
  });
});

describe("a window whose own day folder is empty (a stopped trail)", () => {
  it("is said to have no objects, though the next day's folder has some (review)", async () => {
    const [logs, store] = ["f4-logs", "f4-store"].map((d) => path.join(root, d));
    await layoutFile(logs!, "2026/11/19", "a", [{ id: "e0", time: "2026-11-19T10:00:00Z" }]);
    await layoutFile(logs!, "2026/11/21", "a", [{ id: "e2", time: "2026-11-21T08:00:00Z" }]);
    const r = await collectFromDir({ sourceDir: logs!, store: store!, window: THE_20TH });
    expect(await truth(logs!, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")).toEqual([]);
    expect(r.warnings).toContain(`no objects in the window in ${path.resolve(logs!)}`);
  });
});
