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

const DAY_MS = 86_400_000;

/**
 * `covered` without the days of what a collect could not read (`missed`: paths or keys of files,
 * and of folders ending in `/`): each one's layout day and the day before, whose late events its
 * folder holds; one outside the layout's day folders (an export, a region's folder) may hold
 * events of any day of the collect's `range`, which goes whole, with the day before it.
 */
export function withoutMissed(
  covered: StoreManifest["covered"],
  missed: readonly string[],
  range: { from: string; to: string },
): StoreManifest["covered"] {
  let out = covered;
  for (const p of missed) {
    const day = layoutDay(p.endsWith("/") ? `${p}x` : p);
    const [from, to] =
      day === null
        ? [isoSeconds(new Date(Date.parse(range.from) - DAY_MS)), range.to]
        : [slashDayStart(slashDayFrom(day, -1)), slashDayStart(slashDayFrom(day, 1))].map((d) =>
            isoSeconds(d),
          );
    out = uncover(out, from as string, to as string);
  }
  return out;
}
