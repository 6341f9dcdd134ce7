/**
 * The catalog's scan of a log directory (files.ts `LogCatalog.scan`): the files a window needs,
 * and what it leaves out. Folders of the delivery layout outside the days are counted, never
 * entered for their files' details: the count and the days it covers are what a step's
 * statistics and its "no data" error say.
 */
import fs, { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogCatalog, layoutDay, parseEvents } from "../src/files.ts";
import { tempDir } from "./helpers.ts";

let root: string;
const region = (r: string) => path.join("AWSLogs", "111122223333", "CloudTrail", r);

/** Writes `rel` (a file, or a folder when it ends with /) under the log directory. */
async function put(rel: string): Promise<void> {
  const full = path.join(root, rel);
  if (rel.endsWith("/")) return void (await fsp.mkdir(full, { recursive: true }));
  await fsp.mkdir(path.dirname(full), { recursive: true });
  await fsp.writeFile(full, '{"Records":[]}');
}

beforeAll(async () => {
  root = await tempDir("run-md-catalog-");
  for (const rel of [
    // In the window (2024/03/02 to 2024/03/03).
    `${region("us-east-1")}/2024/03/02/a.json.gz`,
    `${region("us-east-1")}/2024/03/03/b.json`,
    // Outside it: a day, a month and a year of the layout, in two regions.
    `${region("us-east-1")}/2024/03/01/c.json.gz`,
    `${region("us-east-1")}/2024/03/01/d.jsonl`,
    `${region("eu-west-1")}/2024/02/27/e.json.gz`,
    `${region("eu-west-1")}/2023/12/31/f.ndjson.gz`,
    // Not event files, outside the window: never counted.
    `${region("us-east-1")}/2024/03/01/notes.txt`,
    `${region("eu-west-1")}/2024/02/27/digest.json.gz/`,
  ]) {
    await put(rel);
  }
});

afterAll(async () => {
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

/**
 * A log directory `logs/` with `a/1.json`, `b/2.json` and `top.json`, and `secret/s.json` beside
 * it; once `logs/a` has been listed, `logs/b` is replaced by `replace(b)` (after its parent was
 * listed as holding a plain folder `b`).
 */
async function scanWhileReplacing(replace: (b: string, base: string) => void) {
  const base = await tempDir("run-md-catalog-race-");
  const logs = path.join(base, "logs");
  for (const f of ["logs/a/1.json", "logs/b/2.json", "logs/top.json", "secret/s.json"]) {
    await fsp.mkdir(path.dirname(path.join(base, f)), { recursive: true });
    await fsp.writeFile(path.join(base, f), '{"Records":[]}');
  }
  // The scan lists folders synchronously (files.ts): b changes right after a is listed.
  const readdir = fs.readdirSync;
  let replaced = false;
  const patched = (...args: Parameters<typeof readdir>) => {
    const entries = (readdir as (...a: unknown[]) => unknown).apply(fs, args);
    if (!replaced && String(args[0]) === path.join(logs, "a")) {
      replaced = true;
      fs.rmSync(path.join(logs, "b"), { recursive: true });
      replace(path.join(logs, "b"), base);
    }
    return entries;
  };
  (fs as { readdirSync: unknown }).readdirSync = patched;
  try {
    return await new LogCatalog(logs, path.join(base, ".cache")).scan(null);
  } finally {
    (fs as { readdirSync: unknown }).readdirSync = readdir;
    await fsp.rm(base, { recursive: true, force: true });
  }
}

describe("parseEvents", () => {
  it("tells a pretty-printed document with a syntax error by where it broke, and lines by the first bad one", () => {
    // Three of its lines parse alone ("a", "b", 1): still one document, broken at one place.
    const pretty = '{\n  "Records": [\n    "a",\n    "b"\n    1\n  ]\n}';
    // The `1` after "b" is where it broke: line 5, column 5 (counted by hand), and two lines
    // further down behind a byte order mark and two blank lines (the file's lines, not the text's).
    expect(parseEvents(pretty).error).toBe("malformed JSON (line 5, column 5)");
    expect(parseEvents(`\uFEFF\n\n${pretty}`).error).toBe("malformed JSON (line 7, column 5)");
    const lines = '{"eventName":"A"}\n{"eventName":"B"}\n{"eventNa';
    expect(parseEvents(lines)).toEqual({
      objects: [],
      notes: [],
      error: "malformed JSON on 1 of its 3 lines (the first: line 3)",
    });
  });
});

describe("layoutDay", () => {
  it("reads the day of a delivery path, and none from folders named as no day", () => {
    const key = (d: string) => `AWSLogs/111122223333/CloudTrail/us-east-1/${d}/x.json.gz`;
    expect(layoutDay(key("2024/02/29"))).toBe("2024/02/29");
    for (const d of ["2023/02/29", "2026/13/01", "2026/00/05", "2026/04/31"]) {
      expect(layoutDay(key(d)), d).toBeNull();
    }
  });
});

describe("LogCatalog.scan", () => {
  it("lists the window's files and counts the event files outside it, with their days", async () => {
    const catalog = new LogCatalog(root, path.join(root, ".cache"));
    const scan = await catalog.scan({ first: "2024/03/02", last: "2024/03/03" });
    expect(scan.files.map((f) => f.rel)).toEqual([
      `${region("us-east-1")}/2024/03/02/a.json.gz`,
      `${region("us-east-1")}/2024/03/03/b.json`,
    ]);
    expect(scan.outside).toBe(4);
    expect(scan.outsideDays).toEqual({ first: "2023/12/31", last: "2024/03/01" });
    expect(scan.warnings).toEqual([]);
  });

  it("keeps the count outside the window while its folders are unchanged, and counts again when any of them changes", async () => {
    const dir = await tempDir("run-md-catalog-kept-");
    try {
      const east = path.join(dir, region("us-east-1"));
      const file = (rel: string) => path.join(east, rel);
      for (const rel of ["2024/01/05/a.json.gz", "2024/01/06/b.json.gz", "2024/03/02/c.json.gz"]) {
        await fsp.mkdir(path.dirname(file(rel)), { recursive: true });
        await fsp.writeFile(file(rel), '{"Records":[]}');
      }
      // Folders last changed a day ago: settled, so their count is kept.
      const settle = async () => {
        const old = new Date(Date.now() - 86_400_000);
        for (const d of ["2024/01/05", "2024/01/06", "2024/01", "2024", "2024/03/02", "2024/03"]) {
          await fsp.utimes(file(d), old, old);
        }
        return old;
      };
      const old = await settle();
      const catalog = new LogCatalog(dir, path.join(dir, ".cache"));
      const days = { first: "2024/03/02", last: "2024/03/02" };
      const outside = async () => {
        const s = await catalog.scan(days);
        return [s.outside, s.outsideDays?.first, s.outsideDays?.last];
      };
      expect(await outside()).toEqual([2, "2024/01/05", "2024/01/06"]);
      // Kept: a file added behind the folder's back (its time set back) is not seen. This is what
      // spares a step the listing of every other day; any real change moves a folder's time.
      await fsp.writeFile(file("2024/01/05/hidden.json.gz"), "");
      await fsp.utimes(file("2024/01/05"), old, old);
      expect(await outside()).toEqual([2, "2024/01/05", "2024/01/06"]);
      // A file added to a day folder two levels below the outside folder (2024/01) is counted.
      await fsp.writeFile(file("2024/01/06/d.json.gz"), "");
      expect(await outside()).toEqual([4, "2024/01/05", "2024/01/06"]);
      await settle();
      expect(await outside()).toEqual([4, "2024/01/05", "2024/01/06"]);
      // A file removed, and a new day folder under the month: both seen.
      await fsp.rm(file("2024/01/06/b.json.gz"));
      await fsp.mkdir(file("2024/01/09"));
      await fsp.writeFile(file("2024/01/09/e.json.gz"), "");
      expect(await outside()).toEqual([4, "2024/01/05", "2024/01/09"]);
      await settle();
      // A day folder removed whole.
      await fsp.rm(file("2024/01/05"), { recursive: true });
      expect(await outside()).toEqual([2, "2024/01/06", "2024/01/09"]);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("counts again a folder changed in the last seconds, whose time a coarse clock may not move", async () => {
    const dir = await tempDir("run-md-catalog-recent-");
    try {
      const day = path.join(dir, region("us-east-1"), "2024", "01", "05");
      await fsp.mkdir(day, { recursive: true });
      await fsp.writeFile(path.join(day, "a.json.gz"), "");
      // The folder's time on a one-second clock, as FAT or HFS+ keep it.
      const tick = Math.floor(Date.now() / 1000);
      await fsp.utimes(day, tick, tick);
      const catalog = new LogCatalog(dir, path.join(dir, ".cache"));
      const days = { first: "2024/03/02", last: "2024/03/02" };
      expect((await catalog.scan(days)).outside).toBe(1);
      // A file added within the same tick: the folder's time is unchanged.
      await fsp.writeFile(path.join(day, "b.json.gz"), "");
      await fsp.utimes(day, tick, tick);
      expect((await catalog.scan(days)).outside).toBe(2);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("walks a folder reached twice through symbolic links once, and a link back to the root not at all", async () => {
    const links = await tempDir("run-md-catalog-links-");
    try {
      await fsp.mkdir(path.join(links, "logs"));
      await fsp.symlink(path.join(root, "AWSLogs"), path.join(links, "logs", "a"));
      await fsp.symlink(path.join(root, "AWSLogs"), path.join(links, "logs", "b"));
      await fsp.symlink(path.join(links, "logs"), path.join(links, "logs", "c"));
      // The links lead outside this log directory: nothing is read through them.
      const outsideScan = await new LogCatalog(
        path.join(links, "logs"),
        path.join(links, ".c"),
      ).scan();
      expect(outsideScan.files).toEqual([]);
      expect(outsideScan.warnings).toHaveLength(2);
      // Inside the directory: the same folder through two links, and a loop.
      const inside = path.join(root, "AWSLogs", "111122223333");
      await fsp.symlink(path.join(root, "AWSLogs"), path.join(root, "zz-again"));
      await fsp.symlink(root, path.join(inside, "loop"));
      const scan = await new LogCatalog(root, path.join(root, ".cache")).scan(null);
      expect(
        scan.files.map((f) => f.rel).filter((r) => r.startsWith("zz-") || r.includes("loop")),
      ).toEqual([]);
      expect(scan.files).toHaveLength(6);
    } finally {
      await fsp.rm(path.join(root, "zz-again"), { force: true });
      await fsp.rm(path.join(root, "AWSLogs", "111122223333", "loop"), { force: true });
      await fsp.rm(links, { recursive: true, force: true });
    }
  });

  it("reads a file or folder once by its own path when a link named before it leads there", async () => {
    const logs = await tempDir("run-md-catalog-first-link-");
    try {
      const day = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/02";
      await fsp.mkdir(path.join(logs, day), { recursive: true });
      await fsp.writeFile(path.join(logs, day, "a.json.gz"), '{"Records":[]}');
      // "current" sorts before the region it links to; "0-latest" before the file.
      await fsp.symlink(
        path.join(logs, "AWSLogs/111122223333/CloudTrail/us-east-1"),
        path.join(logs, "AWSLogs/111122223333/CloudTrail/current"),
      );
      await fsp.symlink(path.join(logs, day, "a.json.gz"), path.join(logs, "0-latest.json.gz"));
      const scan = await new LogCatalog(logs, path.join(logs, ".c")).scan(null);
      expect(scan.files.map((f) => f.rel)).toEqual([`${day}/a.json.gz`]);
    } finally {
      await fsp.rm(logs, { recursive: true, force: true });
    }
  });

  it("reads a folder replaced by a link after its parent was listed once, and never outside", async () => {
    const rels = (scan: Awaited<ReturnType<typeof scanWhileReplacing>>) =>
      scan.files.map((f) => f.rel);
    const back = await scanWhileReplacing((b, base) => fs.symlinkSync(path.join(base, "logs"), b));
    expect(rels(back)).toEqual(["a/1.json", "top.json"]);
    const out = await scanWhileReplacing((b, base) => fs.symlinkSync(path.join(base, "secret"), b));
    expect(rels(out)).toEqual(["a/1.json", "top.json"]);
    expect(out.warnings).toEqual([
      "skipped b: a symbolic link to a place outside the log directory",
    ]);
    const gone = await scanWhileReplacing(() => {});
    expect(rels(gone)).toEqual(["a/1.json", "top.json"]);
    expect(gone.warnings).toEqual([]);
  });

  it("without days, lists every event file in path order and counts none outside", async () => {
    const catalog = new LogCatalog(root, path.join(root, ".cache"));
    const scan = await catalog.scan(null);
    expect(scan.files.map((f) => f.rel)).toEqual(
      [
        `${region("eu-west-1")}/2023/12/31/f.ndjson.gz`,
        `${region("eu-west-1")}/2024/02/27/e.json.gz`,
        `${region("us-east-1")}/2024/03/01/c.json.gz`,
        `${region("us-east-1")}/2024/03/01/d.jsonl`,
        `${region("us-east-1")}/2024/03/02/a.json.gz`,
        `${region("us-east-1")}/2024/03/03/b.json`,
      ].map((r) => r.split(path.sep).join("/")),
    );
    expect(scan.outside).toBe(0);
    expect(scan.outsideDays).toBeNull();
  });

  it("names an event file it cannot read, and lists it as unread (the step errs), never skipping it silently", async () => {
    const dir = await tempDir("run-md-catalog-unread-");
    const statSync = fs.statSync;
    try {
      await fsp.writeFile(path.join(dir, "a.json"), "{}");
      await fsp.writeFile(path.join(dir, "locked.json"), "{}");
      // A name that is not UTF-8 (Latin-1 "café.json"): listed with U+FFFD, a path that does not exist.
      const latin1 = Buffer.concat([
        Buffer.from(`${dir}/caf`),
        Buffer.from([0xe9]),
        Buffer.from(".json"),
      ]);
      fs.writeFileSync(latin1, "{}");
      // Permission denied on one file (as root, chmod would not deny it: the stat fails instead).
      (fs as { statSync: unknown }).statSync = (p: fs.PathLike, ...rest: unknown[]) => {
        if (String(p).endsWith("locked.json")) {
          throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
        }
        return (statSync as (...a: unknown[]) => unknown)(p, ...rest);
      };
      const scan = await new LogCatalog(dir, path.join(dir, ".cache")).scan(null);
      expect(scan.files.map((f) => f.rel)).toEqual(["a.json"]);
      expect(scan.unread).toEqual(["caf\uFFFD.json", "locked.json"]);
      expect(scan.warnings).toEqual([
        "skipped caf\uFFFD.json: its name is not UTF-8, so it cannot be opened (rename it)",
        "skipped locked.json: cannot read the file (permission denied)",
      ]);
    } finally {
      (fs as { statSync: unknown }).statSync = statSync;
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("names a symbolic link to an event file it cannot reach as unread; a dangling one or a loop holds nothing", async () => {
    const dir = await tempDir("run-md-catalog-links-");
    const realpath = fsp.realpath;
    const statSync = fs.statSync;
    try {
      await fsp.writeFile(path.join(dir, "a.json"), "{}");
      await fsp.mkdir(path.join(dir, "locked"));
      await fsp.writeFile(path.join(dir, "locked", "b.json"), "{}");
      await fsp.writeFile(path.join(dir, "locked", "c.json"), "{}");
      await fsp.symlink(path.join(dir, "locked", "b.json"), path.join(dir, "b-link.json"));
      await fsp.symlink(path.join(dir, "locked", "c.json"), path.join(dir, "c-link.json"));
      await fsp.symlink(path.join(dir, "nowhere.json"), path.join(dir, "dangling.json"));
      await fsp.symlink(path.join(dir, "loop.json"), path.join(dir, "loop.json"));
      // Out of the log directory: never read, so a failure to reach it is no loss.
      const away = await tempDir("run-md-catalog-away-");
      await fsp.writeFile(path.join(away, "d.json"), "{}");
      await fsp.symlink(path.join(away, "d.json"), path.join(dir, "d-away.json"));
      await fsp.symlink(path.join(dir, "a.json", "child.json"), path.join(dir, "e-notdir.json"));
      const denied = () =>
        Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      // As root nothing is denied: the link's resolution fails instead (b), or its stat (c).
      (fsp as { realpath: unknown }).realpath = async (p: string, ...rest: unknown[]) => {
        if (p.endsWith("b-link.json") || p.endsWith("d-away.json")) throw denied();
        return (realpath as (...a: unknown[]) => Promise<string>)(p, ...rest);
      };
      (fs as { statSync: unknown }).statSync = (p: fs.PathLike, ...rest: unknown[]) => {
        if (String(p).endsWith("c-link.json")) throw denied();
        return (statSync as (...a: unknown[]) => unknown)(p, ...rest);
      };
      const scan = await new LogCatalog(dir, path.join(dir, ".cache")).scan(null);
      expect(scan.unread).toEqual(["b-link.json", "c-link.json"]);
      expect(scan.warnings).toEqual([
        "skipped b-link.json: cannot read the file (permission denied)",
        "skipped c-link.json: cannot read the file (permission denied)",
        "skipped d-away.json: a symbolic link that does not resolve (permission denied)",
        "skipped dangling.json: a symbolic link that does not resolve (no such file)",
        "skipped e-notdir.json: a symbolic link that does not resolve (a file where its path needs a folder)",
        "skipped loop.json: a symbolic link that does not resolve (too many levels of symbolic links)",
      ]);
    } finally {
      (fsp as { realpath: unknown }).realpath = realpath;
      (fs as { statSync: unknown }).statSync = statSync;
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("passes over an event file that is gone between the listing and its stat", async () => {
    const dir = await tempDir("run-md-catalog-gone-");
    const readdirSync = fs.readdirSync;
    try {
      await fsp.writeFile(path.join(dir, "a.json"), "{}");
      await fsp.writeFile(path.join(dir, "b.json"), "{}");
      (fs as { readdirSync: unknown }).readdirSync = (...args: unknown[]) => {
        const entries = (readdirSync as (...a: unknown[]) => unknown)(...args);
        fs.rmSync(path.join(dir, "b.json"));
        return entries;
      };
      const scan = await new LogCatalog(dir, path.join(dir, ".cache")).scan(null);
      expect(scan.files.map((f) => f.rel)).toEqual(["a.json"]);
      expect([scan.unread, scan.warnings]).toEqual([[], []]);
    } finally {
      (fs as { readdirSync: unknown }).readdirSync = readdirSync;
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  // The scan's stats are synchronous (files.ts): a turn every 256 entries of the whole scan,
  // in one large folder or across the many small ones of the delivery layout.
  it.each([
    ["one folder of 2,100 files", 1, 2100, 8],
    ["12 folders of 200 files", 12, 200, 9],
  ])("gives the event loop its turns while it stats %s", async (_, folders, files, least) => {
    const dir = await tempDir("run-md-catalog-large-");
    try {
      const names: string[] = [];
      for (let f = 0; f < folders; f++) {
        const folder = folders === 1 ? "" : `d${String(f).padStart(2, "0")}/`;
        if (folder) await fsp.mkdir(path.join(dir, folder));
        for (let i = 0; i < files; i++) names.push(`${folder}${String(i).padStart(4, "0")}.json`);
      }
      await Promise.all(names.map((n) => fsp.writeFile(path.join(dir, n), "{}")));
      let turns = 0;
      let scanning = true;
      const tick = () => {
        turns++;
        if (scanning) setImmediate(tick);
      };
      const scanned = new LogCatalog(dir, path.join(dir, ".cache")).scan(null);
      setImmediate(tick);
      const scan = await scanned;
      scanning = false;
      expect(scan.files.map((f) => f.rel)).toEqual(names);
      expect(turns).toBeGreaterThanOrEqual(least);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
