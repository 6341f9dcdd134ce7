/**
 * The index's heat strip: for each runbook, one cell per day of the last 30, holding the worst
 * outcome of that day's runs, so a reader sees what started failing when.
 */
import { STATUS_RANK } from "./format.ts";
import type { ReportEntry } from "./reports.ts";

export interface DayCell {
  /** `2026-11-23` (UTC). */
  day: string;
  /**
   * The worst status of the day's runs, `none`, or `unread`: a day that holds only report files
   * the site left unread, past its history limit (RunbookHistory.unreadDays).
   */
  status: string;
  runs: number;
  /** The run the cell links to: the latest of the day's worst. */
  entry?: ReportEntry;
  /** A run of the day's worst status passed or warned over steps that warned (days without logs). */
  warnings?: boolean;
}

const DAY_MS = 86_400_000;

export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** The days of the strip, oldest first, ending on `endDay`. */
export function stripDays(endDay: string, days = 30): string[] {
  const end = Date.parse(`${endDay}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) =>
    new Date(end - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

/** The last day of the strip: the day of the newest run of any runbook (the site is static, "today" would go stale). */
export function lastRunDay(histories: { entries: ReportEntry[] }[]): string | undefined {
  let newest: string | undefined;
  for (const h of histories) {
    const t = h.entries[0]?.startedAt;
    if (t && !Number.isNaN(Date.parse(t)) && (newest === undefined || t > newest)) newest = t;
  }
  return newest === undefined ? undefined : dayOf(newest);
}

/**
 * One cell per day: the worst outcome of the day's runs (entries newest first). A day without a
 * run read but with report files left unread (`unreadDays`) is `unread`: it may hold runs
 * (review: such days said "no run").
 */
export function dayCells(
  entries: ReportEntry[],
  days: string[],
  unreadDays: readonly string[] = [],
): DayCell[] {
  const unread = new Set(unreadDays);
  const byDay = new Map<string, ReportEntry[]>();
  for (const e of entries) {
    if (Number.isNaN(Date.parse(e.startedAt))) continue;
    const d = dayOf(e.startedAt);
    byDay.set(d, [...(byDay.get(d) ?? []), e]);
  }
  return days.map((day) => {
    const runs = byDay.get(day) ?? [];
    let worst: ReportEntry | undefined;
    for (const e of runs) {
      if (!worst || (STATUS_RANK[e.status] ?? 9) < (STATUS_RANK[worst.status] ?? 9)) worst = e;
    }
    if (!worst) return { day, status: unread.has(day) ? "unread" : "none", runs: 0 };
    const status = worst.status;
    const warnings =
      (status === "passed" || status === "warned") &&
      runs.some((e) => e.status === status && e.warning !== undefined);
    return { day, status, runs: runs.length, entry: worst, ...(warnings ? { warnings } : {}) };
  });
}
