/**
 * `$` in a Trino regular expression: Joni (Trino's engine, Java syntax) matches it at the end of
 * the text or just before a newline that ends it; RE2 (DuckDB's) only at the end, so
 * `regexp_like('abc' || chr(10), 'abc$')` was false where Trino says true (found by review).
 * regexp_like only asks whether there is a match: its `$` becomes `(?:\n?$)`. The functions that
 * return the match or its place would count the newline in it: their text is refused when it
 * ends with a newline and the pattern has a `$`. A text past ASCII is refused where the pattern's
 * classes may read it differently (unsettledChars).
 */
import { dollarAnchors, joniLikePattern, MAY_BE_MULTILINE, quoteEnd } from "./local-patterns.ts";
import { callNode, strConst } from "./trino-ast.ts";

type Node = Record<string, unknown>;

const LIKE = new Set(["regexp_like"]);
const MATCHING = new Set([
  "regexp_extract",
  "regexp_extract_all",
  "regexp_replace",
  "regexp_split",
  "regexp_position",
  "regexp_count",
]);

/** Characters past ASCII each class may take in Joni and not in RE2 (RE2 syntax). */
const NON_ASCII = {
  // Letters, marks, numbers, connector punctuation: what a Unicode \w takes (and \b reads).
  word: "[^\\x00-\\x7F\\P{L}]|[^\\x00-\\x7F\\P{M}]|[^\\x00-\\x7F\\P{N}]|[^\\x00-\\x7F\\P{Pc}]",
  digit: "[^\\x00-\\x7F\\P{Nd}]",
  space:
    "[\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]",
  any: "[^\\x00-\\x7F]",
};

/**
 * The characters of a text that a pattern's classes may read differently in Joni and RE2, as an
 * RE2 pattern; undefined when it has no such class. `\w`, `\d`, `\s`, `\b` (and negations) and
 * POSIX brackets are ASCII in RE2; whether Joni's (Java syntax over UTF-8) take é, ٣ or a
 * no-break space is not settled here (found by review), so a text holding one is refused.
 */
export function unsettledChars(p: string): string | undefined {
  const kinds = new Set<keyof typeof NON_ASCII>();
  for (let i = 0; i < p.length; i++) {
    if (p.startsWith("\\Q", i)) i = quoteEnd(p, i);
    else if (p[i] === "\\") {
      const c = (p[i + 1] ?? "").toLowerCase();
      if (c === "w" || c === "b") kinds.add("word");
      if (c === "d") kinds.add("digit");
      if (c === "s") kinds.add("space");
      i++;
    } else if (p.startsWith("[:", i) && /^\[:[a-z]+:\]/.test(p.slice(i))) kinds.add("any");
  }
  if (kinds.size === 0) return undefined;
  return kinds.has("any") ? NON_ASCII.any : [...kinds].map((k) => NON_ASCII[k]).join("|");
}

/**
 * Rewrites a regexp_* call in place for Joni's `$` and guards its text against classes RE2 reads
 * otherwise (a constant pattern; nothing otherwise).
 */
export function joniRegex(f: Node, name: string): void {
  const args = f.children as Node[];
  const pattern = args[1];
  const p = pattern?.class === "CONSTANT" ? (pattern.value as Node).value : undefined;
  if (typeof p !== "string" || MAY_BE_MULTILINE.test(p)) return;
  const unsettled = unsettledChars(p);
  if (unsettled !== undefined && args[0])
    args[0] = callNode("trino_regex_text_ascii", [args[0], strConst(name), strConst(unsettled)], {
      alias: "",
    });
  if (dollarAnchors(p).length === 0) return;
  if (LIKE.has(name)) ((pattern as Node).value as Node).value = joniLikePattern(p);
  else if (MATCHING.has(name) && args[0]) {
    args[0] = callNode("trino_regex_text_end", [args[0], strConst(name)], { alias: "" });
  }
}
