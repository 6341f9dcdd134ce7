/**
 * The local engine returns JSON values with Trino type names (`array(row(arn varchar, ...))`,
 * `decimal(10,2)`, `timestamp with time zone`). These render them as Athena's GetQueryResults
 * text and describe the columns as Athena's ColumnInfo does (base type names only).
 */
import type { JsonValue } from "@run-md/core";
import type { AthenaColumn } from "./trino-text.ts";
import { javaDouble } from "./trino-text.ts";

export interface TrinoType {
  /** Lower-case base name: `varchar`, `array`, `row`, `map`, `decimal`, `timestamp with time zone`. */
  base: string;
  /** Element type of an array; key and value types of a map. */
  args: TrinoType[];
  /** Fields of a row. */
  fields: { name: string; type: TrinoType }[];
  /** Numeric arguments (`decimal(10,2)` → [10, 2], `varchar(20)` → [20]). */
  numbers: number[];
}

/** Splits `a, b(c, d), e` at top-level commas. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== "");
}

export function parseTrinoType(text: string): TrinoType {
  const t = text.trim().toLowerCase();
  const open = t.indexOf("(");
  if (open < 0 || !t.endsWith(")")) return { base: t, args: [], fields: [], numbers: [] };
  const base = t.slice(0, open).trim();
  const inner = splitTop(t.slice(open + 1, -1));
  if (base === "row") {
    const fields = inner.map((f) => {
      const m = /^("(?:[^"]|"")+"|\S+)\s+(.+)$/s.exec(f);
      const name = (m?.[1] ?? f).replace(/^"|"$/g, "").replaceAll('""', '"');
      return { name, type: parseTrinoType(m?.[2] ?? "varchar") };
    });
    return { base, args: [], fields, numbers: [] };
  }
  if (inner.every((a) => /^\d+$/.test(a))) {
    return { base, args: [], fields: [], numbers: inner.map(Number) };
  }
  return { base, args: inner.map(parseTrinoType), fields: [], numbers: [] };
}

const PRECISION: Record<string, number> = {
  varchar: 2147483647,
  char: 2147483647,
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

export function athenaColumnFromTypeName(name: string, typeName: string): AthenaColumn {
  const t = parseTrinoType(typeName);
  if (t.base === "decimal") {
    return {
      name: name.toLowerCase(),
      type: "decimal",
      precision: t.numbers[0] ?? 38,
      scale: t.numbers[1] ?? 0,
    };
  }
  return { name: name.toLowerCase(), type: t.base, precision: PRECISION[t.base] ?? 0, scale: 0 };
}

/** Trino's text of a JSON value of the given type; `null` for a top-level NULL. */
export function jsonToTrinoText(value: JsonValue, type: TrinoType): string | null {
  return value === null ? null : render(value, type);
}

function render(value: JsonValue, type: TrinoType | undefined): string {
  if (value === null) return "null";
  const base = type?.base ?? "";
  if (Array.isArray(value)) {
    const element = type?.args[0];
    return `[${value.map((v) => render(v, element)).join(", ")}]`;
  }
  if (typeof value === "object") {
    if (base === "row" && type) {
      const seen = new Set<string>();
      const parts: string[] = [];
      for (const f of type.fields) {
        seen.add(f.name);
        parts.push(`${f.name}=${render(value[f.name] ?? null, f.type)}`);
      }
      for (const [k, v] of Object.entries(value)) {
        if (!seen.has(k)) parts.push(`${k}=${render(v, undefined)}`);
      }
      return `{${parts.join(", ")}}`;
    }
    const keyType = type?.args[0];
    const valueType = base === "map" ? type?.args[1] : undefined;
    const parts = Object.entries(value).map(
      ([k, v]) => `${render(k, keyType)}=${render(v, valueType)}`,
    );
    return `{${parts.join(", ")}}`;
  }
  if (typeof value === "number") {
    if (base === "double" || base === "real") return javaDouble(value);
    if (base === "decimal") return value.toFixed(type?.numbers[1] ?? 0);
    if (Number.isInteger(value) || base === "bigint" || base === "integer") return String(value);
    return javaDouble(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (base === "varbinary") {
    return Array.from(Buffer.from(value, "base64"), (b) => b.toString(16).padStart(2, "0")).join(
      " ",
    );
  }
  return value;
}
