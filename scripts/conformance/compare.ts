/**
 * One corpus row against what the engine returned, per the corpus README: numbers numerically,
 * timestamps to milliseconds, zoned timestamps by local time and zone, arrays element-wise, maps as
 * key/value sets, JSON by structure, and the type family.
 */
import type { JsonValue } from "@run-md/core";
import { parse } from "lossless-json";
import type { ConformanceCase } from "./cases.ts";

/** What the engine did with a row. */
export type Outcome =
  | { ok: true; value: JsonValue; type: string }
  | { ok: false; message: string; code: string };

export type Verdict =
  | "pass"
  /** Silent wrong answers: */
  | "wrong-value"
  | "wrong-null"
  | "value-where-error"
  /** Right value, wrong type family (decimal for double, varchar for json, ...). */
  | "wrong-type"
  /** Loud failures (the query stopped with a message): */
  | "unsupported"
  | "error-where-value";

export const SILENT: ReadonlySet<Verdict> = new Set([
  "wrong-value",
  "wrong-null",
  "value-where-error",
]);

/** A Trino or Athena type name → its family. */
export function typeFamily(type: string): string {
  const t = type.trim().toLowerCase();
  if (t === "") return "";
  if (/^(varchar|char)\b/.test(t)) return "string";
  if (/^(tinyint|smallint|integer|int|bigint)\b/.test(t)) return "integer";
  if (t.startsWith("decimal")) return "decimal";
  if (t === "real" || t === "double") return "floating";
  if (t.startsWith("timestamp") && t.endsWith("with time zone")) return "timestamp with time zone";
  if (t.startsWith("timestamp")) return "timestamp";
  if (t.startsWith("time")) return "time";
  if (t.startsWith("interval")) return "interval";
  if (t.startsWith("array")) return "array";
  if (t.startsWith("map")) return "map";
  if (t.startsWith("row")) return "row";
  return t.replace(/\(.*$/, "");
}

/** Errors that mean "the local engine has no such function or refuses the construct". */
const UNSUPPORTED_RE =
  /not supported locally|Function with name \S+ does not exist|Scalar Function with name|Table Function with name|does not exist!?\s*$/i;

export function isUnsupported(message: string): boolean {
  return UNSUPPORTED_RE.test(message);
}

export function judge(c: ConformanceCase, out: Outcome): Verdict {
  if (c.kind === "error") return out.ok ? "value-where-error" : "pass";
  if (!out.ok) return isUnsupported(out.message) ? "unsupported" : "error-where-value";
  if (c.kind === "null") return out.value === null ? "pass" : "wrong-null";
  if (out.value === null) return "wrong-null";
  if (!sameValue(c.type, c.value, out.value)) return "wrong-value";
  const want = typeFamily(c.type);
  if (want !== "" && !sameFamily(want, typeFamily(out.type))) return "wrong-type";
  return "pass";
}

/** char and varchar are one family; an untyped NULL (unknown) has none to compare. */
function sameFamily(want: string, got: string): boolean {
  return want === got || want === "unknown";
}

/** Does the engine's value equal Trino's textual form `text` of a value of type `type`? */
export function sameValue(type: string, text: string, value: JsonValue): boolean {
  const family = typeFamily(type);
  switch (family) {
    case "integer":
    case "decimal":
    case "floating":
      return sameNumber(text, value, type.trim().toLowerCase() === "real");
    case "boolean":
      return String(value) === text;
    case "timestamp":
      return typeof value === "string" && timestampKey(value) === timestampKey(text);
    case "timestamp with time zone":
      return typeof value === "string" && zonedKey(value) === zonedKey(text);
    case "array":
    case "map":
      return sameStructure(parseJsonText(text), value, /\breal\b/i.test(type));
    case "json":
      return sameJson(text, value);
    case "date":
      return typeof value === "string" && dateKey(value) === dateKey(text);
    case "string":
    case "":
      // An untyped expectation is compared numerically when both sides are numbers.
      return String(value) === text || (family === "" && sameNumber(text, value, false));
    default:
      return typeof value === "string" ? value === text : JSON.stringify(value) === text;
  }
}

function numberText(v: JsonValue): string | undefined {
  if (typeof v === "number") return String(v);
  if (
    typeof v === "string" &&
    /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$|^(-?Infinity|NaN)$/i.test(v)
  )
    return v.trim();
  return undefined;
}

/** Numbers compare numerically; integers beyond 2^53 and long decimals compare exactly as decimals. */
export function sameNumber(text: string, value: JsonValue, real: boolean): boolean {
  const got = numberText(value);
  if (got === undefined || numberText(text) === undefined) return false;
  const a = canonicalDecimal(text);
  const b = canonicalDecimal(got);
  if (a !== undefined && b !== undefined && a === b) return true;
  const x = Number(text);
  const y = Number(got);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (real) return Math.fround(x) === Math.fround(y);
  // Both sides exact decimals that differ: only equal if they are the same double and short enough
  // that the double is exact (a 30-digit decimal must match digit for digit).
  if (
    a !== undefined &&
    b !== undefined &&
    (a.replace(/\D/g, "").length > 15 || b.replace(/\D/g, "").length > 15)
  )
    return false;
  return x === y;
}

/** `-001.500` → `-1.5`; undefined for exponents and non-finite values. */
function canonicalDecimal(s: string): string | undefined {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(s);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const int = (m[2] ?? "").replace(/^0+(?=\d)/, "").replace(/^$/, "0");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  const body = frac === "" ? int : `${int}.${frac}`;
  return body === "0" ? "0" : `${m[1] === "-" ? "-" : ""}${body}`;
}

/** `2019-8-31` and `2019-08-31` are one date. */
function dateKey(text: string): string {
  const m = /^(-?\d+)-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  return m
    ? `${m[1]}-${(m[2] as string).padStart(2, "0")}-${(m[3] as string).padStart(2, "0")}`
    : text;
}

/** `2020-05-01 12:34:56[.ffffff]` → the same text with exactly three fraction digits (truncated). */
function timestampKey(text: string): string | undefined {
  const m = /^(-?\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return `${m[1]} ${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}`;
}

const UTC_NAMES = new Set([
  "UTC",
  "Z",
  "+00:00",
  "-00:00",
  "Etc/UTC",
  "GMT",
  "UCT",
  "Zulu",
  "Etc/GMT",
]);

/** A zoned timestamp text → local time (milliseconds) and zone, UTC spellings made one. */
function zonedKey(text: string): string | undefined {
  const m = /^(\S+ \S+?)\s*(Z|[+-]\d\d:\d\d|[A-Za-z][\w/+-]*)$/.exec(text.trim());
  if (!m) return undefined;
  const local = timestampKey(m[1] as string);
  const zone = UTC_NAMES.has(m[2] as string) ? "UTC" : (m[2] as string);
  return local === undefined ? undefined : `${local} ${zone}`;
}

function plainJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/** Expected arrays and maps: numbers keep every digit (as text) so that 2^63 - 1 compares exactly. */
function parseJsonText(text: string): JsonValue | undefined {
  try {
    return parse(text, undefined, (n: string) => n) as JsonValue;
  } catch {
    return undefined;
  }
}

/** Element-wise comparison: numbers (or numeric texts) numerically, timestamps to milliseconds. */
function sameStructure(want: JsonValue | undefined, got: JsonValue, real = false): boolean {
  if (want === undefined) return false;
  if (want === null || got === null) return want === got;
  if (Array.isArray(want)) {
    return (
      Array.isArray(got) &&
      want.length === got.length &&
      want.every((w, i) => sameStructure(w, got[i] as JsonValue, real))
    );
  }
  if (typeof want === "object") {
    if (typeof got !== "object" || Array.isArray(got)) return false;
    const gotKeys = Object.keys(got);
    const wantKeys = Object.keys(want);
    if (gotKeys.length !== wantKeys.length) return false;
    return wantKeys.every((k) => {
      const g = gotKeys.find((x) => sameScalar(k, x));
      return g !== undefined && sameStructure(want[k] as JsonValue, got[g] as JsonValue, real);
    });
  }
  return sameScalar(want, got, real);
}

function sameScalar(want: JsonValue, got: JsonValue, real = false): boolean {
  if (typeof got === "object" && got !== null) return false;
  if (String(want) === String(got)) return true;
  const w = String(want);
  const g = String(got);
  if (numberText(w) !== undefined && numberText(g) !== undefined) return sameNumber(w, g, real);
  const tw = timestampKey(w);
  return tw !== undefined && tw === timestampKey(g);
}

/** JSON compares by structure; a JSON value the engine returns as text is parsed first. */
function sameJson(text: string, value: JsonValue): boolean {
  const want = plainJson(text);
  if (typeof value === "string") {
    const got = plainJson(value);
    if (want === undefined || got === undefined) return value === text;
    return deepEqual(want, got);
  }
  return want !== undefined && deepEqual(want, value);
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        deepEqual(
          (a as Record<string, JsonValue>)[k] as JsonValue,
          (b as Record<string, JsonValue>)[k] as JsonValue,
        ),
    )
  );
}
