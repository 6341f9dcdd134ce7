/**
 * The regular expressions a SQL step hands a regexp function, found on the text (no parser):
 * the second argument of a `regexp_*` call (Trino's regexp_like, regexp_extract, regexp_replace,
 * regexp_split, ...; DuckDB's regexp_matches, regexp_full_match, ...) or of DuckDB's
 * `string_split_regex`, when it is a string literal or a `{{name}}` alone. `run-md check` asks
 * RE2 about the literals; a run asks it about the parameters' values before its first step
 * (regex-values.ts). Anything else there (a column, a concatenation) is known only when the step
 * runs. The patterns of `LIKE` are found the same way (`sqlLikeUses`), for the
 * `regex-as-like-pattern` warning.
 */
import { sqlCommentEnd, sqlQuotedEnd } from "./sql-comments.ts";
import { referenceAt } from "./template.ts";

export type SqlRegexUse =
  /** `pattern`: the literal's text, `''` read as `'`; `offset`: its opening quote's. */
  | { kind: "literal"; fn: string; offset: number; pattern: string }
  /** `offset`: the `{{`'s. */
  | { kind: "param"; fn: string; offset: number; name: string };

const FUNCTION = /^(?:regexp_[a-z_]+|str(?:ing)?_split_regex)$/;

/** The end of the string, quoted name or comment at i (its last offset + 1), else i. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') return sqlQuotedEnd(sql, i);
  const comment = sqlCommentEnd(sql, i);
  return comment < 0 ? i : comment;
}

/** The offset of the next character that is no blank and no comment, from i. */
function skipBlank(sql: string, i: number): number {
  for (;;) {
    while (/\s/.test(sql[i] ?? "")) i++;
    if (!sql.startsWith("--", i) && !sql.startsWith("/*", i)) return i;
    i = skipQuoted(sql, i);
  }
}

/** The offset of the `,` ending the argument that starts at i (depth 0), or -1. */
function argumentEnd(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    const after = skipQuoted(sql, i);
    if (after > i) {
      i = after;
      continue;
    }
    const c = sql[i]!;
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      if (depth === 0) return -1;
      depth--;
    } else if (c === "," && depth === 0) return i;
    i++;
  }
  return -1;
}

/** The use of the second argument, which starts at i, when it is a literal or a reference alone. */
function secondArgument(sql: string, fn: string, i: number): SqlRegexUse | undefined {
  const end = sql[i] === "'" ? skipQuoted(sql, i) : i;
  const ref = end > i ? undefined : referenceAt(sql, i);
  const after = skipBlank(sql, end > i ? end : i + (ref?.length ?? 0));
  if (sql[after] !== "," && sql[after] !== ")") return undefined;
  if (end > i) {
    const pattern = sql.slice(i + 1, end - 1).replaceAll("''", "'");
    return { kind: "literal", fn, offset: i, pattern };
  }
  return ref ? { kind: "param", fn, offset: i, name: ref.name } : undefined;
}

/**
 * The words of a SQL query outside strings, quoted names, comments and `{{name}}` references, each
 * lower-cased with the offset just past it; a word after `.` (a field) or inside another is none.
 */
function* sqlWords(sql: string): Generator<{ word: string; end: number }> {
  let i = 0;
  while (i < sql.length) {
    const after = skipQuoted(sql, i);
    if (after > i) {
      i = after;
      continue;
    }
    const ref = referenceAt(sql, i);
    if (ref) {
      i += ref.length;
      continue;
    }
    const word = /^[A-Za-z_][\w$]*/.exec(sql.slice(i, i + 64))?.[0];
    if (word === undefined || /[\w$.]/.test(sql[i - 1] ?? "")) {
      i += word?.length ?? 1;
      continue;
    }
    i += word.length;
    yield { word: word.toLowerCase(), end: i };
  }
}

/** The patterns of a SQL query's regexp calls that are a literal or a `{{name}}`, in order. */
export function sqlRegexUses(sql: string): SqlRegexUse[] {
  const out: SqlRegexUse[] = [];
  for (const { word: fn, end } of sqlWords(sql)) {
    const open = skipBlank(sql, end);
    if (!FUNCTION.test(fn) || sql[open] !== "(") continue;
    const comma = argumentEnd(sql, open + 1);
    if (comma < 0) continue;
    const use = secondArgument(sql, fn, skipBlank(sql, comma + 1));
    if (use) out.push(use);
  }
  return out;
}

/**
 * A pattern of SQL's `LIKE` (Trino's and DuckDB's: `%` any text, `_` any one character, every
 * other character itself), with the character its `ESCAPE` clause names, if any.
 */
export type SqlLikeUse =
  /** `pattern`: the literal's text, `''` read as `'`; `offset`: its opening quote's. */
  | { kind: "literal"; offset: number; pattern: string; escape?: string }
  /** `offset`: the `{{`'s. */
  | { kind: "param"; offset: number; name: string; escape?: string };

/** The string literal at i (its text, `''` read as `'`, and its end), if one starts there. */
function literalAt(sql: string, i: number): { text: string; end: number } | undefined {
  if (sql[i] !== "'") return undefined;
  const end = skipQuoted(sql, i);
  return { text: sql.slice(i + 1, end - 1).replaceAll("''", "'"), end };
}

/**
 * The pattern after a `LIKE` that ends at i, when it is a literal or a `{{name}}` alone: what
 * follows it ends the operand (the text's end, `)`, `,`, `;`, a word such as `ESCAPE`, `AND`,
 * `THEN`), not an operator (`'%' || {{x}}` is a pattern built by the query, known when it runs).
 */
function likeOperand(sql: string, i: number): SqlLikeUse | undefined {
  const at = skipBlank(sql, i);
  const literal = literalAt(sql, at);
  const ref = literal ? undefined : referenceAt(sql, at);
  if (literal === undefined && ref === undefined) return undefined;
  const after = skipBlank(sql, literal ? literal.end : at + ref!.length);
  if (after < sql.length && !/[),;A-Za-z]/.test(sql[after]!)) return undefined;
  const escapeWord = /^escape\b/i.exec(sql.slice(after, after + 7));
  const escapeChar = escapeWord ? literalAt(sql, skipBlank(sql, after + 6))?.text : undefined;
  const escaped = escapeChar === undefined ? {} : { escape: escapeChar };
  return literal
    ? { kind: "literal", offset: at, pattern: literal.text, ...escaped }
    : { kind: "param", offset: at, name: ref!.name, ...escaped };
}

/** The patterns of a SQL query's `LIKE`s (and `NOT LIKE`s) that are a literal or a `{{name}}`. */
export function sqlLikeUses(sql: string): SqlLikeUse[] {
  const out: SqlLikeUse[] = [];
  for (const { word, end } of sqlWords(sql)) {
    if (word !== "like") continue;
    const use = likeOperand(sql, end);
    if (use) out.push(use);
  }
  return out;
}
