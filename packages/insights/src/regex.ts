/**
 * Whether a Logs Insights regular expression can run: the local engine matches with RE2 (DuckDB),
 * which has no lookaround, no backreferences, fewer letter escapes, no escaped non-ASCII
 * character and no count past 1,000 (nested counts multiplied), while JavaScript's parser,
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
    // RE2 escapes ASCII punctuation only: `\é` is "invalid escape sequence" (JavaScript: é)
    if (pattern.codePointAt(at + 1)! >= 0x80)
      return "escape of a non-ASCII character (write it alone)";
    if (rest.startsWith("\\x")) {
      const hex = /^\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,8})\})/.exec(
        pattern.slice(at, at + 12),
      );
      if (hex === null || Number.parseInt(hex[2] ?? "0", 16) > 0x10ffff)
        return "such \\x escape (write \\x41, or \\x{1F600} for a code point up to \\x{10FFFF})";
    }
    const letter = LETTER_ESCAPE.exec(rest)?.[1];
    if (letter !== undefined && !RE2_LETTERS.has(letter)) {
      return `\\${letter} escape (${ESCAPE_INSTEAD[letter] ?? "write the character itself, or a class"})`;
    }
  }
  return undefined;
}

/** RE2's largest repetition count, of one `{n,m}` and of nested ones multiplied. */
const MAX_REPEAT = 1000;

/**
 * A `{n}`, `{n,}` or `{n,m}` whose count (m, else n) passes RE2's 1,000, or whose count times the
 * largest product of counts inside the group it repeats does (RE2's "invalid repetition size";
 * JavaScript takes any count).
 */
function repeatTooLarge(pattern: string): string | undefined {
  const inner: number[] = [1]; // per open group, the largest product of counts inside it so far
  let atom = 1; // the product of counts inside the atom just read (a closed group's, else 1)
  let prev = -2;
  let escapeBrace = -1; // where the `{` of a `\x{2028}` or `\p{Greek}` is: no count
  for (const { at, escaped } of regexPlaces(pattern)) {
    if (at !== prev + 1) atom = 1; // a character class came between
    prev = at;
    const c = pattern[at];
    if (escaped) escapeBrace = "xpP".includes(pattern[at + 1]!) ? at + 2 : -1;
    const rep =
      escaped || at === escapeBrace ? null : /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(at));
    if (rep) {
      const count = Number(rep[2] || rep[1]);
      const product = atom * Math.max(count, 1);
      if (count > MAX_REPEAT || product > MAX_REPEAT)
        return `${rep[0]}: RE2 repeats at most ${MAX_REPEAT} times, nested counts multiplied`;
      inner[inner.length - 1] = Math.max(inner.at(-1)!, product);
      atom = 1;
    } else if (!escaped && c === "(") {
      inner.push(1);
      atom = 1;
    } else if (!escaped && c === ")" && inner.length > 1) {
      atom = inner.pop()!;
      inner[inner.length - 1] = Math.max(inner.at(-1)!, atom);
    } else atom = 1;
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

/**
 * RE2's code points (`\x{7A}`) written `\u007a` for JavaScript's parser, which without the `u`
 * flag reads `\x{61}` as `x{61}`, a count (`\x{61}{2}`: "nothing to repeat"); one past U+FFFF is
 * written `\uffff` (so two of them out of order in a class range pass). The digits are checked
 * first (`re2Refusal`).
 */
function codePointsAsBytes(pattern: string): string {
  let out = "";
  let from = 0;
  for (const { at, escaped } of regexPlaces(pattern)) {
    if (!escaped || at < from || !pattern.startsWith("\\x{", at)) continue;
    const close = pattern.indexOf("}", at);
    const code = Math.min(Number.parseInt(pattern.slice(at + 3, close), 16), 0xffff);
    out += `${pattern.slice(from, at)}\\u${code.toString(16).padStart(4, "0")}`;
    from = close + 1;
  }
  return out + pattern.slice(from);
}

/** Why a regular expression cannot run (a syntax error, or what RE2 lacks), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  const refused = re2Refusal(pattern);
  if (refused) return `RE2, the local engine's regular expressions, has no ${refused}`;
  const repeat = repeatTooLarge(pattern);
  if (repeat) return `RE2, the local engine's regular expressions, refuses ${repeat}`;
  const js = codePointsAsBytes(pattern)
    .replace(/\(\?P</g, "(?<")
    .replace(INLINE_FLAGS, "")
    .replace(GROUP_FLAGS, "(?:");
  try {
    new RegExp(js);
    return undefined;
  } catch (e) {
    // JavaScript names the pattern it read: name the one written instead
    const message = (e as Error).message.replace(/^Invalid regular expression: /, "");
    return message.startsWith(`/${js}/`) ? `/${pattern}/${message.slice(js.length + 2)}` : message;
  }
}

/** RE2 (DuckDB) spells named groups `(?P<name>...)`; Logs Insights writes `(?<name>...)`. */
export function toRe2(pattern: string): string {
  return pattern.replace(/\(\?<(?=[A-Za-z_])/g, "(?P<");
}

/** A capture group of a pattern: its number, name, body (between its parentheses), and whether the match may skip it. */
export interface CaptureGroup {
  /** 1-based, as regexp_extract counts groups. */
  index: number;
  name?: string;
  /** The group's pattern without its parentheses and name, as written. */
  body: string;
  /**
   * Whether a match of the whole pattern may leave the group out: it, or a group around it, is
   * followed by a count that allows none (`?`, `*`, `{0,...}`), or a `|` beside it (at the top,
   * or inside a group around it) offers another way.
   */
  skippable: boolean;
}

/** The capture groups of an RE2 pattern (named `(?<n>`, `(?P<n>`, or plain), in order. */
export function captureGroups(pattern: string): CaptureGroup[] {
  interface Open {
    at: number;
    bodyAt: number;
    index?: number;
    name?: string;
  }
  interface Closed extends Open {
    end: number;
    optional: boolean;
  }
  const open: Open[] = [];
  const closed: Closed[] = [];
  // Each `|`'s innermost enclosing group, by its opening offset (-1: the top).
  const bars: number[] = [];
  let count = 0;
  for (const { at, escaped } of regexPlaces(pattern)) {
    if (escaped) continue;
    const c = pattern[at];
    if (c === "(") {
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(at));
      if (named) open.push({ at, bodyAt: at + named[0].length, index: ++count, name: named[1]! });
      else if (pattern[at + 1] !== "?") open.push({ at, bodyAt: at + 1, index: ++count });
      else {
        const flags = /^\(\?[imsU]*(?:-[imsU]*)?:/.exec(pattern.slice(at));
        open.push({ at, bodyAt: at + (flags?.[0].length ?? 2) });
      }
    } else if (c === ")") {
      const g = open.pop();
      if (g)
        closed.push({ ...g, end: at, optional: /^(\?|\*|\{0[,}])/.test(pattern.slice(at + 1)) });
    } else if (c === "|") bars.push(open.at(-1)?.at ?? -1);
  }
  const inside = (g: Closed, around: Closed) => around.at < g.at && around.end > g.end;
  return closed
    .filter((g): g is Closed & { index: number } => g.index !== undefined)
    .sort((a, b) => a.index - b.index)
    .map((g) => {
      const around = closed.filter((x) => x === g || inside(g, x));
      const skippable =
        around.some((x) => x.optional) ||
        bars.some((b) => b === -1 || around.some((x) => x !== g && x.at === b));
      return {
        index: g.index,
        ...(g.name !== undefined ? { name: g.name } : {}),
        body: pattern.slice(g.bodyAt, g.end),
        skippable,
      };
    });
}
