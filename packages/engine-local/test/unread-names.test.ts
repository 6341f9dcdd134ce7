/**
 * Files of the window the scan passes over because of their names, which once let a step pass
 * without their events and without a word: a recompressed, renamed or half-downloaded delivery
 * file in a day folder of the layout, and a compressed export elsewhere; and an empty delivery
 * file, a copy cut short, once passed with a warning only. The truth is what the files written
 * here hold: one DeleteTrail event in the window in each of them (none in the empty ones).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_FOLDER as DAY, dayEvent as event, readDay, tempDir, writeFiles } from "./helpers.ts";

let root: string;
beforeAll(async () => {
  root = await tempDir("run-md-unread-names-");
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const records = (...events: object[]) => zlib.gzipSync(JSON.stringify({ Records: events }));

/** The step's rows, warnings and unread files over a log folder holding `files` and one read file. */
async function run(name: string, files: Record<string, Buffer | string>) {
  const dir = path.join(root, name);
  await writeFiles(dir, {
    [`${DAY}/read_T0900Z.json.gz`]: records(event("read", "GetTrailStatus")),
    ...files,
  });
  const { ids, warnings, unread } = await readDay(dir);
  return { rows: ids, warnings, unread };
}

describe("a file of a delivery folder whose name the engine does not read", () => {
  const deleted = records(event("gone", "DeleteTrail"));
  const bz2 = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_a.json.bz2`;
  const partial = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_b.json.gz.6fA1b2c3`;
  const bare = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_c`;
  const hidden = `${DAY}/.111111111111_CloudTrail_us-east-1_20261124T1005Z_d.json.gz.Xy12`;
  const log = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_e.log`;
  const hiddenLog = `${DAY}/.111111111111_CloudTrail_us-east-1_20261124T1005Z_f.json.gz`;
  const download = `${DAY}/download`;

  it.each([
    ["another compression", bz2],
    ["a download in progress", partial],
    ["no extension", bare],
    ["a hidden download in progress", hidden],
    ["a CloudTrail name with another extension", log],
    ["a log file's name, hidden (no copy of it beside)", hiddenLog],
    ["neither an extension nor CloudTrail's name (a browser's download)", download],
  ])("is unread, named, when it has %s (its events are in the window)", async (_, rel) => {
    const r = await run(path.basename(rel), { [rel]: deleted });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([rel]);
    expect(r.warnings.join("\n")).toContain(`skipped ${rel}: `);
  });

  it("is passed over without a word outside the window's days, and when it is no log (notes, .DS_Store, an AppleDouble ._ file)", async () => {
    const r = await run("others", {
      [`${DAY.replace("2026/11/24", "2026/11/20")}/x.json.bz2`]: deleted,
      [`${DAY}/.DS_Store`]: "not a log",
      [`${DAY}/notes.txt`]: "not a log",
      // macOS's AppleDouble companion of a log, written beside it on a copy to an exFAT, FAT or
      // SMB volume: its extended attributes, not a log (the log itself is read).
      [`${DAY}/._read_T0900Z.json.gz`]: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]),
    });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe("a leftover beside the log it is a copy of", () => {
  it("is named in the warnings only: an interrupted sync's part file or rsync's temp whose download completed later", async () => {
    // `aws s3 sync` killed mid-file leaves `<name>.<8 hex>`; the next sync fetches `<name>` in
    // full, so the leftover holds no event the folder lacks.
    const log = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_b.json.gz`;
    const body = records(event("gone", "DeleteTrail"));
    const r = await run("leftovers", {
      [log]: body,
      [`${log}.6fA1b2c3`]: body.subarray(0, 10),
      [`${DAY}/.${path.basename(log)}.Xy12ab`]: body.subarray(0, 10),
    });
    expect(r.rows).toEqual(["gone", "read"]);
    expect(r.unread).toEqual([]);
    expect(r.warnings.map((w) => w.split(": ")[0])).toEqual([
      `skipped ${DAY}/.${path.basename(log)}.Xy12ab`,
      `skipped ${log}.6fA1b2c3`,
    ]);
  });
});

describe("a download in progress beside a folder of its log's name", () => {
  it("is unread: a folder is no copy of the log, so the part file may hold the only copy of its events", async () => {
    const log = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_g.json.gz`;
    const r = await run("folder-beside", {
      [`${log}.6fA1b2c3`]: records(event("gone", "DeleteTrail")),
      [`${log}/notes.txt`]: "not a log",
    });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([`${log}.6fA1b2c3`]);
  });
});

describe("a compressed or archived file outside the delivery layout", () => {
  it("is named in the warnings (its events are not read); other files are not", async () => {
    const r = await run("archives", {
      "exports/events.gz": zlib.gzipSync(`${JSON.stringify(event("gz", "DeleteTrail"))}\n`),
      "exports/trail.json.zst": "zstd bytes",
      "exports/export.zip": "zip bytes",
      "exports/notes.csv": "a,b",
    });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([]);
    const named = r.warnings.filter((w) => w.includes("a compressed or archived file"));
    expect(named.map((w) => w.split(":")[0])).toEqual([
      "skipped exports/events.gz",
      "skipped exports/export.zip",
      "skipped exports/trail.json.zst",
    ]);
    expect(r.warnings.join("\n")).not.toContain("notes.csv");
  });
});

describe("another AWS service's logs in the trail's bucket", () => {
  it("are passed over without a word (a central log bucket's sync: load balancer and flow logs)", async () => {
    const acct = "o-abc123defg/AWSLogs/111111111111";
    const r = await run("other-services", {
      [`${acct}/elasticloadbalancing/us-east-1/2026/11/24/111111111111_elasticloadbalancing_us-east-1_app.web.0123456789abcdef_20261124T1005Z_10.0.1.9_2kj3h4.log.gz`]:
        zlib.gzipSync("h2 2026-11-24T10:05:00.000000Z app/web/0123 ..."),
      [`${acct}/vpcflowlogs/us-east-1/2026/11/24/111111111111_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261124T1005Z_0a1b2c3d.log.gz`]:
        zlib.gzipSync("2 111111111111 eni-0123 10.0.0.1 10.0.0.2 ..."),
    });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

describe("an empty file of a delivery folder", () => {
  it("is unread (CloudTrail writes none: a copy cut short); an empty export is only named", async () => {
    const empty = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1005Z_a.json`;
    const emptyGz = `${DAY}/111111111111_CloudTrail_us-east-1_20261124T1010Z_a.json.gz`;
    const r = await run("empty", {
      [empty]: "",
      [emptyGz]: zlib.gzipSync(" \n"),
      "exports/empty.jsonl": "",
    });
    expect(r.rows).toEqual(["read"]);
    expect(r.unread).toEqual([empty, emptyGz]);
    expect(r.warnings).toContain(
      `skipped ${empty}: it is empty, and CloudTrail delivers no empty file: a copy or a download cut short`,
    );
    expect(r.warnings).toContain("skipped exports/empty.jsonl: the file is empty");
  });
});
