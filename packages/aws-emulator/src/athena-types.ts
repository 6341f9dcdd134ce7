/**
 * Athena's column descriptions (ColumnInfo): Trino type names parsed (`array(row(arn varchar, ...))`,
 * `decimal(10,2)`), and each column's type given by its base name, precision and scale. DuckDB types
 * are named by the local engine's `athenaTypeName`, so both backends describe columns alike.
 */
import type { DuckDBType } from "@duckdb/node-api";
import { athenaTypeName as trinoTypeName } from "@run-md/engine-local";

/** One column of an Athena result set, as ColumnInfo describes it. */
export interface AthenaColumn {
  name: string;
  /** Athena's type name: `varchar`, `bigint`, `double`, `timestamp`, `array`, `row`, `map`, ... */
  type: string;
  precision: number;
  scale: number;
}

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

/** Splits `a, b(c, d), e` at top-level commas (not in a quoted field name, `"c,d" varchar`). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
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

/** Athena's base type name for a DuckDB type (`varchar`, `bigint`, `array`, `row`, ...). */
export function athenaTypeName(type: DuckDBType): string {
  return parseTrinoType(trinoTypeName(type)).base;
}

export function athenaColumn(name: string, type: DuckDBType): AthenaColumn {
  return athenaColumnFromTypeName(name, trinoTypeName(type));
}
