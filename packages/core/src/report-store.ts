import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { RunMdError } from "./errors.ts";
import { ID_PATTERN } from "./frontmatter.ts";
import { type RunReport, reportKind } from "./report.ts";

/** Name of the pointer to the newest report in each runbook's folder. */
export const LATEST = "latest.json";
const TMP_DIR = ".tmp";

/**
 * Writes a file atomically: the bytes go to a temporary file in the same file system, are
 * flushed, and the file is renamed over the target. A reader (or a killed writer) never sees a
 * half-written file. Temporary files live in a hidden `.tmp` folder that readers skip.
 */
export async function writeFileAtomic(target: string, data: string): Promise<void> {
  const dir = path.dirname(target);
  const tmpDir = path.join(dir, TMP_DIR);
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(
    tmpDir,
    `${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}`,
  );
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** `2026-11-24T01-23-45.123Z`: sortable, and safe in file names on every system. */
export function reportFileStem(startedAt: string): string {
  return startedAt.replaceAll(":", "-");
}

/**
 * Stores a report as `<dir>/<runbook-id>/<timestamp>.json` and, for a full run (not an
 * investigation: `reportKind`), updates `latest.json`. Earlier reports are never touched.
 */
export async function storeReport(reportsDir: string, report: RunReport): Promise<string> {
  // The parser only makes ids that pass; this keeps any other report inside the directory too.
  if (!ID_PATTERN.test(report.runbook.id)) {
    throw new RunMdError(
      "bad-runbook-id",
      `runbook id "${report.runbook.id}" cannot name a reports folder (letters, digits, "_" and "-")`,
    );
  }
  const dir = path.join(reportsDir, report.runbook.id);
  await mkdir(dir, { recursive: true });
  let file = path.join(dir, `${reportFileStem(report.startedAt)}.json`);
  const existing = new Set(await readdir(dir));
  if (existing.has(path.basename(file))) {
    file = path.join(dir, `${reportFileStem(report.startedAt)}-${report.runId.slice(0, 8)}.json`);
  }
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await writeFileAtomic(file, text);
  // `latest.json` is the runbook's status: an investigation (`--step`, ...) must not change it.
  if (reportKind(report) === "full") await writeFileAtomic(path.join(dir, LATEST), text);
  return file;
}

/**
 * The file `storeReport` wrote for a report (the names it may have chosen, checked by run id),
 * or undefined when none holds it.
 */
export async function findStoredReport(
  reportsDir: string,
  report: RunReport,
): Promise<string | undefined> {
  const dir = path.join(reportsDir, report.runbook.id);
  const stem = reportFileStem(report.startedAt);
  for (const name of [`${stem}-${report.runId.slice(0, 8)}.json`, `${stem}.json`]) {
    const file = path.join(dir, name);
    try {
      const stored = JSON.parse(await readFile(file, "utf8")) as { runId?: unknown };
      if (stored.runId === report.runId) return file;
    } catch {
      // Not there, or not this run's: try the other name.
    }
  }
  return undefined;
}

/** Report files of one runbook, oldest first (the `latest.json` pointer excluded). */
export async function listReports(reportsDir: string, runbookId: string): Promise<string[]> {
  const dir = path.join(reportsDir, runbookId);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".json") && n !== LATEST && !n.startsWith("."))
    .sort()
    .map((n) => path.join(dir, n));
}

export async function readReport(file: string): Promise<RunReport> {
  return JSON.parse(await readFile(file, "utf8")) as RunReport;
}
