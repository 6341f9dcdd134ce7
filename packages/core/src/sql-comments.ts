/**
 * Where a SQL comment ends, as Trino's grammar reads one (SqlBase.g4: SIMPLE_COMMENT is `--`
 * then anything but a carriage return or a newline; BRACKETED_COMMENT is `/*` to the first
 * star-slash, so comments do not nest). The one reading of comments shared by the places that
 * scan Athena SQL text: core's template scanner, the check's nesting count (@run-md/sql), the
 * Athena engine's lexer, the local engine's text rewrites (mapCode, unicodeStrings) and the
 * regex-call finder (regex-uses.ts), which each read them alone before, and took a carriage
 * return for part of a line comment in turn. Also where a quoted string or name ends.
 */

/**
 * The index just after the comment starting at `at` in `text`: a line comment's line break (a
 * carriage return or a newline) is not part of it; a block comment never closed runs to the
 * text's end (a lexer that refuses one checks `sqlBlockCommentClosed`). -1 when no comment starts
 * at `at`.
 */
export function sqlCommentEnd(text: string, at: number): number {
  if (text.startsWith("--", at)) {
    const eol = /[\r\n]/g;
    eol.lastIndex = at + 2;
    return eol.exec(text)?.index ?? text.length;
  }
  if (text.startsWith("/*", at)) {
    const close = text.indexOf("*/", at + 2);
    return close < 0 ? text.length : close + 2;
  }
  return -1;
}

/** Whether the block comment starting at `at` is closed (its star-slash is not its opener's star). */
export function sqlBlockCommentClosed(text: string, at: number): boolean {
  return text.indexOf("*/", at + 2) >= 0;
}

/**
 * The index just past the quoted text starting at `at` (a string `'...'` or a quoted name
 * `"..."`, its quote doubled inside); an unclosed one runs to the text's end.
 */
export function sqlQuotedEnd(text: string, at: number): number {
  const q = text[at];
  let i = at + 1;
  while (i < text.length) {
    if (text[i] !== q) i++;
    else if (text[i + 1] === q) i += 2;
    else return i + 1;
  }
  return text.length;
}
