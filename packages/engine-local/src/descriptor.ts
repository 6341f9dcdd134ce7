/**
 * The local engine's descriptor: core's entry (name, dialects), the keys of the `local:`
 * configuration section and `create`, which loads the engine (and DuckDB) only when called.
 */
import { builtinEngine, type EngineDescriptor } from "@run-md/core";
import type { LocalEngineOptions } from "./engine.ts";

export const localEngine: EngineDescriptor<LocalEngineOptions> = {
  ...builtinEngine("local"),
  config: { logDir: "string", store: "string", threads: "number", memoryLimit: "string" },
  create: async (options) => (await import("./engine.ts")).createLocalEngine(options),
};
