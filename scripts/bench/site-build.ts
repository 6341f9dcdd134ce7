/**
 * Benchmark: `npm run build` of the site on 100 runbooks with 30 reports each. Call
 * `benchSiteBuild()` from scripts/bench.ts, or run this file alone:
 * `npx tsx scripts/bench/site-build.ts [runbooks] [reports] [--warm]`.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { buildSite } from "../nightly/build-site.ts";
import { astroPhases, formatPhases } from "./astro-phases.ts";
import { CPU_SAMPLER, cpuPhases, formatCpuPhases, readSamples } from "./cpu-phases.ts";
import { writeSiteFixtures } from "./site-fixtures.ts";

async function countFiles(dir: string): Promise<{ html: number; bytes: number }> {
  let html = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    bytes += (await stat(file)).size;
    if (e.name.endsWith(".html")) html++;
  }
  return { html, bytes };
}

/**
 * CPU seconds used by this process's finished children (Linux: cutime + cstime of
 * /proc/self/stat, in clock ticks of 1/100 s), so the build's cost can be read apart from the
 * load of a shared machine; undefined elsewhere.
 */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `build` with the CPU sampler loaded into the build's process (see cpu-sampler.mjs). */
async function withCpuSampler<T>(file: string, build: () => Promise<T>): Promise<T> {
  const saved = { options: process.env.NODE_OPTIONS, log: process.env.RUN_MD_BENCH_CPU_LOG };
  process.env.NODE_OPTIONS = `${saved.options ?? ""} --import ${CPU_SAMPLER.href}`.trim();
  process.env.RUN_MD_BENCH_CPU_LOG = file;
  try {
    return await build();
  } finally {
    for (const [name, value] of [
      ["NODE_OPTIONS", saved.options],
      ["RUN_MD_BENCH_CPU_LOG", saved.log],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * What the build's second process (site/src/lib/draw-ahead.ts) did: its CPU seconds, from its
 * own sampler file, and the build's line on how many pictures the pages took from it.
 */
function drawAheadLine(log: string, samplesFile: string): string {
  const said = /\[run-md:draw-ahead\] (.*)/.exec(log)?.[1]?.trim() ?? "no report in the log";
  let cpu = "CPU unknown";
  try {
    const last = readSamples(samplesFile).at(-1);
    if (last) cpu = `${(last.cpuMs / 1000).toFixed(1)} s of CPU`;
  } catch {
    // No samples: the process did not start (or not with the sampler).
  }
  return `pictures drawn ahead by a second process (${cpu}, beside the build's thread): ${said}`;
}

/** The target: a from-scratch build of 100 runbooks × 30 reports, charts included, under 40 s. */
export const SITE_BUILD_TARGET_MS = 40_000;

export async function benchSiteBuild(
  runbooks = 100,
  reports = 30,
  options: { warm?: boolean } = {},
): Promise<boolean> {
  const work = await mkdtemp(path.join(tmpdir(), "run-md-bench-site-"));
  try {
    const t = performance.now();
    const inputs = await writeSiteFixtures(work, { runbooks, reports });
    const genMs = performance.now() - t;
    const outDir = path.join(work, "dist");
    const cpuLog = path.join(work, "cpu.log");
    const cpuBefore = childCpuSeconds();
    const cold = await withCpuSampler(cpuLog, () => buildSite({ ...inputs, outDir }));
    const cpuAfter = childCpuSeconds();
    const cpu =
      cpuBefore !== undefined && cpuAfter !== undefined
        ? `, ${(cpuAfter - cpuBefore).toFixed(1)} s of CPU`
        : "";
    const { html, bytes } = await countFiles(outDir);
    let line = `site build, ${runbooks} runbooks × ${reports} reports, with the charts: ${(cold.durationMs / 1000).toFixed(1)} s${cpu}`;
    if (options.warm) {
      // Again, as each night: the runbooks are unchanged, so the content layer reuses their
      // rendering (the previous output is deleted by Astro within the timing, as in the job).
      const warm = await buildSite({ ...inputs, outDir });
      line += `, ${(warm.durationMs / 1000).toFixed(1)} s again with unchanged runbooks`;
    }
    const [load] = loadavg();
    console.log(
      `${line}; ${html} pages, ${(bytes / 1e6).toFixed(1)} MB (fixtures written in ${(genMs / 1000).toFixed(1)} s; load average ${load?.toFixed(1)})`,
    );
    // Wall times: on a loaded machine each phase stretches with the load.
    const phases = astroPhases(cold.log);
    const rest = cold.durationMs / 1000 - phases.reduce((sum, p) => sum + p.seconds, 0);
    console.log(
      `  where the cold build's time went: ${formatPhases(phases)}; start-up and the rest ${rest.toFixed(0)} s`,
    );
    // CPU seconds stretch far less with the load than wall times do.
    console.log(`  and its CPU: ${formatCpuPhases(cpuPhases(cold.log, readSamples(cpuLog)))}`);
    console.log(`  ${drawAheadLine(cold.log, `${cpuLog}.draw-ahead`)}`);
    const ok = cold.durationMs < SITE_BUILD_TARGET_MS;
    console.log(
      `  target: under ${SITE_BUILD_TARGET_MS / 1000} s with the charts — ${ok ? "met" : "NOT met"}`,
    );
    return ok;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const [runbooks, reports] = args.filter((a) => !a.startsWith("--")).map(Number);
  await benchSiteBuild(runbooks || 100, reports || 30, { warm: args.includes("--warm") });
}
