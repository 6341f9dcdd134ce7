/**
 * Benchmark: CPU time of `run-md --version`, the cost of starting the built CLI (target: at most
 * 150 ms). Each run is a fresh `node` process; its CPU time (user + system, bootstrap included)
 * is read by a preloaded hook at exit. Prints the median of 15 runs, and bare `node -e 0` for
 * comparison: what Node itself costs on this machine at this load, sampled in turn with run-md;
 * then, for information, the CPU time of `run-md check runbooks/`.
 * Run alone: `npm run bench -- cli`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "packages/cli/bin/run-md.cjs");
const TARGET_MS = 150;
const RUNS = 15;

/** CPU milliseconds of one `node <args>` process, read by the preloaded hook at its exit. */
function cpuMs(hook: string, args: string[]): number {
  const res = spawnSync(process.execPath, ["--require", hook, ...args], { encoding: "utf8" });
  if (res.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${res.status}: ${res.stderr}`);
  const m = /cpu-us=(\d+)/.exec(res.stderr);
  if (!m) throw new Error(`no CPU figure from node ${args.join(" ")}: ${res.stderr}`);
  return Number(m[1]) / 1000;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median CPU milliseconds of each command over RUNS runs, taken in turn (one of each, then the
 * next round), so a change in the machine's load weighs on every command alike.
 */
function medianCpuMs(hook: string, commands: string[][]): number[] {
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    for (const [c, args] of commands.entries()) samples[c]!.push(cpuMs(hook, args));
  }
  return samples.map(median);
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
    const [cli, bare] = medianCpuMs(hook, [
      [BIN, "--version"],
      ["-e", "0"],
    ]) as [number, number];
    const ok = cli <= TARGET_MS;
    console.log(
      `run-md --version: ${cli.toFixed(0)} ms CPU (median of ${RUNS}; bare node -e 0: ${bare.toFixed(0)} ms, so ${(cli - bare).toFixed(0)} ms over it) — target ≤ ${TARGET_MS} ms: ${ok ? "met" : "NOT met"}`,
    );
    // No target: what loading the parser, YAML and the SQL checker costs (see BUNDLED in
    // packages/cli/scripts/build.mjs), paid by every run of a runbook.
    const [check] = medianCpuMs(hook, [[BIN, "check", path.join(ROOT, "runbooks")]]) as [number];
    console.log(`run-md check runbooks/: ${check.toFixed(0)} ms CPU (median of ${RUNS})`);
    return ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
