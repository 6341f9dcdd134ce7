/**
 * What the pages read: the runbooks collection joined with the reports directory. Loaded once
 * per build and shared by every page.
 */

import { getCollection } from "astro:content";
import { createHash } from "node:crypto";
import { type RunReport, setNewest } from "@run-md/core";
import { indexRank, STATUS_RANK } from "./format.ts";
import { lastRunDay, stripDays } from "./heat.ts";
import type { RunbookDoc } from "./loader.ts";
import { url } from "./paths.ts";
import { type PublishedReport, publishReports } from "./published.ts";
import { reportIndex } from "./report-index.ts";
import {
  type ReportEntry,
  type ReportProblem,
  type RunbookHistory,
  orphanReports,
  readReport,
} from "./reports.ts";
import { posixRelPath } from "./runbook-links.ts";

export interface RunbookView {
  doc: RunbookDoc;
  history: RunbookHistory;
  latest?: ReportEntry;
}

export interface SiteData {
  runbooks: RunbookView[];
  byId: Map<string, RunbookView>;
  /** Each runbook's id by its file, relative to the runbooks directory with `/` (runbook-links.ts). */
  idByPath: Map<string, string>;
  tags: string[];
  problems: ReportProblem[];
  /** The days of the index's heat strip, oldest first, ending on the newest run's day. */
  days: string[];
}

export const inputs = __RUN_MD_INPUTS__;

export { reportJsonUrl, runbookUrl, runUrl, url } from "./paths.ts";

export { STATUS_RANK };

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** The runbook's status: its latest full run's, or `unreadable` when its newest report file is. */
export function latestStatus(view: RunbookView): string {
  if (view.history.unreadable) return "unreadable";
  return view.latest?.status ?? "none";
}

let cached: Promise<SiteData> | undefined;

export function getSiteData(): Promise<SiteData> {
  // A build reads everything once; `astro dev` reads again on each page, to show new reports.
  if (import.meta.env.DEV) return load();
  cached ??= load();
  return cached;
}

async function load(): Promise<SiteData> {
  const entries = await getCollection("runbooks");
  const docs = entries.map((e) => e.data as unknown as RunbookDoc);
  const index = await reportIndex(inputs.reportsDir, {
    limit: inputs.historyLimit,
    runbookIds: docs.map((d) => d.id),
  });
  for (const p of index.problems) console.warn(`[run-md] skipped report ${p.file}: ${p.message}`);
  for (const o of await orphanReports(
    inputs.reportsDir,
    docs.map((d) => d.id),
  ))
    console.warn(
      `[run-md] ${o.files} report file${o.files === 1 ? "" : "s"} of "${o.runbookId}", which is no runbook of the site (renamed or removed?): not shown`,
    );
  const runbooks: RunbookView[] = docs.map((doc) => {
    // Runs of an id two files share cannot be told apart: neither page shows them.
    const shared = doc.sharedId !== undefined;
    const history = (shared ? undefined : index.histories.get(doc.id)) ?? {
      runbookId: doc.id,
      entries: [],
      investigations: [],
      total: 0,
    };
    const view: RunbookView = { doc, history };
    if (history.entries[0]) view.latest = history.entries[0];
    return view;
  });
  runbooks.sort(
    (a, b) =>
      indexRank(latestStatus(a), a.latest?.failedChecks ?? 0, a.doc.valid) -
        indexRank(latestStatus(b), b.latest?.failedChecks ?? 0, b.doc.valid) ||
      (SEVERITY_RANK[a.doc.meta?.severity ?? ""] ?? 9) -
        (SEVERITY_RANK[b.doc.meta?.severity ?? ""] ?? 9) ||
      a.doc.title.localeCompare(b.doc.title),
  );
  // A build copies these files once its pages are written; `astro dev` serves them by a route.
  publishReports(reportFiles(runbooks));
  const tags = [...new Set(runbooks.flatMap((r) => r.doc.meta?.tags ?? []))].sort();
  const end = lastRunDay(runbooks.map((r) => r.history));
  return {
    days: end ? stripDays(end) : [],
    runbooks,
    byId: new Map(runbooks.map((r) => [r.doc.id, r])),
    idByPath: new Map(runbooks.map((r) => [posixRelPath(r.doc.relPath), r.doc.id])),
    tags,
    problems: index.problems,
  };
}

/**
 * The report files published next to the pages (`reportJsonUrl`): each full run, which has a
 * page, and each investigation, listed on the runbook page with its JSON.
 */
export function reportFiles(runbooks: RunbookView[]): PublishedReport[] {
  return runbooks.flatMap((view) =>
    [...view.history.entries, ...view.history.investigations].map((entry) => ({
      runbookId: view.doc.id,
      slug: entry.slug,
      file: entry.file,
    })),
  );
}

/**
 * The reports read lately. A run page shows its report and the one before it, and Astro renders
 * a runbook's run pages newest first, so each report is wanted by two pages in a row: keeping
 * the last few parsed halves the reading and parsing of a build. A few only, so that a site of
 * thousands of reports never holds them all in memory. Pages only read reports.
 */
const RECENT_REPORTS = 8;
const recent = new Map<string, Promise<RunReport>>();

function readReportOnce(file: string): Promise<RunReport> {
  if (import.meta.env.DEV) return readReport(file);
  let report = recent.get(file);
  if (!report) {
    report = readReport(file);
    // A failed read is not kept: the page that asked reports it.
    report.catch(() => recent.delete(file));
  }
  setNewest(recent, file, report, RECENT_REPORTS);
  return report;
}

/** The full report of a history entry, and the one before it (for the differences). */
export async function reportPair(
  view: RunbookView,
  index: number,
): Promise<{ report?: RunReport; previous?: RunReport; previousEntry?: ReportEntry }> {
  const entry = view.history.entries[index];
  if (!entry) return {};
  const previousEntry = view.history.entries[index + 1];
  const [report, previous] = await Promise.all([
    readReportOnce(entry.file),
    previousEntry ? readReportOnce(previousEntry.file) : Promise.resolve(undefined),
  ]);
  return {
    report,
    ...(previous ? { previous } : {}),
    ...(previousEntry ? { previousEntry } : {}),
  };
}

/**
 * The page name of a tag: the tag itself when it is safe in a URL and a file name, else a safe
 * form with a short digest, so that `ci/cd` gets a page (`ci-cd-<digest>`) and never shares one
 * with a tag `ci-cd`.
 */
export function tagSlug(tag: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(tag)) return tag;
  const safe = tag.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return `${safe || "tag"}-${createHash("sha256").update(tag).digest("hex").slice(0, 8)}`;
}

export function tagUrl(tag: string): string {
  return url(`/tags/${tagSlug(tag)}/`);
}
