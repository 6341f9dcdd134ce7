import { INSIGHTS_KEYWORDS_BEFORE_OPERAND } from "@run-md/core";
import type { PeriodUnit } from "./ast.ts";
import { InsightsSyntaxError } from "./errors.ts";

export type TokenKind =
  | "ident"
  | "string"
  | "number"
  | "period"
  | "regex"
  | "param"
  | "op"
  | "pipe"
  | "comma"
  | "lparen"
  | "rparen"
  | "lbracket"
  | "rbracket"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Decoded value: the identifier or string contents, the regex body, the operator. */
  value: string;
  start: number;
  end: number;
  /** A backtick-quoted identifier: never a keyword or a function name. */
  quoted?: boolean;
  number?: number;
  unit?: PeriodUnit;
  /** A `{{name}}h` period: the parameter whose value is its count. */
  param?: string;
}

/**
 * The spellings of each time unit the service accepts (CWL_QuerySyntax-Stats): every spelling of
 * more than one character also with an "s" (`hr` and `hrs`).
 */
const UNIT_SPELLINGS: Record<PeriodUnit, string[]> = {
  ms: ["millisecond", "ms", "msec"],
  s: ["second", "s", "sec"],
  m: ["minute", "m", "min"],
  h: ["hour", "h", "hr"],
  d: ["day", "d"],
  w: ["week", "w"],
  mo: ["month", "mo", "mon"],
  q: ["quarter", "q", "qtr"],
  y: ["year", "y", "yr"],
};

const PERIOD_UNITS: Record<string, PeriodUnit> = Object.fromEntries(
  Object.entries(UNIT_SPELLINGS).flatMap(([unit, names]) =>
    names.flatMap((n) => (n.length > 1 ? [n, `${n}s`] : [n]).map((x) => [x, unit as PeriodUnit])),
  ),
);

const isIdentStart = (c: string) => /[A-Za-z_@]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_@.]/.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

/** Tokens after which `/` divides; anywhere else `/` opens a regular expression. */
const OPERAND_END: ReadonlySet<TokenKind> = new Set([
  "ident",
  "string",
  "number",
  "period",
  "regex",
  "param",
  "rparen",
  "rbracket",
]);

/** Whether a `/` after these tokens is division (after an operand) rather than a regex. */
function slashDivides(tokens: Token[]): boolean {
  const prev = tokens[tokens.length - 1];
  if (!prev || !OPERAND_END.has(prev.kind)) return false;
  if (prev.kind === "ident" && !prev.quoted) {
    if (INSIGHTS_KEYWORDS_BEFORE_OPERAND.has(prev.value.toLowerCase())) return false;
  }
  // `parse @message /re/`, ``parse `a-b` /re/``: the field is the parse source, the slash opens
  // the pattern.
  const before = tokens[tokens.length - 2];
  if (prev.kind === "ident" && before?.kind === "ident" && !before.quoted) {
    if (before.value.toLowerCase() === "parse") return false;
  }
  return true;
}

/** Whether only white space precedes offset `i` on its line. */
function startsLine(src: string, i: number): boolean {
  for (let k = i - 1; k >= 0 && src[k] !== "\n"; k--) {
    if (src[k] !== " " && src[k] !== "\t" && src[k] !== "\r") return false;
  }
  return true;
}

function fail(src: string, at: number, len: number, msg: string, hint?: string): never {
  throw new InsightsSyntaxError(src, at, len, msg, hint ? { hint } : {});
}

/** Past white space and `#` comments; a SQL-style `--` comment at a line's start is an error. */
function skipBlank(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
    else if (c === "#") while (i < src.length && src[i] !== "\n") i++;
    else if (c === "-" && src[i + 1] === "-" && startsLine(src, i)) {
      // Published playbooks write SQL-style comments; the service documents only # (and rejects
      // the line), so a runbook that runs here must not fail there.
      const eol = src.indexOf("\n", i);
      fail(
        src,
        i,
        (eol < 0 ? src.length : eol) - i,
        '"--" does not start a comment in Logs Insights: comments start with #',
        "Write # instead of -- (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-alias.html).",
      );
    } else break;
  }
  return i;
}

/**
 * A scanner reads one kind of token at `start`: the token, or undefined when the text there is
 * not of its kind. `tokens` are those read so far (a `/` divides or opens a regex by them).
 */
type Scanner = (src: string, start: number, tokens: Token[]) => Token | undefined;

const PERIOD_HINT =
  "Time periods are written like 30s, 5m, 1h, 1d (units ms, s, m, h, d, w, mo, q, y, or spelled out: msec, sec, min, hr, mon, qtr, yr, hours, ...), or {{name}}h with an integer parameter.";

/** `{{name}}`: a parameter reference, or `{{name}}h`, a time period of the parameter's count. */
const param: Scanner = (src, start) => {
  if (!src.startsWith("{{", start)) return undefined;
  const close = src.indexOf("}}", start + 2);
  if (close < 0) fail(src, start, 2, "unterminated parameter reference: missing }}");
  const name = src.slice(start + 2, close).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    fail(
      src,
      start,
      close + 2 - start,
      `invalid parameter reference "${src.slice(start, close + 2)}"`,
    );
  }
  const end = close + 2;
  // `{{hours}}h`: a time period whose count is the parameter's value (`bin({{hours}}h)`).
  const period = unitAfter(src, start, end, "a parameter");
  if (!period) return { kind: "param", value: name, start, end };
  return { kind: "period", value: src.slice(start, period.end), start, ...period, param: name };
};

/**
 * The time unit written right after a count (`5m`, `{{n}}h`) ending at `from`: undefined when no
 * letter follows; a letter run that is no unit fails, naming the text from `start`.
 */
function unitAfter(
  src: string,
  start: number,
  from: number,
  what: string,
): { unit: PeriodUnit; end: number } | undefined {
  let i = from;
  while (i < src.length && /[A-Za-z]/.test(src[i]!)) i++;
  if (i === from) return undefined;
  const unit = PERIOD_UNITS[src.slice(from, i).toLowerCase()];
  if (!unit) {
    const text = src.slice(start, i);
    fail(src, start, i - start, `"${text}" is neither ${what} nor a time period`, PERIOD_HINT);
  }
  return { unit, end: i };
}

const ident: Scanner = (src, start) => {
  if (!isIdentStart(src[start]!)) return undefined;
  let i = start;
  for (;;) {
    while (i < src.length && isIdentPart(src[i]!)) i++;
    // `list[1]`, `json_message.users[1].action`: the bracket access operator of a list
    // (CWL_QuerySyntax-operations-functions, "Structure types") is part of the field's name; not
    // after `in`, whose list follows (`f in[1, 2]`).
    // `map.attributes.\`special.char\``: a key written in backticks after a dot, kept as written.
    const quoted = src[i - 1] === "." && src[i] === "`" ? src.indexOf("`", i + 1) : -1;
    if (quoted > i + 1) {
      i = quoted + 1;
      continue;
    }
    const index = /^\[[0-9]+\]/.exec(src.slice(i, i + 24));
    if (!index || src.slice(start, i).toLowerCase() === "in") break;
    i += index[0].length;
  }
  // A trailing dot belongs to no field name (`fields a.` is a typo, reported by the parser).
  while (i - start > 1 && src[i - 1] === ".") i--;
  return { kind: "ident", value: src.slice(start, i), start, end: i };
};

/** A `backtick-quoted` field name: never a keyword or a function name. */
const quotedIdent: Scanner = (src, start) => {
  if (src[start] !== "`") return undefined;
  const close = src.indexOf("`", start + 1);
  if (close < 0) fail(src, start, 1, "unterminated `quoted` field name");
  const value = src.slice(start + 1, close);
  if (value.length === 0) fail(src, start, 2, "empty `quoted` field name");
  return { kind: "ident", value, start, end: close + 1, quoted: true };
};

function digitsFrom(src: string, from: number): number {
  let i = from;
  while (i < src.length && isDigit(src[i]!)) i++;
  return i;
}

/** A number (`12`, `1.5`, `.5`), or a time period when letters follow (`5m`, `1h`). */
const numberOrPeriod: Scanner = (src, start) => {
  const c = src[start]!;
  if (!isDigit(c) && !(c === "." && isDigit(src[start + 1] ?? ""))) return undefined;
  let i = digitsFrom(src, start);
  if (src[i] === "." && isDigit(src[i + 1] ?? "")) i = digitsFrom(src, i + 1);
  const number = Number(src.slice(start, i));
  const period = unitAfter(src, start, i, "a number");
  if (!period) return { kind: "number", value: src.slice(start, i), start, end: i, number };
  return { kind: "period", value: src.slice(start, period.end), start, ...period, number };
};

/** A "double" or 'single' quoted string; `\n`, `\t`, `\\` and the quote are escapes. */
const string: Scanner = (src, start) => {
  const quote = src[start]!;
  if (quote !== '"' && quote !== "'") return undefined;
  let value = "";
  let i = start + 1;
  for (;;) {
    if (i >= src.length) fail(src, start, 1, `unterminated string: missing closing ${quote}`);
    const ch = src[i]!;
    if (ch === quote) break;
    if (ch === "\\" && i + 1 < src.length) {
      const nx = src[i + 1]!;
      value += nx === quote || nx === "\\" ? nx : nx === "n" ? "\n" : nx === "t" ? "\t" : `\\${nx}`;
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  return { kind: "string", value, start, end: i + 1 };
};

/** A `/regular expression/` where a `/` does not divide; `\/` is a slash, other escapes stay. */
const regex: Scanner = (src, start, tokens) => {
  if (src[start] !== "/" || slashDivides(tokens)) return undefined;
  let body = "";
  let i = start + 1;
  for (;;) {
    if (i >= src.length) fail(src, start, 1, "unterminated regular expression: missing closing /");
    const ch = src[i]!;
    if (ch === "/") break;
    if (ch === "\\" && i + 1 < src.length) {
      body += src[i + 1] === "/" ? "/" : ch + src[i + 1];
      i += 2;
    } else {
      body += ch;
      i++;
    }
  }
  return { kind: "regex", value: body, start, end: i + 1 };
};

/** Operators of other languages, each with what Logs Insights writes instead. */
const FOREIGN_OPERATORS: Record<string, string> = {
  "==": 'unexpected "==": Logs Insights compares with a single "="',
  "<>": 'unexpected "<>": Logs Insights writes "not equal" as "!="',
  "&&": 'unexpected "&&": Logs Insights writes "and"',
  "||": 'unexpected "||": Logs Insights writes "or"',
};

const TWO_CHAR_OPERATORS = new Set(["!=", "<=", ">=", "=~"]);

/** The one-character tokens: punctuation, and the operators. */
const SINGLE: Record<string, TokenKind> = {
  "|": "pipe",
  ",": "comma",
  "(": "lparen",
  ")": "rparen",
  "[": "lbracket",
  "]": "rbracket",
  ...Object.fromEntries([..."=<>+-*/%^"].map((op) => [op, "op" as const])),
};

const operator: Scanner = (src, start) => {
  const two = src.slice(start, start + 2);
  if (TWO_CHAR_OPERATORS.has(two)) return { kind: "op", value: two, start, end: start + 2 };
  if (Object.hasOwn(FOREIGN_OPERATORS, two)) fail(src, start, 2, FOREIGN_OPERATORS[two]!);
  const c = src[start]!;
  if (!Object.hasOwn(SINGLE, c)) return undefined;
  return { kind: SINGLE[c]!, value: c, start, end: start + 1 };
};

/** Whether the tokens so far end in a `filldown` command's arguments (after its word). */
function inFilldown(tokens: Token[]): boolean {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind === "pipe") return false;
    const first = i === 0 || tokens[i - 1]!.kind === "pipe";
    if (first) return t.kind === "ident" && !t.quoted && t.value.toLowerCase() === "filldown";
  }
  return false;
}

/**
 * One of `filldown`'s wildcard patterns, a field name with `*` anywhere in it (`cpu*`, `*_user`,
 * `cpu_*_system`, `userIdentity.*`: "One or more field names or wildcard patterns",
 * CWL_QuerySyntax-Filldown), as one name: `*` is a multiplication elsewhere, and a dot before it
 * no field name's end.
 */
const wildcard: Scanner = (src, start, tokens) => {
  if (!(isIdentStart(src[start]!) || src[start] === "*") || !inFilldown(tokens)) return undefined;
  let i = start;
  while (i < src.length && (isIdentPart(src[i]!) || src[i] === "*")) i++;
  const value = src.slice(start, i);
  return value.includes("*") ? { kind: "ident", value, start, end: i } : undefined;
};

/** In order: the first scanner that reads a token at a position reads it. */
const SCANNERS: Scanner[] = [
  param,
  wildcard,
  ident,
  quotedIdent,
  numberOrPeriod,
  string,
  regex,
  operator,
];

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  for (let i = skipBlank(src, 0); i < src.length; i = skipBlank(src, i)) {
    let token: Token | undefined;
    for (const scan of SCANNERS) {
      token = scan(src, i, tokens);
      if (token) break;
    }
    if (!token) fail(src, i, 1, `unexpected character "${src[i]}"`);
    tokens.push(token);
    i = token.end;
  }
  tokens.push({ kind: "eof", value: "", start: src.length, end: src.length });
  return tokens;
}
