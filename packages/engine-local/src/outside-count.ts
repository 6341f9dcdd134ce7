/**
 * The event files under the log directory's folders that lie wholly outside a step's window:
 * counted for the step's statistics (`filesSkippedByWindow`) and the no-events message, never
 * opened. Counting lists every file of every other day, once per step: a year of a 16-region trail
 * (1.7 million files) took seconds a step, for files no step reads. A folder's count is kept with
 * the modification time of every folder under it, and used again while none of them changed
 * (adding, removing or renaming an entry changes its folder's time). A folder changed within the
 * last two seconds is counted again next time: a file added in the same tick as the listing would
 * not change the time.
 */
import fs, { promises as fsp, type Stats } from "node:fs";
import path from "node:path";
import type { DayRange } from "./files.ts";

export interface OutsideCount {
  /** The event files with a layout day (those the window leaves out). */
  files: number;
  /** The layout days of the files counted, or null when none has one. */
  days: DayRange | null;
  /**
   * The folders holding event files with no layout day (an export in a year's or month's folder,
   * a folder named as no day: `2026/09/31`): their events give their days, so a step reads them
   * whatever the folders' names (review: they were left out with the year or month).
   */
  dayless: string[];
}

interface Kept extends OutsideCount {
  /** Every folder walked, with its modification time when it was listed. */
  folders: [string, number][];
}

/** How recently changed a folder may be for its count to be kept (coarse file-system clocks). */
const SETTLED_MS = 2000;

export class OutsideCounts {
  private readonly kept = new Map<string, Kept>();

  /**
   * @param isEventFile whether a file's name is one the engine reads
   * @param dayOf the layout day of a file's path, or null
   */
  constructor(
    private readonly isEventFile: (name: string) => boolean,
    private readonly dayOf: (file: string) => string | null,
  ) {}

  /** The event files under a folder (symbolic links to folders not followed). */
  async count(dir: string): Promise<OutsideCount> {
    const kept = this.kept.get(dir);
    if (kept && unchanged(kept.folders))
      return { files: kept.files, days: kept.days, dayless: kept.dayless };
    this.kept.delete(dir);
    const walked: Kept = { files: 0, days: null, dayless: [], folders: [] };
    const settled = await this.walk(dir, walked);
    if (settled) this.kept.set(dir, walked);
    return { files: walked.files, days: walked.days, dayless: walked.dayless };
  }

  /** Counts one folder and those under it; false when one changed too recently to be kept. */
  private async walk(dir: string, into: Kept): Promise<boolean> {
    const st = lstatOrNull(dir);
    if (st === null || !st.isDirectory()) return false;
    into.folders.push([dir, st.mtimeMs]);
    let settled = Date.now() - st.mtimeMs > SETTLED_MS;
    const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => null);
    if (entries === null) return false;
    let day: string | null | undefined;
    for (const e of entries) {
      if (e.isDirectory()) {
        settled = (await this.walk(path.join(dir, e.name), into)) && settled;
      } else if (this.isEventFile(e.name)) {
        // Every file of a folder has the folder's layout day (or none): asked once a folder.
        if (day === undefined) {
          day = this.dayOf(path.join(dir, e.name));
          if (day === null) into.dayless.push(dir);
        }
        if (day === null) continue;
        into.files++;
        into.days = widen(into.days, day);
      }
    }
    return settled;
  }
}

/** Whether every folder still has the modification time it had when it was listed. */
function unchanged(folders: [string, number][]): boolean {
  return folders.every(([dir, mtimeMs]) => lstatOrNull(dir)?.mtimeMs === mtimeMs);
}

/** The status of the path itself (a symbolic link not followed), or null. */
export function lstatOrNull(file: string): Stats | null {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** The range of days that holds `range` and `day`. */
export function widen(range: DayRange | null, day: string): DayRange {
  if (range === null) return { first: day, last: day };
  return {
    first: day < range.first ? day : range.first,
    last: day > range.last ? day : range.last,
  };
}
