/**
 * Another process's resident memory, in bytes, for the isolated engine's watch (isolated.ts):
 * Linux's `/proc/<pid>/status` (VmRSS), read in microseconds; elsewhere `ps -o rss=`. Undefined
 * when the process is gone or the figure cannot be read.
 */
import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";

/** How often the watch may ask (ps is a process of its own; /proc is a file read). */
export const RSS_INTERVAL_MS = process.platform === "linux" ? 20 : 200;

export async function residentBytes(pid: number): Promise<number | undefined> {
  if (process.platform === "linux") {
    const status = await fsp.readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
    const kb = status === undefined ? undefined : /^VmRSS:\s*(\d+)\s*kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  }
  return new Promise((resolve) => {
    execFile("ps", ["-o", "rss=", "-p", String(pid)], (error, stdout) => {
      const kb = Number(stdout.trim());
      resolve(error || !Number.isFinite(kb) || stdout.trim() === "" ? undefined : kb * 1024);
    });
  });
}
