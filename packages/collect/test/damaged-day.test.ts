/**
 * A store's day file damaged after the collect wrote it (bytes changed in place, truncated): a
 * step over its day fails naming the file and the collect that reads the day again, never
 * answering from it, and that collect writes the day again from its objects (docs/collect.md).
 */
import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalEngine, LogCatalog, readManifest, STORE_DAYS } from "@run-md/engine-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRequest } from "../../core/test/query-request.ts";
import { tempDir } from "../../engine-local/test/helpers.ts";
import { repairDamagedDays } from "../src/damaged.ts";
import { collectFiles, collectFromDir, verifyStore } from "../src/index.ts";
import { layoutFile, storeContents, truth } from "./truth.ts";

const DAYS = ["2024/03/01", "2024/03/02", "2024/03/03"];
const ALL = { start: new Date("2024-03-01T00:00:00Z"), end: new Date("2024-03-04T00:00:00Z") };
const dayWindow = (day: string) => {
  const start = new Date(`${day.replaceAll("/", "-")}T00:00:00Z`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
};
/** By hand: 40 events a day, ids `<day>-<n>`, one an hour from 00:00 (no late ones). */
const want = (day: string) =>
  Array.from({ length: 40 }, (_, i) => `${day.replaceAll("/", "")}-${String(i).padStart(2, "0")}`);
let root: string;
let logs: string;

beforeAll(async () => {
  root = await tempDir("run-md-damaged-day-");
  logs = path.join(root, "logs");
  for (const day of DAYS) {
    const recs = want(day).map((id, i) => ({
      id,
      time: `${day.replaceAll("/", "-")}T${String(i % 24).padStart(2, "0")}:${String(i).padStart(2, "0")}:00Z`,
      extra: { sourceIPAddress: `10.0.0.${i}`, userAgent: `agent-${"x".repeat(i)}` },
    }));
    await layoutFile(logs, day, "a", recs);
  }
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function ids(store: string, day: string): Promise<string[]> {
  const e = await createLocalEngine({ store, threads: 1, cacheLimit: "0" });
  try {
    const sql = "SELECT eventid FROM cloudtrail_logs ORDER BY eventid";
    return (await e.query(queryRequest("sql", sql, dayWindow(day)))).rows.map((r) => String(r[0]));
  } finally {
    await e.close();
  }
}

async function refusal(store: string, day: string) {
  return ids(store, day).then(
    () => null,
    (e: Error & { code?: string; hint?: string }) => e,
  );
}

async function freshStore(name: string): Promise<{ store: string; file: (day: string) => string }> {
  const store = path.join(root, name);
  await collectFromDir({ sourceDir: logs, store, window: ALL });
  const m = await readManifest(store);
  return { store, file: (day) => path.join(store, m.days[day]?.file ?? "none") };
}

/** Bytes in the middle of the file inverted, its size kept. */
async function flipMiddle(file: string): Promise<void> {
  const fh = await fsp.open(file, "r+");
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(64);
    await fh.read(buf, 0, 64, size >> 1);
    for (let i = 0; i < buf.length; i++) buf[i] = (buf[i] as number) ^ 0xff;
    await fh.write(buf, 0, 64, size >> 1);
  } finally {
    await fh.close();
  }
}

describe("a day file damaged after the collect", () => {
  it("with bytes changed in place: a step fails naming it and the collect; that collect writes the day again", async () => {
    const { store, file } = await freshStore("flipped");
    const damaged = file("2024/03/02");
    const sizeBefore = (await fsp.stat(damaged)).size;
    await flipMiddle(damaged);
    expect((await fsp.stat(damaged)).size).toBe(sizeBefore);
    const err = await refusal(store, "2024/03/02");
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toBe(
      `The store's file for 2024/03/02 (${damaged}) holds other bytes than the collect wrote (its SHA-256 is not the one recorded): it is not the file that was collected, and the day's events cannot be trusted.`,
    );
    expect(err?.hint).toContain("run-md collect --from 2024-03-02 --to 2024-03-03");
    // The other days still answer.
    expect(await ids(store, "2024/03/03")).toEqual(want("2024/03/03"));
    // --verify names it.
    const v = await verifyStore(store);
    expect(v.damaged.map((d) => [d.day, d.file])).toEqual([["2024/03/02", damaged]]);
    // The remedy the hint gives: the collect of that day.
    const r = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/02") });
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${damaged}) holds other bytes than the collect wrote (its SHA-256 is not the one recorded): its objects are read again now`,
    );
    expect(r.daysWritten).toEqual(["2024/03/02"]);
    for (const day of DAYS) expect(await ids(store, day)).toEqual(want(day));
    await expect(fsp.stat(damaged)).rejects.toThrow();
    expect((await verifyStore(store)).damaged).toEqual([]);
  });

  it("truncated: a step fails naming it, and the collect of the day writes it again", async () => {
    const { store, file } = await freshStore("truncated");
    const damaged = file("2024/03/01");
    const size = (await fsp.stat(damaged)).size;
    await fsp.truncate(damaged, size >> 1);
    const err = await refusal(store, "2024/03/01");
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(
      `(${damaged}) holds ${size >> 1} bytes, where the collect wrote ${size} bytes`,
    );
    expect(err?.hint).toContain("run-md collect --from 2024-03-01 --to 2024-03-02");
    const r = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/01") });
    expect(r.warnings.some((w) => w.startsWith("the store's file for 2024/03/01 "))).toBe(true);
    for (const day of DAYS) expect(await ids(store, day)).toEqual(want(day));
  });

  it("outside a collect's window: the day and the one before are no longer collected, until a collect of them", async () => {
    const { store, file } = await freshStore("outside");
    const damaged = file("2024/03/02");
    await flipMiddle(damaged);
    const r = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/03") });
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${damaged}) holds other bytes than the collect wrote (its SHA-256 is not the one recorded): it is not collected, nor the day before (whose late events it holds), until a collect of them: run-md collect --from 2024-03-01 --to 2024-03-03`,
    );
    for (const day of ["2024/03/01", "2024/03/02"])
      expect((await refusal(store, day))?.code).toBe("store-not-collected");
    expect(await ids(store, "2024/03/03")).toEqual(want("2024/03/03"));
    await collectFromDir({
      sourceDir: logs,
      store,
      window: { start: dayWindow("2024/03/01").start, end: dayWindow("2024/03/02").end },
    });
    for (const day of DAYS) expect(await ids(store, day)).toEqual(want(day));
  });

  it("a day file with its bytes as written and another modification time (a copied store) is read, and the next collect records that time", async () => {
    const { store, file } = await freshStore("copied");
    const f = file("2024/03/02");
    const later = new Date(Date.now() + 60_000);
    await fsp.utimes(f, later, later);
    expect(await ids(store, "2024/03/02")).toEqual(want("2024/03/02"));
    await collectFromDir({ sourceDir: logs, store, window: ALL });
    const d = (await readManifest(store)).days["2024/03/02"];
    expect(d?.mtimeMs).toBe((await fsp.stat(f)).mtimeMs);
    expect(d?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** The raw files' event ids of a day, sorted: read from the source records in plain JavaScript. */
async function rawIds(dir: string, day: string): Promise<string[]> {
  return [...((await truth(dir)).get(day)?.keys() ?? [])].sort();
}

/** How many events the store answers for a day (a step's `count(*)`). */
async function count(store: string, day: string): Promise<number> {
  const e = await createLocalEngine({ store, threads: 1, cacheLimit: "0" });
  try {
    const sql = "SELECT count(*) FROM cloudtrail_logs";
    return Number((await e.query(queryRequest("sql", sql, dayWindow(day)))).rows[0]?.[0]);
  } finally {
    await e.close();
  }
}

describe("a day file gone from the store (removed by hand, a disk cleanup)", () => {
  it("a step fails naming the collect that repairs it, --verify names it, and that collect reads the day again", async () => {
    const { store, file } = await freshStore("gone");
    const gone = file("2024/03/02");
    await fsp.rm(gone);
    const err = await refusal(store, "2024/03/02");
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toBe(
      `The store's file for 2024/03/02 (${gone}) is gone: the day's events cannot be read from the store.`,
    );
    expect(err?.hint).toContain(
      "Collect the day again: run-md collect --from 2024-03-02 --to 2024-03-03 ",
    );
    // --verify names it, once.
    const v = await verifyStore(store);
    expect(v.damaged).toEqual([{ day: "2024/03/02", file: gone, why: "is gone" }]);
    // The remedy the hint gives: the collect of that day (it was refused: "remove the store").
    const r = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/02") });
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${gone}) is gone: its objects are read again now`,
    );
    expect(r.daysWritten).toEqual(["2024/03/02"]);
    // The day's entries in the manifest no longer counted as collected: its object read again.
    expect(r.objectsNew).toBe(1);
    for (const day of DAYS) {
      expect(await ids(store, day)).toEqual(await rawIds(logs, day));
      expect(await count(store, day)).toBe((await truth(logs)).get(day)?.size);
    }
    expect((await verifyStore(store)).damaged).toEqual([]);
  });

  it("outside a collect's window: left alone but said, the day and the one before not collected until a collect of them", async () => {
    const { store, file } = await freshStore("gone-outside");
    const gone = file("2024/03/02");
    await fsp.rm(gone);
    const r = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/03") });
    expect(r.warnings).toContain(
      `the store's file for 2024/03/02 (${gone}) is gone: it is not collected, nor the day before (whose late events it holds), until a collect of them: run-md collect --from 2024-03-01 --to 2024-03-03`,
    );
    expect(r.daysWritten).toEqual([]);
    for (const day of ["2024/03/01", "2024/03/02"]) {
      const err = await refusal(store, day);
      expect(err?.code).toBe("store-not-collected");
      expect(err?.hint).toContain("run-md collect --from ");
    }
    expect(await count(store, "2024/03/03")).toBe((await truth(logs)).get("2024/03/03")?.size);
    await collectFromDir({
      sourceDir: logs,
      store,
      window: { start: dayWindow("2024/03/01").start, end: dayWindow("2024/03/02").end },
    });
    for (const day of DAYS) expect(await ids(store, day)).toEqual(await rawIds(logs, day));
  });

  it("holding events of another source: a collect of one source is refused, the store left as it was", async () => {
    const other = path.join(root, "other-trail-gone");
    await layoutFile(other, "2024/03/02", "b", [
      { id: "20240302-b0", time: "2024-03-02T00:30:00Z" },
    ]);
    const { store } = await freshStore("gone-two-sources");
    await collectFromDir({ sourceDir: other, store, window: ALL });
    const gone = path.join(store, (await readManifest(store)).days["2024/03/02"]!.file);
    await fsp.rm(gone);
    const before = await fsp.readFile(path.join(store, "manifest.json"), "utf8");
    const err = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/02") })
      .then(() => null)
      .catch((e: Error & { code?: string }) => e);
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(
      `The store's file for 2024/03/02 (${gone}) is gone, and the day also holds events of 1 object(s) this collect does not list (`,
    );
    expect(err?.message).toContain("/2024/03/02/b.json.gz");
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(before);
    expect((await refusal(store, "2024/03/02"))?.code).toBe("bad-store");
    // Nor from the other source alone: the day holds this one's object too.
    const theirs = await collectFromDir({
      sourceDir: other,
      store,
      window: dayWindow("2024/03/02"),
    })
      .then(() => null)
      .catch((e: Error & { code?: string }) => e);
    expect(theirs?.message).toContain("/2024/03/02/a.json.gz");
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(before);
  });

  it("removed after the collect's repair (collectFiles alone): refused, nothing changed, the hint naming the collect", async () => {
    const { store, file } = await freshStore("gone-late");
    const gone = file("2024/03/02");
    await fsp.rm(gone);
    const before = await fsp.readFile(path.join(store, "manifest.json"), "utf8");
    const catalog = new LogCatalog(logs, path.join(root, "gone-late-cache"));
    const run = { store, window: dayWindow("2024/03/02") };
    const err = await collectFiles(run, catalog, []).then(
      () => null,
      (e: Error & { code?: string; hint?: string }) => e,
    );
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(`names ${gone} for 2024/03/02, and it is missing.`);
    expect(err?.hint).toContain("run-md collect --from 2024-03-02 --to 2024-03-03");
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(before);
  });

  it("a folder in the day file's place: refused naming it, nothing changed; once moved away, the day is read again", async () => {
    const { store, file } = await freshStore("folder-in-place");
    const day = DAYS[1] as string;
    const at = file(day);
    await fsp.rm(at);
    await fsp.mkdir(at);
    await fsp.writeFile(path.join(at, "notes.txt"), "kept");
    const before = await fsp.readFile(path.join(store, "manifest.json"), "utf8");
    const e = await collectFromDir({ sourceDir: logs, store, window: ALL }).then(
      () => null,
      (x: Error & { code?: string; hint?: string }) => x,
    );
    expect(e?.code).toBe("bad-store");
    expect(e?.message).toBe(
      `The store's file for ${day} (${at}) is no file (a folder, or another kind of entry): nothing was collected.`,
    );
    expect(e?.hint).toContain(`Move ${at} out of the store`);
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(before);
    expect(await fsp.readFile(path.join(at, "notes.txt"), "utf8")).toBe("kept");
    await fsp.rm(at, { recursive: true });
    await collectFromDir({ sourceDir: logs, store, window: ALL });
    expect(await ids(store, day)).toEqual(want(day));
  });

  it("a repair collect killed after its first day leaves whole days only; the next collect finishes it", async () => {
    const { store, file } = await freshStore("gone-killed");
    const [first, second] = [file("2024/03/01"), file("2024/03/02")];
    await fsp.rm(first);
    await fsp.rm(second);
    const here = path.dirname(fileURLToPath(import.meta.url));
    const [start, end] = [ALL.start.toISOString(), ALL.end.toISOString()];
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(here, "kill-after-first-day.ts"), logs, store, start, end],
      { encoding: "utf8" },
    );
    expect(child.signal, child.stderr).toBe("SIGKILL");
    // 03/01's file committed whole, 03/02 forgotten; neither covered until the collect ends, so
    // steps over them say so rather than answer short. Every file the manifest names is there.
    const m = await readManifest(store);
    expect(Object.keys(m.days).sort()).toEqual(["2024/03/01", "2024/03/03"]);
    const held = await storeContents(store);
    expect([...(held.get("2024/03/01")?.keys() ?? [])].sort()).toEqual(
      await rawIds(logs, "2024/03/01"),
    );
    for (const day of ["2024/03/01", "2024/03/02"])
      expect((await refusal(store, day))?.code).toBe("store-not-collected");
    expect(await ids(store, "2024/03/03")).toEqual(await rawIds(logs, "2024/03/03"));
    expect((await verifyStore(store)).damaged).toEqual([]);
    const resumed = await collectFromDir({ sourceDir: logs, store, window: ALL });
    expect(resumed.daysWritten).toEqual(["2024/03/02"]);
    for (const day of DAYS) {
      expect(await ids(store, day)).toEqual(await rawIds(logs, day));
      expect(await count(store, day)).toBe((await truth(logs)).get(day)?.size);
    }
    const files = (await fsp.readdir(path.join(store, STORE_DAYS), { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith(".parquet"));
    expect(files).toHaveLength(3);
  });
});

describe("a damaged day that also holds events collected from another source", () => {
  it("is refused by a collect of one source, the store left as it was, never written again without the other's events", async () => {
    const other = path.join(root, "other-trail");
    const theirs = ["20240302-b0", "20240302-b1", "20240302-b2"];
    await layoutFile(
      other,
      "2024/03/02",
      "b",
      theirs.map((id, i) => ({ id, time: `2024-03-02T0${i}:30:00Z` })),
    );
    const { store } = await freshStore("two-sources");
    await collectFromDir({ sourceDir: other, store, window: ALL });
    const both = [...want("2024/03/02"), ...theirs].sort();
    expect(await ids(store, "2024/03/02")).toEqual(both);
    const damaged = path.join(store, (await readManifest(store)).days["2024/03/02"]!.file);
    await flipMiddle(damaged);
    const before = await fsp.readFile(path.join(store, "manifest.json"), "utf8");
    // The collect the step's hint gives, from the first source only
    const err = await collectFromDir({ sourceDir: logs, store, window: dayWindow("2024/03/02") })
      .then(() => null)
      .catch((e: Error & { code?: string; hint?: string }) => e);
    expect(err?.code).toBe("bad-store");
    expect(err?.message).toContain(
      `The store's file for 2024/03/02 (${damaged}) holds other bytes`,
    );
    expect(err?.message).toContain("1 object(s) this collect does not list (");
    expect(err?.message).toContain("/2024/03/02/b.json.gz");
    // Nothing changed: the day is still refused as damaged, never answered without b0..b2.
    expect(await fsp.readFile(path.join(store, "manifest.json"), "utf8")).toBe(before);
    expect((await refusal(store, "2024/03/02"))?.code).toBe("bad-store");
    expect(await ids(store, "2024/03/03")).toEqual(want("2024/03/03"));
  });
});

describe("a collect stopped between forgetting a damaged day and writing it again", () => {
  it("leaves the day before not collected, never answered without its late events in the lost file", async () => {
    const logs2 = path.join(root, "late-logs");
    await layoutFile(logs2, "2024/03/01", "a", [{ id: "d1-a", time: "2024-03-01T10:00:00Z" }]);
    // Delivered on 03/02: one event of 03/01, late
    await layoutFile(logs2, "2024/03/02", "a", [
      { id: "d1-late", time: "2024-03-01T23:55:00Z" },
      { id: "d2-a", time: "2024-03-02T10:00:00Z" },
    ]);
    const store = path.join(root, "stopped");
    const twoDays = { start: ALL.start, end: dayWindow("2024/03/02").end };
    await collectFromDir({ sourceDir: logs2, store, window: twoDays });
    expect(await ids(store, "2024/03/01")).toEqual(["d1-a", "d1-late"]);
    const m = await readManifest(store);
    await fsp.truncate(path.join(store, m.days["2024/03/02"]!.file), 100);
    // The collect of 03/02's first write (the repair's manifest), then the process killed.
    await repairDamagedDays(store, dayWindow("2024/03/02"), new Set(Object.keys(m.objects)));
    expect((await refusal(store, "2024/03/01"))?.code).toBe("store-not-collected");
    // A collect of both days (what runs over 03/01 now ask for) gives it back whole.
    await collectFromDir({ sourceDir: logs2, store, window: twoDays });
    expect(await ids(store, "2024/03/01")).toEqual(["d1-a", "d1-late"]);
    expect(await ids(store, "2024/03/02")).toEqual(["d2-a"]);
  });
});

describe("verifyStore on a folder that is no store", () => {
  it("is refused naming the folder, never 'none damaged'", async () => {
    const empty = path.join(root, "empty-folder");
    await fsp.mkdir(empty, { recursive: true });
    for (const store of [empty, path.join(root, "no-such-store")]) {
      const err = await verifyStore(store).then(
        () => null,
        (e: Error & { code?: string; hint?: string }) => e,
      );
      expect(err?.code).toBe("bad-store");
      expect(err?.message).toBe(
        `${store} is no run-md store (it has no manifest.json): nothing to verify`,
      );
      expect(err?.hint).toContain("--store");
    }
  });
});
