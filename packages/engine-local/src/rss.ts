/**
 * Another process's resident memory, in bytes, for the isolated engine's watch (isolated.ts):
 * Linux's `/proc/<pid>/status` (VmRSS), read in microseconds; Windows' `tasklist` (the working
 * set); elsewhere `ps -o rss=`. Undefined when the process is gone or the figure cannot be read.
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
  const windows = process.platform === "win32";
  const [command, args, read] = windows
    ? (["tasklist", ["/FI", `PID eq ${pid}`, "/FO", "CSV", "/NH"], tasklistBytes] as const)
    : (["ps", ["-o", "rss=", "-p", String(pid)], psBytes] as const);
  return new Promise((resolve) => {
    execFile(command, args, (error, stdout) => resolve(error ? undefined : read(stdout)));
  });
}

/** `ps -o rss=`: kilobytes. */
export function psBytes(stdout: string): number | undefined {
  const text = stdout.trim();
  return /^\d+$/.test(text) ? Number(text) * 1024 : undefined;
}

/**
 * Windows' `tasklist /FO CSV /NH`: the last field is the working set, `"123,456 K"` (the
 * thousands separator is the locale's); "INFO: No tasks..." when the process is gone.
 */
export function tasklistBytes(stdout: string): number | undefined {
  const last = /"([^"]*)"\s*$/.exec(stdout.trim())?.[1];
  const kb = last === undefined ? undefined : /^([\d.,\s\u00a0\u202f]+)\s*K$/i.exec(last)?.[1];
  return kb === undefined ? undefined : Number(kb.replace(/\D/g, "")) * 1024;
}
