/**
 * `like-pattern-as-regex`: a Logs Insights step's `like {{name}}` (or `not like`, `=~`) whose
 * parameter has a SQL LIKE pattern for a default (or an `enum` entry): a value holding `%`.
 * There the value is a regular expression (writing-runbooks.md), in which `%` is the character
 * `%`, not "any text": `filter userIdentity.arn like {{p}}` with the default `%` matches no
 * CloudTrail value, the step returns no row, and `no calls > 100` passes on nothing. A SQL step
 * of the same runbook reads the same value as LIKE's wildcard, so the habit carries over unseen.
 *
 * `regex-as-like-pattern`, the reverse: a SQL step's `LIKE '.*admin.*'`, or `LIKE {{name}}`
 * whose parameter has a regular expression for a default (or an `enum` entry, or a run's value).
 * LIKE's wildcards are `%` and `_`, every other character is itself: the step returns no row and
 * `rows == 0` passes on nothing. Only what makes no sense in a LIKE pattern counts (`regexIn`):
 * a `.` alone is a character CloudTrail's values hold (`%.amazonaws.com`).
 */
import type { DiagnosticSink } from "./diagnostics.ts";
import { RULES } from "./diagnostics.ts";
import type { BoundParam } from "./engine.ts";
import type { ParamDecl, ParamValue, Step } from "./model.ts";
import { type SqlLikeUse, sqlLikeUses } from "./regex-uses.ts";
import { insightsRegexReferences, refsByOffset } from "./template.ts";

/** The place in the file of an offset in a step's query (the parser's, which knows indentation). */
export type PlaceOf = (step: Step, offset: number) => { line: number; column: number };

/** The values a declaration gives without a `--param`: its default and its `enum` entries. */
function givenValues(decl: ParamDecl): ParamValue[] {
  return [...(decl.default === undefined ? [] : [decl.default]), ...(decl.enum ?? [])];
}

/**
 * A warning at each regular-expression reference whose parameter's given value holds a `%`, and
 * at each SQL LIKE pattern (a literal, or a reference's given value) that is a regular expression.
 */
export function warnLikePatternsAsRegex(
  steps: readonly Step[],
  params: Readonly<Record<string, ParamDecl>>,
  sink: DiagnosticSink,
  placeOf: PlaceOf,
): void {
  for (const step of steps) {
    if (step.dialect === "sql") warnRegexAsLike(step, params, sink, placeOf);
    else warnLikeAsRegex(step, params, sink);
  }
}

/** The `like-pattern-as-regex` warnings of one Logs Insights step (warnLikePatternsAsRegex). */
function warnLikeAsRegex(
  step: Step,
  params: Readonly<Record<string, ParamDecl>>,
  sink: DiagnosticSink,
): void {
  const regexAt = insightsRegexReferences(step.query);
  if (regexAt.size === 0) return;
  const refs = refsByOffset(step);
  for (const [offset, name] of regexAt) {
    const ref = refs.get(offset);
    const decl = Object.hasOwn(params, name) ? params[name] : undefined;
    if (ref === undefined || decl === undefined) continue;
    const like = givenValues(decl).find((v) => typeof v === "string" && v.includes("%"));
    if (like === undefined) continue;
    const what = decl.default === like ? "default" : "enum entry";
    sink.warning(
      RULES.likePatternAsRegex,
      ref.position.line,
      ref.position.column,
      `parameter "${name}" is a regular expression here (Logs Insights like), and its ${what} ${JSON.stringify(like)} is a SQL LIKE pattern: in a regular expression % is the character %, not "any text", so this filter matches only values holding a "%" (none of CloudTrail's); give this step a parameter of its own with a regular expression (".*" for anything, "user/alice" for a part of the value)`,
    );
  }
}

/**
 * The same at run time, for the values the run binds (a default, a configured value, a
 * `--param`, a trigger's or the API's): a warning of the step for each regular-expression
 * parameter whose value holds a `%` (a SQL step: each LIKE parameter whose value is a regular
 * expression), so that its report says why it found nothing.
 */
export function likePatternRegexWarnings(
  step: Step,
  params: Readonly<Record<string, BoundParam>>,
): string[] {
  if (step.dialect === "sql") return regexAsLikeWarnings(step, params);
  const names = new Set(insightsRegexReferences(step.query).values());
  const out: string[] = [];
  for (const name of names) {
    const value = Object.hasOwn(params, name) ? params[name]?.value : undefined;
    if (typeof value !== "string" || !value.includes("%")) continue;
    out.push(
      `parameter "${name}" is ${JSON.stringify(value)}, a regular expression in this Logs Insights step (like {{${name}}}): % is the character % there, not SQL LIKE's "any text", so the filter matches only values holding a "%"; give it a regular expression (".*" for anything) [like-pattern-as-regex]`,
    );
  }
  return out;
}

/**
 * What in a LIKE pattern is a regular expression's and makes no sense in LIKE, described, or
 * undefined. `escapeChar` is the `ESCAPE` clause's character: the character after it is itself.
 */
export function regexIn(pattern: string, escapeChar?: string): string | undefined {
  const p = escapeChar?.length === 1 ? unescaped(pattern, escapeChar) : pattern;
  const any = /\.[*+]/.exec(p)?.[0];
  if (any)
    return `"${any}" (a regular expression's "any text"; LIKE reads a "." and a "${any[1]}")`;
  if (p.startsWith("^")) return `"^" at its start (a regular expression's anchor; LIKE reads "^")`;
  // `%$` is a LIKE pattern of values ending in "$": an anchor only where no % says LIKE.
  if (p.endsWith("$") && !p.includes("%"))
    return `"$" at its end (a regular expression's anchor; LIKE reads "$")`;
  // A class escape before a letter is a Windows path's backslash (`%\\data%`), not a class.
  const cls = /\\[dswDSW](?![A-Za-z])/.exec(p)?.[0];
  if (cls)
    return `"${cls}" (a regular expression's class; LIKE reads a backslash and a "${cls[1]}")`;
  // Brackets around what a class holds (no quote, no blank: `["i-1"]` is JSON), a range or `^`.
  const set = /\[(?:\^[\w\\./:@+*-]+|[\w\\./:@+*-]*(?:\w-\w|\\[dswDSW])[\w\\./:@+*-]*)\]/.exec(
    p,
  )?.[0];
  if (set) return `"${set}" (a character class; LIKE has none and reads the brackets)`;
  const alt = /\([^()|]*\|[^()]*\)/.exec(p)?.[0];
  if (alt) return `"${alt}" (alternatives; LIKE has none and reads the brackets and "|")`;
  return undefined;
}

/** `pattern` without each escaped character (`escapeChar` and the one after it). */
function unescaped(pattern: string, escapeChar: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === escapeChar) i++;
    else out += pattern[i];
  }
  return out;
}

const LIKE_WORDS =
  "LIKE's only wildcards are % (any text) and _ (any one character), every other character is itself";

/** The `regex-as-like-pattern` warnings of one SQL step (warnLikePatternsAsRegex). */
function warnRegexAsLike(
  step: Step,
  params: Readonly<Record<string, ParamDecl>>,
  sink: DiagnosticSink,
  placeOf: PlaceOf,
): void {
  const refs = refsByOffset(step);
  for (const use of sqlLikeUses(step.query)) {
    if (use.kind === "literal") {
      const found = regexIn(use.pattern, use.escape);
      if (found === undefined) continue;
      const { line, column } = placeOf(step, use.offset);
      sink.warning(
        RULES.regexAsLikePattern,
        line,
        column,
        `LIKE pattern ${JSON.stringify(use.pattern)} is a regular expression: ${found}. ${LIKE_WORDS}, so it matches almost nothing and the step's checks pass on no rows; write it with % ("%admin%"), or match a regular expression with regexp_like(column, '...')`,
      );
      continue;
    }
    const ref = refs.get(use.offset);
    const decl = Object.hasOwn(params, use.name) ? params[use.name] : undefined;
    if (ref === undefined || decl === undefined) continue;
    const given = givenRegex(decl, use);
    if (given === undefined) continue;
    const what = decl.default === given.value ? "default" : "enum entry";
    sink.warning(
      RULES.regexAsLikePattern,
      ref.position.line,
      ref.position.column,
      `parameter "${use.name}" is a SQL LIKE pattern here, and its ${what} ${JSON.stringify(given.value)} is a regular expression: ${given.found}. ${LIKE_WORDS}, so this filter matches almost nothing and the step's checks pass on no rows; give it a LIKE pattern ("%admin%"), or give a regexp_like(column, {{${use.name}}}) step a parameter of its own`,
    );
  }
}

/** The first value a declaration gives that is a regular expression, and what in it is. */
function givenRegex(
  decl: ParamDecl,
  use: SqlLikeUse,
): { value: string; found: string } | undefined {
  for (const value of givenValues(decl)) {
    const found = typeof value === "string" ? regexIn(value, use.escape) : undefined;
    if (found !== undefined) return { value: value as string, found };
  }
  return undefined;
}

/** The same at run time, for the values a SQL step's `LIKE {{name}}`s are bound to. */
function regexAsLikeWarnings(step: Step, params: Readonly<Record<string, BoundParam>>): string[] {
  const out = new Set<string>();
  for (const use of sqlLikeUses(step.query)) {
    if (use.kind !== "param") continue;
    const value = Object.hasOwn(params, use.name) ? params[use.name]?.value : undefined;
    const found = typeof value === "string" ? regexIn(value, use.escape) : undefined;
    if (found === undefined) continue;
    out.add(
      `parameter "${use.name}" is ${JSON.stringify(value)}, a SQL LIKE pattern in this step (LIKE {{${use.name}}}), and a regular expression: ${found}. ${LIKE_WORDS}, so the filter matches almost nothing; give it a LIKE pattern ("%admin%" for a part of the value) [regex-as-like-pattern]`,
    );
  }
  return [...out];
}
