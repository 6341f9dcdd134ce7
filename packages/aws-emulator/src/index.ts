export { athenaHandlers } from "./athena.ts";
export {
  type AthenaColumn,
  athenaColumn,
  athenaColumnFromTypeName,
  athenaTypeName,
  parseTrinoType,
  type TrinoType,
} from "./athena-types.ts";
export {
  type AthenaBackend,
  athenaReasonFor,
  BackendQueryError,
  type BackendResult,
  duckdbBackend,
  duckResultToBackend,
} from "./backend.ts";
export { jsonResultToBackend, localEngineBackend } from "./backend-local.ts";
// The types every service's handlers share, and ServiceError.
export * from "./context.ts";
export { jsonToTrinoText } from "./json-text.ts";
export { LiteralError, type ParsedLiteral, parseLiteral } from "./literals.ts";
export { logsHandlers } from "./logs.ts";
export type { PublishedMessage, StoredObject } from "./query.ts";
export type { S3DirFaults } from "./s3-dir.ts";
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_RECORDED_CALLS,
  type Emulator,
  type EmulatorOptions,
  RECORDED_BODY_BYTES,
  startEmulator,
} from "./server.ts";
export { javaDouble, timestampText, trinoText } from "./trino-text.ts";
