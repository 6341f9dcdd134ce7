export {
  assertAthenaSql,
  type CheckCache,
  checkSql,
  type SqlCheckOptions,
  sqlOutputLabels,
  useCheckCache,
} from "./check.ts";
export {
  type Field,
  type FieldKind,
  nameText,
  PARTITION_COLUMNS,
  RECORD_FIELDS,
} from "./cloudtrail.ts";
export { ATHENA_FUNCTIONS, DUCKDB_ONLY } from "./functions.ts";
export type { SqlProblem } from "./problem.ts";
export { type RowStar, type RowStarNames, rowStarFields } from "./row-fields.ts";
export { decodeUnicodeString } from "./unicode-string.ts";
export {
  EMPTY_TABLES,
  type ExtraScope,
  type ExtraTable,
  nameParts,
  spellings,
  type TableConfig,
  type TableKind,
  TableResolver,
} from "./tables.ts";
