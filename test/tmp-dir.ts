/**
 * One temporary folder for a whole `vitest run`. The workers get it as TMPDIR
 * (vitest.config.ts), and so does every process they start; the global setup removes it when
 * the run ends. Whatever a test or a process it killed leaves in the system's temporary folder
 * (a test's mkdtemp folders, a local engine's cache, Chromium's profile, Astro's build files)
 * goes with it: before, each run left hundreds of folders in /tmp (about 8,000 of them, 5 GB,
 * after a day of runs).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Where the folder's path is kept between the configuration and the global setup (one process). */
const VAR = "RUN_MD_TEST_TMPDIR";

/** The run's temporary folder, made on the first call in this process. */
export function runTmpDir(): string {
  const made = process.env[VAR];
  if (made !== undefined && existsSync(made)) return made;
  const dir = mkdtempSync(path.join(os.tmpdir(), "run-md-tests-"));
  process.env[VAR] = dir;
  return dir;
}

/** Removes the run's temporary folder and what is in it (the global setup's last step). */
export function removeRunTmpDir(): void {
  const dir = process.env[VAR];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
