export { logsEngine } from "./descriptor.ts";
export {
  createLogsEngine,
  expectedColumns,
  type LogsEngine,
  type LogsEngineOptions,
  logsInsightsCostUsd,
  numericColumns,
  toRows,
  windowSeconds,
} from "./engine.ts";
