/**
 * The nightly container of docs/nightly.md ("A container"), its ENTRYPOINT run as written:
 * `docker stop` (and Kubernetes, ECS) sends SIGTERM to that process, and the job must hear it,
 * cancel its runs and tell what it found. As `npm run nightly`, npm passed SIGTERM to the `sh -c`
 * it runs the script under, which died of it without a word to the job: npm exited 143, the job
 * and its runs went on orphaned until the container was killed, untold (red-team).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

/** The JSON array of the doc's Dockerfile line `<keyword> [...]`. */
async function dockerfileLine(keyword: "ENTRYPOINT"): Promise<string[]> {
  const doc = await readFile(path.join(REPO, "docs/nightly.md"), "utf8");
  const line = new RegExp(`^${keyword} (\\[.*\\])$`, "m").exec(doc)?.[1];
  expect(line, `${keyword} in docs/nightly.md`).toBeDefined();
  return JSON.parse(line as string) as string[];
}

/** Pids of live processes whose command line mentions `marker`. */
async function processesMentioning(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const text = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (text.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

describe("red-team: SIGTERM to the documented nightly container's entry point", () => {
  it("reaches the job: its runs are cancelled, it exits 130, and nothing is left running", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-container-"));
    const runbooks = path.join(work, "runbooks");
    await mkdir(runbooks);
    await writeFile(
      path.join(runbooks, "slow.md"),
      "---\ntitle: Slow\nschedule: nightly\n---\n\n```sql forever timeout=10m dialect=duckdb\nSELECT count(*) AS n FROM range(1000000000000) WHERE range % 7 = 3\n```\n",
    );
    const [command, ...args] = await dockerfileLine("ENTRYPOINT");
    const child = spawn(
      command as string,
      [...args, "--runbooks", runbooks, "--reports-dir", path.join(work, "reports"), "--no-build"],
      { cwd: REPO, env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b;
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b;
    });
    // On exit, not close: an orphan of it would hold its output open.
    const done = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      // Until its run of the runbook is going.
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const runs = (await processesMentioning(path.join(runbooks, "slow.md"))).length;
        if (runs > 0 && out.includes("due")) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1000));
      child.kill("SIGTERM");
      const code = await done;
      await new Promise((r) => setTimeout(r, 500)); // its last words
      expect(out).toContain("interrupted (SIGTERM)");
      expect(out).toMatch(/cancelled\s+slow/);
      expect(code, out).toBe(130);
    } finally {
      // What it left (the job and its run, orphaned) is stopped here, and must be none.
      const left = await processesMentioning(work);
      for (const pid of left) process.kill(pid, "SIGKILL");
      expect(left).toEqual([]);
    }
  }, 180_000);
});
