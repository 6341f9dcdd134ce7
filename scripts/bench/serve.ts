/**
 * Benchmark: `run-md serve` under load, on loopback. The built CLI serves the bundled runbooks
 * on the local engine over the sample data; 50 concurrent clients start 200 runs through the API
 * (token auth, a token each) and follow each run's events to `run-end`. Asserts that every run ended with a
 * stored report and a complete audit trail (request, start, end), none lost or duplicated, and
 * that the audit chain verifies. Prints runs/s, p50/p95 from request to `run-end`, and the
 * server's peak RSS (VmHWM of its process, and of its local engine's when that runs in a child
 * process: once so, serve's default, and once in the server's process). Bounded: 200 runs, 10
 * minutes at most, each way.
 * Run alone: `npm run bench -- serve`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TokenStore, verifyAuditFile } from "@run-md/access";
import { ensureSampleData } from "@run-md/generator";
import { childrenOf } from "../processes.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "packages/cli/bin/run-md.cjs");
const CLIENTS = 50;
const RUNS = 200;
const DEADLINE_MS = 10 * 60_000;
/** Bundled runbooks the clients take turns at (the quickest of the set, with two engines' steps). */
const RUNBOOKS = ["root-account-usage", "kms-key-deletion", "cloudtrail-tampering"];

function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, "serve", path.join(ROOT, "runbooks")], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on("exit", (code) => reject(new Error(`run-md serve exited ${code}: ${out}`)));
  });
}

/** Peak resident memory of a process (Linux `VmHWM`), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** Starts one run and reads its events to the end; returns the run id, run-end data and ms. */
async function oneRun(url: string, token: string, runbook: string) {
  const t0 = performance.now();
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const res = await fetch(`${url}/api/runs`, {
    method: "POST",
    headers,
    body: JSON.stringify({ runbook }),
  });
  if (res.status !== 202)
    throw new Error(`POST /api/runs ${runbook}: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const stream = await fetch(`${url}/api/runs/${id}/events`, { headers });
  const text = await stream.text(); // the server ends the stream after run-end
  const ms = performance.now() - t0;
  const end = /event: run-end\ndata: (.*)\n/.exec(text);
  if (!end) throw new Error(`run ${id}: the stream ended without run-end`);
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  if (ids.some((v, i) => v !== i + 1))
    throw new Error(`run ${id}: event ids ${ids.join(",")} not 1..n`);
  return { id, end: JSON.parse(end[1]!) as { status: string; report?: string }, ms };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Both ways of running the local engine: in a child process of its own (serve's default,
 * `local.processMemoryLimit: auto`) and in the server's process (`none`), each its own server.
 */
export async function benchServe(): Promise<boolean> {
  let ok = true;
  for (const limit of ["auto", "none"] as const) ok = (await serveOnce(limit)) && ok;
  return ok;
}

async function serveOnce(processMemoryLimit: "auto" | "none"): Promise<boolean> {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-bench-serve-"));
  const sample = await ensureSampleData(path.join(ROOT, ".run-md", "sample-data"));
  await writeFile(
    path.join(dir, "run-md.config.yaml"),
    `reportsDir: reports\nlocal:\n  logDir: ${JSON.stringify(sample.dir)}\n  processMemoryLimit: ${processMemoryLimit}\nserver:\n  port: 0\n  concurrency: 2\naccess:\n  rules:\n    - groups: [bench]\n      allow: [view, run]\n`,
  );
  // One token per client: 50 people, each under the server's limit of 10 queued runs a caller.
  const store = new TokenStore(path.join(dir, ".run-md/tokens.json"));
  const tokens: string[] = [];
  for (let c = 0; c < CLIENTS; c++)
    tokens.push((await store.create({ name: `bench-${c}`, groups: ["bench"] })).token);
  const { child, url } = await startServer(dir);
  const deadline = Date.now() + DEADLINE_MS;
  try {
    let started = 0;
    const results: Array<Awaited<ReturnType<typeof oneRun>>> = [];
    const t0 = performance.now();
    await Promise.all(
      tokens.map(async (token) => {
        while (started < RUNS) {
          if (Date.now() > deadline)
            throw new Error(`not done within ${DEADLINE_MS / 60_000} minutes`);
          const n = started++;
          results.push(await oneRun(url, token, RUNBOOKS[n % RUNBOOKS.length]!));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const peak = await peakRssMb(child.pid!);
    const engines = await Promise.all((await childrenOf(child.pid!)).map(peakRssMb));
    const where =
      processMemoryLimit === "auto"
        ? `engine in its own process (peak RSS ${engines.map((m) => `${m.toFixed(0)} MB`).join(", ")})`
        : "engine in the server's process";
    const problems = await checkTrail(dir, results);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    console.log(
      `run-md serve: ${RUNS} runs by ${CLIENTS} clients in ${seconds.toFixed(1)} s: ${(RUNS / seconds).toFixed(2)} runs/s; request → run-end p50 ${(percentile(ms, 50) / 1000).toFixed(2)} s, p95 ${(percentile(ms, 95) / 1000).toFixed(2)} s; server peak RSS ${peak.toFixed(0)} MB; ${where}`,
    );
    console.log(
      problems.length === 0
        ? "every run ended with a report and an audit trail: yes"
        : problems.join("\n"),
    );
    return problems.length === 0;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await rm(dir, { recursive: true, force: true });
  }
}

/** What must hold after the load: one report and one request/start/end entry per run. */
async function checkTrail(
  dir: string,
  results: Array<Awaited<ReturnType<typeof oneRun>>>,
): Promise<string[]> {
  const problems: string[] = [];
  const ids = new Set(results.map((r) => r.id));
  if (results.length !== RUNS || ids.size !== RUNS)
    problems.push(`${results.length} runs, ${ids.size} distinct ids`);
  for (const r of results) {
    if (r.end.report === undefined) {
      problems.push(`run ${r.id} ended ${r.end.status} without a report`);
      continue;
    }
    const report = JSON.parse(await readFile(path.join(dir, "reports", r.end.report), "utf8")) as {
      runId: string;
    };
    if (report.runId !== r.id)
      problems.push(`run ${r.id}: its report file holds run ${report.runId}`);
  }
  const audit = path.join(dir, ".run-md/audit.log");
  const entries = (await readFile(audit, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { action: string; details?: { run?: string } });
  for (const action of ["run.request", "run.start", "run.end"]) {
    const runs = entries.filter((e) => e.action === action).map((e) => e.details?.run);
    if (runs.length !== RUNS || new Set(runs).size !== RUNS || !runs.every((id) => ids.has(id!))) {
      problems.push(
        `${action}: ${runs.length} entries for ${new Set(runs).size} runs (want ${RUNS})`,
      );
    }
  }
  const chain = await verifyAuditFile(audit);
  if (!chain.ok) problems.push(`audit chain broken at line ${chain.line}: ${chain.reason}`);
  return problems;
}
