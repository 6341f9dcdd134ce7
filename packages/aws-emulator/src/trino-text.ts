/**
 * DuckDB result values rendered the way Athena's GetQueryResults returns them: every value as
 * Trino's text form (`2024-03-01 12:34:56.000`, `[a, b]`, `{type=IAMUser, arn=…}`), and each
 * column's DuckDB type mapped to Athena's type name, precision and scale.
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";

/** One column of an Athena result set, as ColumnInfo describes it. */
export interface AthenaColumn {
  name: string;
  /** Athena's type name: `varchar`, `bigint`, `double`, `timestamp`, `array`, `row`, `map`, ... */
  type: string;
  precision: number;
  scale: number;
}

/** Athena's type name for a DuckDB type (the names Trino prints, lower case). */
export function athenaTypeName(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return "boolean";
    case DuckDBTypeId.TINYINT:
      return "tinyint";
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return "smallint";
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return "integer";
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      // Trino's sum(bigint) is a bigint; DuckDB widens it to HUGEINT.
      return "bigint";
    case DuckDBTypeId.FLOAT:
      return "real";
    case DuckDBTypeId.DOUBLE:
      return "double";
    case DuckDBTypeId.DECIMAL:
      return "decimal";
    case DuckDBTypeId.VARCHAR:
      return type.alias?.toUpperCase() === "JSON" ? "json" : "varchar";
    case DuckDBTypeId.BLOB:
      return "varbinary";
    case DuckDBTypeId.DATE:
      return "date";
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return "time";
    case DuckDBTypeId.TIME_TZ:
      return "time with time zone";
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return "timestamp";
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "timestamp with time zone";
    case DuckDBTypeId.INTERVAL:
      return "interval day to second";
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return "array";
    case DuckDBTypeId.STRUCT:
      return "row";
    case DuckDBTypeId.MAP:
      return "map";
    case DuckDBTypeId.SQLNULL:
      return "unknown";
    default:
      return "varchar";
  }
}

const PRECISION: Record<string, number> = {
  varchar: 2147483647,
  json: 2147483647,
  varbinary: 2147483647,
  bigint: 19,
  integer: 10,
  smallint: 5,
  tinyint: 3,
  double: 17,
  real: 7,
  timestamp: 3,
  "timestamp with time zone": 3,
  time: 3,
};

export function athenaColumn(name: string, type: DuckDBType): AthenaColumn {
  const typeName = athenaTypeName(type);
  if (type instanceof DuckDBDecimalType) {
    return { name: name.toLowerCase(), type: typeName, precision: type.width, scale: type.scale };
  }
  return {
    name: name.toLowerCase(),
    type: typeName,
    precision: PRECISION[typeName] ?? 0,
    scale: 0,
  };
}

/** Java's `Double.toString`, which is what Trino prints for doubles (`1.0`, `1.5E7`, `NaN`). */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "Infinity";
  if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa = "0", exponent = "0"] = n.toExponential().split("e");
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, "0");
}

/** `YYYY-MM-DD HH:MM:SS.mmm` from microseconds since the epoch (UTC). */
export function timestampText(micros: bigint): string {
  const millis = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const date = new Date(Number(millis));
  if (Number.isNaN(date.getTime())) return String(micros);
  return date.toISOString().replace("T", " ").replace("Z", "");
}

function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const text =
    scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function intervalText(v: DuckDBIntervalValue): string {
  if (v.months !== 0) return `${Math.trunc(v.months / 12)}-${Math.abs(v.months % 12)}`;
  let micros = BigInt(v.days) * 86_400_000_000n + v.micros;
  const negative = micros < 0n;
  if (negative) micros = -micros;
  const days = micros / 86_400_000_000n;
  let rest = micros % 86_400_000_000n;
  const h = rest / 3_600_000_000n;
  rest %= 3_600_000_000n;
  const m = rest / 60_000_000n;
  rest %= 60_000_000n;
  const s = rest / 1_000_000n;
  const ms = (rest % 1_000_000n) / 1000n;
  return `${negative ? "-" : ""}${days} ${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}

/**
 * Trino's text form of one value; `null` for SQL NULL at the top level (Athena sends `{}`),
 * the word `null` inside arrays, rows and maps.
 */
export function trinoText(value: DuckDBValue, type?: DuckDBType): string | null {
  if (value === null) return null;
  return render(value, type);
}

function render(value: DuckDBValue, type: DuckDBType | undefined): string {
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (
      type &&
      (type.typeId === DuckDBTypeId.DOUBLE || type.typeId === DuckDBTypeId.FLOAT) &&
      Number.isFinite(value)
    ) {
      return javaDouble(value);
    }
    return Number.isInteger(value) ? String(value) : javaDouble(value);
  }
  if (value instanceof DuckDBDecimalValue) return decimalText(value.value, value.scale);
  if (value instanceof DuckDBTimestampTZValue) return `${timestampText(value.micros)} UTC`;
  if (value instanceof DuckDBTimestampValue) return timestampText(value.micros);
  if (value instanceof DuckDBTimestampSecondsValue)
    return timestampText(value.seconds * 1_000_000n);
  if (value instanceof DuckDBTimestampMillisecondsValue) return timestampText(value.millis * 1000n);
  if (value instanceof DuckDBTimestampNanosecondsValue) return timestampText(value.nanos / 1000n);
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimeValue) {
    const text = value.toString();
    return text.includes(".") ? text.slice(0, 12) : `${text}.000`;
  }
  if (value instanceof DuckDBIntervalValue) return intervalText(value);
  if (value instanceof DuckDBBlobValue) {
    return Array.from(value.bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
  }
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    const elementType =
      type && "valueType" in type ? (type as { valueType: DuckDBType }).valueType : undefined;
    return `[${value.items.map((v) => render(v, elementType)).join(", ")}]`;
  }
  if (value instanceof DuckDBStructValue) {
    const structType =
      type && type.typeId === DuckDBTypeId.STRUCT
        ? (type as { typeForEntry(n: string): DuckDBType })
        : undefined;
    const parts = Object.entries(value.entries).map(
      ([k, v]) => `${k.toLowerCase()}=${render(v, structType?.typeForEntry(k))}`,
    );
    return `{${parts.join(", ")}}`;
  }
  if (value instanceof DuckDBMapValue) {
    const mapType =
      type && type.typeId === DuckDBTypeId.MAP
        ? (type as { keyType: DuckDBType; valueType: DuckDBType })
        : undefined;
    const parts = value.entries.map(
      (e) => `${render(e.key, mapType?.keyType)}=${render(e.value, mapType?.valueType)}`,
    );
    return `{${parts.join(", ")}}`;
  }
  return String(value);
}
