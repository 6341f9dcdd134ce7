/**
 * Report retention: deletes the reports older than the retention from each runbook's folder,
 * never `latest.json`, never a runbook's newest report and never its newest full run (not an
 * investigation), so every runbook keeps its last run and its status.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { LATEST, reportKind } from "@run-md/core";

export interface PruneResult {
  /** Deleted report files. */
  pruned: string[];
  /** Report files kept. */
  kept: number;
}

/** `2026-11-24T01-23-45.123Z` (the runner's file names) back to an instant; NaN otherwise. */
export function timeOfReportName(name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)Z/.exec(name);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
}

async function startedAt(file: string): Promise<number> {
  const fromName = timeOfReportName(path.basename(file));
  if (!Number.isNaN(fromName)) return fromName;
  try {
    const report = JSON.parse(await readFile(file, "utf8")) as { startedAt?: unknown };
    return typeof report.startedAt === "string" ? Date.parse(report.startedAt) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Whether a report file is a full run (unreadable files count as full: they are kept anyway). */
async function isFullRun(file: string): Promise<boolean> {
  try {
    return reportKind(JSON.parse(await readFile(file, "utf8"))) === "full";
  } catch {
    return true;
  }
}

/** The index of the newest full run among reports sorted newest first (-1 when none is). */
async function newestFull(timed: { file: string }[]): Promise<number> {
  for (const [i, r] of timed.entries()) if (await isFullRun(r.file)) return i;
  return -1;
}

async function dirEntries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/**
 * Prunes every runbook folder under `reportsDir`. A report whose time cannot be told (neither
 * from its name nor its `startedAt`) is kept.
 */
export async function pruneReports(
  reportsDir: string,
  retentionMs: number,
  now: Date = new Date(),
): Promise<PruneResult> {
  const cutoff = now.getTime() - retentionMs;
  const pruned: string[] = [];
  let kept = 0;
  for (const entry of await dirEntries(reportsDir)) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(reportsDir, entry.name);
    const files = (await dirEntries(dir))
      .filter(
        (f) =>
          f.isFile() && f.name.endsWith(".json") && f.name !== LATEST && !f.name.startsWith("."),
      )
      .map((f) => path.join(dir, f.name));
    const timed = await Promise.all(
      files.map(async (file) => ({ file, at: await startedAt(file) })),
    );
    // Newest first; the newest report and the newest full run are kept whatever their age.
    timed.sort((a, b) => (b.at || 0) - (a.at || 0) || b.file.localeCompare(a.file));
    const full = await newestFull(timed);
    for (const [i, r] of timed.entries()) {
      if (i > 0 && i !== full && !Number.isNaN(r.at) && r.at < cutoff) {
        await rm(r.file, { force: true });
        pruned.push(r.file);
      } else {
        kept++;
      }
    }
  }
  return { pruned: pruned.sort(), kept };
}
