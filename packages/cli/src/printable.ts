/**
 * Text from the logs or from an event, made safe to print on a terminal. CloudTrail records what
 * callers send (a user agent, a parameter, a key name): an escape sequence in one would move the
 * cursor, recolour or rewrite what the reader sees (`\r` over a line, a forged "✓ passed"), set
 * the terminal's title or write to the clipboard (OSC 52). Control characters (C0, DEL, C1),
 * line and paragraph separators and the bidirectional overrides (text shown in another order
 * than it reads) are written as `\uXXXX`; everything else is kept.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What printable() escapes but JSON.stringify leaves as it is (it escapes C0 itself). */
const UNPRINTABLE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, unicodeEscape);
}

/**
 * `JSON.stringify(value, null, indent)` with every character printable() escapes written as a
 * `\uXXXX` escape: the same JSON (a parser reads back the same strings), safe on a terminal. The
 * characters left are outside JSON's own escapes (DEL, C1, separators, bidirectional controls)
 * and only occur inside strings, so escaping them there changes no value.
 */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNPRINTABLE_IN_JSON, unicodeEscape);
}
