/**
 * The days an incomplete collect could not read every object of. Its window is not recorded as
 * collected, and those days lose the coverage earlier collects gave them: an object delivered
 * into a covered day since (a late sync, a replica), which this collect listed and could not
 * fetch or read (a name no reader reads, a dropped connection), holds events the store lacks.
 * Red-team: the earlier coverage stood, and a run over the day answered without them, without a
 * word. Runs over the days are then `store-not-collected` until a complete collect of them.
 */
import { isoSeconds, layoutDay, slashDayFrom, slashDayStart } from "@run-md/core";
import { type StoreManifest, uncover } from "@run-md/engine-local";

/**
 * `covered` without the days of what a collect could not read (`missed`: paths or keys of files,
 * and of folders ending in `/`): each one's layout day and the day before, whose late events its
 * folder holds. One outside the layout's day folders (an export, a region's folder) may hold
 * events of any day, and a collect that reads such a file gives the store its events of every
 * day it covers (collect.ts `takenDays`): missed, it takes the coverage of every day. Review:
 * only the collect's `range` went, and a run over a day collected before answered without an
 * unreadable export's events of that day, without a word.
 */
export function withoutMissed(
  covered: StoreManifest["covered"],
  missed: readonly string[],
): StoreManifest["covered"] {
  let out = covered;
  for (const p of missed) {
    const day = layoutDay(p.endsWith("/") ? `${p}x` : p);
    if (day === null) return [];
    const [from, to] = [slashDayFrom(day, -1), slashDayFrom(day, 1)].map((d) =>
      isoSeconds(slashDayStart(d)),
    );
    out = uncover(out, from as string, to as string);
  }
  return out;
}
