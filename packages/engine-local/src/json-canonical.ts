/**
 * JSON text as Trino writes it (Jackson): json_parse reads the document into Java maps and lists
 * and writes it with its keys sorted (SORTED_MAPPER, ORDER_MAP_ENTRIES_BY_KEYS; a duplicate key's
 * last value stands), an integer as its digits, a fraction or exponent as a Java double's
 * Double.toString (`1e7` is `1.0E7`, `1.5e-5` is `1.5E-5`, `1e2` is `100.0`), a string with
 * Jackson's escapes only (`\u00e9` is `é`). DuckDB's json() kept the text's key order and
 * duplicates and printed doubles its own way (`10000000.0`), so `json_parse(a) = json_parse(b)`
 * of the same object written in another key order was false, and its text differed.
 */

type Value =
  | { kind: "number"; text: string }
  | { kind: "literal"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: Value[] }
  | { kind: "object"; entries: Map<string, Value> };

/**
 * The document `text` in Trino's form; its keys sorted when `sort`. Only strict JSON is read, as
 * Jackson reads it for Trino (no NaN or Infinity, trailing comma, leading zero or text after the
 * document): anything else is Trino's json_parse error. DuckDB's json() accepts all of those, so
 * this reader, not json(), judges the text; a lax reader looped past the end of `[inf]`.
 */
export function canonicalJson(text: string, sort: boolean): string {
  const at = { i: 0 };
  const bad = () => new Error(`INVALID_FUNCTION_ARGUMENT: Cannot convert value to JSON: '${text}'`);
  const value = read(text, at, bad);
  skip(text, at);
  if (at.i !== text.length) throw bad();
  return write(value, sort);
}

type Bad = () => Error;

function skip(text: string, at: { i: number }): void {
  while (at.i < text.length && " \t\n\r".includes(text[at.i] as string)) at.i++;
}

/** Steps over `c` (after white space), or the text is not JSON. */
function expectChar(text: string, at: { i: number }, c: string, bad: Bad): void {
  skip(text, at);
  if (text[at.i] !== c) throw bad();
  at.i++;
}

/** Steps over `c` after white space when it is next. */
function accept(text: string, at: { i: number }, c: string): boolean {
  skip(text, at);
  if (text[at.i] !== c) return false;
  at.i++;
  return true;
}

const TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function read(text: string, at: { i: number }, bad: Bad): Value {
  skip(text, at);
  const c = text[at.i];
  if (c === "{") {
    at.i++;
    const entries = new Map<string, Value>();
    if (accept(text, at, "}")) return { kind: "object", entries };
    do {
      skip(text, at);
      const key = readString(text, at, bad);
      expectChar(text, at, ":", bad);
      // The last value of a key stands (a map's put), at the key's first place.
      entries.set(key, read(text, at, bad));
    } while (accept(text, at, ","));
    expectChar(text, at, "}", bad);
    return { kind: "object", entries };
  }
  if (c === "[") {
    at.i++;
    const items: Value[] = [];
    if (accept(text, at, "]")) return { kind: "array", items };
    do items.push(read(text, at, bad));
    while (accept(text, at, ","));
    expectChar(text, at, "]", bad);
    return { kind: "array", items };
  }
  if (c === '"') return { kind: "string", value: readString(text, at, bad) };
  TOKEN.lastIndex = at.i;
  const token = TOKEN.exec(text)?.[0];
  // A literal or number runs into no letter or digit: `truex`, `1x` and `01` are not JSON.
  if (token === undefined || /[\w.+-]/.test(text[at.i + token.length] ?? "")) throw bad();
  at.i += token.length;
  return /^[tfn]/.test(token) ? { kind: "literal", text: token } : { kind: "number", text: token };
}

function readString(text: string, at: { i: number }, bad: Bad): string {
  if (text[at.i] !== '"') throw bad();
  const start = at.i;
  at.i++;
  while (at.i < text.length && text[at.i] !== '"') at.i += text[at.i] === "\\" ? 2 : 1;
  if (at.i >= text.length) throw bad();
  at.i++;
  try {
    // Strict: a control character unescaped or an unknown escape is not JSON.
    return JSON.parse(text.slice(start, at.i)) as string;
  } catch {
    throw bad();
  }
}

function write(v: Value, sort: boolean): string {
  switch (v.kind) {
    case "literal":
      return v.text;
    case "number":
      return numberText(v.text);
    case "string":
      return stringText(v.value);
    case "array":
      return `[${v.items.map((x) => write(x, sort)).join(",")}]`;
    case "object": {
      const keys = [...v.entries.keys()];
      if (sort) keys.sort();
      return `{${keys.map((k) => `${stringText(k)}:${write(v.entries.get(k) as Value, sort)}`).join(",")}}`;
    }
  }
}

/**
 * An integer's digits (a long or a BigInteger to Jackson); any other number as a Java double. A
 * double past the range is infinite, which Jackson writes as a JSON string
 * (JsonWriteFeature.WRITE_NAN_AS_STRINGS, on by default), as CAST(double AS JSON) does.
 */
function numberText(text: string): string {
  if (/^-?\d+$/.test(text)) return BigInt(text).toString();
  const d = Number(text);
  return Number.isFinite(d) ? javaDouble(d) : `"${javaDouble(d)}"`;
}

/** Java's Double.toString: plain from 10^-3 to 10^7, else d.dddE<n>; shortest digits. */
export function javaDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const sign = d < 0 ? "-" : "";
  const a = Math.abs(d);
  const [mantissa, e] = a.toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(e);
  if (a >= 1e-3 && a < 1e7) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${int}.${digits.slice(exp + 1) || "0"}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || "0"}E${exp}`;
}

/** A string as Jackson writes one: `"` and `\` escaped, control characters as \b \t \n \f \r or \u00XX. */
function stringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code < 0x20) {
      const short = { 8: "b", 9: "t", 10: "n", 12: "f", 13: "r" }[code];
      out += short ? `\\${short}` : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}
