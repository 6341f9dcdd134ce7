/**
 * The CloudTrail record schema is core's (`cloudtrail-record.ts`, shared with the Logs Insights
 * checker); the partition columns of the documented partitioning schemes are Athena's alone.
 */
import { RECORD_FIELDS, type RecordField } from "@run-md/core";

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

/** The record's columns by their lower-case names. */
export const COLUMNS = new Map<string, RecordField>(
  RECORD_FIELDS.map((f) => [f.name.toLowerCase(), f]),
);

/** Every column of Athena's CloudTrail table: the record's, then the partition columns. */
export const COLUMN_NAMES: readonly string[] = [...COLUMNS.keys(), ...PARTITION_COLUMNS];

/** A name as Athena reads it: lower-cased, unless quoted (`"Name"`, with `""` for a quote). */
export function nameText(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw.toLowerCase();
}
