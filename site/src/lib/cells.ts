/**
 * Table cells that never break a word: a value gets break opportunities only after the
 * separators of ARNs, paths and JSON (`:` `/` `,` `;` `=` `&` `?` `|`), so
 * `arn:aws:iam::123456789012:user/mallory` may wrap before `user/` but never inside `mallory`.
 * Values too long to read in a row are cut, with the whole value one click away.
 */

import type { JsonValue } from "@run-md/core";
import { visibleFormat } from "@run-md/core/printable";
import { formatValue } from "./format.ts";

/** Past this many characters a value is shown cut, with a disclosure holding the whole of it. */
export const LONG_VALUE = 90;
/** The characters shown of a long value before the disclosure. */
export const SHORT_VALUE = 60;

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The value as HTML with `<wbr>` after each separator, and only there. */
export function breakableHtml(text: string): string {
  return text
    .split(/(?<=[:/,;=&?|])/)
    .map(escapeHtml)
    .join("<wbr>");
}

export function isLong(text: string): boolean {
  return text.length > LONG_VALUE;
}

/** The start of a long value, cut after a separator where one is close to the limit. */
export function shortValue(text: string): string {
  const cut = text.slice(0, SHORT_VALUE);
  const at = Math.max(...[":", "/", ",", " "].map((s) => cut.lastIndexOf(s)));
  return at > SHORT_VALUE / 2 ? cut.slice(0, at + 1) : cut;
}

/**
 * What a cell shows of a value: its text with the format characters visible (core's
 * visibleFormat), and for a long value its start and the value's own length. The value is cut
 * before it is escaped, so a cut never falls inside a `\uXXXX`, and the length counts the value's
 * characters, not those of its escapes.
 */
interface CellText {
  full: string;
  short?: string;
  length: number;
}

function cellText(v: JsonValue | undefined): CellText {
  const raw = formatValue(v);
  const full = visibleFormat(raw);
  if (!isLong(raw)) return { full, length: raw.length };
  return { full, short: visibleFormat(shortValue(raw)), length: raw.length };
}

const moreText = (length: number) => `(${length.toLocaleString("en-US")} characters: show all)`;

/** A table cell's HTML: the value escaped, breakable at its separators, long ones disclosed. */
export function cellHtml(v: JsonValue | undefined): string {
  const c = cellText(v);
  const cls = v === null ? ' class="rm-null"' : typeof v === "number" ? ' class="rm-num"' : "";
  const inner =
    c.short !== undefined
      ? `<details class="rm-long"><summary><span>${breakableHtml(c.short)}</span>… <span class="rm-long__more">${moreText(c.length)}</span></summary><div class="rm-long__full">${breakableHtml(c.full)}</div></details>`
      : breakableHtml(c.full);
  return `<td${cls}>${inner}</td>`;
}

/**
 * The rows of a result table as one HTML string: a run page holds up to 100 rows, and one string
 * renders many times faster than an Astro expression per cell (a site has thousands of them).
 */
export function rowsHtml(width: number, rows: JsonValue[][]): string {
  let html = "";
  for (const row of rows) {
    html += "<tr>";
    for (let i = 0; i < width; i++) html += cellHtml(row[i]);
    html += "</tr>";
  }
  return html;
}

/**
 * The same cell as `cellHtml`, built with DOM calls for the browser's live run view: text goes
 * in through `textContent` only, never as HTML.
 */
export function cellElement(doc: Document, v: JsonValue | undefined): HTMLTableCellElement {
  const td = doc.createElement("td");
  if (v === null) td.className = "rm-null";
  else if (typeof v === "number") td.className = "rm-num";
  const c = cellText(v);
  if (c.short === undefined) {
    appendBreakable(doc, td, c.full);
    return td;
  }
  const details = doc.createElement("details");
  details.className = "rm-long";
  const summary = doc.createElement("summary");
  const short = doc.createElement("span");
  appendBreakable(doc, short, c.short);
  const more = doc.createElement("span");
  more.className = "rm-long__more";
  more.textContent = moreText(c.length);
  summary.append(short, "… ", more);
  const full = doc.createElement("div");
  full.className = "rm-long__full";
  appendBreakable(doc, full, c.full);
  details.append(summary, full);
  td.append(details);
  return td;
}

/** The text as text nodes with a `<wbr>` after each separator, as `breakableHtml` writes it. */
function appendBreakable(doc: Document, parent: Element, text: string): void {
  text.split(/(?<=[:/,;=&?|])/).forEach((part, i) => {
    if (i > 0) parent.append(doc.createElement("wbr"));
    parent.append(doc.createTextNode(part));
  });
}
