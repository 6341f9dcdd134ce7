/**
 * A latest run older than its schedule allows is stale: a nightly runbook that stopped running
 * would otherwise show its last green for ever. Checked in the browser against the reader's
 * clock (a site that is no longer rebuilt is caught too), from the run's time and the runbook's
 * schedule the index writes into the page. Client-safe: no Node or core imports.
 */

const HOUR = 3_600_000;

/** How old a latest run may be for its schedule; undefined: never stale (manual, cron). */
export function staleAfterMs(schedule: string | undefined): number | undefined {
  if (schedule === "nightly") return 48 * HOUR; // a missed night, and a margin
  if (schedule === "weekly") return 8 * 24 * HOUR + 12 * HOUR;
  return undefined;
}

/** Whether a run that started at `startedAt` (ISO) is too old for `schedule` at `now` (ms). */
export function isStale(startedAt: string, schedule: string | undefined, now: number): boolean {
  const limit = staleAfterMs(schedule);
  const t = Date.parse(startedAt);
  return limit !== undefined && !Number.isNaN(t) && now - t > limit;
}

/**
 * Shows each `[data-rm-stale]` mark (hidden in the page) whose run is stale at `now`, saying how
 * old the run is; hides the others.
 */
export function markStale(root: ParentNode, now: number): void {
  for (const mark of root.querySelectorAll<HTMLElement>("[data-rm-stale]")) {
    const at = mark.dataset.rmRunTime ?? "";
    const schedule = mark.dataset.rmSchedule;
    const stale = isStale(at, schedule, now);
    mark.hidden = !stale;
    if (!stale) continue;
    const days = Math.floor((now - Date.parse(at)) / (24 * HOUR));
    mark.textContent = `⚠ stale: the last run is ${days} day${days === 1 ? "" : "s"} old (schedule: ${schedule})`;
  }
}
