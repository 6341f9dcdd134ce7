/** The processes whose parent is `pid` (`ps --ppid`): the serve bench and the serve-cli test find the server's local engine process with it. */
import { execFile } from "node:child_process";

export async function childrenOf(pid: number): Promise<number[]> {
  const out = await new Promise<string>((resolve) =>
    execFile("ps", ["-o", "pid=", "--ppid", String(pid)], (_e, stdout) => resolve(stdout)),
  );
  return out
    .split("\n")
    .map(Number)
    .filter((n) => n > 0);
}
