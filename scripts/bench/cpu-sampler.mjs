/**
 * Loaded into the site build's process by the benchmark (`node --import`, through NODE_OPTIONS):
 * appends `<epoch ms> <CPU ms>` to the file named by RUN_MD_BENCH_CPU_LOG every 200 ms, so that
 * the CPU each phase of the build used can be read apart from the load of a shared machine
 * (`cpu-phases.ts`). Plain JavaScript: it runs before any TypeScript loader.
 */
import { appendFileSync } from "node:fs";

const file = process.env.RUN_MD_BENCH_CPU_LOG;
if (file) {
  const sample = () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(file, `${Date.now()} ${Math.round((user + system) / 1000)}\n`);
  };
  sample();
  setInterval(sample, 200).unref();
  process.on("exit", sample);
}
