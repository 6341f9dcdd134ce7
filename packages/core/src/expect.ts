/**
 * The `expect` block grammar (section 5 of the format), one check a line:
 *
 *     check      = [ "warn:" ] ( metric cmp number
 *                              | metric "between" number "and" number
 *                              | quantifier column predicate ) [ "#" label ]
 *     metric     = "rows" | ( "count" | "distinct" | "min" | "max" | "sum" | "avg" ) "(" column ")"
 *     cmp        = "==" | "!=" | "<" | "<=" | ">" | ">="
 *     quantifier = "every" | "no" | "some"
 *     predicate  = cmp literal | [ "not" ] "in" "(" literal { "," literal } ")"
 *                | [ "not" ] "like" string | "matches" string | "is" [ "not" ] "null"
 *     literal    = number | string | "true" | "false" | "null"
 *
 * A tokenizer per line and a recursive-descent parser over its tokens. Keywords are
 * case-insensitive; strings take single quotes with `''` for a quote; a column name is a word
 * (letters, digits, `_`, `.`, `@`) or, for any other name, double-quoted (`"count(*)"`).
 * A line with an error gets one diagnostic, at the offending token; the other lines still parse.
 */
import { didYouMean } from "./diagnostics.ts";
import { compareExact, exactOf, exactOfText } from "./exact-number.ts";
import type { Check, CheckBody, Cmp, Diagnostic, Literal, Metric, Predicate } from "./model.ts";
import { TokenCursor } from "./token-cursor.ts";

type TokenKind = "word" | "ident" | "number" | "string" | "cmp" | "punct" | "bad" | "end";

interface Token {
  kind: TokenKind;
  /** The token as written. */
  text: string;
  /** Identifier, string contents or number. */
  value: string | number;
  /** 0-based column in the line. */
  col: number;
}

class SyntaxProblem extends Error {
  constructor(
    readonly col: number,
    message: string,
  ) {
    super(message);
  }
}

const CMPS = ["==", "!=", "<=", ">=", "<", ">"] as const;
const COLUMN_METRICS = ["count", "distinct", "min", "max", "sum", "avg"] as const;
const QUANTIFIERS = ["every", "no", "some"] as const;
const CHECK_STARTS = ["rows", ...COLUMN_METRICS, ...QUANTIFIERS, "warn"];

interface Line {
  tokens: Token[];
  /** Column where the `#` comment starts, if any. */
  commentCol?: number;
  label?: string;
}

/** A 'string' or a "column name" starting at `i`, a doubled quote standing for one. */
function quoted(line: string, i: number): Token {
  const q = line[i]!;
  let j = i + 1;
  let value = "";
  for (;;) {
    if (j >= line.length) {
      throw new SyntaxProblem(
        i,
        q === "'"
          ? "unterminated string: a closing ' is missing"
          : 'unterminated column name: a closing " is missing',
      );
    }
    if (line[j] === q && line[j + 1] === q) {
      value += q;
      j += 2;
    } else if (line[j] === q) break;
    else value += line[j++];
  }
  return { kind: q === "'" ? "string" : "ident", text: line.slice(i, j + 1), value, col: i };
}

/**
 * SQL's `=` and `<>`, and `=<`/`=>` (the signs swapped), where a comparison goes: refused with
 * the operator meant (review: `=>` was "found "=" (did you mean "=="?)").
 */
const SQL_OPERATORS: Record<string, string> = { "=": "==", "<>": "!=", "=<": "<=", "=>": ">=" };

function sqlOperator(token: Token): void {
  const meant = SQL_OPERATORS[token.text];
  if (meant === undefined) return;
  throw new SyntaxProblem(
    token.col,
    `expected a comparison, found "${token.text}" (did you mean "${meant}"?)`,
  );
}

function tokenize(line: string): Line {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  const result: Line = { tokens };
  while (i < n) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") {
      result.commentCol = i;
      const label = line.slice(i + 1).trim();
      if (label !== "") result.label = label;
      break;
    }
    const rest = line.slice(i);
    const number = /^-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (number && !/^[A-Za-z_@]/.test(rest.slice(number[0].length))) {
      tokens.push({ kind: "number", text: number[0], value: Number(number[0]), col: i });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_@][A-Za-z0-9_.@]*/.exec(rest);
    if (word) {
      tokens.push({ kind: "word", text: word[0], value: word[0], col: i });
      i += word[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const token = quoted(line, i);
      tokens.push(token);
      i += token.text.length;
      continue;
    }
    // SQL's `<>` (and `=`), `=<` and `=>` are tokens of their own the parser rejects with the
    // operator meant.
    const swapped = /^(<>|=<|=>)/.exec(rest)?.[0];
    if (swapped) {
      tokens.push({ kind: "bad", text: swapped, value: swapped, col: i });
      i += 2;
      continue;
    }
    const cmp = CMPS.find((op) => rest.startsWith(op));
    if (cmp) {
      tokens.push({ kind: "cmp", text: cmp, value: cmp, col: i });
      i += cmp.length;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === ":") {
      tokens.push({ kind: "punct", text: c, value: c, col: i });
      i++;
      continue;
    }
    // Anything else (`=`, `*`, `;`, `5m`, ...) is a token the parser will reject with context.
    const bad = /^[0-9A-Za-z_.@-]+/.exec(rest)?.[0] ?? c;
    tokens.push({ kind: "bad", text: bad, value: bad, col: i });
    i += bad.length;
  }
  tokens.push({ kind: "end", text: "", value: "", col: result.commentCol ?? trimmedEnd(line) });
  return result;
}

function trimmedEnd(line: string): number {
  return line.replace(/\s+$/, "").length;
}

function describe(token: Token, commented: boolean): string {
  if (token.kind === "end") return commented ? "the comment" : "the end of the line";
  if (token.kind === "string") return `the string ${token.text}`;
  return `"${token.text}"`;
}

/** A `{{name}}` where a check wants a value: said as such (review: "expected a number, found {"). */
function refuseParameter(token: { col: number; text: string }): void {
  if (!token.text.startsWith("{")) return;
  throw new SyntaxProblem(
    token.col,
    "a parameter ({{name}}) cannot be used in an expect block: compare with it in the query (HAVING count(*) > {{max_logins}}) and check the rows it returns (rows == 0)",
  );
}

class Parser extends TokenCursor<Token> {
  constructor(
    tokens: Token[],
    private readonly commented: boolean,
  ) {
    super(tokens);
  }

  private fail(token: Token, expected: string): never {
    throw new SyntaxProblem(
      token.col,
      `expected ${expected}, found ${describe(token, this.commented)}`,
    );
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === "word" && token.text.toLowerCase() === word;
  }

  private expectPunct(text: string, what = `"${text}"`): Token {
    const token = this.next();
    if (token.kind !== "punct" || token.text !== text) this.fail(token, what);
    return token;
  }

  private expectWord(word: string): void {
    const token = this.next();
    if (!this.isWord(token, word)) this.fail(token, `"${word}"`);
  }

  parseCheck(): { warn: boolean; body: CheckBody } {
    let warn = false;
    const first = this.peek();
    if (this.isWord(first, "warn")) {
      const colon = this.peek(1);
      if (colon.kind === "punct" && colon.text === ":") {
        warn = true;
        this.next();
        this.next();
      } else if (
        !(
          colon.kind === "cmp" ||
          this.isWord(colon, "between") ||
          (colon.kind === "punct" && colon.text === "(")
        )
      ) {
        this.fail(colon, '":" after "warn"');
      }
    }
    const body = this.parseBody();
    const rest = this.peek();
    if (rest.kind !== "end") {
      throw new SyntaxProblem(
        rest.col,
        `unexpected ${describe(rest, this.commented)} after the check (one check a line; start a comment with #)`,
      );
    }
    return { warn, body };
  }

  private parseBody(): CheckBody {
    const token = this.peek();
    const word = token.kind === "word" ? token.text.toLowerCase() : "";
    if ((QUANTIFIERS as readonly string[]).includes(word)) {
      this.next();
      const column = this.parseColumn();
      const predicate = this.parsePredicate();
      return {
        kind: "quantified",
        quantifier: word as (typeof QUANTIFIERS)[number],
        column,
        predicate,
      };
    }
    const metric = this.parseMetric();
    const op = this.peek();
    if (op.kind === "cmp") {
      this.next();
      const { value, exact } = this.parseNumber();
      return { kind: "compare", metric, op: op.text as Cmp, value, ...(exact && { exact }) };
    }
    if (this.isWord(op, "between")) {
      this.next();
      const lowToken = this.peek();
      const low = this.parseNumber();
      this.expectWord("and");
      const high = this.parseNumber();
      if (compareExact(exactOfText(low.text)!, exactOfText(high.text)!) > 0) {
        throw new SyntaxProblem(
          lowToken.col,
          `the lower bound ${low.text} is greater than the upper bound ${high.text}`,
        );
      }
      return {
        kind: "between",
        metric,
        low: low.value,
        high: high.value,
        ...(low.exact && { lowExact: low.exact }),
        ...(high.exact && { highExact: high.exact }),
      };
    }
    if (op.kind === "bad") sqlOperator(op);
    return this.fail(op, 'a comparison (==, !=, <, <=, >, >=) or "between"');
  }

  private parseMetric(): Metric {
    const token = this.next();
    if (token.kind !== "word") {
      return this.fail(
        token,
        "a check: rows, count(c), distinct(c), min(c), max(c), sum(c), avg(c), every, no or some",
      );
    }
    const word = token.text.toLowerCase();
    if (word === "rows") return { kind: "rows" };
    if ((COLUMN_METRICS as readonly string[]).includes(word)) {
      this.expectPunct("(", `"(" after "${token.text}"`);
      const star = this.peek();
      if (star.kind === "bad" && star.text === "*") {
        throw new SyntaxProblem(
          star.col,
          `expected a column name, found "*" (use "rows" to count the rows)`,
        );
      }
      const column = this.parseColumn();
      this.expectPunct(")", '")"');
      return { kind: word as (typeof COLUMN_METRICS)[number], column };
    }
    if (word === "warn") {
      throw new SyntaxProblem(token.col, '"warn:" comes once, at the start of the check');
    }
    throw new SyntaxProblem(
      token.col,
      `unknown check "${token.text}": expected rows, count, distinct, min, max, sum, avg, every, no or some${didYouMean(token.text, CHECK_STARTS)}`,
    );
  }

  private parseColumn(): string {
    const token = this.next();
    if (token.kind === "word" || token.kind === "ident") {
      if (token.kind === "ident" && token.value === "") this.fail(token, "a column name");
      return String(token.value);
    }
    return this.fail(token, "a column name");
  }

  /** A number: its double, and its text as written when the double does not hold it exactly. */
  private parseNumber(): { value: number; text: string; exact?: string } {
    const token = this.next();
    if (token.kind !== "number") {
      refuseParameter(token);
      return this.fail(token, "a number");
    }
    if (exactOfText(token.text) === undefined) {
      throw new SyntaxProblem(token.col, `the number ${token.text} is out of range`);
    }
    const value = token.value as number;
    const held = exactOf(value);
    const exact =
      held !== undefined && compareExact(held, exactOfText(token.text)!) === 0
        ? undefined
        : token.text;
    return { value, text: token.text, ...(exact && { exact }) };
  }

  private parseLiteral(): Literal {
    if (this.peek().kind === "number") {
      const { value, exact } = this.parseNumber();
      return exact === undefined ? value : { exact };
    }
    const token = this.next();
    if (token.kind === "string") return token.value as string;
    if (token.kind === "word") {
      const word = token.text.toLowerCase();
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "null") return null;
    }
    if (token.kind === "ident") {
      throw new SyntaxProblem(
        token.col,
        `expected a value, found ${token.text} (strings take single quotes: '${token.value}')`,
      );
    }
    refuseParameter(token);
    return this.fail(token, "a value (a number, a 'string', true, false or null)");
  }

  private parseString(after: string): string {
    const token = this.next();
    if (token.kind === "string") return token.value as string;
    if (token.kind === "ident") {
      throw new SyntaxProblem(
        token.col,
        `expected a string after "${after}", found ${token.text} (strings take single quotes: '${token.value}')`,
      );
    }
    return this.fail(token, `a string after "${after}"`);
  }

  private parsePredicate(): Predicate {
    const token = this.peek();
    if (token.kind === "cmp") {
      this.next();
      return { kind: "compare", op: token.text as Cmp, value: this.parseLiteral() };
    }
    if (token.kind === "bad") sqlOperator(token);
    const word = token.kind === "word" ? token.text.toLowerCase() : "";
    let negated = false;
    if (word === "not") {
      this.next();
      negated = true;
      const after = this.peek();
      const afterWord = after.kind === "word" ? after.text.toLowerCase() : "";
      if (afterWord !== "in" && afterWord !== "like")
        this.fail(after, '"in" or "like" after "not"');
    }
    const keyword = this.peek();
    const kw = keyword.kind === "word" ? keyword.text.toLowerCase() : "";
    if (kw === "in") {
      this.next();
      this.expectPunct("(", '"(" after "in"');
      const values: Literal[] = [this.parseLiteral()];
      for (;;) {
        const sep = this.next();
        if (sep.kind === "punct" && sep.text === ")") break;
        if (sep.kind !== "punct" || sep.text !== ",") this.fail(sep, '"," or ")"');
        values.push(this.parseLiteral());
      }
      return { kind: "in", negated, values };
    }
    if (kw === "like") {
      this.next();
      return { kind: "like", negated, pattern: this.parseString(negated ? "not like" : "like") };
    }
    if (kw === "matches") {
      this.next();
      const patternToken = this.peek();
      const pattern = this.parseString("matches");
      try {
        new RegExp(pattern);
      } catch (e) {
        throw new SyntaxProblem(
          patternToken.col,
          `invalid regular expression ${patternToken.text}: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "")}`,
        );
      }
      return { kind: "matches", pattern };
    }
    if (kw === "is") {
      this.next();
      let isNegated = false;
      if (this.isWord(this.peek(), "not")) {
        this.next();
        isNegated = true;
      }
      const nul = this.next();
      if (!this.isWord(nul, "null"))
        this.fail(nul, isNegated ? '"null" after "is not"' : '"not" or "null" after "is"');
      return { kind: "null", negated: isNegated };
    }
    return this.fail(
      keyword,
      "a condition: a comparison (==, !=, <, <=, >, >=), in, not in, like, not like, matches or is [not] null",
    );
  }
}

export interface ParsedExpect {
  checks: Check[];
  diagnostics: Diagnostic[];
}

/**
 * Parses the text of an `expect` block. `firstLine` is the file line of the text's first line;
 * columns are 1-based positions in each line as given (pass the block's lines as they are in the
 * file, indentation included, for columns that match the file).
 */
export function parseExpect(text: string, firstLine: number, file: string): ParsedExpect {
  const checks: Check[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = firstLine + index;
    try {
      const tokenized = tokenize(raw);
      if (tokenized.tokens.length === 1) return; // blank or comment-only line
      const parser = new Parser(tokenized.tokens, tokenized.commentCol !== undefined);
      const { warn, body } = parser.parseCheck();
      const start = raw.search(/\S/);
      const end = tokenized.commentCol ?? raw.length;
      const check: Check = {
        ...body,
        source: raw.slice(start, end).trim(),
        warn,
        position: { line, column: start + 1 },
      };
      if (tokenized.label !== undefined) check.label = tokenized.label;
      checks.push(check);
    } catch (e) {
      if (!(e instanceof SyntaxProblem)) throw e;
      diagnostics.push({
        file,
        line,
        column: e.col + 1,
        severity: "error",
        rule: "expect-syntax",
        message: e.message,
      });
    }
  });
  return { checks, diagnostics };
}
