/**
 * The syntax half of the checker: parse a step's query with the Trino grammar (dt-sql-parser's
 * TrinoSQL, generated from Trino's ANTLR grammar) and explain, in Athena's terms, the constructs
 * that DuckDB accepts and Athena rejects. Positions are 1-based lines and columns in the query.
 */
import { maskReferences, type ParamType, referenceAt } from "@run-md/core";
import type { Token } from "antlr4ng";
import { TrinoSqlLexer } from "dt-sql-parser/dist/lib/trino/TrinoSqlLexer.js";
import type { ProgramContext } from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import { TrinoSQL } from "dt-sql-parser/dist/parser/trino/index.js";
import type { SqlProblem } from "./problem.ts";

/** Keywords a typo is compared with (`SELEC` → `SELECT`). */
const KEYWORDS = [
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP",
  "ORDER",
  "HAVING",
  "LIMIT",
  "JOIN",
  "LEFT",
  "RIGHT",
  "INNER",
  "OUTER",
  "CROSS",
  "UNION",
  "WITH",
  "DISTINCT",
  "BETWEEN",
  "LIKE",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "UNNEST",
  "PARTITION",
  "OVER",
  "INTERVAL",
  "EXISTS",
];

export interface Parsed {
  tree: ProgramContext;
  /** Syntax problems; when there are any, the tree is not worth resolving. */
  problems: SqlProblem[];
  /**
   * The offsets (ANTLR's, in code points) of the `(` of each `LATERAL (SELECT ...)`: the keyword
   * is blanked before the parse (`blankGrammarGaps`), so the tree shows a plain subquery, which
   * sees no relation beside it, where a LATERAL one sees those before it.
   */
  lateral: ReadonlySet<number>;
}

let parser: TrinoSQL | undefined;

/** The declared types of a query's parameters, by name (an undeclared one is a `?`). */
export type ParamTypes = Readonly<Record<string, ParamType | undefined>>;

export interface Masked {
  text: string;
  /** The parameters written as literals, by the code-point offset of the literal (ANTLR's). */
  literals: Map<number, string>;
  /** Every well-formed reference, by the code-point offset of what stands for it. */
  refs: Map<number, MaskedRef>;
}

export interface MaskedRef {
  name: string;
  /** The length of the reference as written (`{{ name }}`), in code points. */
  length: number;
  /**
   * Bound as a string literal: a parameter declared with a type other than boolean, integer and
   * number (core's `renderLiteral`), or one of the window's (`{{start}}` is `'2026-11-23T00:00:00Z'`).
   */
  text: boolean;
}

/** The window's parameters (core's `windowParams`): always bound, as text. */
const BUILT_IN = new Set(["start", "end", "start_date", "end_date"]);

/**
 * Each `{{...}}` as something of Trino's grammar the same length, columns kept: a boolean
 * parameter as `true`, an integer as `0` and a number as `0.0`, the literals Athena receives
 * (core's `renderLiteral`), so the rules on literals see them; any other as the parameter `?`
 * (rendered as a string).
 */
export function maskParams(query: string, types: ParamTypes = {}): Masked {
  const literals = new Map<number, string>();
  const refs = new Map<number, MaskedRef>();
  const text = maskReferences(query, (length, ref, offset) => {
    const name = referenceAt(ref, 0)?.name;
    const type = name === undefined || !Object.hasOwn(types, name) ? undefined : types[name];
    const literal =
      type === "boolean"
        ? "true"
        : type === "integer"
          ? "0"
          : type === "number"
            ? "0.0"
            : undefined;
    if (name !== undefined) {
      refs.set(codePoints(query.slice(0, offset)), {
        name,
        length: codePoints(ref),
        text: literal === undefined && (type !== undefined || BUILT_IN.has(name)),
      });
    }
    if (literal === undefined || name === undefined) return "?".padEnd(length);
    literals.set(codePoints(query.slice(0, offset)), name);
    return literal.padEnd(length);
  });
  return { text, literals, refs };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function at(token: Token, rule: string, message: string): SqlProblem {
  return {
    line: token.line,
    column: token.column + 1,
    severity: "error",
    rule,
    message,
    syntax: true,
  };
}

/** Functions whose arguments are written with FROM: `EXTRACT(hour FROM max(t))`, `substring(s FROM 2)`. */
const FROM_CALLS = new Set(["extract", "substring", "trim", "overlay", "position"]);

/**
 * The positions of FROM tokens that separate a call's operands (`EXTRACT(hour FROM max(t))`)
 * rather than start a FROM clause: inside the parentheses of one of `FROM_CALLS`.
 */
function fromInsideCalls(visible: Token[]): Set<number> {
  const found = new Set<number>();
  const open: boolean[] = []; // per open parenthesis: is it a FROM_CALLS call's
  for (let i = 0; i < visible.length; i++) {
    const text = visible[i]!.text ?? "";
    if (text === "(") {
      open.push(FROM_CALLS.has((visible[i - 1]?.text ?? "").toLowerCase()));
    } else if (text === ")") {
      open.pop();
    } else if (visible[i]!.type === TrinoSqlLexer.KW_FROM && open.at(-1) === true) {
      found.add(i);
    }
  }
  return found;
}

/**
 * DuckDB habits, found on the token stream so that each gets its own message (the parser would
 * only say that a token is not valid at that position).
 */
function duckdbHabits(tokens: Token[]): SqlProblem[] {
  const out: SqlProblem[] = [];
  const visible = tokens.filter((t) => t.channel === 0 && t.type !== -1);
  const operandFrom = fromInsideCalls(visible);
  for (let i = 0; i < visible.length; i++) {
    const t = visible[i]!;
    const next = visible[i + 1];
    const text = t.text ?? "";
    const adjacent = next !== undefined && next.start === t.stop + 1;
    if (text === ":" && adjacent && next.text === ":") {
      out.push(
        at(
          t,
          "sql-athena",
          '"::" casts are DuckDB syntax that Athena rejects: write CAST(x AS type)',
        ),
      );
      i++;
    } else if (t.type === TrinoSqlLexer.IDENTIFIER && text.toLowerCase() === "ilike") {
      out.push(
        at(
          t,
          "sql-athena",
          "ILIKE is DuckDB syntax that Athena rejects: write lower(x) LIKE lower('pattern')",
        ),
      );
    } else if (t.type === TrinoSqlLexer.STRING && next?.type === TrinoSqlLexer.STRING) {
      out.push(
        at(
          next,
          "sql-athena",
          "two adjacent string literals: Athena rejects them (DuckDB joins them into one): put a comma between list items, or write one literal",
        ),
      );
    } else if (t.type === TrinoSqlLexer.EQ && adjacent && next.type === TrinoSqlLexer.EQ) {
      out.push(at(t, "sql-athena", '"==" is DuckDB syntax that Athena rejects: write "="'));
      i++;
    } else if (text === "->" && adjacent && next.type === TrinoSqlLexer.GT) {
      out.push(
        at(
          t,
          "sql-athena",
          "\"->>\" is DuckDB's JSON operator, which Athena rejects: write json_extract_scalar(x, '$.path')",
        ),
      );
      i++;
    } else if (
      (t.type === TrinoSqlLexer.KW_FROM || t.type === TrinoSqlLexer.KW_JOIN) &&
      !operandFrom.has(i) &&
      next?.type === TrinoSqlLexer.IDENTIFIER &&
      visible[i + 2]?.text === "("
    ) {
      // `FROM read_csv('x')`: DuckDB's table functions (Trino writes TABLE(f(...)), which `check`
      // refuses as well). A step reads tables only.
      out.push({
        ...at(
          next,
          "sql-table",
          `${next.text}() is a table function: a sql step reads cloudtrail_logs and configured tables, not table functions`,
        ),
      });
      i += 2;
    } else if (t.type === TrinoSqlLexer.BACKQUOTED_IDENTIFIER) {
      out.push(
        at(
          t,
          "sql-athena",
          `backquoted identifiers are Hive DDL syntax that Athena queries reject: write "${text.slice(1, -1)}"`,
        ),
      );
    }
  }
  return out;
}

/** The keyword an identifier token looks like a typo of (`SELEC` → `SELECT`). */
function keywordTypo(token: Token | undefined): string | undefined {
  if (token?.type !== TrinoSqlLexer.IDENTIFIER) return undefined;
  const upper = (token.text ?? "").toUpperCase();
  return KEYWORDS.find((k) => k !== upper && closeTo(upper, k));
}

/**
 * The parser's complaint in the author's terms, and where. A misspelled keyword often passes as
 * an alias (`FROM t WHER x = 1`: `WHER` aliases `t`), so the token before the error is looked at
 * too, and the problem is placed on the misspelled word.
 */
function syntaxProblem(
  error: { token: Token | null; line: number; column: number; message: string },
  before: Token | undefined,
  query: string,
): SqlProblem {
  const { token } = error;
  const text = token?.text ?? "";
  const typo = token ? keywordTypo(token) : undefined;
  const typoBefore = keywordTypo(before);
  if (typo === undefined && typoBefore !== undefined) {
    return at(
      before!,
      "sql-syntax",
      `syntax error at "${before!.text}" (did you mean "${typoBefore}"?)`,
    );
  }
  const message =
    typo !== undefined
      ? `syntax error at "${text}" (did you mean "${typo}"?)`
      : token === null || token.type === -1
        ? "syntax error: the query ends too early"
        : text.startsWith("{")
          ? braceMessage(text, query.slice(token.start))
          : `syntax error at "${text}": ${/\w/.test(error.message) ? error.message : `'${text}' is not valid at this position`}`;
  return {
    line: error.line,
    column: error.column,
    severity: "error",
    rule: "sql-syntax",
    message,
    syntax: true,
  };
}

/** One edit apart (a letter missing, extra, swapped or wrong): how keyword typos look. */
function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const tail = (x: string, y: string) => x.slice(i + 1) === y.slice(i + 1);
  if (a.length === b.length)
    return (
      tail(a, b) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2))
    );
  return a.length < b.length ? a.slice(i) === b.slice(i + 1) : a.slice(i + 1) === b.slice(i);
}

/**
 * A `{` Trino does not read: a parameter with one brace (`{since}`), or a DuckDB struct or map
 * literal (`{'n': 1}`), which Athena has no syntax for.
 */
function braceMessage(text: string, from: string): string {
  if (/^\{\s*[A-Za-z_]\w*\s*\}/.test(from))
    return `syntax error at "${text}": a parameter is written with two braces, {{name}}`;
  return `syntax error at "${text}": Athena has no {...} literal (a DuckDB struct or map): write ROW(...) or MAP(ARRAY[...], ARRAY[...])`;
}

function tokenBefore(tokens: Token[], token: Token | null): Token | undefined {
  if (token === null) return undefined;
  let before: Token | undefined;
  for (const t of tokens) {
    if (t.start >= token.start) break;
    if (t.channel === 0) before = t;
  }
  return before;
}

export function parseTrino(query: string): Parsed {
  parser ??= new TrinoSQL();
  const { text: masked, lateral } = blankGrammarGaps(query, parser);
  const errors: { token: Token | null; line: number; column: number; message: string }[] = [];
  const tree = parser.parse(masked, (pe, raw) => {
    errors.push({
      token: raw.offendingSymbol,
      line: pe.startLine,
      column: pe.startColumn,
      message: pe.message,
    });
  });
  // A lexer of its own (cheap): getAllTokens() would parse again, reporting to the console.
  const tokens = parser.createLexer(masked, () => {}).getAllTokens();
  const habits = duckdbHabits(tokens);
  if (habits.length > 0) return { tree, problems: habits, lateral };
  const first = errors[0];
  if (first === undefined) return { tree, problems: [], lateral };
  // Later errors are mostly the parser recovering from the first: report that one only.
  return {
    tree,
    problems: [syntaxProblem(first, tokenBefore(tokens, first.token), masked)],
    lateral,
  };
}

const COMPARISONS = new Set([
  TrinoSqlLexer.EQ,
  TrinoSqlLexer.NEQ,
  TrinoSqlLexer.LT,
  TrinoSqlLexer.LTE,
  TrinoSqlLexer.GT,
  TrinoSqlLexer.GTE,
]);
const QUANTIFIERS = new Set([TrinoSqlLexer.KW_ALL, TrinoSqlLexer.KW_ANY, TrinoSqlLexer.KW_SOME]);
/** How a query begins (`(` too: `ALL ((SELECT ...))`); `= ANY (ARRAY[...])` is no Trino. */
const QUERY_STARTS = new Set([
  TrinoSqlLexer.KW_SELECT,
  TrinoSqlLexer.KW_WITH,
  TrinoSqlLexer.KW_VALUES,
  TrinoSqlLexer.KW_TABLE,
  TrinoSqlLexer.T__0,
]);

/**
 * Trino SQL that dt-sql-parser's grammar reads otherwise than Trino's, blanked (every position
 * kept) into a form it reads as Trino does. Its top rule takes statements one after another
 * without `;`, so the first way to read a prefix won: `x > ALL (SELECT ...)` was a comparison with
 * a column named ALL and a second statement, `FROM t, LATERAL (SELECT ...)` a table named LATERAL
 * and a second statement, both refused as "nothing else" (Trino's grammar, one statement then
 * EOF, has `comparisonOperator comparisonQuantifier '(' query ')'` and `LATERAL '(' query ')'`).
 * Only before a query (`= ANY (ARRAY[...])` stays refused, as Trino refuses it).
 * Without the quantifier the subquery is a comparison's operand, without LATERAL a subquery in
 * FROM: the checks read the same names in it, and LATERAL's place is kept (`lateral`: the offset
 * of its `(`) so that they let it see the relations beside it. The engines run the text as written.
 */
function blankGrammarGaps(text: string, trino: TrinoSQL): { text: string; lateral: Set<number> } {
  const lateral = new Set<number>();
  if (!/\b(all|any|some|lateral)\b/i.test(text)) return { text, lateral };
  const visible = trino
    .createLexer(text, () => {})
    .getAllTokens()
    .filter((t) => t.channel === 0);
  const chars = Array.from(text);
  for (let i = 0; i < visible.length; i++) {
    const t = visible[i]!;
    if (visible[i + 1]?.text !== "(" || !QUERY_STARTS.has(visible[i + 2]?.type ?? -1)) continue;
    const quantifier = QUANTIFIERS.has(t.type) && COMPARISONS.has(visible[i - 1]?.type ?? -1);
    if (!quantifier && t.type !== TrinoSqlLexer.KW_LATERAL) continue;
    if (!quantifier) lateral.add(visible[i + 1]!.start);
    for (let k = t.start; k <= t.stop; k++) chars[k] = " ";
  }
  return { text: chars.join(""), lateral };
}
