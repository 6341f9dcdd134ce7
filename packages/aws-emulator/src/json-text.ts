/**
 * The local engine returns JSON values with Trino type names (`array(row(arn varchar, ...))`,
 * `decimal(10,2)`, `timestamp with time zone`). These render them as Athena's GetQueryResults
 * text; `athena-types.ts` describes their columns.
 */
import type { JsonValue } from "@run-md/core";
import type { TrinoType } from "./athena-types.ts";
import { javaDouble } from "./trino-text.ts";

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
    if (base === "decimal") return decimalText(value, type?.numbers[1] ?? 0);
    if (Number.isInteger(value) || base === "bigint" || base === "integer") return String(value);
    return javaDouble(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  // Text as it is, varbinary too: the local engine gives its bytes as Trino's text (`61 62`).
  return value;
}

/**
 * A decimal the local engine gave as a number (it does when the number is the decimal exactly),
 * as Trino prints it: the number's own digits, zeros to the column's scale. `toFixed` would print
 * the binary double's digits past the 17th (`0.1` at scale 20 as `0.10000000000000000555`).
 */
function decimalText(value: number, scale: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!m) return value.toFixed(scale);
  const digits = `${m[2]}${m[3] ?? ""}`;
  const point = m[2]!.length + Number(m[4] ?? 0);
  const padded = point <= 0 ? `${"0".repeat(1 - point)}${digits}` : digits.padEnd(point, "0");
  const at = Math.max(point, 1);
  const whole = padded.slice(0, at).replace(/^0+(?=\d)/, "");
  const fraction = padded.slice(at).padEnd(scale, "0");
  if (fraction.length > scale) return value.toFixed(scale);
  return `${m[1]}${whole}${scale > 0 ? `.${fraction}` : ""}`;
}
