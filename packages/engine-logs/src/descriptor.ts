/**
 * The logs engine's descriptor: core's entry (name, dialects), the keys of the `logs:`
 * configuration section and `create`, which loads the engine (and the AWS SDK) only when called.
 */
import { AWS_CLIENT_CONFIG, builtinEngine, type EngineDescriptor } from "@run-md/core";
import type { LogsEngineOptions } from "./engine.ts";

export const logsEngine: EngineDescriptor<LogsEngineOptions> = {
  ...builtinEngine("logs"),
  config: {
    ...AWS_CLIENT_CONFIG,
    logGroups: "string[]",
    pollIntervalMs: "number",
    maxPollIntervalMs: "number",
    pricePerGbUsd: "number",
  },
  create: async (options) => (await import("./engine.ts")).createLogsEngine(options),
};
