export { createLocalEngine, LocalEngine, type LocalEngineOptions } from "./engine.ts";
export { CLOUDTRAIL_COLUMNS, PARTITION_COLUMNS } from "./schema.ts";
export { athenaTypeName, timestampText, timestampValueText } from "./values.ts";
