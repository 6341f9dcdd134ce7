import leven from "leven";
import type { Diagnostic, DiagnosticSeverity } from "./model.ts";
import { printable } from "./printable.ts";

/**
 * Stable rule ids of runbook diagnostics. `run-md check` prints them in brackets at the end of
 * each line; tests and tools can match on them.
 */
export const RULES = {
  yamlSyntax: "yaml-syntax",
  frontMatter: "front-matter",
  unknownKey: "unknown-key",
  missingKey: "missing-key",
  invalidType: "invalid-type",
  invalidValue: "invalid-value",
  invalidDefault: "invalid-default",
  unknownAttribute: "unknown-attribute",
  invalidAttribute: "invalid-attribute",
  duplicateAttribute: "duplicate-attribute",
  unknownEngine: "unknown-engine",
  engineDialect: "engine-dialect",
  attributeIgnored: "attribute-ignored",
  invalidStepId: "invalid-step-id",
  duplicateStepId: "duplicate-step-id",
  nestedStep: "nested-step",
  unclosedFence: "unclosed-fence",
  /** A ``` step or expect line whose info string holds a backtick: text, not a fence. */
  invalidFence: "invalid-fence",
  emptyQuery: "empty-query",
  expectWithoutStep: "expect-without-step",
  /** A documentation block whose language looks like a step's (`sq1`, `SQL-athena`). */
  stepLanguage: "step-language",
  /** A documentation block whose language looks like `expect` (`expects`, `expcet`). */
  expectLanguage: "expect-language",
  duplicateExpect: "duplicate-expect",
  emptyExpect: "empty-expect",
  expectSyntax: "expect-syntax",
  undeclaredParam: "undeclared-param",
  quotedParam: "quoted-param",
  badTemplate: "bad-template",
  unusedParam: "unused-param",
  /** A Logs Insights `like {{name}}` (a regular expression) whose parameter's default or enum entry holds `%`. */
  likePatternAsRegex: "like-pattern-as-regex",
  /** A SQL LIKE pattern (a literal, a parameter's default or enum entry) that is a regular expression. */
  regexAsLikePattern: "regex-as-like-pattern",
  /** `triggers:` (spec §8): an event pattern EventBridge would reject, a bad JSON path. */
  invalidPattern: "invalid-pattern",
  invalidJsonPath: "invalid-json-path",
  /** A trigger that gives no value to a parameter without a default: its runs would error. */
  triggerUnmappedParam: "trigger-unmapped-param",
  /** A plain front matter value cut by ` #` (YAML starts a comment there). */
  commentInValue: "comment-in-value",
  /** A bidirectional control character in a query or expect block (bidi.ts). */
  bidiControl: "bidi-control",
  /** Across files (`check`, `run`, `trigger`, `serve`, the nightly job): two runbooks with one id. */
  duplicateRunbookId: "duplicate-runbook-id",
} as const;

export type Rule = (typeof RULES)[keyof typeof RULES];

/**
 * One line, linter style: `runbooks/x.md:14:5 error unknown attribute "engien" (did you mean
 * "engine"?) [unknown-attribute]`. The rule id comes last, in brackets. The message quotes the
 * runbook's text: printable (printable.ts), so the line stays one and drives no terminal.
 */
export function formatDiagnostic(d: Diagnostic): string {
  return printable(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.message} [${d.rule}]`);
}

/** Diagnostics in file order: by line, then column. Stable for equal positions. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The error of each runbook whose id another of `runbooks` has too, by file. Ids name the
 * reports, their folder and the site's pages, and the nightly job and `trigger` keep one alert
 * per id: two runbooks with one id would overwrite each other's reports, and one's passing run
 * could close the other's alert. Ids that differ in case only count as one (the folders are one
 * on macOS and Windows). Every file of a shared id gets the error (which of them is meant is not
 * known), naming the others.
 */
export function duplicateIdErrors(
  runbooks: readonly { file: string; id: string }[],
): Map<string, Diagnostic> {
  const byId = new Map<string, { file: string; id: string }[]>();
  for (const r of runbooks) {
    const key = r.id.toLowerCase();
    byId.set(key, [...(byId.get(key) ?? []), r]);
  }
  const errors = new Map<string, Diagnostic>();
  for (const same of byId.values()) {
    if (same.length < 2) continue;
    for (const { file, id } of same) {
      const others = same
        .filter((o) => o.file !== file)
        .map((o) => (o.id === id ? o.file : `${o.file}, as "${o.id}"`))
        .join("; ");
      errors.set(file, {
        file,
        line: 1,
        column: 1,
        severity: "error",
        rule: RULES.duplicateRunbookId,
        message: `duplicate runbook id "${id}" (also ${others}): set another id: in one of them, or rename its file`,
      });
    }
  }
  return errors;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Whether `a` is `b` with two neighbouring letters swapped (`chekc` for `check`). */
function oneSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return (
    diff.length === 2 &&
    diff[1] === diff[0]! + 1 &&
    a[diff[0]!] === b[diff[1]!] &&
    a[diff[1]!] === b[diff[0]!]
  );
}

/**
 * The closest candidate to a misspelled word, when it is close enough to be a likely typo:
 * at most a third of the word's length in edits (and at least one; a swap of two neighbouring
 * letters is one edit), case-insensitively.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = oneSwap(lower, other) ? 1 : leven(lower, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  // An abbreviation (`int` for `integer`, `dist` for `distinct`).
  if (lower.length >= 3) return candidates.find((c) => c.toLowerCase().startsWith(lower));
  return undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s === undefined ? "" : ` (did you mean "${s}"?)`;
}

/** Collects diagnostics for one file. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: string) {}

  add(
    severity: DiagnosticSeverity,
    rule: Rule,
    line: number,
    column: number,
    message: string,
  ): void {
    this.diagnostics.push({ file: this.file, line, column, severity, rule, message });
  }

  error(rule: Rule, line: number, column: number, message: string): void {
    this.add("error", rule, line, column, message);
  }

  warning(rule: Rule, line: number, column: number, message: string): void {
    this.add("warning", rule, line, column, message);
  }
}
