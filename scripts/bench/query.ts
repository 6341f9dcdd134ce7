/**
 * Benchmark of `run-md query --format csv --output` through the real CLI: a 5,000,000-row result
 * (each of 5,000 generated events crossed with `UNNEST(sequence(1, 1000))`, Athena SQL the
 * checker and the sandbox accept) streamed to a CSV file. Prints rows/s and the CLI's peak RSS
 * (target: under 512 MB), and counts the file's lines to verify that every row is there.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateLogs } from "@run-md/generator";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "packages/cli/bin/run-md.cjs");
const EVENTS = 5000;
const FAN_OUT = 1000;
const FROM = "2026-01-01T00:00:00Z";
const TO = "2026-01-02T00:00:00Z";
const TIME = "/usr/bin/time";
const MAX_RSS_MB = 512;

/** Line feeds in a file, read as a stream. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** Runs the CLI under /usr/bin/time (when present): exit code, stderr, seconds, peak RSS. */
function cli(
  args: string[],
): Promise<{ code: number | null; stderr: string; s: number; rssMb?: number }> {
  const timed = existsSync(TIME);
  const cmd = timed ? TIME : process.execPath;
  const argv = timed ? ["-f", "maxrss_kb=%M", process.execPath, BIN, ...args] : [BIN, ...args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, {
    env: { ...process.env, CI: "1", NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      const rss = /maxrss_kb=(\d+)/.exec(stderr)?.[1];
      resolve({
        code,
        stderr,
        s: (performance.now() - t0) / 1000,
        ...(rss === undefined ? {} : { rssMb: Math.round(Number(rss) / 1024) }),
      });
    });
  });
}

export async function benchQuery(): Promise<boolean> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "run-md-bench-query-"));
  try {
    const logDir = path.join(dir, "logs");
    const generated = await generateLogs({
      outDir: logDir,
      start: new Date(FROM),
      end: new Date(TO),
      totalEvents: EVENTS,
      seed: "bench-query",
    });
    const rows = generated.events * FAN_OUT;
    console.log(
      `query to CSV: ${rows.toLocaleString("en")} rows (${generated.events} events × ${FAN_OUT}) through run-md query --format csv --output`,
    );
    const file = path.join(dir, "rows.csv");
    const sql = `SELECT e.eventid, e.eventname, e.eventtime, s.n FROM cloudtrail_logs e CROSS JOIN UNNEST(sequence(1, ${FAN_OUT})) AS s(n)`;
    const run = await cli([
      "query",
      sql,
      "--format",
      "csv",
      "--output",
      file,
      "--log-dir",
      logDir,
      "--from",
      FROM,
      "--to",
      TO,
      "--timeout",
      "60m",
    ]);
    const lines = existsSync(file) ? await countLines(file) : 0;
    const size = existsSync(file) ? (await fsp.stat(file)).size : 0;
    const complete = run.code === 0 && lines === rows + 1; // the header line, then one per row
    const rssOk = run.rssMb !== undefined && run.rssMb < MAX_RSS_MB;
    console.log(
      `  exit ${run.code}, ${(lines - 1).toLocaleString("en")} rows in the file (${(size / 1e6).toFixed(0)} MB) ${complete ? "ok" : `MISSED (expected ${rows})`}`,
    );
    console.log(
      `  ${run.s.toFixed(1)} s, ${Math.round(rows / run.s).toLocaleString("en")} rows/s, peak RSS ${run.rssMb ?? "?"} MB (target < ${MAX_RSS_MB} MB) ${rssOk ? "ok" : "MISSED"}`,
    );
    if (!complete) console.log(run.stderr.trim().replace(/^/gm, "  | "));
    const load = os.loadavg()[0] ?? 0;
    if (load > os.cpus().length) {
      console.log(
        `  (load average ${load.toFixed(1)} on ${os.cpus().length} cores: times include the contention)`,
      );
    }
    return complete && rssOk;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
