/**
 * Benchmark: CPU time of `run-md --version`, the cost of starting the built CLI (target: at most
 * 150 ms). Each run is a fresh `node` process; its CPU time (user + system, bootstrap included)
 * is read by a preloaded hook at exit. Prints the median of 15 runs, and bare `node -e 0` for
 * comparison. Run alone: `npm run bench -- cli`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "packages/cli/bin/run-md.js");
const TARGET_MS = 150;
const RUNS = 15;

/** Median CPU milliseconds of `node <args>` over RUNS runs. */
function medianCpuMs(hook: string, args: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const res = spawnSync(process.execPath, ["--require", hook, ...args], { encoding: "utf8" });
    if (res.status !== 0)
      throw new Error(`node ${args.join(" ")} exited ${res.status}: ${res.stderr}`);
    const m = /cpu-us=(\d+)/.exec(res.stderr);
    if (!m) throw new Error(`no CPU figure from node ${args.join(" ")}: ${res.stderr}`);
    samples.push(Number(m[1]) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function benchCliStartup(): Promise<boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), "run-md-bench-cli-"));
  try {
    const hook = path.join(dir, "cpu.cjs");
    writeFileSync(
      hook,
      // A CommonJS file, preloaded with --require: the cheapest hook Node offers.
      'process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("cpu-us=" + (u.user + u.system) + "\\n"); });\n',
    );
    const cli = medianCpuMs(hook, [BIN, "--version"]);
    const bare = medianCpuMs(hook, ["-e", "0"]);
    const ok = cli <= TARGET_MS;
    console.log(
      `run-md --version: ${cli.toFixed(0)} ms CPU (median of ${RUNS}; bare node -e 0: ${bare.toFixed(0)} ms) — target ≤ ${TARGET_MS} ms: ${ok ? "met" : "NOT met"}`,
    );
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
