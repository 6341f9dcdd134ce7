/**
 * Athena returns every value as text (`VarCharValue`), NULL as an empty object. These turn that
 * text into JSON values by the column's type: numbers, booleans, dates and timestamps (kept in
 * Athena's text form), and arrays `[a, b]`, rows `{a=1, b=x}` and maps `{k=v}` parsed back into
 * arrays and objects.
 *
 * Inside arrays, rows and maps Athena's text does not say which elements were strings, so their
 * leaves stay text (`null` becomes null). The text form is also ambiguous when an element itself
 * contains `, ` or `=` at the top level; a query that needs exact nested values can
 * `CAST(col AS JSON)`.
 */
import { decimalJson, type JsonValue, setEntry } from "@run-md/core";

const INTEGER_TYPES = new Set(["bigint", "integer", "int", "smallint", "tinyint"]);
const FLOAT_TYPES = new Set(["double", "real", "float"]);

/** The base name of an Athena type: `decimal(10,2)` → `decimal`, `array(varchar)` → `array`. */
export function baseType(type: string): string {
  const t = type.trim().toLowerCase();
  const paren = t.indexOf("(");
  return paren < 0 ? t : t.slice(0, paren).trim();
}

export function convertValue(text: string | undefined, type: string): JsonValue {
  if (text === undefined) return null;
  const base = baseType(type);
  if (INTEGER_TYPES.has(base)) {
    if (!/^-?\d+$/.test(text)) return text;
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (base === "decimal") return decimalJson(text);
  if (FLOAT_TYPES.has(base)) {
    const n = Number(text);
    // NaN and the infinities have no JSON number: keep Athena's words for them.
    return Number.isFinite(n) ? n : text;
  }
  if (base === "boolean") {
    if (text === "true") return true;
    if (text === "false") return false;
    return text;
  }
  if (base === "array") return parseNested(text);
  if (base === "row" || base === "map" || base === "struct") return parseNested(text);
  // varchar, char, json (its JSON text), date, time, timestamp (`2024-03-01 12:34:56.000`),
  // timestamp with time zone, intervals, varbinary: Athena's text as it is.
  return text;
}

/** Parses Athena's text of a nested value; on anything it cannot read, the text itself. */
export function parseNested(text: string): JsonValue {
  const parser = new NestedParser(text);
  try {
    const value = parser.value(true);
    if (parser.pos !== text.length) return text;
    return value;
  } catch {
    return text;
  }
}

class NestedParser {
  pos = 0;
  constructor(readonly text: string) {}

  value(top = false): JsonValue {
    const c = this.text[this.pos];
    if (c === "[") return this.array();
    if (c === "{") {
      const save = this.pos;
      try {
        return this.object();
      } catch (e) {
        if (top) throw e;
        this.pos = save;
      }
    }
    const leaf = this.leaf();
    return leaf === "null" ? null : leaf;
  }

  /** Text up to the next top-level `, ` or the closing bracket of the enclosing value. */
  leaf(stopAtEquals = false): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0) {
        if (c === "," && this.text[this.pos + 1] === " ") break;
        if (stopAtEquals && c === "=") break;
      }
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  expect(s: string): void {
    if (!this.text.startsWith(s, this.pos)) throw new Error(`expected ${s} at ${this.pos}`);
    this.pos += s.length;
  }

  array(): JsonValue[] {
    this.expect("[");
    const items: JsonValue[] = [];
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      if (this.text[this.pos] === "]") {
        this.pos++;
        return items;
      }
      this.expect(", ");
    }
  }

  object(): { [k: string]: JsonValue } {
    this.expect("{");
    const obj: { [k: string]: JsonValue } = {};
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      const key = this.leaf(true);
      if (key.length === 0) throw new Error("empty key");
      this.expect("=");
      setEntry(obj, key, this.value());
      if (this.text[this.pos] === "}") {
        this.pos++;
        return obj;
      }
      this.expect(", ");
    }
  }
}
