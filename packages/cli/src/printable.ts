/**
 * Text from the logs or from an event, made safe to print on a terminal. CloudTrail records what
 * callers send (a user agent, a parameter, a key name): an escape sequence in one would move the
 * cursor, recolour or rewrite what the reader sees (`\r` over a line, a forged "✓ passed"), set
 * the terminal's title or write to the clipboard (OSC 52). Control characters (C0, DEL, C1),
 * line and paragraph separators and the bidirectional overrides (text shown in another order
 * than it reads) are written as `\uXXXX`; everything else is kept.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
