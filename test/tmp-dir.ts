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
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";

/** Where the folder's path is kept between the configuration and the global setup (one process). */
const VAR = "RUN_MD_TEST_TMPDIR";

/** A run's temporary files peaked at 88 MB (sampled every 2 s); a tmpfs with less free than this is passed over. */
const MEMORY_FOLDER_MIN_FREE = 2 ** 30;

const PREFIX = "run-md-tests-";

/** A run's folder older than this is left by a killed run: removed when the next run starts. */
const STALE_MS = 24 * 3600_000;

/** The file in a run's folder naming the process that made it (the run's main process). */
const OWNER = ".owner-pid";

/** The run's temporary folder, made on the first call in this process. */
export function runTmpDir(): string {
  const made = process.env[VAR];
  if (made !== undefined && existsSync(made)) return made;
  const base = tmpBase();
  removeStale(base);
  const dir = mkdtempSync(path.join(base, PREFIX));
  writeFileSync(path.join(dir, OWNER), String(process.pid));
  process.env[VAR] = dir;
  return dir;
}

/**
 * The caller's TMPDIR when set, else /dev/shm when usable (writable, room to spare, and mounted
 * without `noexec`: the tests install and run packages, DuckDB's native module and scripts in
 * it; Docker mounts its /dev/shm noexec), else the system's temporary folder. `mounts` is
 * /proc/self/mounts' text.
 */
export function tmpBase(
  env: NodeJS.ProcessEnv = process.env,
  memoryFolder = "/dev/shm",
  mounts = readMounts(),
): string {
  if (env.TMPDIR) return env.TMPDIR;
  try {
    accessSync(memoryFolder, constants.W_OK);
    const { bavail, bsize } = statfsSync(memoryFolder);
    if (bavail * bsize >= MEMORY_FOLDER_MIN_FREE && runsPrograms(memoryFolder, mounts)) {
      return memoryFolder;
    }
  } catch {
    // No such folder, or not writable: the system's temporary folder.
  }
  return os.tmpdir();
}

function readMounts(): string {
  try {
    return readFileSync("/proc/self/mounts", "utf8");
  } catch {
    return "";
  }
}

/** Whether the mount holding `folder` (the longest mount point above it) lacks `noexec`. */
export function runsPrograms(folder: string, mounts: string): boolean {
  const holding = mounts
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([, at]) => at === "/" || folder === at || folder.startsWith(`${at}/`))
    .sort((a, b) => b[1]!.length - a[1]!.length)[0];
  // Not known (no /proc): not chosen.
  return holding !== undefined && !(holding[3] ?? "").split(",").includes("noexec");
}

/**
 * Removes the run folders in `base` left more than a day ago by a run whose process is gone (a
 * killed run's, in memory). The age alone is not enough: a run under a shifted clock (faketime
 * two days ahead, a test of the nightly's dates) took every live run's folder for a day old and
 * removed it under them (38 test files of a CI rehearsal failed with ENOENT).
 */
export function removeStale(base: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((name) => name.startsWith(PREFIX));
  } catch {
    return; // no such folder
  }
  for (const name of names) {
    const dir = path.join(base, name);
    try {
      if (now - statSync(dir).mtimeMs > STALE_MS && !ownerAlive(dir))
        rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another user's folder, or one removed meanwhile: left as it is.
    }
  }
}

/** Whether the process named in the folder's owner file runs (a folder without one: no). */
function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, OWNER), "utf8"));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** Removes the run's temporary folder and what is in it (the global setup's last step). */
export function removeRunTmpDir(): void {
  const dir = process.env[VAR];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
