/**
 * The bidirectional control characters in a step's query or expect block (Trojan Source,
 * CVE-2021-42574): an editor, a pull request and the site show the text around one in another
 * order than the engine reads it, so a reviewed query can hide a different one. A query has no
 * need of them; a value holding one is matched with `chr(8238)` (SQL) instead.
 */

/** The embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;

const NAMES: Readonly<Record<number, string>> = {
  8234: "LEFT-TO-RIGHT EMBEDDING",
  8235: "RIGHT-TO-LEFT EMBEDDING",
  8236: "POP DIRECTIONAL FORMATTING",
  8237: "LEFT-TO-RIGHT OVERRIDE",
  8238: "RIGHT-TO-LEFT OVERRIDE",
  8294: "LEFT-TO-RIGHT ISOLATE",
  8295: "RIGHT-TO-LEFT ISOLATE",
  8296: "FIRST STRONG ISOLATE",
  8297: "POP DIRECTIONAL ISOLATE",
};

export interface BidiControl {
  /** Its offset in the text. */
  offset: number;
  /** Its code point. */
  code: number;
  /** `U+202E RIGHT-TO-LEFT OVERRIDE`. */
  name: string;
}

/** Each bidirectional control of `text`. */
export function bidiControls(text: string): BidiControl[] {
  return [...text.matchAll(BIDI_CONTROL)].map((m) => {
    const code = m[0].codePointAt(0)!;
    return { offset: m.index, code, name: `U+${code.toString(16).toUpperCase()} ${NAMES[code]}` };
  });
}

/**
 * Each bidirectional control a YAML double-quoted text writes as an escape (`\u202E`,
 * `\U0000202E`), which its value holds as the character itself; `offset` is the backslash's. A
 * backslash escaped itself (`\\u202E`, the text `\u202E`) starts none.
 */
export function bidiEscapes(raw: string): BidiControl[] {
  const escaped = (at: number) => {
    let n = 0;
    for (let i = at - 1; i >= 0 && raw[i] === "\\"; i--) n++;
    return n % 2 === 1;
  };
  return [...raw.matchAll(/\\(?:u|U0000)(202[A-Ea-e]|206[6-9])/g)]
    .filter((m) => !escaped(m.index))
    .map((m) => {
      const code = Number.parseInt(m[1]!, 16);
      return { offset: m.index, code, name: `U+${code.toString(16).toUpperCase()} ${NAMES[code]}` };
    });
}

/**
 * Why a control in a query (`sql`: where `chr(n)` writes one) or an expect block is refused.
 */
export function bidiInCode(b: BidiControl, what: "query" | "expect block", sql = false): string {
  const chr = sql ? ` (to match one in the data, chr(${b.code}) writes it)` : "";
  return `a bidirectional control character (${b.name}) in the ${what}: the text around it shows in another order than it runs (Trojan Source); remove it${chr}`;
}
