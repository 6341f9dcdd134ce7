/**
 * What a job has run and not yet told: `.nightly-pending.json` beside the reports, written before
 * the runs and removed once the night is told. One still there when a job starts is a job that
 * ended before it told (SIGKILL at a CI runner's limit, the OOM killer): the reports its runs
 * wrote since it started are told by this job (red-team: a cron or weekly runbook it ran is not
 * due again for a day or a week, and what it found was told to nobody). Telling them again is
 * safe: the alert state tells a change once.
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import {
  listReports,
  type RunReport,
  reportKind,
  timeOfReportName,
  writeFileAtomic,
} from "@run-md/core";
import type { NightlyOutcome } from "./outcome.ts";

export const PENDING_FILE = ".nightly-pending.json";

interface Pending {
  version: 1;
  /** When the job started (ISO): its runs' reports are named after a later time. */
  startedAt: string;
  /** The runbooks it was to run. */
  runbooks: string[];
}

/** Notes that a job started at `startedAt` runs `ids` and has not told them yet. */
export async function notePending(reportsDir: string, startedAt: Date, ids: string[]) {
  const pending: Pending = { version: 1, startedAt: startedAt.toISOString(), runbooks: ids };
  await writeFileAtomic(
    path.join(reportsDir, PENDING_FILE),
    `${JSON.stringify(pending, null, 2)}\n`,
  );
}

/** The night is told: nothing is pending. */
export async function clearPending(reportsDir: string): Promise<void> {
  await rm(path.join(reportsDir, PENDING_FILE), { force: true });
}

/**
 * The runs of a job that ended before it told them: each listed runbook's newest full run
 * written since that job started (an investigation, a `--date` catch-up's, is left out: its key
 * depends on that job's options), as outcomes to tell; none when no job left its note.
 */
export async function untoldRuns(
  reportsDir: string,
): Promise<{ startedAt: string; runbooks: string[]; outcomes: NightlyOutcome[] } | undefined> {
  let pending: Partial<Pending>;
  try {
    pending = JSON.parse(await readFile(path.join(reportsDir, PENDING_FILE), "utf8"));
  } catch {
    return undefined;
  }
  const since = Date.parse(String(pending.startedAt));
  if (!Array.isArray(pending.runbooks) || Number.isNaN(since)) return undefined;
  const outcomes: NightlyOutcome[] = [];
  const runbooks = pending.runbooks.filter((r): r is string => typeof r === "string");
  for (const id of runbooks) {
    const files = (await listReports(reportsDir, id)).filter(
      (f) => timeOfReportName(path.basename(f)) >= since,
    );
    for (const file of files.reverse()) {
      const report = await readReport(file);
      if (!report || reportKind(report) !== "full") continue;
      outcomes.push(outcomeOf(report, file));
      break;
    }
  }
  return { startedAt: new Date(since).toISOString(), runbooks, outcomes };
}

async function readReport(file: string): Promise<RunReport | undefined> {
  try {
    const report = JSON.parse(await readFile(file, "utf8")) as RunReport;
    return typeof report?.runId === "string" && typeof report.runbook?.id === "string"
      ? report
      : undefined;
  } catch {
    return undefined;
  }
}

function outcomeOf(report: RunReport, file: string): NightlyOutcome {
  const status = report.status;
  return {
    runbookId: report.runbook.id,
    title: report.runbook.title,
    severity: report.runbook.severity,
    status:
      status === "passed" || status === "warned" || status === "failed" || status === "cancelled"
        ? status
        : "errored",
    exitCode: null,
    durationMs: 0,
    startedAt: report.startedAt,
    report,
    reportFile: file,
    stderr: "",
  };
}
