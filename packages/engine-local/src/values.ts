/**
 * DuckDB results at the boundary: Athena type names for columns, JSON-safe values for rows
 * (integers as numbers when safe, else strings; timestamps as Athena prints them; structs as
 * objects with lower-case keys; lists as arrays; maps as objects).
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
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";
import { decimalJson, type JsonValue, setEntry } from "@run-md/core";
import { IP_FIELD, ipAddressText } from "./ipaddress-text.ts";

/** Athena's name for a DuckDB type. */
export function athenaTypeName(t: DuckDBType): string {
  if (t.alias === "JSON") return "json";
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return "boolean";
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return "tinyint";
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
      return "smallint";
    case DuckDBTypeId.INTEGER:
      return "integer";
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return "bigint";
    case DuckDBTypeId.FLOAT:
      return "real";
    case DuckDBTypeId.DOUBLE:
      return "double";
    case DuckDBTypeId.DECIMAL:
      return `decimal(${t.width},${t.scale})`;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.STRING_LITERAL:
      return "varchar";
    case DuckDBTypeId.INTEGER_LITERAL:
      return "integer";
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
    case DuckDBTypeId.UUID:
      return "uuid";
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `array(${athenaTypeName(t.valueType)})`;
    case DuckDBTypeId.STRUCT:
      if (isZonedType(t.entryNames)) return "timestamp with time zone";
      if (isIpType(t.entryNames)) return "ipaddress";
      return `row(${t.entryNames
        .map((n, i) => `${fieldName(n)} ${athenaTypeName(t.entryTypes[i] as DuckDBType)}`)
        .join(", ")})`;
    case DuckDBTypeId.MAP:
      return `map(${athenaTypeName(t.keyType)}, ${athenaTypeName(t.valueType)})`;
    case DuckDBTypeId.SQLNULL:
      return "unknown";
    default:
      return t.toString().toLowerCase();
  }
}

/**
 * A row field's name in a type's text, quoted as Trino quotes one that is not a plain identifier
 * (`row("a b" integer)`): unquoted, `a b integer` reads as field `a` of type `b integer` (review).
 */
function fieldName(name: string): string {
  const n = name.toLowerCase();
  return /^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replaceAll('"', '""')}"`;
}

const pad = (n: number | bigint, w = 2) => String(n).padStart(w, "0");

/**
 * `YYYY-MM-DD HH:MM:SS.fff` (UTC), as Athena prints a timestamp of `digits` fraction digits (3
 * unless the query shows another precision), from microseconds since the epoch; the fraction is
 * cut (rounding down, also before 1970), and digits past the sixth are zeros.
 */
export function timestampText(micros: bigint, digits = 3): string {
  const floor = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));
  const seconds = floor(micros, 1000000n);
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return String(micros);
  const fraction = String(micros - seconds * 1000000n)
    .padStart(6, "0")
    .padEnd(digits, "0")
    .slice(0, digits);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(
    d.getUTCHours(),
  )}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${digits > 0 ? `.${fraction}` : ""}`;
}

/**
 * The text of any DuckDB timestamp value (seconds, milliseconds, microseconds, nanoseconds, with
 * time zone), `with time zone` ones followed by ` UTC` when `tzSuffix`; `undefined` for other values.
 */
export function timestampValueText(v: DuckDBValue, tzSuffix = true): string | undefined {
  if (v instanceof DuckDBTimestampTZValue) {
    const text = timestampText(v.micros);
    return tzSuffix ? `${text} UTC` : text;
  }
  if (v instanceof DuckDBTimestampValue) return timestampText(v.micros);
  if (v instanceof DuckDBTimestampMillisecondsValue) return timestampText(v.millis * 1000n);
  if (v instanceof DuckDBTimestampSecondsValue) return timestampText(v.seconds * 1000000n);
  if (v instanceof DuckDBTimestampNanosecondsValue) return timestampText(v.nanos / 1000n);
  return undefined;
}

function bigToJson(b: bigint): number | string {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(b)
    : b.toString();
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

/**
 * A map key as object key text, as Trino prints it: an array key's elements as JSON (`[1, 2]`,
 * `["25", "a"]`, not `1,2`), a DOUBLE or REAL key (also inside an array key) as Java prints it
 * (`1.0`, not `1`): its type `t` says which numbers are floating. A DECIMAL key keeps its scale
 * (`1.00` for a decimal(3,2)), as Trino's text of a decimal does.
 */
function keyText(key: DuckDBValue, t: DuckDBType | undefined, tzSuffix: boolean): string {
  if (key instanceof DuckDBDecimalValue) return key.toString();
  if (key instanceof DuckDBListValue || key instanceof DuckDBArrayValue) {
    const item = itemType(t);
    const text = (x: DuckDBValue) =>
      typeof x === "string" ? JSON.stringify(x) : keyText(x, item, tzSuffix);
    return `[${key.items.map(text).join(", ")}]`;
  }
  const k = toJson(key, tzSuffix, t);
  if (k !== null && typeof k === "object") return JSON.stringify(k);
  if (typeof k === "number" && t?.typeId === DuckDBTypeId.DOUBLE) return javaDouble(k);
  if (typeof k === "number" && t?.typeId === DuckDBTypeId.FLOAT) return javaDouble(realNumber(k));
  return String(k);
}

/** The fields of a zoned timestamp (trino-zoned.ts `ZONED`). */
const ZONED_FIELDS = ["tz_instant", "tz_zone", "tz_local", "tz_p"];

function isZonedType(names: readonly string[]): boolean {
  return names.length === ZONED_FIELDS.length && names.every((n, i) => n === ZONED_FIELDS[i]);
}

/** An IPADDRESS value (trino-ipaddress.ts `IP`): a struct of its one field. */
function isIpType(names: readonly string[]): boolean {
  return names.length === 1 && names[0] === IP_FIELD;
}

/**
 * A zoned timestamp as Trino prints it: the local time with its precision's fraction digits,
 * then the zone (`2020-05-01 12:34:56.1 America/Los_Angeles`).
 */
function zonedText(e: Record<string, DuckDBValue>): string | undefined {
  const local = e.tz_local;
  if (!(local instanceof DuckDBTimestampValue)) return undefined;
  const p = Math.max(0, Math.min(6, Number(e.tz_p ?? 3)));
  const fraction = String(((local.micros % 1000000n) + 1000000n) % 1000000n).padStart(6, "0");
  const seconds = timestampText(local.micros).replace(/\.\d{3}$/, "");
  return `${seconds}${p > 0 ? `.${fraction.slice(0, p)}` : ""} ${String(e.tz_zone)}`;
}

/** A DuckDB value as JSON; its type `t`, when given, says how to print floating map keys. */
export function toJson(v: DuckDBValue, tzSuffix = true, t?: DuckDBType): JsonValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "bigint":
      return bigToJson(v);
  }
  const timestamp = timestampValueText(v, tzSuffix);
  if (timestamp !== undefined) return timestamp;
  if (v instanceof DuckDBDateValue) return v.toString();
  // A number when the double is the decimal exactly (0.1, 30.8), else the exact text.
  if (v instanceof DuckDBDecimalValue) return decimalJson(v.toString());
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue)
    return v.items.map((x) => toJson(x, tzSuffix, itemType(t)));
  if (v instanceof DuckDBStructValue) {
    if (isZonedType(Object.keys(v.entries))) {
      const text = zonedText(v.entries);
      if (text !== undefined) return text;
    }
    const ip = v.entries[IP_FIELD];
    if (typeof ip === "bigint" && isIpType(Object.keys(v.entries))) return ipAddressText(ip);
    const out: Record<string, JsonValue> = {};
    const types = t?.typeId === DuckDBTypeId.STRUCT ? t : undefined;
    for (const [k, x] of Object.entries(v.entries)) {
      const i = types ? types.entryNames.indexOf(k) : -1;
      setEntry(out, k.toLowerCase(), toJson(x, tzSuffix, i < 0 ? undefined : types?.entryTypes[i]));
    }
    return out;
  }
  if (v instanceof DuckDBMapValue) {
    const out: Record<string, JsonValue> = {};
    const m = t?.typeId === DuckDBTypeId.MAP ? t : undefined;
    for (const e of v.entries)
      setEntry(out, keyText(e.key, m?.keyType, tzSuffix), toJson(e.value, tzSuffix, m?.valueType));
    return out;
  }
  if (v instanceof DuckDBBlobValue) return varbinaryText(v.bytes);
  if (v instanceof DuckDBIntervalValue) return intervalText(v) ?? v.toString();
  return String(v);
}

function itemType(t: DuckDBType | undefined): DuckDBType | undefined {
  return t?.typeId === DuckDBTypeId.LIST || t?.typeId === DuckDBTypeId.ARRAY
    ? t.valueType
    : undefined;
}

/**
 * Trino's text of an interval: `Y-M` (year to month, `-1-2`) when it holds only months,
 * `D HH:MM:SS.mmm` (day to second, `6 23:57:55.000`) when it holds none; `undefined` for one that
 * mixes months with days or time, which no Trino type holds.
 */
/**
 * A varbinary value as Athena's results give it (Trino's text form: the bytes in hex, two digits
 * each, separated by spaces: `61 62`), so a step's value is the same on both engines.
 */
export function varbinaryText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export function intervalText(v: DuckDBIntervalValue): string | undefined {
  const rest = BigInt(v.days) * 86_400_000_000n + v.micros;
  if (v.months !== 0) {
    if (rest !== 0n) return undefined;
    const months = Math.abs(v.months);
    return `${v.months < 0 ? "-" : ""}${Math.trunc(months / 12)}-${months % 12}`;
  }
  const abs = rest < 0n ? -rest : rest;
  const ms = abs / 1000n;
  const day = ms / 86_400_000n;
  const [h, m, s] = [(ms / 3_600_000n) % 24n, (ms / 60_000n) % 60n, (ms / 1000n) % 60n];
  // The sign of the milliseconds Trino keeps: less than 1 ms below zero is 0 (Java's (long) cast).
  return `${rest < 0n && ms > 0n ? "-" : ""}${day} ${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000n, 3)}`;
}

/** Whether a type holds REAL values, at its top or nested in lists, structs and map values. */
export function holdsReal(t: DuckDBType): boolean {
  if (t.typeId === DuckDBTypeId.FLOAT) return true;
  if (t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY)
    return holdsReal(t.valueType);
  if (t.typeId === DuckDBTypeId.MAP) return holdsReal(t.valueType);
  if (t.typeId === DuckDBTypeId.STRUCT) return t.entryTypes.some(holdsReal);
  return false;
}

/** Whether a type holds a map whose keys hold DOUBLE or REAL values (`toJson` then needs it). */
export function holdsFloatKey(t: DuckDBType): boolean {
  if (t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY)
    return holdsFloatKey(t.valueType);
  if (t.typeId === DuckDBTypeId.MAP) return isFloating(t.keyType) || holdsFloatKey(t.valueType);
  if (t.typeId === DuckDBTypeId.STRUCT) return t.entryTypes.some(holdsFloatKey);
  return false;
}

function isFloating(t: DuckDBType): boolean {
  if (t.typeId === DuckDBTypeId.DOUBLE || t.typeId === DuckDBTypeId.FLOAT) return true;
  if (t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY)
    return isFloating(t.valueType);
  if (t.typeId === DuckDBTypeId.STRUCT) return t.entryTypes.some(isFloating);
  return false;
}

/**
 * A REAL as Trino prints it (Java's Float.toString), the shortest decimal that reads back as
 * the same single-precision value: `0.1`, where the double DuckDB hands over is
 * 0.10000000149011612.
 */
export function realNumber(n: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const shorter = Number(n.toPrecision(digits));
    if (Math.fround(shorter) === n) return shorter;
  }
  return n;
}

/** A value's JSON (toJson) with its REAL numbers as Trino prints them, guided by its type. */
export function withReals(v: JsonValue, t: DuckDBType): JsonValue {
  if (v === null) return v;
  if (t.typeId === DuckDBTypeId.FLOAT) return typeof v === "number" ? realNumber(v) : v;
  if ((t.typeId === DuckDBTypeId.LIST || t.typeId === DuckDBTypeId.ARRAY) && Array.isArray(v))
    return v.map((x) => withReals(x, t.valueType));
  if (typeof v !== "object" || Array.isArray(v)) return v;
  if (t.typeId === DuckDBTypeId.MAP) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withReals(x, t.valueType)]));
  }
  if (t.typeId !== DuckDBTypeId.STRUCT) return v;
  const types = new Map(t.entryNames.map((n, i) => [n.toLowerCase(), t.entryTypes[i]!]));
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => {
      const type = types.get(k);
      return [k, type ? withReals(x, type) : x];
    }),
  );
}
