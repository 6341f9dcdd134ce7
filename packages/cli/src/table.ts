/**
 * Result tables for the terminal. Widths are display widths (`string-width`: a CJK character or
 * an emoji takes two columns, a combining mark none), so columns stay aligned whatever the
 * script; the table is drawn here rather than by a table library so that the one measure used
 * to cut a value is also the one used to pad it.
 */
import { type JsonValue, printable } from "@run-md/core";
import pc from "picocolors";
import stringWidth from "string-width";

/** Columns are never shrunk below this many characters to fit the terminal. */
const MIN_COLUMN = 8;

/**
 * A value on one line: NULL empty, nested values as JSON, runs of white space as one space, and
 * no character that would drive the terminal (`printable`).
 */
function oneLine(v: JsonValue | undefined): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  return printable(s.replace(/\s+/g, " "));
}

/** `text` cut to at most `width` display columns, ending in "…" when cut. */
export function truncateToWidth(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  const room = Math.max(0, width - 1);
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = stringWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

function padToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - stringWidth(text)));
}

/**
 * Column widths that fit the terminal: each column as wide as its widest value, then the widest
 * columns shrink first until the table fits (never below 8). `wide`: natural widths, never cut.
 */
export function fitWidths(natural: number[], termWidth: number, wide = false): number[] {
  const widths = natural.map((w) => Math.max(1, w));
  if (wide) return widths;
  const overhead = 3 * widths.length + 1;
  let total = widths.reduce((a, b) => a + b, 0) + overhead;
  while (total > termWidth) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= MIN_COLUMN) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/**
 * A compact box-drawn table (header, rule, rows) of `termWidth` display columns at most, or of
 * natural width with `wide`.
 */
export function rowsTable(
  columns: string[],
  rows: JsonValue[][],
  termWidth: number,
  opts: { wide?: boolean } = {},
): string {
  if (columns.length === 0) return "";
  const text = rows.map((r) => columns.map((_, i) => oneLine(r[i])));
  const head = columns.map((c) => oneLine(c));
  const natural = columns.map((_, i) =>
    Math.max(stringWidth(head[i]!), ...text.map((r) => stringWidth(r[i]!))),
  );
  const widths = fitWidths(natural, termWidth, opts.wide === true);
  const colors = pc.isColorSupported;
  const border = (s: string) => (colors ? pc.gray(s) : s);
  const headColor = (s: string) => (colors ? pc.cyan(s) : s);
  const rule = (l: string, m: string, r: string) =>
    border(`${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`);
  const line = (cells: string[], color: (s: string) => string = (s) => s) =>
    `${border("│")}${cells
      .map((c, i) => ` ${color(padToWidth(truncateToWidth(c, widths[i]!), widths[i]!))} `)
      .join(border("│"))}${border("│")}`;
  return [
    rule("┌", "┬", "┐"),
    line(head, headColor),
    rule("├", "┼", "┤"),
    ...text.map((r) => line(r)),
    rule("└", "┴", "┘"),
  ].join("\n");
}
