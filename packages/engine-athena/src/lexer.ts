/**
 * A small lexer for Athena (Trino) SQL: enough to know, for each piece of a query, whether it is
 * inside a string literal, a quoted identifier or a comment, and which clause of which query
 * level it belongs to. Window scoping, parameter binding and the read-only gate all work on these
 * tokens, never on the raw text. Concatenating every token's text gives back the query exactly.
 */
import { referenceAt, sqlBlockCommentClosed, sqlCommentEnd } from "@run-md/core";

export type TokenKind =
  | "ws"
  | "comment"
  | "string"
  | "qident"
  | "ident"
  | "number"
  /** A `{{name}}` reference. */
  | "param"
  /** A bare `?` placeholder. */
  | "placeholder"
  | "punct";

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  /** For `param`: the parameter name; for `ident`: the lower-cased word; for `qident`: the name. */
  value: string;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const IDENT = /[\p{L}_][\p{L}\p{N}_$]*/uy;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WS = /\s+/y;
const OPERATORS = ["<=", ">=", "<>", "!=", "||", "->", "=>"];

function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const j = sql.indexOf(quote, i);
    if (j < 0) return -1;
    if (sql[j + 1] === quote) {
      i = j + 2;
      continue;
    }
    return j + 1;
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number, value?: string) => {
    const text = sql.slice(i, end);
    tokens.push({ kind, text, start: i, value: value ?? text });
    i = end;
  };
  const sticky = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = i;
    return re.exec(sql);
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    const ws = sticky(WS);
    if (ws) {
      push("ws", i + ws[0].length);
      continue;
    }
    const comment = sqlCommentEnd(sql, i);
    if (comment >= 0) {
      if (c === "/" && !sqlBlockCommentClosed(sql, i)) {
        throw new LexError("unterminated /* comment", i);
      }
      push("comment", comment);
      continue;
    }
    if (c === "'") {
      const end = closing(sql, i, "'");
      if (end < 0) throw new LexError("unterminated string literal", i);
      push("string", end, sql.slice(i + 1, end - 1).replaceAll("''", "'"));
      continue;
    }
    if (c === '"' || c === "`") {
      const end = closing(sql, i, c);
      if (end < 0) throw new LexError("unterminated quoted identifier", i);
      push("qident", end, sql.slice(i + 1, end - 1).replaceAll(c + c, c));
      continue;
    }
    const param = c === "{" && next === "{" ? referenceAt(sql, i) : undefined;
    if (param) {
      push("param", i + param.length, param.name);
      continue;
    }
    const num = sticky(NUMBER);
    if (num) {
      push("number", i + num[0].length);
      continue;
    }
    const ident = sticky(IDENT);
    if (ident) {
      push("ident", i + ident[0].length, ident[0].toLowerCase());
      continue;
    }
    if (c === "?") {
      push("placeholder", i + 1);
      continue;
    }
    const two = sql.slice(i, i + 2);
    push("punct", i + (OPERATORS.includes(two) ? 2 : 1));
  }
  return tokens;
}

export function isSignificant(t: Token): boolean {
  return t.kind !== "ws" && t.kind !== "comment";
}

export type Clause =
  | "none"
  | "with"
  | "select"
  | "from"
  | "where"
  | "group"
  | "having"
  | "order"
  | "limit"
  | "window"
  | "on";

export interface ClauseInfo {
  clause: Clause;
  /** Parenthesis depth (0 at the top level). */
  depth: number;
}

const CLAUSE_KEYWORDS: Record<string, Clause> = {
  select: "select",
  from: "from",
  join: "from",
  where: "where",
  group: "group",
  having: "having",
  order: "order",
  limit: "limit",
  offset: "limit",
  fetch: "limit",
  window: "window",
  on: "on",
  using: "on",
  union: "none",
  intersect: "none",
  except: "none",
  values: "select",
};

const QUERY_STARTS = new Set(["select", "with", "values"]);

/**
 * The clause each token belongs to. A parenthesis that starts a query (`(SELECT`, `(WITH`)
 * opens a new query level; any other parenthesis (a function call, a grouping, `OVER (...)`)
 * belongs to the clause around it, and keywords inside it (`extract(year FROM t)`) do not change
 * the clause.
 */
export function clauses(tokens: Token[]): ClauseInfo[] {
  const out: ClauseInfo[] = [];
  const stack: { clause: Clause; isQuery: boolean }[] = [{ clause: "none", isQuery: true }];
  let prevWord = "";
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const frame = stack[stack.length - 1]!;
    if (t.kind === "punct" && t.text === "(") {
      out.push({ clause: frame.clause, depth: stack.length - 1 });
      let n = k + 1;
      while (n < tokens.length && !isSignificant(tokens[n]!)) n++;
      const first = tokens[n];
      const isQuery = first?.kind === "ident" && QUERY_STARTS.has(first.value);
      stack.push({ clause: isQuery ? "none" : frame.clause, isQuery });
      prevWord = "";
      continue;
    }
    if (t.kind === "punct" && t.text === ")") {
      if (stack.length > 1) stack.pop();
      out.push({ clause: stack[stack.length - 1]!.clause, depth: stack.length - 1 });
      prevWord = "";
      continue;
    }
    if (t.kind === "ident" && frame.isQuery && prevWord !== ".") {
      const c = CLAUSE_KEYWORDS[t.value];
      if (c !== undefined && !(t.value === "group" && prevWord === "within")) frame.clause = c;
      if (t.value === "with" && frame.clause === "none") frame.clause = "with";
    }
    if (isSignificant(t)) prevWord = t.kind === "ident" ? t.value : t.text === "." ? "." : "";
    out.push({ clause: frame.clause, depth: stack.length - 1 });
  }
  return out;
}
