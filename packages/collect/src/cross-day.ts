/**
 * One copy of an event delivered into two days. An organization trail and an account trail deliver
 * the same event minutes apart, so an event of 23:58 can land in one trail's folder of its own day
 * and in the other's of the next. The store keeps the copy of the earlier day: a window that reads
 * the later day's copy (its time is in the window) reads the earlier day too, since an event is
 * delivered after it happens and the days a window reads run without a gap from its start to its
 * end; a window can read the earlier day without the later one (a window ending at midnight).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { slashDayFrom } from "@run-md/core";
import type { StoreDay, StoreManifest } from "@run-md/engine-local";
import { withoutCopiesOf } from "./day-file.ts";

/** What committing a day changes: its file, and the next day's when that lost copies. */
export interface CrossDay {
  day: StoreDay;
  /** The next day's new file, when the day written holds events the stored next day held too. */
  next?: { day: string; file: StoreDay };
  /** Files the commit leaves unreferenced (to remove once the manifest is written). */
  replaced: string[];
  /**
   * Files the commit leaves unreferenced that this collect's write of another day may still
   * read (the stored day after, when this collect writes it too): removed once every day is
   * committed.
   */
  deferred: string[];
}

/**
 * The day's file (`written`: the one just written, or the stored one when no new source of the
 * day could be read) without the events the day before holds, and the stored day after without
 * the events the day written holds, also when this collect writes the day after too
 * (`writing`): a collect stopped between the two commits would otherwise leave both copies
 * committed, and a window ending at midnight reads both days. That write may still be reading the
 * stored file, so its removal waits (`deferred`); its own commit drops the copies again.
 */
export async function keepEarliestCopies(
  conn: DuckDBConnection,
  store: string,
  manifest: StoreManifest,
  day: string,
  written: StoreDay,
  writing: (day: string) => boolean,
): Promise<CrossDay> {
  const before = manifest.days[slashDayFrom(day, -1)];
  const own = await withoutCopiesOf(conn, store, day, written, before ? [before] : []);
  const replaced = own === written ? [] : [written.file];
  const nextDay = slashDayFrom(day, 1);
  const after = manifest.days[nextDay];
  if (after === undefined) return { day: own, replaced, deferred: [] };
  try {
    const next = await withoutCopiesOf(conn, store, nextDay, after, [own]);
    if (next === after) return { day: own, replaced, deferred: [] };
    const gone = writing(nextDay)
      ? { replaced, deferred: [after.file] }
      : { replaced: [...replaced, after.file], deferred: [] };
    return { day: own, next: { day: nextDay, file: next }, ...gone };
  } catch (e) {
    if (own !== written) await fsp.rm(path.join(store, own.file), { force: true });
    throw e;
  }
}
