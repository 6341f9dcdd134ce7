/**
 * Whether a Logs Insights regular expression can run: the local engine matches with RE2 (DuckDB),
 * which has no lookaround, no backreferences and fewer letter escapes, while JavaScript's parser,
 * used to find syntax errors, accepts them. A pattern either refuses is refused at `check`, not
 * when a step runs.
 */

/** RE2's flags set or cleared from here on (`(?i)`, `(?-i)`, `(?is-U)`): JavaScript has none. */
const INLINE_FLAGS = /\(\?[imsU]*(?:-[imsU]*)?\)/g;
/** RE2's flags for a group (`(?i:...)`): read by JavaScript as the plain group `(?:...)`. */
const GROUP_FLAGS = /\(\?[imsU]*(?:-[imsU]*)?:/g;
/**
 * A letter escape RE2 refuses, in a class or not (JavaScript reads `\Z` as Z, `\u0041` as A):
 * RE2 knows only `\a \f \t \n \r \v \x \d \D \s \S \w \W \b \B \A \z \p \P \Q \E \C`.
 */
const LETTER_ESCAPE = /^\\([A-Za-z])/;
const RE2_LETTERS = new Set("aftnrvxdDsSwWbBAzpPQEC");

/**
 * A backreference, which RE2 refuses in a class too: `\1` to `\7` alone (RE2 reads `\12` as an
 * octal code), `\8`, `\9`.
 */
const BACKREFERENCE = /^\\(?:[1-7](?![0-7])|[89])/;
/** Lookahead and lookbehind, outside classes. */
const LOOKAROUND = /^\(\?<?[=!]/;

/** An escape (`\x`, in a class or not) or a character outside classes, by its offset. */
export interface RegexPlace {
  at: number;
  escaped: boolean;
}

/**
 * The escapes and the characters outside character classes of a pattern, in order: what a reader
 * of its groups and constructs looks at (a `(` in `[(]` or after `\\` opens nothing). A `]` first
 * in a class (`[]a]`, `[^]a]`) is a character of it, as in RE2.
 */
export function* regexPlaces(pattern: string): Generator<RegexPlace> {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      yield { at: i, escaped: true };
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++;
    } else yield { at: i, escaped: false };
  }
}

/** The first construct of `pattern` that RE2 refuses, by its description. */
function re2Refusal(pattern: string): string | undefined {
  for (const { at, escaped } of regexPlaces(pattern)) {
    const rest = pattern.slice(at, at + 4);
    if (!escaped) {
      if (LOOKAROUND.test(rest)) return "lookaround such as (?= or (?!";
      continue;
    }
    if (BACKREFERENCE.test(rest)) return "backreferences such as \\1";
    if (rest.startsWith("\\k<")) return "named backreferences (\\k<name>)";
    const letter = LETTER_ESCAPE.exec(rest)?.[1];
    if (letter !== undefined && !RE2_LETTERS.has(letter)) {
      return `\\${letter} escape (${ESCAPE_INSTEAD[letter] ?? "write the character itself, or a class"})`;
    }
  }
  return undefined;
}

/** What to write instead of an escape RE2 lacks. */
const ESCAPE_INSTEAD: Record<string, string> = {
  u: "write \\x{41} for a code point",
  Z: "write \\z, or $",
  c: "write \\x01 for a control character",
  e: "write \\x1b",
};

/** Why a regular expression cannot run (a syntax error, or what RE2 lacks), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  const refused = re2Refusal(pattern);
  if (refused) return `RE2, the engines' regular expressions, has no ${refused}`;
  try {
    new RegExp(
      pattern
        .replace(/\(\?P</g, "(?<")
        .replace(INLINE_FLAGS, "")
        .replace(GROUP_FLAGS, "(?:"),
    );
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, "");
  }
}
