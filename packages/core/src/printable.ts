/**
 * Text from the logs, an event or a runbook, made safe to print on a terminal (or into a CI log,
 * where a line starting `::error::` is a command). CloudTrail records what callers send (a user
 * agent, a parameter, a key name): an escape sequence in one would move the cursor, recolour or
 * rewrite what the reader sees (`\r` over a line, a forged "✓ passed"), set the terminal's title
 * or write to the clipboard (OSC 52). Written as `\uXXXX` (UTF-16 units, as in JSON):
 * - control characters (C0, DEL, C1) and the line and paragraph separators;
 * - format characters (Unicode's Cf): the bidirectional controls, which show text in another
 *   order than it reads, and the invisible ones (zero-width spaces, the byte order mark, tag
 *   characters), which hide text or make two values look alike;
 * - the other characters Unicode says to show as nothing (Default_Ignorable_Code_Point): the
 *   Hangul fillers (a blank that counts as a letter: `admin\u3164` passes for `admin`), the
 *   variation selectors (invisible after a letter; after an emoji they pick its picture and
 *   stay: `⚠️`), the combining grapheme joiner.
 * The zero-width joiner and non-joiner stay: they join emoji and shape Persian and Indic words.
 * Everything else is kept. A backslash is not escaped: `\u001b` in the output may be a value's
 * own text.
 */
/**
 * The invisible characters escaped everywhere: Unicode's format characters (Cf) and default
 * ignorable code points, but the joiner and non-joiner, and a variation selector right after an
 * emoji (`⚠️`, `1️⃣`: it picks the emoji's picture; after a letter it shows nothing).
 */
const FORMAT = String.raw`(?![\u200c\u200d])(?:(?<!\p{Emoji})[\ufe0e\ufe0f]|(?![\ufe0e\ufe0f])[\p{Cf}\p{Default_Ignorable_Code_Point}])`;

const UNPRINTABLE = new RegExp(String.raw`[\p{Cc}\p{Zl}\p{Zp}]|${FORMAT}`, "gu");

/**
 * What a web page shows escaped: the format characters and the control characters but tab and
 * line breaks (which a browser shows as nothing, hiding them as a zero-width space would).
 */
const HIDDEN_ON_A_PAGE = new RegExp(
  String.raw`[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|${FORMAT}`,
  "gu",
);

/** What printable() escapes but JSON.stringify leaves as it is (it escapes C0 itself). */
const UNPRINTABLE_IN_JSON = new RegExp(String.raw`[\u007f-\u009f\p{Zl}\p{Zp}]|${FORMAT}`, "gu");

/** JSON text with nothing printableJson escapes: printable ASCII and line breaks only. */
const PLAIN_JSON = /^[\n\x20-\x7e]*$/;

/** `\uXXXX` for each UTF-16 unit of `c` (a character outside the BMP is a surrogate pair). */
function unicodeEscape(c: string): string {
  let out = "";
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, unicodeEscape);
}

/**
 * `JSON.stringify(value, null, indent)` with every character printable() escapes written as a
 * `\uXXXX` escape: the same JSON (a parser reads back the same strings), safe on a terminal. The
 * characters left are outside JSON's own escapes (DEL, C1, separators, format characters) and
 * only occur inside strings, so escaping them there changes no value.
 */
export function printableJson(value: unknown, indent?: number): string {
  // JSON.stringify gives undefined for undefined (or a function): JSON's null, as in an array.
  const text = JSON.stringify(value, null, indent) ?? "null";
  // Most JSON is printable ASCII (and the indent's line breaks): nothing to escape, and this test
  // costs a fraction of the Unicode-aware replace (ndjson output writes millions of rows).
  return PLAIN_JSON.test(text) ? text : text.replace(UNPRINTABLE_IN_JSON, unicodeEscape);
}

/**
 * printable() line by line: the line breaks that end lines (`\n`, `\r\n`) are kept, for a text of
 * several lines (an error with a list, JSON lines, CSV); every other character printable()
 * escapes is escaped.
 */
export function printableLines(text: string): string {
  return text
    .split(/(\r?\n)/)
    .map((part, i) => (i % 2 === 1 ? part : printable(part)))
    .join("");
}

/**
 * Text for a web page (the site, the served pages): the format characters, which a browser does
 * act on (a right-to-left override shows `exe.gpj` as `jpg.exe`; a zero-width space hides
 * itself), and the control characters it shows as nothing, written as `\uXXXX` as printable()
 * writes them. Tabs and line breaks stay; the page escapes HTML itself.
 */
export function visibleFormat(text: string): string {
  return text.replace(HIDDEN_ON_A_PAGE, unicodeEscape);
}
