/**
 * The text of a full result in each file format: `csv` (RFC 4180), `ndjson` (one JSON object a
 * line), `json` (one array of objects, written as it streams). Each encoder turns a chunk of rows
 * into text on its own, so a result of any size is written one chunk at a time.
 */
import { type JsonValue, printable, printableJson } from "@run-md/core";

export const FILE_FORMATS = ["csv", "json", "ndjson"] as const;
export const OUTPUT_FORMATS = ["table", ...FILE_FORMATS] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What a file of a format starts with, what goes between two chunks' rows, and how it ends. */
export interface Encoder {
  header(columns: readonly string[]): string;
  /** The rows of one chunk; `first` when no row was written before them. */
  rows(columns: readonly string[], rows: readonly JsonValue[][], first: boolean): string;
  footer(wroteRows: boolean): string;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or leading or
 * trailing spaces, quotes doubled. NULL is an empty field; nested values (arrays, maps, structs)
 * are their JSON text; numbers and booleans as JSON writes them. `terminal`: the text is for a
 * terminal, and its control characters are written as `\uXXXX` (printable.ts), so a value cannot
 * drive the terminal; a file or a pipe gets the values as they are.
 */
export function csvField(v: JsonValue | undefined, terminal = false): string {
  if (v === null || v === undefined) return "";
  const text = typeof v === "string" ? formulaSafe(v) : JSON.stringify(v);
  const s = terminal ? printable(text) : text;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A text value a spreadsheet would read as a formula (`=HYPERLINK(...)` sending the sheet's
 * cells away on a click, `+cmd|...` running a command in old Excel), with a `'` before it, as
 * OWASP's "CSV injection" advice says: CloudTrail values (a user agent, a parameter) are the
 * caller's choice. A number stays a number; `--format json` and `ndjson` keep every value as
 * it is.
 */
function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A row as an object keyed by column name (columns are unique: engines label them so). */
function rowObject(
  columns: readonly string[],
  row: readonly JsonValue[],
): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  for (let i = 0; i < columns.length; i++) o[columns[i]!] = row[i] ?? null;
  return o;
}

/** CSV; `terminal`: each field through printable(), as csvField says. */
function csv(terminal: boolean): Encoder {
  const line = (fields: readonly (JsonValue | undefined)[]) =>
    `${fields.map((f) => csvField(f, terminal)).join(",")}\r\n`;
  return {
    // RFC 4180 lines end with CRLF; a header line names the columns.
    header: (columns) => line(columns),
    rows: (_columns, rows) => {
      let out = "";
      for (const r of rows) out += line(r);
      return out;
    },
    footer: () => "",
  };
}

// The JSON formats write the characters JSON.stringify leaves raw (DEL, C1, bidirectional
// controls) as \uXXXX escapes, everywhere: the same JSON values, and safe on a terminal.
const NDJSON: Encoder = {
  header: () => "",
  rows: (columns, rows) => {
    let out = "";
    for (const r of rows) out += `${printableJson(rowObject(columns, r))}\n`;
    return out;
  },
  footer: () => "",
};

const JSON_ARRAY: Encoder = {
  header: () => "[",
  rows: (columns, rows, first) => {
    let out = "";
    rows.forEach((r, i) => {
      out += `${first && i === 0 ? "\n" : ",\n"}${printableJson(rowObject(columns, r))}`;
    });
    return out;
  },
  footer: (wroteRows) => (wroteRows ? "\n]\n" : "]\n"),
};

/** The encoder of a format; `terminal`: the text goes to a terminal (see csvField). */
export function encoderFor(format: FileFormat, terminal = false): Encoder {
  if (format === "csv") return csv(terminal);
  return format === "json" ? JSON_ARRAY : NDJSON;
}

/** The file extensions that imply a format (in any case). */
export const FILE_EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  csv: "csv",
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
};

/** The format a file name implies (FILE_EXTENSIONS), if any. */
export function formatOfFile(file: string): FileFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  return ext !== undefined && Object.hasOwn(FILE_EXTENSIONS, ext)
    ? FILE_EXTENSIONS[ext]
    : undefined;
}
