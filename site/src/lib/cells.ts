/**
 * Table cells that never break a word: a value gets break opportunities only after the
 * separators of ARNs, paths and JSON (`:` `/` `,` `;` `=` `&` `?` `|`), so
 * `arn:aws:iam::123456789012:user/mallory` may wrap before `user/` but never inside `mallory`.
 * Values too long to read in a row are cut, with the whole value one click away.
 */

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
