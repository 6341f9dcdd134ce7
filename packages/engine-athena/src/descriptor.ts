/**
 * The athena engine's descriptor: core's entry (name, dialects), the keys of the `athena:`
 * configuration section and `create`, which loads the engine (and the AWS SDK) only when called.
 */
import { AWS_CLIENT_CONFIG, builtinEngine, type EngineDescriptor } from "@run-md/core";
import type { AthenaEngineOptions } from "./engine.ts";

export const athenaEngine: EngineDescriptor<AthenaEngineOptions> = {
  ...builtinEngine("athena"),
  config: {
    ...AWS_CLIENT_CONFIG,
    workgroup: "string",
    catalog: "string",
    database: "string",
    outputLocation: "string",
    table: "string",
    partitioning: "string",
    regions: "string[]",
    accounts: "string[]",
    pricePerTbUsd: "number",
    pollMinMs: "number",
    pollMaxMs: "number",
  },
  create: async (options) => (await import("./engine.ts")).createAthenaEngine(options),
};
