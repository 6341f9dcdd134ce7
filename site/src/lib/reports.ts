/**
 * Reading the reports directory the runner writes (`<dir>/<runbook-id>/<timestamp>.json` plus
 * `latest.json`) and comparing consecutive runs. Plain TypeScript: the pages, the nightly job and
 * the tests use it alike.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import {
  type CheckOutcome,
  failsTheRun,
  isReportFileName,
  type JsonValue,
  LATEST,
  onlyWarnsTheRun,
  type RunKind,
  type RunReport,
  type RunStatus,
  readReport,
  reportKind,
  reportSlug,
  type Status,
  stepWarnings,
  timeOfReportName,
} from "@run-md/core";

import { shownStatus } from "./format.ts";

// Reading and validating one report is core's report-store; the site re-exports it.
export { readReport, reportSlug };

/** A check of a run as the index and the history charts need it (not its rows). */
export interface CheckSummary {
  stepId: string;
  stepTitle?: string;
  check: string;
  label?: string;
  status: Status;
  actual?: JsonValue;
  message: string;
  /** The check's step errored (a file not read, a capped result): a pass judged part of the data. */
  stepErrored?: boolean;
  /** It failed in an `optional` step: it only warns the run (core `onlyWarnsTheRun`). */
  onlyWarns?: boolean;
}

/** One report file of a runbook's history, with what the index and the history strip show. */
export interface ReportEntry {
  /** Absolute path of the JSON file. */
  file: string;
  /** File name without `.json`, as the runner wrote it. */
  name: string;
  /** The name made safe for a URL path segment. */
  slug: string;
  runId: string;
  status: RunStatus;
  /** `full` (the runbook as written) or `investigation` (`--step`, a changed `--param`, ...). */
  kind: RunKind;
  startedAt: string;
  durationMs: number;
  /** The engines the steps ran on (`local`, `athena + logs`); the run's own choice without steps. */
  engine: string;
  /**
   * The failed checks that fail the run (core `failsTheRun`): an optional step's failed check
   * only warns it, and is not counted here, so the index does not rank a warned run as failed.
   */
  failedChecks: number;
  /** Every check of the run, in order. */
  checks: CheckSummary[];
  /** The steps the run ran (all of them, or the one of `--step`). */
  stepIds: string[];
  /** sha256 of the runbook file the run ran: another than the site's file is an earlier version. */
  sourceHash?: string;
  /** The run read the bundled sample data, not CloudTrail logs (core SAMPLE_DATA_NOTE). */
  sampleData?: true;
  /** The run's own error, when it has one. */
  error?: string;
  /** Its steps' first warning and how many more (core `stepWarnings`), when they have any. */
  warning?: string;
  /**
   * The first step that errored, with its message, and how many more, when the run has no error
   * of its own: the index says why the run errored (a step's SQL error keeps no checks to list).
   */
  stepError?: string;
}

export interface RunbookHistory {
  runbookId: string;
  /**
   * The full runs, newest first, at most the history limit: what the runbook's status, history
   * strip and heat strip are made of. An investigation never changes them.
   */
  entries: ReportEntry[];
  /** The investigations (`--step`, a changed `--param`, another window), newest first, shown apart. */
  investigations: ReportEntry[];
  /** How many report files the directory holds for this runbook. */
  total: number;
  /**
   * The days (UTC, `2026-11-20`) of the report files left unread, past the history limit: the
   * heat strip says "not read" of them, never "no run" (their time is in their name).
   */
  unreadDays?: string[];
  /**
   * The newest report file, when it cannot be read or validated (or is another runbook's):
   * newer than every full run read, it may be the latest run, so the runbook's status is
   * `unreadable`, never the older run's.
   */
  unreadable?: ReportProblem;
}

export interface ReportProblem {
  file: string;
  message: string;
}

/** The order of an index's problems. */
export const byFile = (a: ReportProblem, b: ReportProblem) => a.file.localeCompare(b.file);

export interface ReportIndex {
  histories: Map<string, RunbookHistory>;
  /** Files that are not readable reports: skipped, and listed so the build can say so. */
  problems: ReportProblem[];
}

/** The checks of a report, read defensively: reports from other versions may lack parts. */
function checkSummaries(report: RunReport): CheckSummary[] {
  return report.steps.flatMap((step) =>
    (step.checks ?? []).map((c) => {
      const s: CheckSummary = {
        stepId: step.id,
        check: c.check,
        status: c.status,
        message: c.message ?? "",
      };
      if (step.title !== undefined) s.stepTitle = step.title;
      if (c.label !== undefined) s.label = c.label;
      if (c.actual !== undefined) s.actual = c.actual;
      if (step.error) s.stepErrored = true;
      if (onlyWarnsTheRun(step, c)) s.onlyWarns = true;
      return s;
    }),
  );
}

/**
 * The engines a run's steps ran on, in order of first use: the report's own `engine` is the run's
 * `--engine` choice, "default" for nearly every run (review: every history row said "default").
 */
function enginesOf(report: RunReport): string {
  const used = [...new Set(report.steps.map((s) => s.engine).filter((e) => e !== ""))];
  return used.length > 0 ? used.join(" + ") : report.engine;
}

function entryOf(file: string, report: RunReport): ReportEntry {
  const name = path.basename(file, ".json");
  const entry: ReportEntry = {
    file,
    name,
    slug: reportSlug(name),
    runId: report.runId,
    status: report.status,
    kind: reportKind(report),
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    engine: enginesOf(report),
    failedChecks: report.steps.reduce(
      (n, s) => n + (s.checks ?? []).filter((c) => failsTheRun(s, c)).length,
      0,
    ),
    checks: checkSummaries(report),
    stepIds: report.steps.map((s) => s.id),
  };
  if (report.runbook.sourceHash !== undefined) entry.sourceHash = report.runbook.sourceHash;
  if (report.sampleData) entry.sampleData = true;
  if (report.error?.message) entry.error = report.error.message;
  else {
    const errored = report.steps.filter((s) => s.error);
    const first = errored[0];
    if (first?.error) {
      const more = errored.length - 1;
      entry.stepError = `error in step ${first.title ?? first.id}: ${first.error.message}${more > 0 ? ` (and ${more} more step${more === 1 ? "" : "s"} errored)` : ""}`;
    }
  }
  const warning = stepWarnings(report);
  if (warning !== "") entry.warning = warning;
  return entry;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/**
 * How far after the build a report may say it started: the runner's and the build machine's
 * clocks may differ a little. A report from further on (a wrong clock, a forged file) is no run.
 */
const FUTURE_SLACK_MS = 3_600_000;

/**
 * Throws when a report is not where the runner would have put it: in its runbook's folder, in a
 * file named after its `startedAt` (core reportFileStem), before `now`. Another runbook's report
 * is not this one's run; a file whose time is not its name's is ordered by neither (a file named
 * for an old day that says it started in 2099 was the newest run, and never grew stale); a run
 * from after the build would end every runbook's heat strip on its day and never grow stale.
 */
function checkPlace(report: RunReport, runbookId: string, name: string, now: number): void {
  if (report.runbook?.id !== runbookId)
    throw new Error(
      `the report is of runbook "${report.runbook?.id}", not of its folder "${runbookId}"`,
    );
  const named = timeOfReportName(name);
  if (Date.parse(report.startedAt) !== named)
    throw new Error(
      `the report says it started at ${report.startedAt}, not at ${new Date(named).toISOString()}, the time its file is named after`,
    );
  if (named > now + FUTURE_SLACK_MS)
    throw new Error(
      `the report says it started at ${report.startedAt}, after the site was built (${new Date(now).toISOString()}): the runner's clock or the file is wrong`,
    );
}

/** The days (UTC) of report files, from the times in their names, each once. */
function daysOfNames(names: string[]): string[] {
  const days = names.map((n) => new Date(timeOfReportName(n)).toISOString().slice(0, 10));
  return [...new Set(days)].sort();
}

/**
 * Reads the newest `limit` reports of every runbook directory under `reportsDir`. A missing
 * directory is an empty history. The runner names its files by timestamp, so the newest files
 * are read first; their `startedAt` orders the result.
 */
export async function readReportIndex(
  reportsDir: string,
  options: {
    limit: number;
    runbookIds?: Iterable<string>;
    /** Called with each report read, for more than the index wants of it. */
    onReport?: (file: string, report: RunReport) => void;
    /** The build's time (ms): a report from after it is no run (FUTURE_SLACK_MS). */
    now?: number;
  },
): Promise<ReportIndex> {
  const histories = new Map<string, RunbookHistory>();
  const problems: ReportProblem[] = [];
  const wanted = options.runbookIds ? new Set(options.runbookIds) : undefined;
  const now = options.now ?? Date.now();
  const dirs = await listDir(reportsDir);
  await Promise.all(
    dirs.map(async (runbookId) => {
      if (runbookId.startsWith(".") || (wanted && !wanted.has(runbookId))) return;
      const dir = path.join(reportsDir, runbookId);
      const all = await listDir(dir);
      // A JSON file not named as reports are (a note, a copy) is named, never taken as a run.
      for (const name of all.filter(
        (n) => n.endsWith(".json") && n !== LATEST && !n.startsWith("."),
      ))
        if (!isReportFileName(name))
          problems.push({
            file: path.join(dir, name),
            message: "not a report's name (<time>.json, as run-md writes them): ignored",
          });
      const names = all.filter(isReportFileName).sort().reverse();
      if (names.length === 0) return;
      const entries: ReportEntry[] = [];
      const investigations: ReportEntry[] = [];
      let unreadable: ReportProblem | undefined;
      // Read newest-first until `limit` good full runs are found (and at most `limit`
      // investigations kept); unreadable files are skipped.
      let read = 0;
      for (const name of names) {
        if (entries.length >= options.limit) break;
        read++;
        const file = path.join(dir, name);
        try {
          const report = await readReport(file);
          checkPlace(report, runbookId, name, now);
          options.onReport?.(file, report);
          const entry = entryOf(file, report);
          if (entry.kind === "full") entries.push(entry);
          else if (investigations.length < options.limit) investigations.push(entry);
        } catch (e) {
          // Named within the reports directory: the build machine's paths are not published.
          const message = (e as Error).message.replaceAll(file, `${runbookId}/${name}`);
          const problem = { file, message };
          problems.push(problem);
          // Newer than every full run read: it may be the latest run.
          if (entries.length === 0 && !unreadable) unreadable = problem;
        }
      }
      const newestFirst = (a: ReportEntry, b: ReportEntry) =>
        b.startedAt.localeCompare(a.startedAt);
      entries.sort(newestFirst);
      investigations.sort(newestFirst);
      const history: RunbookHistory = { runbookId, entries, investigations, total: names.length };
      if (unreadable) history.unreadable = unreadable;
      const unreadDays = daysOfNames(names.slice(read));
      if (unreadDays.length > 0) history.unreadDays = unreadDays;
      histories.set(runbookId, history);
    }),
  );
  problems.sort(byFile);
  return { histories, problems };
}

/**
 * The folders of `reportsDir` that hold report files of no runbook in `runbookIds` (a runbook
 * renamed or removed), with how many: no page shows them, so the build names them.
 */
export async function orphanReports(
  reportsDir: string,
  runbookIds: Iterable<string>,
): Promise<{ runbookId: string; files: number }[]> {
  const known = new Set(runbookIds);
  const out: { runbookId: string; files: number }[] = [];
  for (const runbookId of (await listDir(reportsDir)).sort()) {
    if (runbookId.startsWith(".") || known.has(runbookId)) continue;
    let names: string[];
    try {
      names = await listDir(path.join(reportsDir, runbookId));
    } catch {
      continue; // a file, not a folder
    }
    const files = names.filter(isReportFileName).length;
    if (files > 0) out.push({ runbookId, files });
  }
  return out;
}

/** A row's identity for comparisons: its JSON with keys in order. */
export function rowKey(row: Record<string, JsonValue>): string {
  const sorted: Record<string, JsonValue> = {};
  for (const k of Object.keys(row).sort()) sorted[k] = row[k] as JsonValue;
  return JSON.stringify(sorted);
}

export interface CheckChange {
  stepId: string;
  stepTitle?: string;
  check: string;
  label?: string;
  status: Status;
  /** The status as pages show it: `unjudged` for a pass of a step that errored (format shownStatus). */
  shown: string;
  /** Absent when the previous run had no such check (a new check, or a changed runbook). */
  previousStatus?: Status;
  previousShown?: string;
  actual?: JsonValue;
  previousActual?: JsonValue;
  /** Offending rows shown in this run and not in the previous one. */
  newRows: Record<string, JsonValue>[];
  /** Offending rows shown in the previous run and not in this one. */
  resolvedRows: Record<string, JsonValue>[];
  /** True when either run showed only the first of more offending rows. */
  partial: boolean;
  /** It failed in an `optional` step: it only warns the run (core `onlyWarnsTheRun`). */
  onlyWarns?: boolean;
}

export interface ReportDiff {
  /** Checks whose status, actual value or offending rows differ from the previous run. */
  changes: CheckChange[];
  statusChanged: boolean;
  previousStatus?: RunStatus;
}

function checkKey(stepId: string, c: CheckOutcome): string {
  return `${stepId}\u0000${c.check}`;
}

/**
 * What changed between two runs of one runbook: each check matched by step id and text, with
 * the offending rows that appeared and those that went away.
 */
export function diffReports(current: RunReport, previous: RunReport | undefined): ReportDiff {
  if (!previous) return { changes: [], statusChanged: false };
  const before = new Map<string, { check: CheckOutcome; shown: string }>();
  for (const step of previous.steps) {
    for (const c of step.checks)
      before.set(checkKey(step.id, c), { check: c, shown: shownStatus(step, c) });
  }
  const changes: CheckChange[] = [];
  for (const step of current.steps) {
    for (const c of step.checks) {
      const was = before.get(checkKey(step.id, c));
      const p = was?.check;
      const shown = shownStatus(step, c);
      const nowRows = c.offendingRows ?? [];
      const prevRows = p?.offendingRows ?? [];
      const nowKeys = new Set(nowRows.map(rowKey));
      const prevKeys = new Set(prevRows.map(rowKey));
      // An errored check, or a pass of a step that errored (files not read), says nothing about
      // the rows: compare rows only between real outcomes.
      const judged = (status: string | undefined) => status !== "errored" && status !== "unjudged";
      const comparable = judged(shown) && judged(was?.shown);
      const newRows = !comparable
        ? []
        : p
          ? nowRows.filter((r) => !prevKeys.has(rowKey(r)))
          : nowRows;
      const resolvedRows = comparable ? prevRows.filter((r) => !nowKeys.has(rowKey(r))) : [];
      const partial =
        (c.offendingCount ?? nowRows.length) > nowRows.length ||
        (p?.offendingCount ?? prevRows.length) > prevRows.length;
      const changed =
        !p ||
        p.status !== c.status ||
        was?.shown !== shown ||
        JSON.stringify(p.actual) !== JSON.stringify(c.actual) ||
        newRows.length > 0 ||
        resolvedRows.length > 0;
      if (!changed) continue;
      const change: CheckChange = {
        stepId: step.id,
        check: c.check,
        status: c.status,
        shown,
        actual: c.actual,
        newRows,
        resolvedRows,
        partial,
      };
      if (step.title !== undefined) change.stepTitle = step.title;
      if (c.label !== undefined) change.label = c.label;
      if (onlyWarnsTheRun(step, c)) change.onlyWarns = true;
      if (was && p) {
        change.previousStatus = p.status;
        change.previousShown = was.shown;
        change.previousActual = p.actual;
      }
      changes.push(change);
    }
  }
  return {
    changes,
    statusChanged: previous.status !== current.status,
    previousStatus: previous.status,
  };
}
