/**
 * Whether a Logs Insights regular expression can run: the local engine matches with RE2 (DuckDB),
 * which has no lookaround and no backreferences, while JavaScript's parser, used to find syntax
 * errors, accepts them. A pattern either refuses is refused at `check`, not when a step runs.
 */

/** RE2's inline flags (`(?i)`), which JavaScript does not have. */
const INLINE_FLAGS = /\(\?[imsU]+(?:-[imsU]+)?\)/g;

/**
 * A backreference, which RE2 refuses in a class too: `\1` to `\7` alone (RE2 reads `\12` as an
 * octal code), `\8`, `\9`.
 */
const BACKREFERENCE = /^\\(?:[1-7](?![0-7])|[89])/;

/** Constructs JavaScript reads and RE2 refuses, outside character classes. */
const RE2_REFUSES: [RegExp, string][] = [
  [/^\(\?<?[=!]/, "lookaround such as (?= or (?!"],
  [BACKREFERENCE, "backreferences such as \\1"],
  [/^\\k</, "named backreferences (\\k<name>)"],
];

/** A place in a regular expression: an escape (`\\x`, in a class or not) or a character outside classes. */
export interface RegexPlace {
  at: number;
  escaped: boolean;
  inClass: boolean;
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
      yield { at: i, escaped: true, inClass };
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      if (pattern[i + 1] === "^") i++;
      if (pattern[i + 1] === "]") i++;
    } else yield { at: i, escaped: false, inClass: false };
  }
}

/** The first construct of `pattern` that RE2 refuses, by its description. */
function re2Refusal(pattern: string): string | undefined {
  for (const { at, escaped, inClass } of regexPlaces(pattern)) {
    const rest = pattern.slice(at, at + 4);
    if (escaped && inClass) {
      if (BACKREFERENCE.test(rest)) return "backreferences such as \\1";
      continue;
    }
    const refused = RE2_REFUSES.find(([re]) => re.test(rest));
    if (refused) return refused[1];
  }
  return undefined;
}

/** Why a regular expression cannot run (a syntax error, or what RE2 lacks), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  const refused = re2Refusal(pattern);
  if (refused) return `RE2, the engines' regular expressions, has no ${refused}`;
  try {
    new RegExp(pattern.replace(/\(\?P</g, "(?<").replace(INLINE_FLAGS, ""));
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, "");
  }
}
