/**
 * A lock between processes on one machine: the file `lock` created exclusively, holding the
 * owner's pid. A lock whose owner is gone (a process killed while holding it) is stale and
 * taken over. Used so `run-md serve` and the `run-md token` commands can append to one audit
 * log without breaking its chain.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { RunMdError } from "@run-md/core";

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
    try {
      const fh = await open(lock, "wx");
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = await holder(lock);
      // Two processes finding the same stale lock at once could both remove it; the second
      // removal would free the first's new lock. Stale locks only follow a crash, so the
      // window is one crash plus two simultaneous takers.
      if (owner === "stale") await rm(lock, { force: true });
      else if (Date.now() > deadline)
        throw new RunMdError(
          "lock-timeout",
          `${lock} has been held by process ${owner} for over ${timeoutMs / 1000} s`,
          { hint: `If no run-md process ${owner} is running, remove ${lock}.` },
        );
      else await sleep(2 + Math.random() * 8);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
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
