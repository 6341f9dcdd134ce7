/**
 * One temporary folder for a whole `vitest run`. The workers get it as TMPDIR
 * (vitest.config.ts), and so does every process they start; the global setup removes it when
 * the run ends. Whatever a test or a process it killed leaves in the system's temporary folder
 * (a test's mkdtemp folders, a local engine's cache, Chromium's profile, Astro's build files)
 * goes with it: before, each run left hundreds of folders in /tmp (about 8,000 of them, 5 GB,
 * after a day of runs).
 *
 * The folder is made in memory (/dev/shm, a tmpfs) when the machine has one with room to spare
 * and the caller has not chosen a TMPDIR: the tests make tens of thousands of small files and
 * folders, and on this VM's disk each file made costs about 1.2 ms of kernel CPU (2,100 empty
 * files: 2.4 s of system time on ext4, 0.02 s on tmpfs). What the tests assert about files
 * (names, links, permissions, atomic renames within a folder) holds on either.
 */
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Where the folder's path is kept between the configuration and the global setup (one process). */
const VAR = "RUN_MD_TEST_TMPDIR";

/** A run's temporary files peaked at 88 MB (sampled every 2 s); a tmpfs with less free than this is passed over. */
const MEMORY_FOLDER_MIN_FREE = 2 ** 30;

/** The run's temporary folder, made on the first call in this process. */
export function runTmpDir(): string {
  const made = process.env[VAR];
  if (made !== undefined && existsSync(made)) return made;
  const dir = mkdtempSync(path.join(tmpBase(), "run-md-tests-"));
  process.env[VAR] = dir;
  return dir;
}

/** The caller's TMPDIR when set, else /dev/shm when usable, else the system's temporary folder. */
export function tmpBase(env: NodeJS.ProcessEnv = process.env, memoryFolder = "/dev/shm"): string {
  if (env.TMPDIR) return env.TMPDIR;
  try {
    accessSync(memoryFolder, constants.W_OK);
    const { bavail, bsize } = statfsSync(memoryFolder);
    if (bavail * bsize >= MEMORY_FOLDER_MIN_FREE) return memoryFolder;
  } catch {
    // No such folder, or not writable: the system's temporary folder.
  }
  return os.tmpdir();
}

/** Removes the run's temporary folder and what is in it (the global setup's last step). */
export function removeRunTmpDir(): void {
  const dir = process.env[VAR];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
