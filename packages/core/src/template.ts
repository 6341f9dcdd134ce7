/**
 * `{{name}}` references in query text. A reference is `{{`, optional spaces, a name (a letter or
 * `_`, then letters, digits, `_`), optional spaces, `}}`. Anything else is text.
 */
import type { BoundParam } from "./engine.ts";
import { RunMdError } from "./errors.ts";
import { PARAM_NAME_PATTERN } from "./frontmatter.ts";
import type { Dialect, ParamRef, Runbook, Step } from "./model.ts";
import { sqlCommentEnd } from "./sql-comments.ts";

export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "param"; name: string; offset: number };

// The one definition of a reference; every package finds references through this module. The
// name is a front matter parameter name (`PARAM_NAME_PATTERN` without its anchors).
const NAME = PARAM_NAME_PATTERN.source.slice(1, -1);
const REF_SOURCE = String.raw`\{\{\s*(${NAME})\s*\}\}`;
const REF = new RegExp(REF_SOURCE, "g");
const REF_AT = new RegExp(REF_SOURCE, "y");
/** `{{` to the next `}}`, well-formed or not (a malformed one is reported by the parser). */
const ANY_REF = /\{\{[^}]*\}\}/g;

/** Splits a query into text and `{{name}}` references (with the offset of each `{{`). */
export function scanTemplate(query: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of query.matchAll(REF)) {
    const offset = match.index;
    if (offset > last) parts.push({ kind: "text", text: query.slice(last, offset) });
    parts.push({ kind: "param", name: match[1]!, offset });
    last = offset + match[0].length;
  }
  if (last < query.length) parts.push({ kind: "text", text: query.slice(last) });
  return parts;
}

/** Replaces every `{{name}}` by `render(name)`; the rest of the text is kept as it is. */
export function renderTemplate(query: string, render: (name: string) => string): string {
  return scanTemplate(query)
    .map((part) => (part.kind === "text" ? part.text : render(part.name)))
    .join("");
}

/** The reference that starts exactly at `offset` (its name and length in the text), if any. */
export function referenceAt(
  text: string,
  offset: number,
): { name: string; length: number } | undefined {
  REF_AT.lastIndex = offset;
  const m = REF_AT.exec(text);
  return m ? { name: m[1]!, length: m[0].length } : undefined;
}

/** The name of the first reference in `text`, if there is one. */
export function firstReference(text: string): string | undefined {
  for (const part of scanTemplate(text)) if (part.kind === "param") return part.name;
  return undefined;
}

/**
 * Replaces every `{{...}}`, malformed ones included, by `fill(length, ref, offset)` where `length`
 * is the length of the replaced text `ref`, found at `offset`: syntax checkers see a value in its
 * place, columns after it kept.
 */
export function maskReferences(
  query: string,
  fill: (length: number, ref: string, offset: number) => string,
): string {
  return query.replace(ANY_REF, (m, offset: number) => fill(m.length, m, offset));
}

/** A SQL (Trino, DuckDB) string literal: single quotes, a quote doubled, nothing else escaped. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A Logs Insights string literal: double quotes; `\\`, `"`, newline and tab escaped. A carriage
 * return has no escape CloudWatch Logs documents: `renderLiteral` refuses a value holding one
 * (and every engine does first: `@run-md/insights` check.ts `carriageReturn`).
 */
export function insightsStringLiteral(value: string): string {
  const escaped = value
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll("\n", "\\n")
    .replaceAll("\t", "\\t");
  return `"${escaped}"`;
}

/**
 * Why a value cannot be the body of a Logs Insights `/regular expression/` literal, or undefined:
 * a lone backslash at its end would escape the closing `/`, and a line break (newline, carriage
 * return) has no place in a literal the lexer reads on one line.
 */
export function insightsRegexValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value))
    return "holds a line break (\\n or \\r), which no /regular expression/ literal can carry";
  let i = 0;
  while (i < value.length) i += value[i] === "\\" ? 2 : 1;
  if (i > value.length) return "ends with a lone backslash, which would escape the closing /";
  return undefined;
}

/**
 * The references of a Logs Insights query that are the whole pattern of a `like`, `not like` or
 * `=~` (the word or operator right before them), by offset: what `@run-md/insights` renders as
 * a `/regular expression/` literal (its `regexPatternRefs` reads the same with its lexer). For
 * checking values before a run; the engines decide with the parser.
 */
export function insightsRegexReferences(query: string): Map<number, string> {
  // The word before each place, read as the lexer reads it: `#` comments and any run of blanks
  // between `like` and `{{name}}` skipped, a `like` inside a comment, string or name no word.
  const wordBefore = new Map<number, string>();
  quotedRegions(query, "logs-insights", (at, word) => wordBefore.set(at, word));
  const out = new Map<number, string>();
  for (const part of scanTemplate(query)) {
    if (part.kind !== "param") continue;
    const word = wordBefore.get(part.offset);
    if (word === "like" || word === "=~") out.set(part.offset, part.name);
  }
  return out;
}

/** The parser's reference (its place in the file) at each `{{name}}`'s offset in a step's query. */
export function refsByOffset(step: Step): Map<number, ParamRef> {
  const offsets = scanTemplate(step.query).flatMap((p) => (p.kind === "param" ? [p.offset] : []));
  // paramRefs are the query's references in the order scanTemplate finds them.
  return new Map(offsets.flatMap((o, i) => (step.paramRefs[i] ? [[o, step.paramRefs[i]!]] : [])));
}

/** The file's line of `offset` in a step's query (what a value used there is refused at). */
export function queryLineAt(step: Step, offset: number): number {
  return step.queryLine + (step.query.slice(0, offset).match(/\n/g)?.length ?? 0);
}

/**
 * Refuses, before any step runs, a value that cannot be the `/regular expression/` literal a
 * Logs Insights step writes it as (`like {{name}}`: a lone trailing backslash, a line break),
 * naming the parameter, where the value came from (`source`) and the step's place.
 */
export function checkInsightsRegexValues(
  runbook: Runbook,
  values: Record<string, BoundParam>,
  source: (name: string) => string,
): void {
  for (const step of runbook.steps) {
    if (step.dialect !== "logs-insights") continue;
    for (const [offset, name] of insightsRegexReferences(step.query)) {
      const value = values[name]?.value;
      const problem = typeof value === "string" ? insightsRegexValueProblem(value) : undefined;
      if (problem === undefined) continue;
      const line = queryLineAt(step, offset);
      throw new RunMdError(
        "bad-param",
        `parameter "${name}" (from ${source(name)}) is a Logs Insights regular expression in step "${step.id}" (${runbook.path}:${line}) and ${problem}`,
        { hint: `Give "${name}" a regular expression that fits between / and / on one line.` },
      );
    }
  }
}

/**
 * A parameter value as a Logs Insights `/regular expression/` literal, for a `{{name}}` that is
 * the whole pattern after `like`, `not like` or `=~`: every unescaped `/` written `\/`, a
 * backslash and the character after it copied as they are (a regex escape), so the Insights lexer
 * reads the literal back to the value (`\/` read as `/`, which means `/` in RE2 too). A value that
 * cannot be a literal (`insightsRegexValueProblem`) is refused, naming the parameter.
 */
export function insightsRegexLiteral(name: string, value: string): string {
  const problem = insightsRegexValueProblem(value);
  if (problem !== undefined) {
    throw new RunMdError(
      "bad-param",
      `parameter "${name}" is a regular expression and ${problem}`,
      {
        hint: "Fix the value: it is written between / and / as it is, a / escaped.",
      },
    );
  }
  let body = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") {
      body += c + value[i + 1]!;
      i++;
    } else body += c === "/" ? "\\/" : c;
  }
  return `/${body}/`;
}

/**
 * A parameter value as literal text of its declared type in a dialect, for engines that send the
 * query as text. Numbers are written plainly (an integer must be whole); booleans are `true`/`false`
 * in SQL and 1/0 in Logs Insights (how it shows JSON booleans); every other type (strings, ARNs,
 * account ids, timestamps) is a string literal, so a timestamp compares with the `eventtime`
 * string column. `inline`: a negative number is parenthesised, so `x -{{n}}` cannot become `--`.
 */
export function renderLiteral(
  name: string,
  param: BoundParam,
  dialect: Dialect,
  options: { inline?: boolean } = {},
): string {
  const { type, value } = param;
  if (type === "integer" || type === "number") {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n) || (type === "integer" && !Number.isInteger(n)) || value === "") {
      throw new RunMdError(
        "bad-param",
        `parameter "${name}" is not ${type === "integer" ? "an integer" : "a number"}: ${String(value)}`,
      );
    }
    const text = dialect === "logs-insights" ? plainDecimal(n) : String(n);
    return options.inline && n < 0 ? `(${text})` : text;
  }
  if (type === "boolean") {
    const b =
      value === true || value === "true"
        ? true
        : value === false || value === "false"
          ? false
          : undefined;
    if (b === undefined) {
      throw new RunMdError("bad-param", `parameter "${name}" is not a boolean: ${String(value)}`);
    }
    if (dialect === "logs-insights") return b ? "1" : "0";
    return b ? "true" : "false";
  }
  const text = String(value);
  if (dialect === "logs-insights" && text.includes("\r")) {
    throw new RunMdError(
      "bad-param",
      `parameter "${name}" holds a carriage return (\\r), which no Logs Insights string literal is documented to carry`,
      { hint: "Remove it from the value (a value pasted with Windows line ends?)." },
    );
  }
  return dialect === "logs-insights" ? insightsStringLiteral(text) : sqlStringLiteral(text);
}

/**
 * A number in positional notation (`0.0000001`, `1000000000000000000000`), never the exponent
 * form JavaScript writes past 1e21 or below 1e-6: the Logs Insights lexer reads digits with one
 * point only. Exact: the digits of the shortest round-trip form, moved by its exponent.
 */
function plainDecimal(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, whole, fraction = "", exp] = m;
  const digits = whole! + fraction;
  const point = whole!.length + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export type TemplateProblem =
  | { kind: "quoted"; name: string; offset: number; quote: string }
  | { kind: "malformed"; text: string; offset: number };

/**
 * What is wrong with the references of a query: `{{` that does not start a reference, and
 * references inside a quoted string, a quoted identifier or (Logs Insights) a regular
 * expression, where the runner cannot supply the quoting. References in comments are ignored.
 */
export function templateProblems(query: string, dialect: Dialect): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const refs = new Map<number, string>();
  for (const part of scanTemplate(query))
    if (part.kind === "param") refs.set(part.offset, part.name);

  // Malformed `{{`: an opening that is not the start of a reference.
  for (let i = query.indexOf("{{"); i >= 0; i = query.indexOf("{{", i + 2)) {
    if (refs.has(i)) continue;
    // `{{{name}}}` : the reference starts one brace later.
    if (refs.has(i + 1)) continue;
    const close = query.indexOf("}}", i);
    const end = close < 0 ? Math.min(query.length, i + 20) : close + 2;
    problems.push({ kind: "malformed", text: query.slice(i, end).split("\n")[0]!, offset: i });
  }

  for (const region of quotedRegions(query, dialect)) {
    for (const [offset, name] of refs) {
      if (offset > region.start && offset < region.end) {
        problems.push({ kind: "quoted", name, offset, quote: region.quote });
      }
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/**
 * The names of the parameters a query refers to outside its comments (`-- {{since}}`, a block
 * comment, a Logs Insights `#` line): a reference in a comment is text, and its value changes
 * nothing.
 */
export function referencedOutsideComments(query: string, dialect: Dialect): Set<string> {
  const comments: Region[] = [];
  quotedRegions(query, dialect, undefined, comments);
  const names = new Set<string>();
  for (const part of scanTemplate(query)) {
    if (part.kind !== "param") continue;
    if (!comments.some((c) => part.offset >= c.start && part.offset < c.end)) names.add(part.name);
  }
  return names;
}

interface Region {
  start: number;
  /** Offset just past the closing quote (or the end of the text). */
  end: number;
  quote: string;
}

/**
 * Quoted strings, quoted identifiers and regular expressions of a query, skipping comments.
 * `wordAt` is told the last word (lower case) before each word or operator outside them.
 */
function quotedRegions(
  query: string,
  dialect: Dialect,
  wordAt?: (offset: number, lastWord: string) => void,
  comments?: Region[],
): Region[] {
  const regions: Region[] = [];
  let i = 0;
  // The last two words before `i` (a quoted string or name is its quote, a regex "/re/"): a
  // Logs Insights `/` opens a regular expression unless it follows an operand (`regexOpens`).
  let lastWord = "";
  let wordBefore = "";
  const word = (w: string) => {
    wordBefore = lastWord;
    lastWord = w;
  };
  const n = query.length;
  // How a quote is escaped inside its own quotes: SQL doubles it, Logs Insights strings and
  // regular expressions take a backslash, and its `quoted` field names take none (its lexer ends
  // one at the next backtick, whatever precedes it).
  const closeQuoted = (quote: string, escaped: "backslash" | "double" | "none"): number => {
    let j = i + 1;
    while (j < n) {
      const c = query[j]!;
      if (escaped === "backslash" && c === "\\") {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (escaped === "double" && query[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return n;
  };
  while (i < n) {
    const c = query[i]!;
    // Comments as Trino's grammar reads them (a line comment ends at a carriage return too).
    const comment = dialect === "sql" ? sqlCommentEnd(query, i) : -1;
    if (comment >= 0) {
      comments?.push({ start: i, end: comment, quote: "--" });
      i = comment;
      continue;
    }
    if (dialect === "logs-insights" && c === "#") {
      const eol = query.indexOf("\n", i);
      comments?.push({ start: i, end: eol < 0 ? n : eol, quote: "#" });
      i = eol < 0 ? n : eol;
      continue;
    }
    if (c === "'" || c === '"' || (dialect === "logs-insights" && c === "`")) {
      const end = closeQuoted(c, dialect === "sql" ? "double" : c === "`" ? "none" : "backslash");
      regions.push({ start: i, end, quote: c });
      i = end;
      word(c);
      continue;
    }
    if (dialect === "logs-insights" && c === "/" && regexOpens(lastWord, wordBefore)) {
      const end = closeQuoted("/", "backslash");
      regions.push({ start: i, end, quote: "/" });
      i = end;
      word("/re/");
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    wordAt?.(i, lastWord);
    const w = /^(?:[A-Za-z_@][\w.@]*|=~|\S)/.exec(query.slice(i, i + 64))![0];
    word(w.toLowerCase());
    i += w.length;
  }
  return regions;
}

/**
 * Logs Insights words after which an operand comes, so that a `/` there opens a regular
 * expression (`like /re/`, `filter /re/`); the Insights lexer reads them too.
 */
export const INSIGHTS_KEYWORDS_BEFORE_OPERAND: ReadonlySet<string> = new Set([
  "like",
  "and",
  "or",
  "not",
  "in",
  "filter",
  "where",
  "parse",
  "fields",
  "display",
  "stats",
  "by",
  "sort",
]);

/**
 * Whether a Logs Insights `/` after these words opens a regular expression: everywhere but after
 * an operand (a name, a number, a string, a regex, a `{{param}}`, `)` or `]`), as the Insights
 * lexer reads it, so `strcontains(@message, /re/)` and `= /re/` hold one too; and after `parse`
 * and its field (`parse @message /re/`).
 */
function regexOpens(lastWord: string, wordBefore: string): boolean {
  if (/^[a-z_@]/.test(lastWord))
    return INSIGHTS_KEYWORDS_BEFORE_OPERAND.has(lastWord) || wordBefore === "parse";
  if (lastWord === "`") return wordBefore === "parse";
  const operandEnd = /^(?:[0-9'")\]}"]|\/re\/)$/.test(lastWord);
  return !operandEnd;
}
