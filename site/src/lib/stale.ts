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

/** Whole days from `startedAt` (ISO) to `now` (ms). */
function ageDays(startedAt: string, now: number): number {
  return Math.floor((now - Date.parse(startedAt)) / DAY);
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** What the build writes in a mark of a run already stale then: the page says it without JavaScript. */
export function staleAtBuild(startedAt: string, schedule: string, now: number): string {
  return `⚠ stale: the last run was ${days(ageDays(startedAt, now))} old when the site was built (schedule: ${schedule})`;
}

/**
 * Shows each `[data-rm-stale]` mark whose run is stale at `now`, saying how old the run is; hides
 * the others (a mark the build wrote stays: a run stale then is stale later).
 */
export function markStale(root: ParentNode, now: number): void {
  for (const mark of root.querySelectorAll<HTMLElement>("[data-rm-stale]")) {
    const at = mark.dataset.rmRunTime ?? "";
    const limit = Number.parseInt(mark.dataset.rmStaleAfter ?? "", 10);
    const stale = isStale(at, Number.isNaN(limit) ? undefined : limit, now);
    mark.hidden = !stale;
    if (!stale) continue;
    mark.textContent = `⚠ stale: the last run is ${days(ageDays(at, now))} old (schedule: ${mark.dataset.rmSchedule})`;
  }
}
