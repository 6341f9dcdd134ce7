export { baseType, convertValue, parseNested } from "./convert.ts";
export { athenaEngine } from "./descriptor.ts";
export {
  AthenaEngine,
  type AthenaEngineOptions,
  athenaCostUsd,
  createAthenaEngine,
  hintFor,
  MIN_BILLED_BYTES,
} from "./engine.ts";
export { assertReadOnly } from "./gate.ts";
export { clauses, isSignificant, type Token, tokenize } from "./lexer.ts";
export {
  isoInstant,
  literalFor,
  type Partitioning,
  type PreparedQuery,
  prepareQuery,
  type ScopeOptions,
  scopedTable,
  sqlString,
  windowDays,
  windowPredicate,
} from "./rewrite.ts";
