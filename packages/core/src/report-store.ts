import { randomBytes } from "node:crypto";
import { closeSync, type Dirent, existsSync, openSync, unlinkSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { RunMdError } from "./errors.ts";
import { ID_PATTERN } from "./frontmatter.ts";
import { type RunReport, reportKind } from "./report.ts";
import { reportSchemaProblem } from "./report-schema.ts";

/** Name of the pointer to the newest report in each runbook's folder. */
export const LATEST = "latest.json";
const TMP_DIR = ".tmp";

/**
 * Writes a file atomically: the bytes go to a temporary file in the same file system, are
 * flushed, and the file is renamed over the target. A reader (or a killed writer) never sees a
 * half-written file. Temporary files live in a hidden `.tmp` folder that readers skip; with
 * `beside` (a file the user named: `--junit`, `--markdown`, `audit --output`), in a hidden file
 * beside the target instead, `.NAME.<pid>.<random>.tmp`, as `--output` has it, so that the
 * user's folder is left with no `.tmp` folder.
 */
export async function writeFileAtomic(
  target: string,
  data: string,
  { beside = false }: { beside?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(target);
  let tmp: string;
  if (beside) {
    await mkdir(dir, { recursive: true });
    tmp = tempBeside(target);
  } else {
    await mkdir(path.join(dir, TMP_DIR), { recursive: true });
    tmp = path.join(dir, TMP_DIR, `${path.basename(target)}.${uniqueSuffix()}`);
  }
  const fh = await open(tmp, "wx");
  try {
    await fh.writeFile(data, "utf8");
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncFolder(dir);
}

/** `<pid>.<random hex>`: a temporary name no other writer (process or call) picks. */
function uniqueSuffix(): string {
  return `${process.pid}.${randomBytes(4).toString("hex")}`;
}

/**
 * A hidden temporary file beside `target` (same folder, so the rename onto it is atomic):
 * `.NAME.<pid>.<random>.tmp`, for a file the user named (`--output`, `--junit`, ...).
 */
export function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${uniqueSuffix()}.tmp`);
}

/**
 * Why `dir` cannot take a new file, or undefined when it can: a file is created and removed in it,
 * or in the nearest folder above it that exists (the writers make the folders below). Checked
 * before what must not happen for nothing (a run's queries, an audit entry for a change).
 */
export function newFileRefusal(dir: string): string | undefined {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  const probe = path.join(at, `.run-md-probe.${uniqueSuffix()}`);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}

/**
 * The folder's entries to disk, so that the rename survives a power loss before what the caller
 * does next (a collect or prune removes the files the old manifest named). Where a folder cannot
 * be opened for it (Windows), the rename is as durable as the system makes it.
 */
async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, "r").catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // Not supported for folders here.
  } finally {
    await fh.close();
  }
}

/** `2026-11-24T01-23-45.123Z`: sortable, and safe in file names on every system. */
export function reportFileStem(startedAt: string): string {
  return startedAt.replaceAll(":", "-");
}

/**
 * Where `storeReport` puts a report: `<dir>/<runbook-id>/<timestamp>.json` (it adds the run id's
 * first 8 characters only when another run of the runbook started in the same millisecond).
 */
export function reportFilePath(reportsDir: string, report: RunReport): string {
  return path.join(reportsDir, report.runbook.id, `${reportFileStem(report.startedAt)}.json`);
}

/** `2026-11-24T01-23-45.123Z[-runid].json` (the names `storeReport` writes) back to an instant; NaN otherwise. */
export function timeOfReportName(name: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)Z/.exec(name);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
}

/**
 * Whether a file name in a runbook's folder is a report's: `<time>[-<run id>].json`, as
 * `storeReport` names them. Another JSON file there (`latest.json`, a note, a copy) is none: a
 * name without a time sorted after every report and was taken as the newest run (review).
 */
export function isReportFileName(name: string): boolean {
  // Exactly: a time, perhaps the run id's first 8 characters (review: `…Z copy.json` counted).
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?Z(?:-[0-9a-f]{8})?\.json$/.test(name) &&
    !Number.isNaN(timeOfReportName(name))
  );
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
  try {
    await mkdir(dir, { recursive: true });
    let file = reportFilePath(reportsDir, report);
    const existing = new Set(await readdir(dir));
    if (existing.has(path.basename(file))) {
      file = path.join(dir, `${reportFileStem(report.startedAt)}-${report.runId.slice(0, 8)}.json`);
    }
    const text = `${JSON.stringify(report, null, 2)}\n`;
    await writeFileAtomic(file, text);
    // `latest.json` is the runbook's status: an investigation (`--step`, ...) must not change it.
    if (reportKind(report) === "full") await writeFileAtomic(path.join(dir, LATEST), text);
    return file;
  } catch (e) {
    throw reportNotStored(e, dir);
  }
}

/** A file system error while storing a report, as the error that names the reports folder. */
function reportNotStored(e: unknown, dir: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return e;
  return new RunMdError(
    "output-failed",
    `the report could not be stored in ${dir}: ${(e as Error).message}`,
    {
      hint: "Point reportsDir (or --reports-dir) at a folder you can write to, or pass --no-report.",
      cause: e,
    },
  );
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
    .filter(isReportFileName)
    .sort()
    .map((n) => path.join(dir, n));
}

/**
 * Reads a stored report, checked against the run report schema. A file that is not JSON or not a
 * report is a `bad-report` error naming the file and the first failing path.
 */
export async function readReport(file: string): Promise<RunReport> {
  const text = await readFile(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the text: a file linked in by mistake (credentials) would be
    // published in part on the site's list of reports that cannot be read (red-team).
    const bytes = Buffer.byteLength(text);
    throw badReport(file, `not JSON (${bytes} byte${bytes === 1 ? "" : "s"} that do not parse)`);
  }
  const problem = await reportSchemaProblem(value);
  if (problem !== undefined) throw badReport(file, problem);
  return value as RunReport;
}

function badReport(file: string, problem: string): RunMdError {
  return new RunMdError("bad-report", `${file}: not a run-md report: ${problem}`);
}

// Retention: deletes the reports older than the retention from each runbook's folder, never
// `latest.json`, never a runbook's newest report and never its newest full run (not an
// investigation), so every runbook keeps its last run and its status.

export interface PruneResult {
  /** Deleted report files. */
  pruned: string[];
  /** Report files kept. */
  kept: number;
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

async function dirEntries(dir: string): Promise<Dirent[]> {
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
      .filter((f) => f.isFile() && isReportFileName(f.name))
      .map((f) => path.join(dir, f.name));
    // A report's time is in its name (isReportFileName): another file is never deleted.
    const timed = files.map((file) => ({ file, at: timeOfReportName(path.basename(file)) }));
    // Newest first; the newest report and the newest full run are kept whatever their age.
    timed.sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
    const full = await newestFull(timed);
    for (const [i, r] of timed.entries()) {
      if (i > 0 && i !== full && r.at < cutoff) {
        await rm(r.file, { force: true });
        pruned.push(r.file);
      } else {
        kept++;
      }
    }
  }
  return { pruned: pruned.sort(), kept };
}
