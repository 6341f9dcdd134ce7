/**
 * The patterns the local engine hands DuckDB's RE2, as its rewrite leaves a SQL step's constant
 * pattern (rewrite-functions.ts: javaNamedGroups, joniRegex). No DuckDB here: `run-md check` reads
 * these before it knows whether it needs DuckDB at all (re2.ts asks RE2).
 */
import type { Dialect } from "@run-md/core";
import { insightsParamPattern, regexProblem } from "@run-md/insights";

/** Java's named group `(?<name>...)` in RE2's spelling `(?P<name>...)`. */
export function namedGroupsRe2(p: string): string {
  return p.replace(/(^|[^\\])\(\?<(?![=!])/g, "$1(?P<");
}

/** The last offset of a `\Q...\E` quote starting at i (its text is literal, `$` and `\w` too). */
export function quoteEnd(p: string, i: number): number {
  const end = p.indexOf("\\E", i + 2);
  return end < 0 ? p.length : end + 1;
}

/** The offsets of the `$` anchors of a pattern: not escaped, not in a character class. */
export function dollarAnchors(p: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (p.startsWith("\\Q", i)) i = quoteEnd(p, i);
    else if (c === "\\") i++;
    else if (c === "[" && depth === 0) {
      depth = 1;
      // A `]` first in the class (after an optional `^`) is a member, not its end.
      if (p[i + 1] === "^") i++;
      if (p[i + 1] === "]") i++;
    } else if (c === "[" && p[i + 1] === ":") {
      const end = p.indexOf(":]", i + 2);
      if (end > 0) i = end + 1;
    } else if (c === "]" && depth > 0) depth = 0;
    else if (c === "$" && depth === 0) out.push(i);
  }
  return out;
}

/** A flag group that may hold `m` (multi-line: `$` at every line's end): Joni's `$` is RE2's then. */
export const MAY_BE_MULTILINE = /\(\?[a-z]*m/;

/**
 * A regexp_like pattern with each `$` anchor matching before a final newline too, as Joni's
 * (unchanged with a flag group that may hold `m`, as joniRegex leaves it).
 */
export function joniLikePattern(p: string): string {
  if (MAY_BE_MULTILINE.test(p)) return p;
  let out = "";
  let from = 0;
  for (const i of dollarAnchors(p)) {
    out += `${p.slice(from, i)}(?:\\n?$)`;
    from = i + 1;
  }
  return out + p.slice(from);
}

/**
 * The pattern DuckDB gets for a SQL step's constant pattern of `fn`: Java's named groups in RE2's
 * spelling, and in Athena SQL (`trino`) regexp_like's `$` matching before a final newline as
 * Joni's. DuckDB's other regex functions (string_split_regex) get it as it is.
 */
export function localSqlPattern(fn: string, pattern: string, trino: boolean): string {
  if (!fn.startsWith("regexp_")) return pattern;
  const p = namedGroupsRe2(pattern);
  return trino && fn === "regexp_like" ? joniLikePattern(p) : p;
}

/**
 * Why a parameter's value is refused where a step uses it as a whole regular expression, or
 * undefined, with `verdict` RE2's word on a pattern (re2.ts `re2Problem`; `run-md check`'s kept
 * verdicts): a SQL step binds the value as it is; a Logs Insights step writes it as a `/.../`
 * literal, read back and translated (`insightsParamPattern`), and reads it with JavaScript first.
 */
export async function regexValueProblem(
  value: string,
  dialect: Dialect,
  name: string,
  verdict: (pattern: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  if (dialect === "sql") return verdict(value);
  let pattern: string;
  try {
    pattern = insightsParamPattern(name, value);
  } catch {
    return undefined; // no literal holds it: refused before (core's checkInsightsRegexValues)
  }
  // JavaScript's reading first, for its clearer words (the step would refuse it with them); the
  // pattern is already in RE2's spelling (insightsParamPattern's toRe2), as the translation's.
  return regexProblem(pattern) ?? (await verdict(pattern));
}
