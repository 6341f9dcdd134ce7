/**
 * The nightly job under attack and under a stop signal (issue 10): Slack mrkdwn in titles is
 * escaped in the notification (one summary a night, through `@run-md/notify`), a crashed run's
 * stderr is masked before it is posted, and SIGTERM cancels the runs in progress instead of
 * orphaning them.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runNightly } from "../scripts/nightly/job.ts";
import { readRunsRecord, recordRuns } from "../scripts/nightly/record.ts";
import { totals } from "../scripts/nightly/summary.ts";
import { REPO } from "./helpers.ts";
import { nightlyHere } from "./in-process.ts";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

interface Posted {
  text: string;
  blocks: unknown[];
}

async function startReceiver() {
  const received: Posted[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Posted);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The nightly job as one process (no npm or tsx wrapper), so a signal reaches it directly. */
function nightly(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/nightly.ts", ...args], {
    cwd: REPO,
    env: { ...process.env, CI: "1", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b;
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b;
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, done, out: () => ({ stdout, stderr }) };
}

/** Pids of live processes whose `/proc/<pid>/<part>` (command line, environment) holds `marker`. */
async function processesWith(part: "cmdline" | "environ", marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const text = await readFile(`/proc/${entry}/${part}`, "utf8").catch(() => "");
    if (text.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

/** Pids of live processes whose command line mentions `marker` (our own temp directory). */
const processesMentioning = (marker: string) => processesWith("cmdline", marker);

const runbook = (front: string, body: string) => `---\n${front.trim()}\n---\n\n${body.trim()}\n`;

let work: string;
let config: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-hardening-"));
  config = path.join(work, "run-md.config.yaml");
  // The shared sample data with incidents (test/sample-data.ts), read only.
  await writeFile(config, `local:\n  logDir: ${inject("sampleData").incidents}\n`);
});

describe("the nightly job's notifications", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  afterAll(() => receiver?.close());

  it("escapes mrkdwn in the night's one message, masks a crashed run's stderr, and says nothing the next night", async () => {
    receiver = await startReceiver();
    const dir = path.join(work, "notify");
    await mkdir(dir);
    await writeFile(
      path.join(dir, "evil-title.md"),
      runbook(
        'title: "<!channel> look <https://evil.example|click here>"\nschedule: nightly',
        "```sql any\nSELECT eventname FROM cloudtrail_logs LIMIT 1\n```\n\n```expect\nrows == 0\n```",
      ),
    );
    // A runbook the runner refuses, quoting the offending key (a secret) on stderr.
    await writeFile(
      path.join(dir, "crashes.md"),
      runbook(`title: Leaky\nschedule: nightly\n${SECRET}: 1`, "```sql s\nSELECT 1 AS one\n```"),
    );
    // The job in this process (test/in-process.ts); its `run-md` runs are real processes.
    const night = async () => {
      const job = await nightlyHere(
        [
          "--runbooks",
          dir,
          "--reports-dir",
          path.join(dir, "reports"),
          "--config",
          config,
          "--no-build",
        ],
        { env: { RUN_MD_WEBHOOK_URL: receiver.url } },
      );
      expect(job.code, job.stderr).toBe(2);
      return job.stdout;
    };
    expect(await night()).toContain("notified 1 of 1 target about 2 changes");
    // One message for both runbooks.
    expect(receiver.received).toHaveLength(1);
    const message = receiver.received[0]!;
    // In the order the runbooks ran (crashes.md first).
    expect(message.text).toBe("run-md: 1 runbook errored, 1 runbook failed");
    const mrkdwn = JSON.stringify(message.blocks).match(
      /"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g,
    );
    expect(mrkdwn).toHaveLength(2);
    for (const t of mrkdwn ?? []) expect(t).not.toMatch(/<!channel>|<https:\/\/evil/);
    const [evil, leaky] = ["look", "Leaky"].map((w) => mrkdwn?.find((t) => t.includes(w)) ?? "");
    expect(evil).toContain("&lt;!channel&gt; look &lt;https://evil.example|click here&gt; failed");
    expect(evil).toContain("Failed check: rows == 0 in step any");
    expect(leaky).toContain("unknown front matter key"); // the runner's words are there ...
    expect(JSON.stringify(message)).not.toContain(SECRET); // ... without the secret
    expect(JSON.stringify(message)).not.toContain("EXAMPLEKEY");

    // The next night nothing has changed: nobody is told again.
    expect(await night()).not.toContain("notified");
    expect(receiver.received).toHaveLength(1);
  }, 240_000);
});

describe("SIGTERM stops the nightly job like Ctrl-C", () => {
  it("cancels the runs in progress, waits for them and leaves no run-md process behind", async () => {
    const dir = path.join(work, "slow-runbooks");
    await mkdir(dir);
    for (const name of ["slow-one", "slow-two"]) {
      await writeFile(
        path.join(dir, `${name}.md`),
        runbook(
          `title: ${name}\nschedule: nightly`,
          "```sql forever timeout=10m dialect=duckdb\nSELECT count(*) AS n FROM range(1000000000000) WHERE range % 7 = 3\n```",
        ),
      );
    }
    const job = nightly([
      "--runbooks",
      dir,
      "--reports-dir",
      path.join(dir, "reports"),
      "--config",
      config,
      "--no-build",
    ]);
    // Wait until both run-md children are querying.
    const deadline = Date.now() + 60_000;
    let children: number[] = [];
    while (Date.now() < deadline) {
      children = (await processesMentioning(dir)).filter((p) => p !== job.child.pid);
      if (children.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(children.length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500)); // past start-up, into the queries
    job.child.kill("SIGTERM");
    const { code, signal } = await job.done;
    expect(signal).toBeNull(); // it did not just die ...
    expect(code).toBe(130); // ... it cancelled, like Ctrl-C
    expect(job.out().stderr).toContain("interrupted (SIGTERM)");
    expect(job.out().stdout).toMatch(/cancelled\s+slow-one/);
    expect(await processesMentioning(dir)).toEqual([]);
  }, 240_000); // two run-md processes starting on a busy 2-core machine

  it("during the site build: the build is stopped, exit 130, and the site published before stays whole (review)", async () => {
    const dir = path.join(work, "build-runbooks");
    await mkdir(dir);
    await writeFile(
      path.join(dir, "quick.md"),
      runbook(
        "title: Quick\nschedule: nightly",
        "```sql q\nSELECT count(*) AS n FROM cloudtrail_logs\n```",
      ),
    );
    const out = path.join(dir, "site-out");
    await mkdir(out);
    await writeFile(path.join(out, "index.html"), "the site of last night");
    const job = nightly([
      "--runbooks",
      dir,
      "--reports-dir",
      path.join(dir, "reports"),
      "--config",
      config,
      "--out-dir",
      out,
    ]);
    const deadline = Date.now() + 120_000;
    while (!job.out().stdout.includes("building the site") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(job.out().stdout).toContain("building the site");
    await new Promise((r) => setTimeout(r, 2000)); // into Astro's start
    job.child.kill("SIGTERM");
    const { code } = await job.done;
    expect(code).toBe(130);
    expect(await readFile(path.join(out, "index.html"), "utf8")).toBe("the site of last night");
    expect((await readdir(dir)).filter((f) => f.includes(".next-"))).toEqual([]);
    // No build of this job goes on (another test's build may be running beside it).
    expect(await processesWith("environ", `RUN_MD_SITE_OUT_DIR=${out}.next-`)).toEqual([]);
  }, 240_000);
});

describe("red-team: the nightly job's exit code when it cannot run", () => {
  it("exits 2 with an error line, not 1 (an expectation failed), when the runbooks folder is missing", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-nofolder-"));
    const r = await nightlyHere([
      "--runbooks",
      path.join(work, "no-such-folder"),
      "--reports-dir",
      path.join(work, "reports"),
      "--no-build",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error .*no-such-folder/m);
  });
});

/**
 * Another process holding the reports directory's nightly lock, as a first job does for its whole
 * run: it takes the lock, says so, and holds it until its stdin closes (or it is killed).
 */
async function lockHolder(reports: string) {
  const script = `import { holdFileLock } from "@run-md/core";
const release = await holdFileLock(${JSON.stringify(path.join(reports, ".nightly.lock"))}, () => new Error("busy"));
process.stdout.write("held\\n");
process.stdin.resume();
process.stdin.on("end", async () => { await release(); process.exit(0); });`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
    child.on("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return {
    pid: child.pid,
    release: () => {
      child.stdin.end();
      return exited;
    },
    kill: () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

describe("red-team: two nightly jobs at once", () => {
  async function setUp() {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-twice-"));
    const runbooks = path.join(work, "runbooks");
    const reports = path.join(work, "reports");
    await mkdir(runbooks, { recursive: true });
    await mkdir(reports, { recursive: true });
    await writeFile(
      path.join(runbooks, "n.md"),
      "---\ntitle: N\nschedule: nightly\n---\n\n```sql s\nSELECT 1 AS one\n```\n",
    );
    const job = () => nightlyHere(["--runbooks", runbooks, "--reports-dir", reports, "--no-build"]);
    return { reports, job };
  }

  it("refuses the second, exit 2 naming the first, before it runs anything (review: both paged)", async () => {
    const { reports, job } = await setUp();
    // The first job, another process, holds the reports directory's lock.
    const first = await lockHolder(reports);
    try {
      const r = await job();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`^error another nightly job \\(process ${first.pid}\\) is running over `, "m"),
      );
      expect(await readdir(reports)).toEqual([".nightly.lock"]);
    } finally {
      await first.release();
    }
    // Once it is done, the next job runs.
    const next = await job();
    expect(next.stderr).not.toMatch(/another nightly job/);
    expect(await readdir(path.join(reports, "n"))).toContain("latest.json");
  }, 120_000);

  it("takes over the lock of a job that was killed (kill -9 leaves the lock file)", async () => {
    const { reports, job } = await setUp();
    const first = await lockHolder(reports);
    await first.kill();
    expect(await readdir(reports)).toEqual([".nightly.lock"]);
    const next = await job();
    expect(next.stderr).not.toMatch(/another nightly job/);
    expect(await readdir(path.join(reports, "n"))).toContain("latest.json");
  }, 120_000);
});

/** The nightly job's options over the runbooks of `dir`, its reports in `dir/reports`. */
function jobIn(dir: string) {
  return {
    runbooksDir: dir,
    reportsDir: path.join(dir, "reports"),
    config,
    concurrency: 1,
    build: false,
    outDir: path.join(dir, "site"),
    notify: ["failed", "errored", "recovered", "reminder"] as const,
  };
}

describe("red-team: a nightly job stopped part way", () => {
  it("still escalates the runs it finished (a failure must not wait for a night that gets to its end)", async () => {
    const receiver = await startReceiver();
    try {
      const dir = await mkdtemp(path.join(work, "stopped-"));
      const finds = "```sql any\nSELECT eventname FROM cloudtrail_logs LIMIT 1\n```";
      await writeFile(
        path.join(dir, "a-finds-something.md"),
        runbook(
          "title: Finds\nschedule: nightly\nseverity: high",
          `${finds}\n\n\`\`\`expect\nrows == 0\n\`\`\``,
        ),
      );
      await writeFile(
        path.join(dir, "b-never-runs.md"),
        runbook("title: Later\nschedule: nightly", "```sql one\nSELECT 1 AS one\n```"),
      );
      const stop = new AbortController();
      const result = await runNightly({
        ...jobIn(dir),
        webhookUrl: receiver.url,
        // SIGTERM (a CI timeout, `docker stop`) arrives right after the first run ended.
        log: (line) => {
          if (line.startsWith("  failed")) stop.abort();
        },
        signal: stop.signal,
      });
      expect(result.outcomes.map((o) => [o.runbookId, o.status])).toEqual([
        ["a-finds-something", "failed"],
      ]);
      expect(result.exitCode).toBe(130);
      expect(receiver.received.map((m) => m.text)).toEqual([
        ":red_circle: run-md: Finds failed (severity high)",
      ]);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});

describe("red-team: a mistake in notify: beside good targets", () => {
  it("tells the targets, and the job exits 2 with the mistake in its totals although every run passed", async () => {
    const receiver = await startReceiver();
    try {
      const dir = await mkdtemp(path.join(work, "notify-typo-"));
      await writeFile(
        path.join(dir, "quiet.md"),
        runbook("title: Quiet\nschedule: nightly", "```sql one\nSELECT 1 AS one\n```"),
      );
      const typo = path.join(dir, "run-md.config.yaml");
      await writeFile(
        typo,
        `${await readFile(config, "utf8")}notify:\n  reminders: 24h\n  targets:\n    - { type: slack, url: "${receiver.url}" }\n`,
      );
      const lines: string[] = [];
      const result = await runNightly({
        ...jobIn(dir),
        config: typo,
        log: (line) => lines.push(line),
      });
      expect(result.outcomes.map((o) => o.status)).toEqual(["passed"]);
      expect(result.notifyProblem).toBe("1 mistake in notify:");
      expect(result.exitCode).toBe(2);
      expect(totals(result)).toContain("1 mistake in notify: · 0 old reports pruned · exit 2");
      expect(lines.join("\n")).toMatch(
        /error notify: .*:4:3: notify\.reminders is not a known key/,
      );
    } finally {
      await receiver.close();
    }
  }, 120_000);
});

describe("red-team: the job's summary follows mask.accessKeyIds", () => {
  it("hides an access key id a runner's last words quote, on stdout and in the GitHub job summary", async () => {
    const dir = await mkdtemp(path.join(work, "mask-"));
    await writeFile(
      path.join(dir, "leak.md"),
      runbook(
        "title: Leak\nschedule: nightly\nbogus_AKIAIOSFODNN7EXAMPLE: 1",
        "```sql s\nSELECT 1 AS x\n```",
      ),
    );
    const masked = path.join(dir, "run-md.config.yaml");
    await writeFile(masked, `mask:\n  accessKeyIds: hide\n${await readFile(config, "utf8")}`);
    const summary = path.join(dir, "summary.md");
    const job = await nightlyHere(
      [
        "--runbooks",
        dir,
        "--reports-dir",
        path.join(dir, "reports"),
        "--config",
        masked,
        "--no-build",
      ],
      { env: { RUN_MD_WEBHOOK_URL: "", GITHUB_STEP_SUMMARY: summary } },
    );
    expect(job.code).toBe(2);
    expect(job.stdout).toContain("unknown front matter key");
    expect(job.stdout).toContain("bogus_AKIA");
    expect(job.stdout).not.toContain("AKIAIOSFODNN7EXAMPLE");
    const markdown = await readFile(summary, "utf8");
    expect(markdown).toContain("unknown front matter key");
    expect(markdown).not.toContain("AKIAIOSFODNN7EXAMPLE");
  }, 120_000);
});

describe("red-team: a GitHub job summary that cannot be written", () => {
  it("is a warning: the job's exit code stays the night's (it threw, and Node's exit 1 read as a failed check)", async () => {
    const dir = await mkdtemp(path.join(work, "summary-"));
    await writeFile(
      path.join(dir, "fine.md"),
      runbook("title: Fine\nschedule: nightly", "```sql s\nSELECT 1 AS x\n```"),
    );
    const job = await nightlyHere(
      [
        "--runbooks",
        dir,
        "--reports-dir",
        path.join(dir, "reports"),
        "--config",
        config,
        "--no-build",
      ],
      // A folder: appending to it fails (EISDIR), as a full disk or a revoked file would.
      { env: { RUN_MD_WEBHOOK_URL: "", GITHUB_STEP_SUMMARY: dir } },
    );
    expect(job.code, job.stdout + job.stderr).toBe(0);
    expect(job.stderr).toContain("warning the GitHub job summary could not be written: EISDIR");
  }, 120_000);
});

describe("red-team: the nightly's windows leave no time between them", () => {
  it("a nightly runbook's window starts where its previous night's ended, and ends CloudTrail's delivery lag before the job", async () => {
    const dir = await mkdtemp(path.join(work, "windows-"));
    const reports = path.join(dir, "reports");
    await writeFile(
      path.join(dir, "n.md"),
      runbook("title: N\nschedule: nightly\nwindow: 24h", "```sql one\nSELECT 1 AS one\n```"),
    );
    // The night before read up to 30 hours ago (its job started later tonight than then + 24h).
    const previousEnd = new Date(Math.floor(Date.now() / 1000) * 1000 - 30 * 3_600_000);
    await recordRuns(reports, ["n"], new Date(previousEnd.getTime() + 3_600_000), previousEnd);
    const before = Date.now();
    const result = await runNightly({ ...jobIn(dir), log: () => {} });
    const after = Date.now();
    const report = result.outcomes[0]!.report!;
    expect(report.kind).toBe("full");
    expect(report.window.start).toBe(previousEnd.toISOString().replace(".000Z", "Z"));
    const end = Date.parse(report.window.end);
    // An hour before the job started (to the second), which was between before and after.
    expect(end).toBeLessThanOrEqual(after - 3_600_000);
    expect(end).toBeGreaterThanOrEqual(Math.floor((before - 3_600_000) / 1000) * 1000);
    // The record says where this run ended: the next night starts there.
    const record = await readRunsRecord(reports);
    expect(record.readTo.get("n")?.getTime()).toBe(end);
  }, 120_000);

  it("a record more than the catch-up limit back reads a week, and says that the time before it is read by no night", async () => {
    const dir = await mkdtemp(path.join(work, "windows-"));
    const reports = path.join(dir, "reports");
    await writeFile(
      path.join(dir, "n.md"),
      runbook("title: N\nschedule: nightly\nwindow: 24h", "```sql one\nSELECT 1 AS one\n```"),
    );
    // Held back at a day without logs that never got any, 8 days ago.
    const previousEnd = new Date(Math.floor(Date.now() / 1000) * 1000 - 8 * 24 * 3_600_000);
    await recordRuns(reports, ["n"], previousEnd, previousEnd);
    const log: string[] = [];
    const result = await runNightly({ ...jobIn(dir), log: (l) => log.push(l) });
    const report = result.outcomes[0]!.report!;
    const end = Date.parse(report.window.end);
    expect(Date.parse(report.window.start)).toBe(end - 7 * 24 * 3_600_000);
    expect(log.join("\n")).toContain(
      `warning n: read from ${report.window.start}, not from ${previousEnd.toISOString().replace(".000Z", "Z")} where the job's record says its reading stopped (more than 7 days back): logs of before then delivered since are read by no night`,
    );
  }, 120_000);
});
