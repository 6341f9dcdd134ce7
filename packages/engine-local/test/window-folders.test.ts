/**
 * Which folders a step over a window enters. The scan leaves out the delivery layout's year, month
 * and day folders wholly outside the window's days, by their names alone; every other folder may
 * hold events of any day (an export's are placed by their times) and is entered. Red-team
 * (mutation audit): a folder of the layout named as no day of the calendar (`2026/11/31`,
 * `2026/13/24`), whose files are read by their events' times (`layoutDay` gives them no day), was
 * left out by its name: its events of the window were never read, and the step passed without a
 * word, while a wider window read them. The truth is the events the files written here hold: one
 * each, at 2026-11-24 10:00 UTC, inside the window `readDay` asks for.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_FOLDER, dayEvent, readDay, tempDir, writeFiles } from "./helpers.ts";

let root: string;
beforeAll(async () => {
  root = await tempDir("run-md-window-folders-");
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

/** A file holding one event of the window, with this id. */
const holding = (id: string) => JSON.stringify({ Records: [dayEvent(id, "DeleteTrail")] });

/** The ids a step over 2026-11-24 00:00-12:00 reads from a folder holding `files` (rel: event id). */
async function idsRead(name: string, files: Record<string, string>) {
  const dir = path.join(root, name);
  await writeFiles(
    dir,
    Object.fromEntries(Object.entries(files).map(([rel, id]) => [rel, holding(id)])),
  );
  return readDay(dir);
}

const REGION = "AWSLogs/111111111111/CloudTrail/us-east-1";

describe("a step over a window", () => {
  it("reads a layout folder named as no day by its events' times, as it reads it in a wider window", async () => {
    const r = await idsRead("no-day", {
      [`${DAY_FOLDER}/read.json`]: "day",
      [`${REGION}/2026/11/31/a.json`]: "nov-31",
      [`${REGION}/2026/13/24/b.json`]: "month-13",
      [`${REGION}/2026/00/c.json`]: "month-00",
    });
    expect(r.ids).toEqual(["day", "month-00", "month-13", "nov-31"]);
    expect(r.unread).toEqual([]);
  });

  it("reads the files with no layout day under a year or month folder outside the window (review: left out with the folder)", async () => {
    const r = await idsRead("dayless-inside", {
      [`${DAY_FOLDER}/read.json`]: "day",
      // No day of the calendar, in a month the window's days are not in.
      [`${REGION}/2026/09/31/a.json`]: "sep-31",
      // Exports in a month's and a year's folder, beside no day folder.
      [`${REGION}/2026/10/export.json`]: "in-october",
      [`${REGION}/2025/export.json`]: "in-2025",
      // A day folder outside the window is still left out by its name.
      [`${REGION}/2026/10/02/late.json`]: "oct-02",
    });
    expect(r.ids).toEqual(["day", "in-2025", "in-october", "sep-31"]);
    expect(r.unread).toEqual([]);
  });

  it("enters every folder but the digest, Insights and node_modules ones, whatever its name", async () => {
    const r = await idsRead("names", {
      [`${DAY_FOLDER}/read.json`]: "day",
      "logs/export.json": "logs",
      "logs/_all.json": "underscore",
      // Outside the layout (no `CloudTrail/` folder): dated names are not delivery days.
      "CloudTrail-old/us-east-1/2026/11/20/export.json": "cloudtrail-old",
      "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2026/11/24/digest.json": "digest",
      "node_modules/x.json": "node-modules",
    });
    expect(r.ids).toEqual(["cloudtrail-old", "day", "logs", "underscore"]);
    expect(r.unread).toEqual([]);
  });
});
