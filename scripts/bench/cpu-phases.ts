/**
 * The CPU seconds of each phase of a site build: the phases' bounds from the timestamps of
 * Astro's log (whole seconds, so each figure is good to about half a second), the CPU from the
 * samples `cpu-sampler.mjs` took in the build's process. "after the pages" is the search index
 * and the report files; Pagefind's own process is not counted.
 */
import { readFileSync } from "node:fs";
import { formatPhases, type Phase } from "./astro-phases.ts";

export const CPU_SAMPLER = new URL("./cpu-sampler.mjs", import.meta.url);

interface Sample {
  at: number;
  cpuMs: number;
}

export function readSamples(file: string): Sample[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [at, cpu] = l.split(" ").map(Number);
      return { at: at!, cpuMs: cpu! };
    });
}

/** The CPU used by the time `at` (epoch ms): the last sample at or before it. */
function cpuAt(samples: Sample[], at: number): number {
  let cpu = 0;
  for (const s of samples) {
    if (s.at > at) break;
    cpu = s.cpuMs;
  }
  return cpu;
}

/** The phase a line of the log opens, if any (`after` names the one before it). */
function phaseName(text: string, after: string): string | undefined {
  if (text === "[content] Syncing content") return "content layer";
  if (text.includes("Building static entrypoints")) return "server bundle";
  const route = /^[▶λ] (?:src\/pages\/)?(.+?)(?:\.astro|\.ts)?$/.exec(text);
  if (route) return `pages ${route[1]}`;
  if (/✓ Completed in/.test(text) && after.startsWith("pages ")) return "after the pages";
  if (text === "[content] Synced content" || /✓ Completed in/.test(text)) return "other";
  return undefined;
}

/** CPU seconds per phase; time before the first phase is "start-up", after the last "other". */
export function cpuPhases(log: string, samples: Sample[]): Phase[] {
  if (samples.length === 0) return [];
  // Astro stamps its lines with the local time of day, in whole seconds: the middle of the second.
  const day = new Date(samples[0]!.at);
  const stamp = (h: string, m: string, s: string) =>
    new Date(day.getFullYear(), day.getMonth(), day.getDate(), +h, +m, +s).getTime() + 500;
  const bounds: { name: string; at: number }[] = [{ name: "start-up", at: samples[0]!.at }];
  for (const line of log.split("\n")) {
    const m = /^(\d\d):(\d\d):(\d\d) (.*)$/.exec(line.trim());
    const name = m && phaseName(m[4]!, bounds.at(-1)!.name);
    if (m && name) bounds.push({ name, at: stamp(m[1]!, m[2]!, m[3]!) });
  }
  bounds.push({ name: "end", at: samples.at(-1)!.at });
  const totals = new Map<string, number>();
  for (let i = 0; i < bounds.length - 1; i++) {
    const { name, at } = bounds[i]!;
    const cpu = cpuAt(samples, bounds[i + 1]!.at) - cpuAt(samples, at);
    totals.set(name, (totals.get(name) ?? 0) + cpu / 1000);
  }
  return [...totals].map(([name, seconds]) => ({ name, seconds }));
}

export function formatCpuPhases(phases: Phase[]): string {
  const total = phases.reduce((sum, p) => sum + p.seconds, 0);
  return `${total.toFixed(1)} s of CPU in the build's process: ${formatPhases(phases)}`;
}
