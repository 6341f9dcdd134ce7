/**
 * `run-md collect --prune <duration>`: the store keeps the days a retention names and no older.
 * The manifest loses the days before the cutoff (their files, the source objects delivered in
 * them, the coverage of those days) first, atomically; the files go after it. A prune killed in
 * between leaves files no manifest names, which the next collect removes (`removeOrphans`). A
 * run over a pruned day then errors `store-not-collected`, as for any day never collected.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { isoSeconds, slashDate, slashDayStart } from "@run-md/core";
import { objectDay, readManifest, type StoreManifest, writeManifest } from "@run-md/engine-local";
import { asStoreWriter } from "./collect.ts";

export interface PruneResult {
  /** The days removed (`yyyy/MM/dd`), oldest first. */
  days: string[];
  /** Bytes of their files. */
  bytes: number;
  /** Events they held. */
  events: number;
}

/** Removes from the store every day before the day of `before` (UTC). */
export function pruneStore(store: string, before: Date): Promise<PruneResult> {
  return asStoreWriter(store, (dir) => pruneLocked(dir, before));
}

async function pruneLocked(store: string, before: Date): Promise<PruneResult> {
  const m = await readManifest(store);
  const cutDay = slashDate(before);
  const cutoff = isoSeconds(slashDayStart(cutDay));
  const days = Object.keys(m.days)
    .filter((d) => d < cutDay)
    .sort();
  const result: PruneResult = { days, bytes: 0, events: 0 };
  const hasOlderCoverage = m.covered.some((r) => Date.parse(r.from) < Date.parse(cutoff));
  if (days.length === 0 && !hasOlderCoverage) return result;
  const files = days.map((d) => path.join(store, m.days[d]!.file));
  for (const d of days) {
    result.bytes += m.days[d]!.bytes;
    result.events += m.days[d]!.events;
    delete m.days[d];
  }
  await writeManifest(store, pruned(m, cutDay, cutoff));
  for (const f of files) await fsp.rm(f, { force: true });
  return result;
}

/** The manifest without what lies before the cutoff: coverage, objects of those days. */
function pruned(m: StoreManifest, cutDay: string, cutoff: string): StoreManifest {
  const covered = trimmed(m.covered, cutoff);
  const objects: StoreManifest["objects"] = {};
  for (const [key, o] of Object.entries(m.objects)) {
    const day = objectDay(key, o);
    if (day !== null) {
      if (day >= cutDay) objects[key] = o;
      continue;
    }
    // Outside the layout: it holds events of any days; what was taken of the pruned ones is
    // forgotten, so a later collect of them reads it again.
    if (o.ranges === undefined) objects[key] = o;
    else {
      const ranges = trimmed(o.ranges, cutoff);
      if (ranges.length > 0) objects[key] = { ...o, ranges };
    }
  }
  return { ...m, covered, objects };
}

/** Time ranges from the cutoff on: the earlier ones dropped, one across it cut there. */
function trimmed(ranges: { from: string; to: string }[], cutoff: string) {
  return ranges
    .filter((r) => Date.parse(r.to) > Date.parse(cutoff))
    .map((r) => (Date.parse(r.from) < Date.parse(cutoff) ? { ...r, from: cutoff } : r));
}
