export {
  createLogsEngine,
  expectedColumns,
  type LogsEngine,
  type LogsEngineOptions,
  numericColumns,
  toRows,
  windowSeconds,
} from "./engine.ts";
