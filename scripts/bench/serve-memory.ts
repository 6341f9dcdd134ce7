/**
 * Benchmark: what a long-lived `run-md serve` keeps of the runs it has seen. Writes RUNS ended run
 * records of STEPS steps each (queued, run-start, per step a step-start, two step-progress and a
 * step-end of 20 rows, run-end: the event log a run leaves) in the one-file form (record and log
 * together, as servers before `RunStore.release` wrote them), then prints, each after a full GC:
 * the heap those records take held as parsed, with their logs (what a server that kept every log
 * held); the server's heap and start time at its first start over them (which moves each log to
 * its own file) and at a restart (summaries only); and the time to replay one ended run's events
 * from disk through the API. Figures only, no target. Run alone with `npm run bench -- serve-memory`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseAccessConfig } from "@run-md/access";
import { parseServerConfig, startServer } from "@run-md/server";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const RUNBOOKS = path.join(ROOT, "packages/server/test/fixtures");
const RUNS = 5_000;
const STEPS = 10;
const ROWS = 20;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** One ended run's record with its log, as a server that ran it wrote it. */
function recordText(n: number): string {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + n * 60_000 + s * 1000).toISOString();
  const events: unknown[] = [];
  const push = (event: string, data: Record<string, unknown>) =>
    events.push({ id: events.length + 1, event, time: at(events.length), data });
  push("queued", { position: 1 });
  push("run-start", {
    window: { start: at(-86_400), end: at(0), source: "default" },
    params: { limit: 20 },
  });
  for (let s = 0; s < STEPS; s++) {
    const step = `step-${s}`;
    push("step-start", { step, title: `Step ${s}`, engine: "athena" });
    for (const state of ["QUEUED", "RUNNING"]) {
      push("step-progress", { step, message: state, stats: { dataScannedBytes: 1024 * s } });
    }
    push("step-end", {
      step,
      title: `Step ${s}`,
      status: "passed",
      engine: "athena",
      durationMs: 1234,
      stats: { dataScannedBytes: 10_485_760, engineExecutionTimeMs: 900 },
      columns: ["eventtime", "eventname", "arn", "sourceipaddress", "n"].map((name) => ({
        name,
        type: "varchar",
      })),
      rows: Array.from({ length: ROWS }, (_, r) => [
        at(-r * 60),
        ["AssumeRole", "CreateUser", "PutBucketPolicy", "DeleteTrail"][r % 4],
        `arn:aws:iam::1234567890${String(r % 100).padStart(2, "0")}:user/someone-${(n + r) % 997}`,
        `203.0.${r % 256}.${(n * 7 + r) % 251}`,
        String(r * 3 + s),
      ]),
      rowCount: ROWS * 3,
      checks: [{ check: "rows > 0", status: "passed", message: `rows = ${ROWS * 3}` }],
      warnings: [],
      query: `SELECT eventtime, eventname, useridentity.arn AS arn, sourceipaddress, count(*) AS n FROM cloudtrail_logs WHERE eventtime BETWEEN '${at(-86_400)}' AND '${at(0)}' GROUP BY 1, 2, 3, 4 ORDER BY n DESC LIMIT ${ROWS}`,
    });
  }
  push("run-end", { status: "passed", report: `iam-low/run-${n}.json`, kind: "full" });
  return JSON.stringify({
    id: uuid(n),
    runbook: "iam-low",
    requester: { user: `user${n % 40}@example.com`, groups: ["ops"], via: "token", token: "ci" },
    requestedAt: at(-10),
    startedAt: at(-9),
    endedAt: at(60),
    status: "passed",
    params: { limit: 20 },
    window: { since: "1d" },
    report: `iam-low/run-${n}.json`,
    reportKind: "full",
    events,
  });
}

async function serveOnce(dir: string): Promise<{
  ms: number;
  heap: number;
  url: string;
  split: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const config = parseServerConfig({ port: 0 }, "bench", dir);
  config.auth = { ...config.auth, mode: "none", groups: ["ops"] };
  const warnings: string[] = [];
  const t0 = performance.now();
  const server = await startServer({
    config,
    access: parseAccessConfig({ rules: [{ groups: ["ops"], allow: ["view"] }] }, "bench"),
    runbooks: [RUNBOOKS],
    run: {
      getEngine: () => Promise.reject(new Error("the benchmark runs nothing")),
      reportsDir: path.join(dir, "reports"),
      toolVersion: "bench",
    },
    warn: (m) => warnings.push(m),
  });
  const ms = performance.now() - t0;
  if (warnings.length > 0) throw new Error(`the server warned: ${warnings.slice(0, 3).join("; ")}`);
  return {
    ms,
    heap: heapMb(),
    url: server.url,
    // The background move `startServer` began: its promise (`split` again finds nothing left).
    split: () => server.runs.store.split(() => {}),
    close: () => server.close(),
  };
}

/** `GET /api/runs` (the newest 50 of every record) 20 times: the median and slowest answer. */
async function listTimes(url: string): Promise<boolean> {
  const ms: number[] = [];
  let ok = true;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/api/runs?limit=50`);
    const body = (await res.json()) as unknown[];
    ms.push(performance.now() - t);
    ok &&= res.status === 200 && body.length === 50;
  }
  ms.sort((a, b) => a - b);
  console.log(
    `  the list of runs (GET /api/runs, newest 50 of ${RUNS.toLocaleString("en")}): median ${ms[10]!.toFixed(1)} ms, slowest ${ms[19]!.toFixed(1)} ms`,
  );
  return ok;
}

export async function benchServeMemory(): Promise<boolean> {
  console.log(`serve memory: ${RUNS} ended runs of ${STEPS} steps each`);
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-bench-serve-memory-"));
  try {
    const runs = path.join(dir, ".run-md/runs");
    await mkdir(runs, { recursive: true });
    let bytes = 0;
    for (let n = 1; n <= RUNS; n++) {
      const text = recordText(n);
      bytes += text.length;
      await writeFile(path.join(runs, `${uuid(n)}.json`), text);
    }
    console.log(`  records on disk: ${(bytes / 2 ** 20).toFixed(0)} MB`);

    const base = heapMb();
    const t0 = performance.now();
    let held: unknown[] | undefined = [];
    for (const name of await readdir(runs)) {
      held.push(JSON.parse(await readFile(path.join(runs, name), "utf8")));
    }
    const readMs = performance.now() - t0;
    const heldMb = heapMb() - base;
    // Read after the measure: a variable no longer read is no longer kept (V8 drops it).
    if (held.length !== RUNS) throw new Error(`${held.length} records read, not ${RUNS}`);
    held = undefined;
    console.log(
      `  every record held with its log (what a server keeping every log held): +${heldMb.toFixed(0)} MB heap, read in ${(readMs / 1000).toFixed(2)} s`,
    );

    const before = heapMb();
    const first = await serveOnce(dir);
    console.log(
      `  first start over them: ${(first.ms / 1000).toFixed(2)} s, server heap +${(first.heap - before).toFixed(0)} MB (their logs in memory until moved to their own files)`,
    );
    const t2 = performance.now();
    await first.split();
    console.log(
      `  logs moved in the background in ${((performance.now() - t2) / 1000).toFixed(2)} s, server heap then +${(heapMb() - before).toFixed(0)} MB`,
    );
    await first.close();

    const again = heapMb();
    const second = await serveOnce(dir);
    console.log(
      `  restart (summaries only): ${(second.ms / 1000).toFixed(2)} s, server heap +${(second.heap - again).toFixed(0)} MB`,
    );
    const t1 = performance.now();
    const res = await fetch(`${second.url}/api/runs/${uuid(RUNS)}/events`);
    const text = await res.text();
    const replayMs = performance.now() - t1;
    const ids = text.match(/^id: /gm)?.length ?? 0;
    const expected = 2 + STEPS * 4 + 1;
    console.log(
      `  one ended run replayed from disk: ${ids} events in ${replayMs.toFixed(0)} ms (status ${res.status})`,
    );
    const list = await listTimes(second.url);
    await second.close();
    return res.status === 200 && ids === expected && list;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
