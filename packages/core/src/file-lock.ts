/**
 * A lock between processes on one machine: the file `lock` created exclusively, holding the
 * owner's pid. A lock whose owner is gone (a process killed while holding it) is stale and
 * taken over. Used so `run-md serve` and the `run-md token` commands can append to one audit
 * log without breaking its chain.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { RunMdError } from "./errors.ts";

/**
 * Callers in this process take turns before trying the file (one chain per lock path), so a
 * lock file naming this process's pid is never a live holder: it was left by an earlier process
 * with the same pid (a container's PID 1, restarted) and is stale.
 */
const turns = new Map<string, Promise<unknown>>();

export function withFileLock<T>(
  lock: string,
  fn: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const run = (turns.get(lock) ?? Promise.resolve()).then(() => locked(lock, fn, timeoutMs));
  turns.set(
    lock,
    run.catch(() => undefined),
  );
  return run;
}

async function locked<T>(lock: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = await tryTake(lock);
    if (owner === true) break;
    if (owner === "stale") continue;
    if (Date.now() > deadline)
      throw new RunMdError(
        "lock-timeout",
        `${lock} has been held by process ${owner} for over ${timeoutMs / 1000} s`,
        { hint: `If no run-md process ${owner} is running, remove ${lock}.` },
      );
    await sleep(2 + Math.random() * 8);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Takes `lock` once: true when taken; else its holder's pid, "" while a taker writes it, or
 * `stale` when its holder is gone (the lock is then removed, for the caller to try again). Two
 * processes finding the same stale lock at once could both remove it; the second removal would
 * free the first's new lock. Stale locks only follow a crash, so the window is one crash plus
 * two simultaneous takers.
 */
async function tryTake(lock: string): Promise<true | string> {
  try {
    const fh = await open(lock, "wx");
    try {
      await fh.writeFile(String(process.pid));
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const owner = await holder(lock);
    if (owner === "stale") await rm(lock, { force: true });
    return owner;
  }
}

/** The locks this process holds for good (`holdFileLock`): never stale, though they name its pid. */
const held = new Set<string>();

/**
 * Takes `lock` for as long as the caller lives (a server's state folder), or throws `busy(pid)`
 * when a live process holds it; a lock left by a killed process is taken over. Resolves with the
 * function that gives it back.
 */
export async function holdFileLock(
  lock: string,
  busy: (owner: string) => Error,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const owner = held.has(lock) ? String(process.pid) : await tryTake(lock);
    if (owner === true) break;
    if (owner === "stale") continue;
    // "": a taker is writing its pid; wait for it, a moment.
    if (owner !== "" || Date.now() > deadline) throw busy(owner || "unknown");
    await sleep(20);
  }
  held.add(lock);
  return async () => {
    held.delete(lock);
    await rm(lock, { force: true });
  };
}

/** The pid holding the lock, or `stale` when that process is gone ("" while being written). */
async function holder(lock: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(lock, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
  const pid = Number(text);
  if (text === "" || !Number.isSafeInteger(pid) || pid <= 0) {
    // Created but not written yet, or written by something else: stale after a second.
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    return age > 1000 ? "stale" : "";
  }
  if (pid === process.pid) return "stale";
  try {
    process.kill(pid, 0);
    return String(pid);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? String(pid) : "stale";
  }
}
