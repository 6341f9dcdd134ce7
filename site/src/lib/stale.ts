/**
 * A latest run older than its schedule allows is stale: a scheduled runbook that stopped running
 * would otherwise show its last green for ever. Checked in the browser against the reader's
 * clock (a site that is no longer rebuilt is caught too), from the run's time and how old its
 * schedule lets it be, which the build writes into the page (core `staleAfterMs`: StaleMark.astro).
 * Client-safe: no Node or core imports.
 */

const DAY = 24 * 3_600_000;

/**
 * Whether a run that started at `startedAt` (ISO) is older than `limitMs` at `now` (ms); never
 * without a limit (a manual runbook).
 */
export function isStale(startedAt: string, limitMs: number | undefined, now: number): boolean {
  const t = Date.parse(startedAt);
  return limitMs !== undefined && !Number.isNaN(t) && now - t > limitMs;
}

/**
 * Shows each `[data-rm-stale]` mark (hidden in the page) whose run is stale at `now`, saying how
 * old the run is; hides the others.
 */
export function markStale(root: ParentNode, now: number): void {
  for (const mark of root.querySelectorAll<HTMLElement>("[data-rm-stale]")) {
    const at = mark.dataset.rmRunTime ?? "";
    const limit = Number.parseInt(mark.dataset.rmStaleAfter ?? "", 10);
    const stale = isStale(at, Number.isNaN(limit) ? undefined : limit, now);
    mark.hidden = !stale;
    if (!stale) continue;
    const days = Math.floor((now - Date.parse(at)) / DAY);
    mark.textContent = `⚠ stale: the last run is ${days} day${days === 1 ? "" : "s"} old (schedule: ${mark.dataset.rmSchedule})`;
  }
}
