/**
 * Locks between processes: the file `lock` created exclusively, holding its owner's pid, host and
 * a token of its own. A lock whose owner is gone (a process killed while holding it) is stale and
 * taken over. The owner of another host's lock (a container, another machine on a shared volume,
 * a store restored from a CI cache) cannot be asked whether it lives: its lock is stale once it
 * has not been renewed for `LEASE_MS` (a holder renews its lock's time while it holds it).
 * `withFileLock` holds a lock for a short turn (`run-md serve` and `run-md token` appending to one
 * audit log); `holdFileLock` for a process's lifetime (a server's run records, a store's collect).
 */
import { randomUUID } from "node:crypto";
import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RunMdError } from "./errors.ts";

const HOST = hostname();

/** How long another host's lock stands without being renewed; holders renew it 4 times as often. */
export const LEASE_MS = 60_000;

/**
 * Callers in this process take turns before trying the file (one chain per lock path), so a
 * lock file naming this process's pid on this host and no token of this process's was left by an
 * earlier process with the same pid (a container's PID 1, restarted): it is stale.
 */
const turns = new Map<string, Promise<unknown>>();

/** Lock path → the token written into it, for the locks this process holds now. */
const mine = new Map<string, string>();

export function withFileLock<T>(
  lock: string,
  fn: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const key = path.resolve(lock);
  const run = (turns.get(key) ?? Promise.resolve()).then(() => locked(key, fn, timeoutMs));
  turns.set(
    key,
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
    await giveBack(lock);
  }
}

/**
 * Takes `lock` for as long as the caller lives (a server's state folder), or throws `busy(owner)`
 * when a live process holds it (its pid, and its host when that is another). A lock left by a
 * killed process on this host is taken over. Resolves with the function that gives it back.
 */
export async function holdFileLock(
  lock: string,
  busy: (owner: string) => Error,
): Promise<() => Promise<void>> {
  const key = path.resolve(lock);
  // Claimed before the first await: a second taker in this process is refused at once.
  if (mine.has(key)) throw busy(String(process.pid));
  mine.set(key, "");
  try {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const owner = await tryTake(key);
      if (owner === true) break;
      if (owner === "stale") continue;
      // "": a taker is writing its lock, or taking a stale one over; wait for it, a moment.
      if (owner !== "" || Date.now() > deadline) throw busy(owner || "unknown");
      await sleep(20);
    }
  } catch (e) {
    mine.delete(key);
    throw e;
  }
  // Renewed while held, for takers on other hosts (who judge it by its age).
  const renew = setInterval(() => {
    const now = new Date();
    utimes(key, now, now).catch(() => {});
  }, LEASE_MS / 4);
  renew.unref();
  return () => {
    clearInterval(renew);
    return giveBack(key);
  };
}

/** Removes the lock if it is still this process's (never one another taker wrote since). */
async function giveBack(lock: string): Promise<void> {
  const token = mine.get(lock);
  mine.delete(lock);
  const text = await readFile(lock, "utf8").catch(() => undefined);
  if (text !== undefined && token !== undefined && parse(text).token === token)
    await rm(lock, { force: true });
}

/**
 * Takes `lock` once: true when taken; else its holder (`pid` or `pid on host`), "" while a taker
 * writes it or takes it over, or `stale` when its holder was gone and the lock was removed (for
 * the caller to try again at once).
 */
async function tryTake(lock: string): Promise<true | string> {
  const token = randomUUID();
  try {
    const fh = await open(lock, "wx");
    try {
      await fh.writeFile(`${process.pid}\n${HOST}\n${token}\n`);
    } finally {
      await fh.close();
    }
    mine.set(lock, token);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const owner = await holder(lock);
    if (owner !== "stale") return owner;
    return (await takeOver(lock)) ? "stale" : "";
  }
}

/** How long a takeover's guard may stand before it counts as left by a crashed taker. */
const GUARD_MS = 5_000;

/**
 * Removes a stale lock, one taker at a time: under `<lock>.takeover` (created exclusively), and
 * only if the lock is still stale then. Two takers that both found it stale could otherwise both
 * remove it, the second removing the lock the first had just made. False when another taker is
 * at it.
 */
async function takeOver(lock: string): Promise<boolean> {
  const guard = `${lock}.takeover`;
  try {
    await (await open(guard, "wx")).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    if ((await ageMs(guard)) > GUARD_MS) await rm(guard, { force: true });
    return false;
  }
  try {
    if ((await holder(lock)) === "stale") await rm(lock, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/** How long ago a file was last written (0 when it is gone: nothing to call old). */
async function ageMs(file: string): Promise<number> {
  return Date.now() - (await stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
}

/** A lock file's text: pid, host and token (a lock of an earlier version holds the pid alone). */
function parse(text: string): { pid: number; host: string; token: string } {
  const [pid = "", host = HOST, token = ""] = text.split("\n");
  return { pid: Number(pid), host: host || HOST, token };
}

/** The lock's holder, or `stale` when that process is gone ("" while being written). */
async function holder(lock: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(lock, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
  const { pid, host, token } = parse(text);
  if (text === "" || !Number.isSafeInteger(pid) || pid <= 0) {
    // Created but not written yet, or written by something else: stale after a second.
    return (await ageMs(lock)) > 1000 ? "stale" : "";
  }
  // Another host's process cannot be asked whether it lives: its lock lives while it is renewed.
  if (host !== HOST) {
    return (await ageMs(lock)) > LEASE_MS ? "stale" : `${pid} on ${host}`;
  }
  if (pid === process.pid) return token !== "" && mine.get(lock) === token ? String(pid) : "stale";
  try {
    process.kill(pid, 0);
    return String(pid);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? String(pid) : "stale";
  }
}
