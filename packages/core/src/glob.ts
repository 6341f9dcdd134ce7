/**
 * Patterns of literal parts between gaps of any text: an EventBridge `wildcard` (`*`) and an
 * expectation's `like` (`%`, with `_` for one character). Matched in time linear in the value
 * for a given pattern, never by a regular expression of `.*`s: those backtrack for seconds to
 * minutes on a few KB of a value an AWS caller chose (a user agent, request parameters), and a
 * triggered investigation or a nightly check waits on them (red-team).
 */

/** One part of a pattern: one entry per character, `null` for "any one character". */
export type GlobPart = readonly (string | null)[];

/** A pattern's parts, in order: the value starts with the first, ends with the last. */
export type Glob = readonly GlobPart[];

/** Whether `part` stands in `chars` at `at`. */
function partAt(part: GlobPart, chars: readonly string[], at: number): boolean {
  for (let k = 0; k < part.length; k++) {
    const c = part[k];
    if (c !== null && chars[at + k] !== c) return false;
  }
  return true;
}

/**
 * Whether `value` matches: the first part at its start, the last at its end, and each part
 * between found leftmost after the one before (which finds a match whenever there is one: a
 * part placed earlier leaves the rest more room). Characters are code points.
 */
export function globMatches(glob: Glob, value: string): boolean {
  const chars = Array.from(value);
  const first = glob[0] ?? [];
  if (glob.length <= 1) return first.length === chars.length && partAt(first, chars, 0);
  const last = glob[glob.length - 1]!;
  const end = chars.length - last.length;
  if (first.length > end || !partAt(first, chars, 0) || !partAt(last, chars, end)) return false;
  let at = first.length;
  for (const part of glob.slice(1, -1)) {
    while (at + part.length <= end && !partAt(part, chars, at)) at++;
    if (at + part.length > end) return false;
    at += part.length;
  }
  return true;
}

/** An EventBridge wildcard: `*` any text, `\*` and `\\` the characters themselves. */
export function wildcardGlob(pattern: string): Glob {
  const parts: string[][] = [[]];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "\\" && i + 1 < chars.length) parts.at(-1)!.push(chars[++i]!);
    else if (c === "*") parts.push([]);
    else parts.at(-1)!.push(c);
  }
  return parts;
}

/** A LIKE pattern: `%` any text, `_` any one character, no escape (as expectations write it). */
export function likeGlob(pattern: string): Glob {
  const parts: (string | null)[][] = [[]];
  for (const c of pattern) {
    if (c === "%") parts.push([]);
    else parts.at(-1)!.push(c === "_" ? null : c);
  }
  return parts;
}
