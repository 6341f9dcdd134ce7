/**
 * A runbook's history strip: its last runs, oldest on the left like a time axis, each a link to
 * its run page. The runbook page and each of its run pages (30 of them) show the same strip, with
 * their own run outlined: each run's link is written once per build and the pages join them.
 */
import { escapeHtml } from "./cells.ts";
import { formatDuration, formatTime, STATUS_LABEL } from "./format.ts";
import { runUrl } from "./paths.ts";
import type { ReportEntry } from "./reports.ts";

interface StripItem {
  slug: string;
  html: string;
  /** The same link, outlined as the run the page is about. */
  currentHtml: string;
}

/** By history (the entries array of a runbook), so `astro dev`'s fresh data is drawn anew. */
const written = new WeakMap<ReportEntry[], StripItem[]>();

function link(runbookId: string, e: ReportEntry, current: boolean): string {
  const s = STATUS_LABEL[e.status as keyof typeof STATUS_LABEL] ?? STATUS_LABEL.none;
  // A pass over steps that warned (a day without logs, files skipped) is no plain green square.
  const warns = e.warning !== undefined && (e.status === "passed" || e.status === "warned");
  const text = escapeHtml(
    `${formatTime(e.startedAt)}: ${s.label}, ${formatDuration(e.durationMs)}${warns ? ", with step warnings" : ""}`,
  );
  const cls = `rm-strip__run rm-status--${e.status}${warns ? " rm-strip__run--warnings" : ""}${current ? " rm-strip__run--current" : ""}`;
  return `<li><a href="${escapeHtml(runUrl(runbookId, e.slug))}" class="${escapeHtml(cls)}" title="${text}" aria-label="${text}"${current ? ' aria-current="page"' : ""}><span aria-hidden="true">${escapeHtml(s.symbol)}</span></a></li>`;
}

/** The strip of `entries` (newest first), `current` outlined; empty without runs. */
export function historyStripHtml(
  runbookId: string,
  entries: ReportEntry[],
  current?: string,
): string {
  if (entries.length === 0) return "";
  let items = written.get(entries);
  if (!items) {
    items = [...entries].reverse().map((e) => ({
      slug: e.slug,
      html: link(runbookId, e, false),
      currentHtml: link(runbookId, e, true),
    }));
    written.set(entries, items);
  }
  const runs = items.map((i) => (i.slug === current ? i.currentHtml : i.html)).join("");
  return `<ol class="rm-strip" aria-label="Last ${items.length} runs, oldest first">${runs}</ol>`;
}
