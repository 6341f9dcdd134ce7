/**
 * JSON as the lenient reader parses and writes it: every number keeps its text. JavaScript's
 * JSON.parse reads `500.0` as 500, `1E2` as 100 and an integer beyond 2^53 with its last digits
 * changed, while DuckDB's reader (the delivery layout's files, a collected store) keeps those as
 * written, and Athena every number: `additionaleventdata LIKE '%:500.0%'` found an event delivered by
 * CloudTrail and missed the same event in an export. Real exports hold such numbers
 * (`"bytesTransferredOut":500.0` in ../shared/datasets).
 *
 * JSON.parse reads first (it is fast, and its errors say where a file breaks). When some number
 * would not read back as written, each such number of the text is replaced by a marked string
 * (MARK, a random id, then the number's text) and JSON.parse reads it again; the marked strings
 * then become NumberText values, which JSON.stringify writes as marked strings again and
 * `jsonText` turns back into the numbers as they came. No text holds the mark but by chance. A
 * 120 MB export with one such number reads in 9.9 s, 8.6 s without it; lossless-json's own parser
 * read 12 MB/s (and refused a key repeated in one object, which JSON.parse reads as its last
 * value), and its writer was 5.6 times slower than JSON.stringify.
 */
import { randomUUID } from "node:crypto";

/** A number kept as the text it was written with. */
export class NumberText {
  constructor(readonly text: string) {}

  /** What JSON.stringify writes: the marked string that `jsonText` turns back into the number. */
  toJSON(): string {
    return `${MARK}${this.text}`;
  }

  toString(): string {
    return this.text;
  }
}

/** This process's mark: a string no input holds but by chance. */
const MARK = `\u0000${randomUUID()}:`;
/** A marked string as JSON.stringify writes it (the NUL escaped), its number's text captured. */
const MARKED = new RegExp(`${regExpText(JSON.stringify(MARK).slice(0, -1))}([-+.0-9eE]+)"`, "g");

function regExpText(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

/** A parsed document, and whether some number in it is kept as text (see `jsonText`). */
export interface ParsedJson {
  value: unknown;
  numbersAsText: boolean;
}

/** `text` parsed; throws JSON.parse's error for text that is not JSON. */
export function parseJson(text: string): ParsedJson {
  let value: unknown = JSON.parse(text);
  const changed = numbersChanged(text);
  if (changed.length === 0) return { value, numbersAsText: false };
  value = undefined; // not held while the marked text is read (a file may be 256 MiB)
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of changed) {
    parts.push(text.slice(at, start), JSON.stringify(MARK + text.slice(start, end)));
    at = end;
  }
  parts.push(text.slice(at));
  return { value: restore(JSON.parse(parts.join(""))), numbersAsText: true };
}

/**
 * `root` with each marked string replaced by the NumberText it stands for. With a stack of its own,
 * not recursion: JSON.parse reads nesting deeper than this function's calls could go.
 */
function restore(root: unknown): unknown {
  if (typeof root === "string") return numberOf(root);
  const todo: unknown[] = [root];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    if (v === null || typeof v !== "object") continue;
    const o = v as Record<string, unknown>; // an array too: its indexes are its keys
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(o)) {
      const x = o[k];
      if (typeof x === "string") {
        const r = numberOf(x);
        if (r !== x) o[k] = r; // an own property (JSON.parse's `__proto__` one included)
      } else if (x !== null && typeof x === "object") {
        todo.push(x);
      }
    }
  }
  return root;
}

/** The NumberText a marked string stands for, or the string. */
function numberOf(s: string): string | NumberText {
  return s.startsWith(MARK) ? new NumberText(s.slice(MARK.length)) : s;
}

/**
 * JSON text of a value `parseJson` made (and of records built from its values): numbers kept as
 * text are written as they came when `numbersAsText` (parseJson said some number is).
 */
export function jsonText(value: unknown, numbersAsText: boolean): string {
  const json = JSON.stringify(value);
  return numbersAsText ? json.replace(MARKED, "$1") : json;
}

/** Whether `v` is a number `parseJson` kept as its text. */
export function isNumberText(v: unknown): v is NumberText {
  return v instanceof NumberText;
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
