/**
 * Trino's Unicode string literal, `U&'d\0061t\+000061'` (with `UESCAPE '#'` for another escape
 * character), decoded as Trino's AstBuilder.decodeUnicodeLiteral decodes it: the escape then four
 * hex digits, or `+` and six, stand for a code point; the escape twice for itself. Its errors are
 * Trino's parse errors, in its words: an empty or invalid escape character (a hex digit, `+`, `"`,
 * `'`, a space or a control or non-ASCII character), something else than hex digits after the
 * escape, an incomplete sequence, no code point, a surrogate. One decoder for the check (which
 * refuses what Trino refuses) and the local engine (DuckDB's parser does not read such literals:
 * "unicode_to_utf8 NOT IMPLEMENTED"; it gets the decoded text as a plain literal).
 */

const HEX = /^[0-9A-Fa-f]$/;

/** Trino's isValidUnicodeEscape: printable ASCII other than a hex digit, `"`, `+` and `'`. */
function validEscape(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x7f && code > 0x20 && !HEX.test(c) && c !== '"' && c !== "+" && c !== "'";
}

/**
 * The text `U&'<body>'` stands for (`body` as written between the quotes, `''` for a quote),
 * `uescape` being the UESCAPE string as written between its quotes (undefined: none, `\`); or
 * Trino's error.
 */
export function decodeUnicodeString(
  body: string,
  uescape?: string,
): { text: string } | { error: string } {
  let esc = "\\";
  if (uescape !== undefined) {
    const e = uescape.replaceAll("''", "'");
    if (e === "") return { error: "Empty Unicode escape character" };
    // Java's String.length(): UTF-16 units.
    if (e.length !== 1 || !validEscape(e))
      return { error: `Invalid Unicode escape character: ${e}` };
    esc = e;
  }
  const raw = body.replaceAll("''", "'");
  let out = "";
  let digits = "";
  let needed = 0;
  let state: "empty" | "escaped" | "sequence" = "empty";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (state === "empty") {
      if (ch === esc) state = "escaped";
      else out += ch;
    } else if (state === "escaped") {
      if (ch === esc) {
        out += esc;
        state = "empty";
      } else if (ch === "+") {
        state = "sequence";
        needed = 6;
      } else if (HEX.test(ch)) {
        state = "sequence";
        needed = 4;
        digits += ch;
      } else return { error: `Invalid hexadecimal digit: ${ch}` };
    } else {
      if (!HEX.test(ch)) return { error: `Incomplete escape sequence: ${digits}` };
      digits += ch;
      if (digits.length < needed) continue;
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff) return { error: `Invalid escaped character: ${digits}` };
      if (code >= 0xd800 && code <= 0xdfff)
        return {
          error: `Invalid escaped character: ${digits}. Escaped character is a surrogate. Use '\\+123456' instead.`,
        };
      out += String.fromCodePoint(code);
      digits = "";
      state = "empty";
    }
  }
  if (state !== "empty") return { error: `Incomplete escape sequence: ${digits}` };
  return { text: out };
}
