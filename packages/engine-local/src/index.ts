export { isUnnamedReadError, unnamedCulprit } from "./culprit.ts";
export { localEngine } from "./descriptor.ts";
export {
  cloudtrailViewSql,
  createLocalEngine,
  duckdbStepProblem,
  LocalEngine,
  type LocalEngineOptions,
  MAX_OBJECT,
} from "./engine.ts";
export {
  type DayRange,
  fileIdentity,
  inDayRange,
  isEventFileName,
  isUnreadLogName,
  LOG_FILE_NAMES,
  LogCatalog,
  layoutDay,
  type ReadFile,
  type Resolution,
  type SourceFile,
} from "./files.ts";
export {
  createIsolatedEngine,
  IsolatedLocalEngine,
  type IsolationLimits,
  processMemoryBytes,
} from "./isolated.ts";
export { CLOUDTRAIL_COLUMNS, PARTITION_COLUMNS } from "./schema.ts";
export {
  addCovered,
  assertStorePath,
  collectDayCommand,
  collectSelectSql,
  dayFileDamage,
  type EventTimes,
  EXTRA_COLUMN,
  objectDay,
  RECORD_COLUMN,
  readManifest,
  STORE_DAYS,
  STORE_MANIFEST,
  type StoreDay,
  type StoreManifest,
  type StoreObject,
  sealDay,
  TIME_COLUMN,
  uncover,
  writeManifest,
} from "./store.ts";
/** The engine's session settings (UTC): the collector's typing of times must read as the engine's. */
export { SESSION_SETTINGS } from "./trino.ts";
export {
  athenaTypeName,
  intervalText,
  javaDouble,
  realNumber,
  timestampText,
  timestampValueText,
  varbinaryText,
} from "./values.ts";
