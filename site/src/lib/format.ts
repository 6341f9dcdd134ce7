/**
 * Small formatting helpers shared by the pages and by the browser scripts of the served site
 * (src/scripts/): nothing here may need Node, so the core's byte units come from its pure module.
 */
import type { JsonValue } from "@run-md/core";
import { visibleFormat } from "@run-md/core/printable";
import { isUnjudged } from "@run-md/core/report";
import { formatBytes } from "@run-md/core/units";

/** Sizes in the decimal units the runner reads and prints (`--max-scan 10GB`). */
export { formatBytes };

export type AnyStatus = "passed" | "warned" | "failed" | "errored" | "skipped" | "cancelled";

/** Status words as the pages show them, with a symbol that does not rely on colour. */
export const STATUS_LABEL: Record<
  AnyStatus | "none" | "unjudged" | "unreadable",
  { symbol: string; label: string }
> = {
  passed: { symbol: "✓", label: "passed" },
  warned: { symbol: "!", label: "warned" },
  failed: { symbol: "✗", label: "failed" },
  errored: { symbol: "⚠", label: "errored" },
  skipped: { symbol: "–", label: "skipped" },
  cancelled: { symbol: "■", label: "cancelled" },
  none: { symbol: "·", label: "no run yet" },
  /** A check of a step that errored: its "passed" judged part of the data, so it is not shown as one. */
  unjudged: { symbol: "?", label: "not judged: the step errored" },
  /** A runbook whose newest report file cannot be read or validated. */
  unreadable: { symbol: "⚠", label: "unreadable" },
};

/** Worst first: how the index orders runbooks and which run of a day the heat strip shows. */
export const STATUS_RANK: Record<string, number> = {
  failed: 0,
  errored: 1,
  unreadable: 1,
  warned: 2,
  cancelled: 3,
  passed: 4,
  none: 5,
};

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** An ISO instant as `2026-11-23 02:00:14 UTC` (the site is static: no relative times). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A run's window as a reader needs it beside the run's time: what period the answer is about
 * (`window 2026-11-22 02:00:01 UTC → 2026-11-23 02:00:01 UTC`), or that the run stopped before
 * it was resolved (core NOT_RESOLVED).
 */
export function formatWindow(window: { start: string; end: string; source?: string }): string {
  if (window.source === "not resolved") return "window not resolved";
  return `window ${formatTime(window.start)} → ${formatTime(window.end)}`;
}

export function formatValue(v: JsonValue | undefined): string {
  if (v === undefined) return "";
  if (v === null) return "null";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * A value as a page shows it: its text, with the format characters a browser obeys (a
 * right-to-left override in a userAgent shows `exe.gpj` as `jpg.exe`; a zero-width space hides)
 * written as `\uXXXX` (core's visibleFormat). formatValue is the value itself, for comparing.
 */
export function shownValue(v: JsonValue | undefined): string {
  return visibleFormat(formatValue(v));
}

export interface StatLine {
  label: string;
  value: string;
}

const DATA_SCANNED = /^(data)?(bytes)?scanned(in)?bytes$|^bytesscanned$|^datascanned/i;
const RECORDS_SCANNED = /^recordsscanned$/i;

/**
 * The statistics a reader looks for first (data or records scanned), then the others, with
 * byte counts and milliseconds made readable.
 */
export function statLines(stats: Record<string, number | string | boolean>): {
  headline: StatLine[];
  other: StatLine[];
} {
  const headline: StatLine[] = [];
  const other: StatLine[] = [];
  for (const [key, raw] of Object.entries(stats)) {
    const norm = key.replace(/[^A-Za-z]/g, "");
    let value = String(raw);
    if (typeof raw === "number") {
      if (/bytes/i.test(norm)) value = formatBytes(raw);
      else if (/(millis|ms)$/i.test(norm)) value = formatDuration(raw);
      else value = raw.toLocaleString("en-US");
    }
    if (DATA_SCANNED.test(norm)) headline.push({ label: "data scanned", value });
    else if (RECORDS_SCANNED.test(norm)) headline.push({ label: "records scanned", value });
    else other.push({ label: key, value });
  }
  return { headline, other };
}

/** The columns of a list of row objects, in first-seen order. */
/** The offending rows a page shows of a check (the runner keeps 10: core OFFENDING_ROWS_KEPT). */
export const OFFENDING_SHOWN = 10;

/**
 * The first `OFFENDING_SHOWN` of `rows`, how many there were (the report's count, or the rows it
 * holds when that is more) and the caption's note when not all are shown: a report may hold more
 * than the runner keeps (another version or tool, a hand-edited file), and its schema does not
 * bound them.
 */
export function shownRows<T>(
  rows: readonly T[],
  count: number | undefined,
): { rows: T[]; total: number; note: string } {
  const total = Math.max(count ?? 0, rows.length);
  const shown = rows.slice(0, OFFENDING_SHOWN);
  return {
    rows: shown,
    total,
    note: total > shown.length ? ` (first ${shown.length} of ${total})` : "",
  };
}

export function columnsOf(rows: Record<string, JsonValue>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/**
 * A check's status as the pages (and the live run view) show it: a pass in a step that errored
 * (a log file not read, a capped result) judged only part of the data, so it is `unjudged`,
 * never `passed`.
 */
export function shownStatus(step: { error?: unknown }, check: { status: string }): string {
  return isUnjudged(step, check) ? "unjudged" : check.status;
}

/**
 * Where the index ranks a runbook, worst first: by its status, and with the failed ones when its
 * latest run had failed checks (a run cancelled after finding something): what it found matters
 * more than that it stopped. A runbook the parser rejects (`valid: false`) ranks with errored
 * whatever its last run said: it cannot run, so "no run yet" at the bottom would hide it for
 * ever, and the pass of an earlier version among the passes would too.
 */
export function indexRank(status: string, failedChecks: number, valid = true): number {
  const rank = STATUS_RANK[status] ?? 9;
  const byStatus = valid ? rank : Math.min(rank, STATUS_RANK.errored ?? 1);
  return failedChecks > 0 ? Math.min(byStatus, STATUS_RANK.failed ?? 0) : byStatus;
}
