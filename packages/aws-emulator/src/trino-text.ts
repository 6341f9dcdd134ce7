/**
 * DuckDB result values rendered the way Athena's GetQueryResults returns them: every value as
 * Trino's text form (`2024-03-01 12:34:56.000`, `[a, b]`, `{type=IAMUser, arn=…}`); timestamps
 * as the local engine prints them (`timestampValueText`).
 */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";
import {
  intervalText,
  javaDouble,
  realNumber,
  timestampText,
  timestampValueText,
  varbinaryText,
} from "@run-md/engine-local";

export { javaDouble, timestampText };

function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const text =
    scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
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
    // A REAL as Java's Float.toString prints it (`0.1`), not the double DuckDB widens it to.
    if (type?.typeId === DuckDBTypeId.FLOAT && Number.isFinite(value)) {
      return javaDouble(realNumber(value));
    }
    if (type?.typeId === DuckDBTypeId.DOUBLE && Number.isFinite(value)) return javaDouble(value);
    return Number.isInteger(value) ? String(value) : javaDouble(value);
  }
  if (value instanceof DuckDBDecimalValue) return decimalText(value.value, value.scale);
  const timestamp = timestampValueText(value);
  if (timestamp !== undefined) return timestamp;
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimeValue) {
    const text = value.toString();
    return text.includes(".") ? text.slice(0, 12) : `${text}.000`;
  }
  if (value instanceof DuckDBIntervalValue) return intervalText(value) ?? value.toString();
  if (value instanceof DuckDBBlobValue) return varbinaryText(value.bytes);
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
