/**
 * The local engine's descriptor: core's entry (name, dialects), the keys of the `local:`
 * configuration section and `create`, which loads the engine (and DuckDB) only when called.
 */
import { builtinEngine, type EngineDescriptor, RunMdError } from "@run-md/core";
import type { LocalEngineOptions } from "./engine.ts";

export const localEngine: EngineDescriptor<LocalEngineOptions> = {
  ...builtinEngine("local"),
  config: {
    logDir: "string",
    store: "string",
    threads: "number",
    memoryLimit: "string",
    spillLimit: "string",
    cacheLimit: "string",
    processMemoryLimit: "string",
  },
  create: async (options) => {
    const limit = options.processMemoryLimit;
    if (limit !== undefined) {
      const isolated = await import("./isolated.ts");
      const memoryBytes = isolated.processMemoryBytes(limit, options);
      if (memoryBytes !== undefined) return isolated.createIsolatedEngine(options, { memoryBytes });
    }
    return (await import("./engine.ts")).createLocalEngine(options);
  },
};

/** The environment variable that sets the local engine's DuckDB threads (`local.threads`). */
export const THREADS_ENV = "RUN_MD_LOCAL_THREADS";

/**
 * The DuckDB threads `RUN_MD_LOCAL_THREADS` asks for, or undefined when it is unset (DuckDB's
 * default: one per core). It overrides `local.threads` of the configuration file, and is the
 * default of an engine created without `threads`. Useful where several engines share few cores
 * (a test suite, a CI runner, `run-md serve` beside other work): on small inputs a second thread
 * costs CPU without shortening the query.
 */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[THREADS_ENV];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || n < 1 || n > 1024) {
    throw new RunMdError(
      "bad-config",
      `${THREADS_ENV} "${raw}" is not a whole number of threads from 1 to 1024`,
      { hint: `Unset ${THREADS_ENV} to use one thread per core.` },
    );
  }
  return n;
}
