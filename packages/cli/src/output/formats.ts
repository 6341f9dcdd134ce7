/**
 * The text of a full result in each file format: `csv` (RFC 4180), `ndjson` (one JSON object a
 * line), `json` (one array of objects, written as it streams). Each encoder turns a chunk of rows
 * into text on its own, so a result of any size is written one chunk at a time.
 */
import type { JsonValue } from "@run-md/core";

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
 * are their JSON text; numbers and booleans as JSON writes them.
 */
export function csvField(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
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

const CSV: Encoder = {
  // RFC 4180 lines end with CRLF; a header line names the columns.
  header: (columns) => `${columns.map(csvField).join(",")}\r\n`,
  rows: (_columns, rows) => {
    let out = "";
    for (const r of rows) out += `${r.map(csvField).join(",")}\r\n`;
    return out;
  },
  footer: () => "",
};

const NDJSON: Encoder = {
  header: () => "",
  rows: (columns, rows) => {
    let out = "";
    for (const r of rows) out += `${JSON.stringify(rowObject(columns, r))}\n`;
    return out;
  },
  footer: () => "",
};

const JSON_ARRAY: Encoder = {
  header: () => "[",
  rows: (columns, rows, first) => {
    let out = "";
    rows.forEach((r, i) => {
      out += `${first && i === 0 ? "\n" : ",\n"}${JSON.stringify(rowObject(columns, r))}`;
    });
    return out;
  },
  footer: (wroteRows) => (wroteRows ? "\n]\n" : "]\n"),
};

export const ENCODERS: Record<FileFormat, Encoder> = { csv: CSV, json: JSON_ARRAY, ndjson: NDJSON };

/** The format a file name implies (`.csv`, `.json`, `.ndjson`/`.jsonl`), if any. */
export function formatOfFile(file: string): FileFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (ext === "csv" || ext === "json" || ext === "ndjson") return ext;
  return ext === "jsonl" ? "ndjson" : undefined;
}
