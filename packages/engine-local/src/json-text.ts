/**
 * JSON as the lenient reader parses and writes it: every number keeps its text. JavaScript's
 * JSON.parse reads `500.0` as 500, `1E2` as 100 and an integer beyond 2^53 with its last digits
 * changed, while DuckDB's reader (the delivery layout's files, a collected store) and Athena keep a
 * payload's numbers as written: `json_extract_scalar(requestparameters, '$.size')` would answer
 * `500` on an export and `500.0` on the same event delivered by CloudTrail. Real exports hold such
 * numbers (`"size": 500.0` in ../shared/datasets).
 *
 * JSON.parse reads first (it is fast, and its errors say where a file breaks); a document in which
 * some number would not read back as written is parsed again by lossless-json, its numbers of
 * that kind kept as their text (LosslessNumber) and written back as they came.
 */
import {
  isLosslessNumber,
  LosslessNumber,
  parse as losslessParse,
  stringify as losslessStringify,
} from "lossless-json";

/** A parsed document, and whether some number in it is kept as text (see `jsonText`). */
export interface ParsedJson {
  value: unknown;
  numbersAsText: boolean;
}

/** `text` parsed; throws JSON.parse's error for text that is not JSON. */
export function parseJson(text: string): ParsedJson {
  const value: unknown = JSON.parse(text);
  if (numbersReadBack(text)) return { value, numbersAsText: false };
  try {
    return { value: losslessParse(text, null, numberOrText), numbersAsText: true };
  } catch {
    // lossless-json refuses a key repeated in one object, which JSON.parse reads as its last
    // value (CloudTrail never repeats a key): such a document keeps JSON.parse's numbers.
    return { value, numbersAsText: false };
  }
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

function numberOrText(text: string): number | LosslessNumber {
  const n = Number(text);
  return String(n) === text ? n : new LosslessNumber(text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

/**
 * Whether every number of a JSON text reads back as written through a JavaScript number
 * (`String(Number(t)) === t`). The text is valid JSON (JSON.parse read it), so outside strings a
 * `-` or a digit starts a number. A hand-written scan: a regular expression over strings of many
 * escapes overflows V8's stack.
 */
export function numbersReadBack(text: string): boolean {
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
      if (String(Number(t)) !== t) return false;
    } else {
      i++;
    }
  }
  return true;
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
