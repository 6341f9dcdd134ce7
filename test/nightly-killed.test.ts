/**
 * The nightly job killed (SIGKILL: a CI runner's hard limit after its SIGTERM grace, the OOM
 * killer) while it tells the night's failures: the next job must still tell them. The runs
 * that found them are done, their reports written; what the killed job had not yet told must be
 * neither taken as read nor as told.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { REPO } from "./helpers.ts";

/** A Slack-like receiver; `hold` keeps each request unanswered (a webhook that hangs). */
async function receiver(onRequest: (body: string) => "hold" | "ok") {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      bodies.push(body);
      if (onRequest(body) === "ok") res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** The nightly job as one process of its own, so that it can be killed. */
function nightly(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/nightly.ts", ...args], {
    cwd: REPO,
    env: { ...process.env, CI: "1", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b;
  });
  child.stderr.on("data", (b: Buffer) => {
    out += b;
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, done, out: () => out };
}

const failing = (title: string, schedule: string) =>
  `---\ntitle: ${title}\nschedule: "${schedule}"\n---\n\n\`\`\`sql one\nSELECT 1 AS one\n\`\`\`\n\n\`\`\`expect\nrows == 0\n\`\`\`\n`;

const closers: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));

describe("red-team: the nightly job killed while it notifies", () => {
  it("leaves the night's findings to be told by the next job, a cron runbook's too, and its windows unread", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-killed-"));
    const runbooks = path.join(work, "runbooks");
    const reports = path.join(work, "reports");
    await mkdir(runbooks);
    const config = path.join(work, "run-md.config.yaml");
    await writeFile(config, `local:\n  logDir: ${inject("sampleData").incidents}\n`);
    await writeFile(path.join(runbooks, "every-night.md"), failing("Every night", "nightly"));
    // Hourly: due tonight (a time in the 24 hours before), and, once run, not due again at once.
    await writeFile(path.join(runbooks, "hourly.md"), failing("Hourly", "0 * * * *"));
    const args = ["--runbooks", runbooks, "--reports-dir", reports, "--config", config];
    const job = (url: string) =>
      nightly([...args, "--no-build"], { RUN_MD_WEBHOOK_URL: url, RUN_MD_NOTIFY: "failed" });

    // The first job's webhook hangs; the job is killed as its message goes out.
    let first: ReturnType<typeof nightly> | undefined;
    const hanging = await receiver(() => {
      first?.child.kill("SIGKILL");
      return "hold";
    });
    closers.push(hanging.close);
    first = job(hanging.url);
    const killed = await first.done;
    expect(killed.signal, first.out()).toBe("SIGKILL");
    expect(hanging.bodies).toHaveLength(1);
    expect(first.out()).toMatch(/failed\s+every-night/);
    expect(first.out()).toMatch(/failed\s+hourly/);
    // Nothing told: the job's record does not take the night's windows as read.
    const record = await readFile(path.join(reports, ".nightly-runs.json"), "utf8").catch(
      () => "{}",
    );
    expect(JSON.parse(record).readTo?.["every-night"]).toBeUndefined();

    // The next job (the hourly runbook is not due again yet) tells both failures.
    const told = await receiver(() => "ok");
    closers.push(told.close);
    const second = job(told.url);
    const { code } = await second.done;
    expect(code, second.out()).toBe(1);
    const said = told.bodies.join("\n");
    expect(said).toContain("Every night failed");
    expect(said).toContain("Hourly failed");

    // And the night after that is told nothing again (still failing, no reminder due).
    const quiet = await receiver(() => "ok");
    closers.push(quiet.close);
    const third = job(quiet.url);
    await third.done;
    expect(quiet.bodies, third.out()).toEqual([]);
  }, 240_000);
});

describe("red-team: the nightly job killed between its runs", () => {
  it("has the next job tell what the runs it finished found, a cron runbook's too, which is not due again", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-killed-runs-"));
    const runbooks = path.join(work, "runbooks");
    const reports = path.join(work, "reports");
    await mkdir(runbooks);
    const config = path.join(work, "run-md.config.yaml");
    await writeFile(config, `local:\n  logDir: ${inject("sampleData").incidents}\n`);
    // Runs first (one at a time, by name), fails, and is not due again the next job.
    await writeFile(path.join(runbooks, "a-hourly.md"), failing("Hourly", "0 * * * *"));
    // Runs second, and never ends: the job is killed while it runs.
    await writeFile(
      path.join(runbooks, "b-slow.md"),
      `---\ntitle: Slow\nschedule: nightly\n---\n\n\`\`\`sql forever timeout=10m dialect=duckdb\nSELECT count(*) AS n FROM range(1000000000000) WHERE range % 7 = 3\n\`\`\`\n`,
    );
    const args = ["--runbooks", runbooks, "--reports-dir", reports, "--config", config];
    const job = (url: string) =>
      nightly([...args, "--no-build", "--concurrency", "1"], {
        RUN_MD_WEBHOOK_URL: url,
        RUN_MD_NOTIFY: "failed",
      });
    const unused = await receiver(() => "ok");
    closers.push(unused.close);
    const first = job(unused.url);
    const deadline = Date.now() + 120_000;
    while (!/failed\s+a-hourly/.test(first.out()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal, first.out()).toBe("SIGKILL");
    expect(unused.bodies).toEqual([]);
    // Its runner of the slow runbook goes on alone: stopped here, and the runbook taken out.
    for (const pid of await runnersOf(runbooks)) process.kill(pid, "SIGKILL");
    await rm(path.join(runbooks, "b-slow.md"));

    const told = await receiver(() => "ok");
    closers.push(told.close);
    const second = job(told.url);
    await second.done;
    expect(second.out()).not.toMatch(/failed\s+a-hourly/); // not run again ...
    expect(told.bodies.join("\n"), second.out()).toContain("Hourly failed"); // ... and told
    expect(second.out()).toMatch(/the previous job .* ended before it told its runs/);
  }, 240_000);
});

/** Pids of the `run-md run` processes over runbooks in `dir` (a killed job's orphans). */
async function runnersOf(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(dir) && cmd.includes("run-md.cjs")) pids.push(Number(entry));
  }
  return pids;
}
