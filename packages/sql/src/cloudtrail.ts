/**
 * The CloudTrail record schema is core's (`cloudtrail-record.ts`, shared with the Logs Insights
 * checker); the partition columns of the documented partitioning schemes are Athena's alone.
 */
export {
  RECORD_FIELDS,
  type RecordField as Field,
  type RecordFieldKind as FieldKind,
} from "@run-md/core";

/** The partition columns: manual, projection and bootstrap schemes, all exposed. */
export const PARTITION_COLUMNS = [
  "region",
  "year",
  "month",
  "day",
  "timestamp",
  "date_partition",
  "region_partition",
  "account_partition",
] as const;
