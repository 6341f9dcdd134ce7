/**
 * JSON as the lenient reader parses and writes it: every number keeps its text. JavaScript's
 * JSON.parse reads `500.0` as 500, `1E2` as 100 and an integer beyond 2^53 with its last digits
 * changed, while DuckDB's reader (the delivery layout's files, a collected store) and Athena keep a
 * payload's numbers as written: `additionaleventdata LIKE '%:500.0%'` found an event delivered by
 * CloudTrail and missed the same event in an export. Real exports hold such numbers
 * (`"bytesTransferredOut":500.0` in ../shared/datasets).
 *
 * JSON.parse reads first (it is fast, and its errors say where a file breaks). When some number
 * would not read back as written, each such number of the text is replaced by a string no text
 * holds but by chance (a marker with a random id, and its index) and JSON.parse reads it again; the
 * markers then become those numbers' text (lossless-json's LosslessNumber), which `jsonText`
 * writes back as it came: about 50 MB/s on real exports, where lossless-json's own parser read
 * 12 MB/s (and refuses a key repeated in one object, which JSON.parse reads as its last value).
 */
import { randomUUID } from "node:crypto";
import { isLosslessNumber, LosslessNumber, stringify as losslessStringify } from "lossless-json";

/** A parsed document, and whether some number in it is kept as text (see `jsonText`). */
export interface ParsedJson {
  value: unknown;
  numbersAsText: boolean;
}

/** `text` parsed; throws JSON.parse's error for text that is not JSON. */
export function parseJson(text: string): ParsedJson {
  const value: unknown = JSON.parse(text);
  const changed = numbersChanged(text);
  if (changed.length === 0) return { value, numbersAsText: false };
  const marker = `\u0000${randomUUID()}:`;
  const parts: string[] = [];
  let at = 0;
  for (const [i, [start, end]] of changed.entries()) {
    parts.push(text.slice(at, start), JSON.stringify(`${marker}${i}`));
    at = end;
  }
  parts.push(text.slice(at));
  const numbers = changed.map(([start, end]) => new LosslessNumber(text.slice(start, end)));
  const marked: unknown = JSON.parse(parts.join(""));
  return { value: restore(marked, marker, numbers), numbersAsText: true };
}

/** `v` with each marker string (`<marker><index>`) replaced by the number it stands for. */
function restore(v: unknown, marker: string, numbers: LosslessNumber[]): unknown {
  if (typeof v === "string") {
    return v.startsWith(marker) ? (numbers[Number(v.slice(marker.length))] ?? v) : v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restore(v[i], marker, numbers);
  } else if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = restore(o[k], marker, numbers);
  }
  return v;
}

/** JSON text of a value `parseJson` made: numbers kept as text are written as they came. */
export function jsonText(value: unknown, numbersAsText = true): string {
  if (!numbersAsText) return JSON.stringify(value);
  return losslessStringify(value) ?? "null";
}

/** Whether `v` is a number `parseJson` kept as its text. */
export function isNumberText(v: unknown): v is LosslessNumber {
  return isLosslessNumber(v);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

/**
 * Where the numbers of a JSON text are that do not read back as written through a JavaScript
 * number (`String(Number(t)) !== t`), as [start, end) offsets. The text is valid JSON (JSON.parse
 * read it), so outside strings a `-` or a digit starts a number. A hand-written scan: a regular
 * expression over strings of many escapes overflows V8's stack.
 */
export function numbersChanged(text: string): [number, number][] {
  const found: [number, number][] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i + 1) + 1;
    } else if (c === MINUS || isDigit(c)) {
      const start = i;
      i++;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const t = text.slice(start, i);
      if (String(Number(t)) !== t) found.push([start, i]);
    } else {
      i++;
    }
  }
  return found;
}

/** The index of the quote that ends the string whose text starts at `from`. */
function stringEnd(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q > 0) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Digits, `.`, `e`, `E`, `+` and `-`: what follows a number's first character. */
function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}
