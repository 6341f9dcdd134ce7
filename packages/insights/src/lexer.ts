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
}

const PERIOD_UNITS: Record<string, PeriodUnit> = {
  ms: "ms",
  s: "s",
  sec: "s",
  second: "s",
  seconds: "s",
  m: "m",
  min: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  week: "w",
  weeks: "w",
  mo: "mo",
  month: "mo",
  months: "mo",
  q: "q",
  quarter: "q",
  quarters: "q",
  y: "y",
  year: "y",
  years: "y",
};

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

const KEYWORDS_BEFORE_OPERAND = new Set([
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

/** Whether a `/` after these tokens is division (after an operand) rather than a regex. */
function slashDivides(tokens: Token[]): boolean {
  const prev = tokens[tokens.length - 1];
  if (!prev || !OPERAND_END.has(prev.kind)) return false;
  if (prev.kind === "ident" && !prev.quoted) {
    if (KEYWORDS_BEFORE_OPERAND.has(prev.value.toLowerCase())) return false;
    // `parse @message /re/`: the field is the parse source, the slash opens the pattern.
    const before = tokens[tokens.length - 2];
    if (before?.kind === "ident" && !before.quoted && before.value.toLowerCase() === "parse") {
      return false;
    }
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

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, len: number, msg: string, hint?: string): never => {
    throw new InsightsSyntaxError(src, at, len, msg, hint ? { hint } : {});
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === "-" && src[i + 1] === "-" && startsLine(src, i)) {
      // Published playbooks write SQL-style comments; the service documents only # (and rejects
      // the line), so a runbook that runs here must not fail there.
      const eol = src.indexOf("\n", i);
      fail(
        i,
        (eol < 0 ? src.length : eol) - i,
        '"--" does not start a comment in Logs Insights: comments start with #',
        "Write # instead of -- (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-alias.html).",
      );
    }
    const start = i;
    if (c === "{" && src[i + 1] === "{") {
      const close = src.indexOf("}}", i + 2);
      if (close < 0) fail(start, 2, "unterminated parameter reference: missing }}");
      const name = src.slice(i + 2, close).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        fail(
          start,
          close + 2 - start,
          `invalid parameter reference "${src.slice(start, close + 2)}"`,
        );
      }
      i = close + 2;
      tokens.push({ kind: "param", value: name, start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < src.length && isIdentPart(src[i]!)) i++;
      let value = src.slice(start, i);
      // A trailing dot belongs to no field name (`fields a.` is a typo, reported by the parser).
      while (value.endsWith(".") && value.length > 1) {
        value = value.slice(0, -1);
        i--;
      }
      tokens.push({ kind: "ident", value, start, end: i });
      continue;
    }
    if (c === "`") {
      const close = src.indexOf("`", i + 1);
      if (close < 0) fail(start, 1, "unterminated `quoted` field name");
      const value = src.slice(i + 1, close);
      if (value.length === 0) fail(start, 2, "empty `quoted` field name");
      i = close + 1;
      tokens.push({ kind: "ident", value, start, end: i, quoted: true });
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(src[i + 1] ?? ""))) {
      while (i < src.length && isDigit(src[i]!)) i++;
      if (src[i] === "." && isDigit(src[i + 1] ?? "")) {
        i++;
        while (i < src.length && isDigit(src[i]!)) i++;
      }
      const numText = src.slice(start, i);
      if (/[A-Za-z]/.test(src[i] ?? "")) {
        const unitStart = i;
        while (i < src.length && /[A-Za-z]/.test(src[i]!)) i++;
        const unitText = src.slice(unitStart, i);
        const unit = PERIOD_UNITS[unitText.toLowerCase()];
        if (!unit) {
          fail(
            start,
            i - start,
            `"${src.slice(start, i)}" is neither a number nor a time period`,
            "Time periods are written like 30s, 5m, 1h, 1d (units ms, s, m, h, d, w, mo, q, y).",
          );
        }
        tokens.push({
          kind: "period",
          value: src.slice(start, i),
          start,
          end: i,
          number: Number(numText),
          unit: unit!,
        });
        continue;
      }
      tokens.push({ kind: "number", value: numText, start, end: i, number: Number(numText) });
      continue;
    }
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= src.length) fail(start, 1, `unterminated string: missing closing ${c}`);
        const ch = src[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch === "\\" && i + 1 < src.length) {
          const nx = src[i + 1]!;
          if (nx === c || nx === "\\") value += nx;
          else if (nx === "n") value += "\n";
          else if (nx === "t") value += "\t";
          else value += `\\${nx}`;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: "string", value, start, end: i });
      continue;
    }
    if (c === "/" && !slashDivides(tokens)) {
      let body = "";
      i++;
      for (;;) {
        if (i >= src.length) fail(start, 1, "unterminated regular expression: missing closing /");
        const ch = src[i]!;
        if (ch === "/") {
          i++;
          break;
        }
        if (ch === "\\" && src[i + 1] === "/") {
          body += "/";
          i += 2;
          continue;
        }
        if (ch === "\\" && i + 1 < src.length) {
          body += ch + src[i + 1];
          i += 2;
          continue;
        }
        body += ch;
        i++;
      }
      tokens.push({ kind: "regex", value: body, start, end: i });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "!=" || two === "<=" || two === ">=" || two === "=~") {
      i += 2;
      tokens.push({ kind: "op", value: two, start, end: i });
      continue;
    }
    if (two === "==") {
      fail(start, 2, 'unexpected "==": Logs Insights compares with a single "="');
    }
    if (two === "<>") {
      fail(start, 2, 'unexpected "<>": Logs Insights writes "not equal" as "!="');
    }
    if (two === "&&" || two === "||") {
      fail(start, 2, `unexpected "${two}": Logs Insights writes "${two === "&&" ? "and" : "or"}"`);
    }
    i++;
    switch (c) {
      case "|":
        tokens.push({ kind: "pipe", value: c, start, end: i });
        break;
      case ",":
        tokens.push({ kind: "comma", value: c, start, end: i });
        break;
      case "(":
        tokens.push({ kind: "lparen", value: c, start, end: i });
        break;
      case ")":
        tokens.push({ kind: "rparen", value: c, start, end: i });
        break;
      case "[":
        tokens.push({ kind: "lbracket", value: c, start, end: i });
        break;
      case "]":
        tokens.push({ kind: "rbracket", value: c, start, end: i });
        break;
      case "=":
      case "<":
      case ">":
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
      case "^":
        tokens.push({ kind: "op", value: c, start, end: i });
        break;
      default:
        fail(start, 1, `unexpected character "${c}"`);
    }
  }
  tokens.push({ kind: "eof", value: "", start: src.length, end: src.length });
  return tokens;
}
