/**
 * Benchmark of a large result on the local engine, through the real CLI: a step returning 20M rows
 * (`SELECT range AS n, repeat('x', 200) AS pad FROM range(20000000)`, about 4 GB as text) with a
 * check that reads every value (`max(n)`), so every row is converted and checked. It prints the
 * CLI's peak RSS for the whole run (target: under 512 MB), and how long the run takes to stop
 * after Ctrl-C and after a `timeout=` expires (target: within 2 s, with a report and exit 130/2).
 */
import { spawn } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateLogs } from "@run-md/generator";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "packages/cli/bin/run-md.cjs");
const ROWS = 20_000_000;
const FROM = "2026-01-01T00:00:00Z";
const TO = "2026-01-02T00:00:00Z";
const TIME = "/usr/bin/time";
const MAX_RSS_MB = 512;
const CANCEL_MS = 2000;

function runbook(timeout?: string): string {
  return `---
id: big
title: Large result
---

\`\`\`sql big dialect=duckdb${timeout === undefined ? "" : ` timeout=${timeout}`}
SELECT range AS n, repeat('x', 200) AS pad FROM range(${ROWS})
\`\`\`

\`\`\`expect
rows == ${ROWS}
max(n) == ${ROWS - 1}
\`\`\`
`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal (or from the start) to the exit. */
  ms: number;
  maxRssMb?: number;
}

/**
 * Runs the CLI. `measureRss`: under /usr/bin/time (when present) for the peak RSS. `interrupt`:
 * sends SIGINT 2 s after the step started, and `ms` counts from then to the exit.
 */
function cli(
  args: string[],
  opts: { measureRss?: boolean; interrupt?: boolean } = {},
): Promise<Run> {
  const timed = opts.measureRss === true && existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const argv = timed ? ["-f", "maxrss_kb=%M", process.execPath, BIN, ...args] : [BIN, ...args];
  const child = spawn(cmd, argv, {
    env: { ...process.env, CI: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let t0 = performance.now();
  let armed = opts.interrupt === true;
  child.stdout.on("data", (d) => {
    stdout += d;
    // Plain output says "… <title> [big · local]" when the step starts.
    if (armed && stdout.includes("[big · local]")) {
      armed = false;
      setTimeout(() => {
        t0 = performance.now();
        child.kill("SIGINT");
      }, 2000);
    }
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      const rss = /maxrss_kb=(\d+)/.exec(stderr)?.[1];
      resolve({
        code,
        stdout,
        stderr,
        ms: Math.round(performance.now() - t0),
        ...(rss === undefined ? {} : { maxRssMb: Math.round(Number(rss) / 1024) }),
      });
    });
  });
}

export async function benchLargeResult(): Promise<boolean> {
  console.log(
    `large result: ${ROWS.toLocaleString("en")} rows through the CLI on the local engine`,
  );
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-bench-large-"));
  try {
    const logDir = path.join(dir, "logs");
    await generateLogs({
      outDir: logDir,
      start: new Date(FROM),
      end: new Date(TO),
      eventsPerDay: 100,
      seed: "large",
    });
    const base = ["--log-dir", logDir, "--from", FROM, "--to", TO, "--no-report", "--json"];
    let ok = true;

    await fsp.writeFile(path.join(dir, "big.md"), runbook());
    // Every row is converted, masked and checked: on a busy machine that outlasts the default 10m.
    const full = await cli([path.join(dir, "big.md"), ...base, "--timeout", "60m"], {
      measureRss: true,
    });
    const report = JSON.parse(full.stdout || "{}") as {
      status?: string;
      steps?: { rowCount?: number; durationMs?: number }[];
    };
    const rss = full.maxRssMb;
    const rssOk = rss !== undefined && rss < MAX_RSS_MB;
    ok &&= rssOk && report.status === "passed" && report.steps?.[0]?.rowCount === ROWS;
    console.log(
      `  whole result: exit ${full.code}, ${report.status}, ${report.steps?.[0]?.rowCount?.toLocaleString("en")} rows in ${((report.steps?.[0]?.durationMs ?? 0) / 1000).toFixed(1)} s, peak RSS ${rss ?? "?"} MB (target < ${MAX_RSS_MB} MB) ${rssOk ? "ok" : "MISSED"}`,
    );

    const reports = path.join(dir, "reports");
    const plain = ["--log-dir", logDir, "--from", FROM, "--to", TO, "--reports-dir", reports];
    const cancel = await cli([path.join(dir, "big.md"), ...plain], { interrupt: true });
    const latest = await fsp
      .readFile(path.join(reports, "big", "latest.json"), "utf8")
      .then((t) => (JSON.parse(t) as { status?: string }).status)
      .catch(() => "missing");
    const cancelOk = cancel.code === 130 && cancel.ms < CANCEL_MS && latest === "cancelled";
    ok &&= cancelOk;
    console.log(
      `  Ctrl-C 2 s into the step: exit ${cancel.code} ${cancel.ms} ms after SIGINT, report ${latest} (target < ${CANCEL_MS} ms, exit 130) ${cancelOk ? "ok" : "MISSED"}`,
    );

    await fsp.writeFile(path.join(dir, "big-timeout.md"), runbook("3s"));
    const timed = await cli([path.join(dir, "big-timeout.md"), ...base]);
    const step = (
      JSON.parse(timed.stdout || "{}") as {
        steps?: { durationMs?: number; error?: { code?: string } }[];
      }
    ).steps?.[0];
    const over = (step?.durationMs ?? 0) - 3000;
    const timeoutOk = timed.code === 2 && step?.error?.code === "timeout" && over < CANCEL_MS;
    ok &&= timeoutOk;
    console.log(
      `  timeout=3s: exit ${timed.code}, ${step?.error?.code}, step stopped ${over} ms after its timeout (target < ${CANCEL_MS} ms, exit 2) ${timeoutOk ? "ok" : "MISSED"}`,
    );
    const load = os.loadavg()[0] ?? 0;
    if (load > os.cpus().length) {
      console.log(
        `  (load average ${load.toFixed(1)} on ${os.cpus().length} cores: times include the contention)`,
      );
    }
    return ok;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
