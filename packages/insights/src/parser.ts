import { TokenCursor } from "@run-md/core";
import {
  type BinaryOp,
  type Command,
  type Expr,
  type InsightsQuery,
  type ParsePattern,
  type Projection,
  SERVICE_ONLY_COMMANDS,
} from "./ast.ts";
import { InsightsSyntaxError, TOO_DEEP_HINT, withinStack } from "./errors.ts";
import { arityProblem, lookupFunction } from "./functions.ts";
import { type Token, tokenize } from "./lexer.ts";
import { regexProblem } from "./regex.ts";

const COMMANDS = [
  "fields",
  "display",
  "filter",
  "where",
  "stats",
  "sort",
  "limit",
  "head",
  "tail",
  "dedup",
  "parse",
  "unmask",
  ...SERVICE_ONLY_COMMANDS,
] as const;

/** Newer commands the service has and this parser does not: reported as such, not as typos. */
const UNSUPPORTED_COMMANDS = new Set([
  "lookup",
  "join",
  "filterindex",
  "source",
  "addtotals",
  // Listed on CWL_QuerySyntax since (2026-12).
  "relevantfields",
  "expand",
  "autoregress",
  "logcompare",
  "cidrlookup",
  "outlier",
  "appendcols",
  "sessionize",
  "countfrequent",
]);

/** Commands that read what a step may not: other log groups (`SOURCE`, `join`), a lookup table. */
const OTHER_SOURCES = new Set(["source", "join", "lookup"]);

type CommandBody = Command extends infer C
  ? C extends unknown
    ? Omit<C, "start" | "end" | "text">
    : never
  : never;

/** The parse modes of CWL_QuerySyntax-Parse this parser does not read (`multi` follows a regex). */
const PARSE_MODES = new Set(["logfmt", "csv"]);

const RESERVED = new Set(["and", "or", "not", "like", "in", "as", "by", "asc", "desc"]);

/** Parse a Logs Insights query. Throws `InsightsSyntaxError` with the position of the first error. */
export function parseInsights(query: string): InsightsQuery {
  const parsed = withinStack(query, () => new Parser(query).parseQuery());
  assertShallow(parsed);
  return parsed;
}

/**
 * How deep a query may nest: parentheses, calls, NOTs and minus signs inside one another
 * (`MAX_NESTING`), and operators chained below one another (`MAX_DEPTH`: 1,000 ORs make a tree
 * 1,000 deep). Past them the parser, the translation and DuckDB (whose own limit is an expression
 * 1,000 deep) would run out of stack; JavaScript's stack size differs by machine and moment, so
 * without fixed bounds a query near the edge passed on one run and failed on the next (CI did).
 */
export const MAX_NESTING = 200;
export const MAX_DEPTH = 1000;

type Span = { start: number; end: number };

function tooDeep(query: string, at: Span, what: string): never {
  throw new InsightsSyntaxError(
    query,
    at.start,
    at.end - at.start,
    `the query nests too deeply: ${what}`,
    {
      hint: TOO_DEEP_HINT,
    },
  );
}

/** Refuse a parsed query whose expressions are more than `MAX_DEPTH` nodes deep (walked without recursion). */
function assertShallow(parsed: InsightsQuery): void {
  const stack: [unknown, number][] = parsed.commands.map((c) => [c, 0]);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, depth] = item;
    if (typeof value !== "object" || value === null) continue;
    const node = "kind" in value && "start" in value ? (value as unknown as Span) : undefined;
    const below = node ? depth + 1 : depth;
    if (below > MAX_DEPTH)
      tooDeep(parsed.source, node!, `its expressions are more than ${MAX_DEPTH} levels deep`);
    for (const child of Object.values(value)) stack.push([child, below]);
  }
}

class Parser extends TokenCursor<Token> {
  /** How many parentheses, calls, NOTs and minus signs enclose the expression being read. */
  private nesting = 0;

  constructor(private readonly src: string) {
    super(tokenize(src));
  }

  /** `parse` one level deeper; past `MAX_NESTING` levels, a syntax error at token `t`. */
  private deeper<T>(t: Token, parse: () => T): T {
    if (this.nesting > MAX_NESTING) {
      tooDeep(
        this.src,
        t,
        `more than ${MAX_NESTING} parentheses, calls, NOTs or minus signs inside one another`,
      );
    }
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  parseQuery(): InsightsQuery {
    const commands: Command[] = [];
    if (this.peek().kind === "eof") {
      this.fail(this.peek(), "the query is empty");
    }
    for (;;) {
      const next = this.peek();
      const prev = commands[commands.length - 1];
      const command = this.parseCommand();
      if (command.kind === "sort" && !commands.some((c) => c.kind === "stats")) {
        for (const k of command.keys) this.noAggregate(k.expr, "sort before stats");
      }
      if (prev?.kind === "dedup" && command.kind !== "limit") {
        this.fail(
          next,
          `only limit can follow dedup, found "${next.value}"`,
          "Sort before dedup; limit after it.",
        );
      }
      commands.push(command);
      const t = this.peek();
      if (t.kind === "eof") break;
      if (t.kind === "pipe") {
        this.next();
        if (this.peek().kind === "eof") this.fail(this.peek(), 'expected a command after "|"');
        continue;
      }
      this.fail(t, `expected "|" or the end of the query, found ${describe(t)}`);
    }
    return { source: this.src, commands };
  }

  // ---- tokens

  private prevEnd(): number {
    return this.tokens[Math.max(0, this.pos - 1)]!.end;
  }

  /** An error over a token or a node (`start` to `end` of the query). */
  private fail(t: { start: number; end: number }, message: string, hint?: string): never {
    throw new InsightsSyntaxError(
      this.src,
      t.start,
      t.end - t.start,
      message,
      hint ? { hint } : {},
    );
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === "ident" && !t.quoted && t.value.toLowerCase() === word;
  }

  private acceptKeyword(word: string): Token | undefined {
    if (this.isKeyword(this.peek(), word)) return this.next();
    return undefined;
  }

  private expect(kind: Token["kind"], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, `expected ${what}, found ${describe(t)}`);
    return this.next();
  }

  private text(start: number, end: number): string {
    return this.src.slice(start, end);
  }

  // ---- commands

  /** The command word at the cursor, checked against the commands this parser knows. */
  private commandWord(): Token {
    const t = this.peek();
    if (t.kind !== "ident" || t.quoted) {
      this.fail(t, `expected a command (${COMMANDS.join(", ")}), found ${describe(t)}`);
    }
    const word = t.value.toLowerCase();
    if (!(COMMANDS as readonly string[]).includes(word)) {
      if (OTHER_SOURCES.has(word)) {
        this.fail(
          t,
          `the "${t.value}" command is not supported by run-md: it reads other log groups or a lookup table, and a step reads only its log groups (log_groups= or the configuration's)`,
        );
      }
      if (UNSUPPORTED_COMMANDS.has(word)) {
        this.fail(t, `the "${t.value}" command is not supported by run-md`);
      }
      const guess = closest(word, COMMANDS);
      this.fail(
        t,
        `unknown command "${t.value}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
        `Commands: ${COMMANDS.join(", ")}; separate them with "|".`,
      );
    }
    return this.next();
  }

  private parseCommand(): Command {
    const t = this.commandWord();
    const body = this.commandBody(t.value.toLowerCase() as (typeof COMMANDS)[number], t.start);
    const end = this.prevEnd();
    return { ...body, start: t.start, end, text: this.text(t.start, end) } as Command;
  }

  /** What follows a command's word (which starts at `start`), by command. */
  private commandBody(word: (typeof COMMANDS)[number], start: number): CommandBody {
    switch (word) {
      case "fields":
      case "display":
        return { kind: word, items: this.parseProjections(word) };
      case "filter":
      case "where":
        return { kind: "filter", expr: this.parseCondition(word) };
      case "stats":
        return this.parseStats();
      case "sort":
        return { kind: "sort", keys: this.commaList(() => this.parseSortKey()) };
      case "limit":
        if (this.acceptKeyword("any")) {
          return { kind: "limit", count: this.parseCount("limit any"), from: word, any: true };
        }
        return { kind: "limit", count: this.parseCount(word), from: word };
      case "head":
      case "tail":
        return { kind: "limit", count: this.parseCount(word), from: word };
      case "dedup":
        return { kind: "dedup", fields: this.commaList(() => this.parseFieldRef("dedup")) };
      case "unmask": {
        const any = this.peek().kind === "ident";
        return {
          kind: "unmask",
          fields: any ? this.commaList(() => this.parseFieldRef(word)) : [],
        };
      }
      case "parse":
        return this.parseParse(start);
      default:
        return this.serviceOnlyBody(word);
    }
  }

  /** The commands only CloudWatch Logs runs, read as their pages write them. */
  private serviceOnlyBody(word: (typeof SERVICE_ONLY_COMMANDS)[number]): CommandBody {
    switch (word) {
      case "unnest": {
        const field = this.parseFieldRef(word);
        const into = this.peek();
        if (!this.acceptKeyword("into")) {
          this.fail(
            into,
            `expected "into" and a name after "unnest ${field.text}", found ${describe(into)}`,
          );
        }
        return { kind: word, field, into: this.parseFieldRef("into").text };
      }
      case "pattern":
        return { kind: word, source: this.parseCondition(word) };
      case "anomaly": {
        const t = this.peek();
        if (t.kind !== "eof" && t.kind !== "pipe") {
          this.fail(t, `anomaly takes no arguments, found ${describe(t)}`);
        }
        return { kind: word };
      }
      case "diff":
        return this.parseDiff();
      case "fillmissing":
        return this.parseFillmissing();
      case "filldown":
        return { kind: word, fields: this.parseFilldownFields() };
      case "accum": {
        const field = this.parseFieldRef(word);
        if (!this.acceptKeyword("as")) return { kind: word, field };
        return { kind: word, field, alias: this.parseFieldRef(`accum ${field.text} as`).text };
      }
    }
  }

  /** `diff`, or `diff` and one of the page's three modifiers. */
  private parseDiff(): CommandBody {
    const t = this.peek();
    if (t.kind === "eof" || t.kind === "pipe") return { kind: "diff" };
    const against = DIFF_MODIFIERS.find(
      (m) => t.kind === "ident" && !t.quoted && t.value.toLowerCase() === m.toLowerCase(),
    );
    if (against === undefined) {
      this.fail(
        t,
        `expected the end of diff or one of ${DIFF_MODIFIERS.join(", ")} after "diff", found ${describe(t)}`,
      );
    }
    this.next();
    return { kind: "diff", against };
  }

  /** `fillmissing`, or `fillmissing with value for field [, value for field ...]`. */
  private parseFillmissing(): CommandBody {
    const t = this.peek();
    if (t.kind === "eof" || t.kind === "pipe") return { kind: "fillmissing", fills: [] };
    if (!this.acceptKeyword("with")) {
      this.fail(t, `expected "with" or the end of fillmissing, found ${describe(t)}`);
    }
    const fills = this.commaList(() => {
      const v = this.peek();
      const value = this.parseUnary();
      const constant =
        ["number", "string", "param"].includes(value.kind) ||
        (value.kind === "neg" && value.operand.kind === "number");
      if (!constant) {
        this.fail(
          v,
          `fillmissing fills with a constant value (a number or a "string"), not "${value.text}"`,
        );
      }
      const f = this.peek();
      if (!this.acceptKeyword("for")) {
        this.fail(
          f,
          `expected "for" and a field after "with ${value.text}" in fillmissing, found ${describe(f)}`,
        );
      }
      return { value, field: this.parseFieldRef(`fillmissing with ${value.text} for`) };
    });
    return { kind: "fillmissing", fills };
  }

  /** `filldown`'s fields: names or wildcard patterns (`cpu*`), separated by spaces. */
  private parseFilldownFields(): string[] {
    const names: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof" || t.kind === "pipe") return names;
      if (t.kind !== "ident" && !(t.kind === "op" && t.value === "*")) {
        this.fail(
          t,
          `expected a field name or a wildcard pattern after "filldown", found ${describe(t)}`,
        );
      }
      // A pattern with `*` is one ident token (the lexer's `wildcard`).
      this.next();
      names.push(t.kind === "ident" ? t.value : "*");
    }
  }

  /** One or more of what `item` parses, separated by commas. */
  private commaList<T>(item: () => T): T[] {
    const items: T[] = [];
    do items.push(item());
    while (this.peek().kind === "comma" && this.next());
    return items;
  }

  private parseCondition(command: string): Expr {
    this.expectOperand(command);
    const expr = this.parseExpr();
    this.noAggregate(expr, command);
    return expr;
  }

  private parseSortKey(): { expr: Expr; descending: boolean } {
    this.expectOperand("sort");
    const expr = this.parseExpr();
    if (this.acceptKeyword("desc")) return { expr, descending: true };
    this.acceptKeyword("asc");
    return { expr, descending: false };
  }

  /** A positive whole number, or a parameter (its type and value are checked by `checkInsights`). */
  private parseCount(command: string): number | (Expr & { kind: "param" }) {
    const n = this.peek();
    if (n.kind === "param") {
      this.next();
      return {
        kind: "param",
        name: n.value,
        start: n.start,
        end: n.end,
        text: this.text(n.start, n.end),
      };
    }
    if (n.kind !== "number" || !Number.isInteger(n.number) || (n.number ?? 0) < 1) {
      this.fail(n, `expected a positive whole number after "${command}", found ${describe(n)}`);
    }
    this.next();
    return n.number!;
  }

  private expectOperand(after: string): void {
    const t = this.peek();
    if (t.kind === "eof" || t.kind === "pipe") {
      this.fail(t, `expected an expression after "${after}", found ${describe(t)}`);
    }
  }

  /** Expressions after `after`, each with an optional alias; no aggregate (`where` says where). */
  private parseProjections(after: string, where = after): Projection[] {
    return this.commaList(() => {
      this.expectOperand(after);
      const expr = this.parseExpr();
      this.noAggregate(expr, where);
      return this.finishProjection(expr);
    });
  }

  private finishProjection(expr: Expr): Projection {
    if (this.acceptKeyword("as")) {
      const a = this.peek();
      if (a.kind !== "ident" || (!a.quoted && RESERVED.has(a.value.toLowerCase()))) {
        this.fail(a, `expected a name after "as", found ${describe(a)}`);
      }
      this.next();
      return { expr, alias: a.value, name: a.value };
    }
    return { expr, name: expr.kind === "field" ? expr.name : expr.text };
  }

  private parseStats(): CommandBody {
    const items: Projection[] = [];
    this.commaList(() => {
      this.expectOperand("stats");
      const expr = this.parseExpr();
      const p = this.finishProjection(expr);
      if (!containsAggregate(expr) && !refersTo(expr, items)) {
        this.fail(
          expr,
          `"${expr.text}" is not an aggregate: stats takes functions such as count(*), sum(f), avg(f)`,
          'Group by a field with "stats count(*) by field".',
        );
      }
      items.push(p);
    });
    const by = this.acceptKeyword("by") ? this.parseProjections("by", "stats ... by") : [];
    if (by.length === 0 || !this.acceptKeyword("offset")) return { kind: "stats", items, by };
    const offset = this.parseExpr();
    if (offset.kind !== "period")
      this.fail(offset, `offset takes a period such as 1h or 1d, not "${offset.text}"`);
    return { kind: "stats", items, by, offset };
  }

  private parseParse(start: number): CommandBody {
    let source: Expr = { kind: "field", name: "@message", start, end: start, text: "@message" };
    const first = this.peek();
    if (first.kind === "ident") source = this.parseFieldRef("parse");
    const pt = this.peek();
    // CWL_QuerySyntax-Parse's logfmt and CSV modes (`parse [field] logfmt`): named, not read as
    // a pattern that is missing or as a field.
    const mode = (t: typeof pt) =>
      t.kind === "ident" && !t.quoted && PARSE_MODES.has(t.value.toLowerCase());
    if (mode(pt)) this.fail(pt, `the parse command's ${pt.value} mode is not supported by run-md`);
    if (source.start === first.start && mode(first) && (pt.kind === "eof" || pt.kind === "pipe"))
      this.fail(first, `the parse command's ${first.value} mode is not supported by run-md`);
    let pattern: ParsePattern;
    if (pt.kind === "string") {
      this.next();
      const stars = pt.value.split("*").length - 1;
      if (stars === 0) this.fail(pt, 'a parse pattern needs at least one "*" to capture');
      const asTok = this.peek();
      if (!this.acceptKeyword("as")) {
        this.fail(asTok, `expected "as" and ${stars} field name(s) after the parse pattern`);
      }
      const names = this.commaList(() => {
        const n = this.peek();
        if (n.kind !== "ident") this.fail(n, `expected a field name, found ${describe(n)}`);
        return this.next().value;
      });
      if (names.length !== stars) {
        this.fail(
          { start: asTok.start, end: this.prevEnd() },
          `the parse pattern has ${stars} "*" but ${names.length} field name(s) follow "as"`,
        );
      }
      pattern = { kind: "glob", text: pt.value, names };
    } else if (pt.kind === "regex") {
      this.next();
      const names = [...pt.value.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
      if (names.length === 0) {
        this.fail(pt, "a parse regular expression needs named groups such as (?<name>...)");
      }
      const problem = regexProblem(pt.value);
      if (problem) this.fail(pt, `invalid regular expression: ${problem}`);
      pattern = { kind: "regex", pattern: pt.value, names };
      // `parse field /regex/ multi`: a row for each match, which the translation has no form for.
      const after = this.peek();
      if (after.kind === "ident" && !after.quoted && after.value.toLowerCase() === "multi")
        this.fail(after, `the parse command's ${after.value} mode is not supported by run-md`);
    } else {
      this.fail(pt, `expected a "glob * pattern" or a /regular expression/, found ${describe(pt)}`);
    }
    return { kind: "parse", source, pattern };
  }

  private parseFieldRef(command: string): Expr {
    const t = this.peek();
    if (t.kind !== "ident" || (!t.quoted && RESERVED.has(t.value.toLowerCase()))) {
      this.fail(t, `expected a field name after "${command}", found ${describe(t)}`);
    }
    this.next();
    return {
      kind: "field",
      name: t.value,
      start: t.start,
      end: t.end,
      text: this.text(t.start, t.end),
    };
  }

  private noAggregate(expr: Expr, where: string): void {
    const agg = findAggregate(expr);
    if (agg) {
      this.fail(
        agg,
        `the aggregate function ${agg.name}() can only be used in stats, not in ${where}`,
      );
    }
  }

  // ---- expressions

  parseExpr(): Expr {
    return this.deeper(this.peek(), () => this.parseOr());
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): Expr {
    return {
      kind: "binary",
      op,
      left,
      right,
      start: left.start,
      end: right.end,
      text: this.text(left.start, right.end),
    };
  }

  /** A prefix operator's node: from its token to the end of its operand. */
  private prefixed(kind: "not" | "neg", t: Token, operand: Expr): Expr {
    return {
      kind,
      operand,
      start: t.start,
      end: operand.end,
      text: this.text(t.start, operand.end),
    };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.acceptKeyword("or")) left = this.binary("or", left, this.parseAnd());
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.acceptKeyword("and")) left = this.binary("and", left, this.parseNot());
    return left;
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (!this.isKeyword(t, "not")) return this.parseComparison();
    this.next();
    return this.prefixed(
      "not",
      t,
      this.deeper(t, () => this.parseNot()),
    );
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.kind === "op" && ["=", "!=", "<", "<=", ">", ">="].includes(t.value)) {
      this.next();
      const right = this.parseAdditive();
      return this.binary(t.value as BinaryOp, left, right);
    }
    if (t.kind === "op" && t.value === "=~") {
      this.next();
      const p = this.peek();
      // As "like": a "string" is a substring, a /regular expression/ a match (AWS's filter docs).
      if (p.kind !== "string" && p.kind !== "regex" && p.kind !== "param") {
        this.fail(
          p,
          `expected a "string" or a /regular expression/ after "=~", found ${describe(p)}`,
        );
      }
      const pattern = this.parsePrimary();
      return this.like(false, left, pattern);
    }
    let negated = false;
    if (this.isKeyword(t, "not")) {
      const after = this.peek(1);
      if (this.isKeyword(after, "like") || this.isKeyword(after, "in")) {
        this.next();
        negated = true;
      }
    }
    const op = this.peek();
    if (this.isKeyword(op, "like")) {
      this.next();
      const p = this.peek();
      if (p.kind !== "string" && p.kind !== "regex" && p.kind !== "param") {
        this.fail(
          p,
          `expected a "string" or a /regular expression/ after "like", found ${describe(p)}`,
        );
      }
      return this.like(negated, left, this.parsePrimary());
    }
    if (this.isKeyword(op, "in")) {
      this.next();
      this.expect("lbracket", '"[" to open the list after "in"');
      const values =
        this.peek().kind === "rbracket"
          ? []
          : this.commaList(() => {
              this.expectOperand("[");
              return this.parseAdditive();
            });
      if (values.length === 0) this.fail(this.peek(), 'the list after "in" is empty');
      this.expect("rbracket", '"," or "]"');
      const end = this.prevEnd();
      return {
        kind: "in",
        negated,
        operand: left,
        values,
        start: left.start,
        end,
        text: this.text(left.start, end),
      };
    }
    return left;
  }

  private like(negated: boolean, operand: Expr, pattern: Expr): Expr {
    if (pattern.kind === "regex") this.checkRegex(pattern);
    return {
      kind: "like",
      negated,
      operand,
      pattern,
      start: operand.start,
      end: pattern.end,
      text: this.text(operand.start, pattern.end),
    };
  }

  private checkRegex(r: Expr & { kind: "regex" }): void {
    const problem = regexProblem(r.pattern);
    if (problem) this.fail(r, `invalid regular expression ${r.text}: ${problem}`);
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind === "op" && (t.value === "+" || t.value === "-")) {
        this.next();
        left = this.binary(t.value, left, this.parseMultiplicative());
      } else return left;
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind === "op" && (t.value === "*" || t.value === "/" || t.value === "%")) {
        this.next();
        left = this.binary(t.value, left, this.parseUnary());
      } else return left;
    }
  }

  private parsePower(): Expr {
    const left = this.parsePrimary();
    const t = this.peek();
    if (t.kind === "op" && t.value === "^") {
      this.next();
      return this.binary(
        "^",
        left,
        this.deeper(t, () => this.parseUnary()),
      );
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind !== "op" || t.value !== "-") return this.parsePower();
    this.next();
    return this.prefixed(
      "neg",
      t,
      this.deeper(t, () => this.parseUnary()),
    );
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const base = { start: t.start, end: t.end, text: this.text(t.start, t.end) };
    switch (t.kind) {
      case "number":
        this.next();
        return { kind: "number", value: t.number!, ...base };
      case "period":
        this.next();
        if (t.param !== undefined)
          return { kind: "period", amount: Number.NaN, unit: t.unit!, param: t.param, ...base };
        return { kind: "period", amount: t.number!, unit: t.unit!, ...base };
      case "string":
        this.next();
        return { kind: "string", value: t.value, ...base };
      case "regex":
        this.next();
        return { kind: "regex", pattern: t.value, ...base };
      case "param":
        this.next();
        return { kind: "param", name: t.value, ...base };
      case "lparen": {
        this.next();
        this.expectOperand("(");
        const inner = this.parseExpr();
        this.expect("rparen", '")"');
        // Keep the parentheses in the text, so stats names read as written.
        return {
          ...inner,
          start: t.start,
          end: this.prevEnd(),
          text: this.text(t.start, this.prevEnd()),
        };
      }
      case "ident": {
        if (!t.quoted && this.peek(1).kind === "lparen") return this.parseCall();
        if (!t.quoted && RESERVED.has(t.value.toLowerCase())) {
          this.fail(t, `expected a field or a value, found the keyword "${t.value}"`);
        }
        this.next();
        return { kind: "field", name: t.value, ...base };
      }
      default:
        this.fail(t, `expected a field or a value, found ${describe(t)}`);
    }
  }

  private parseCall(): Expr {
    const nameTok = this.next();
    const spec = lookupFunction(nameTok.value);
    if (!spec) {
      this.fail(nameTok, `unknown function "${nameTok.value}"`);
    }
    this.next(); // (
    let args: Expr[] = [];
    let star = false;
    if (this.peek().kind === "op" && this.peek().value === "*" && this.peek(1).kind === "rparen") {
      if (!spec.star) this.fail(this.peek(), `${spec.name}(*) is not allowed; name a field`);
      star = true;
      this.next();
    } else if (this.peek().kind !== "rparen") {
      args = this.commaList(() => {
        this.expectOperand(`${spec.name}(`);
        return this.parseExpr();
      });
    }
    const close = this.peek();
    if (close.kind !== "rparen")
      this.fail(close, `expected "," or ")" in the call of ${spec.name}, found ${describe(close)}`);
    this.next();
    const wrongCount = star ? undefined : arityProblem(spec, args.length);
    if (wrongCount) this.fail({ start: nameTok.start, end: close.end }, wrongCount);
    if (spec.aggregate) {
      for (const a of args) {
        const inner = findAggregate(a);
        if (inner) {
          this.fail(
            inner,
            `aggregate functions cannot be nested: ${inner.name}() inside ${spec.name}()`,
          );
        }
      }
    }
    const end = close.end;
    return {
      kind: "call",
      name: spec.name,
      args,
      star,
      start: nameTok.start,
      end,
      text: this.text(nameTok.start, end),
    };
  }
}

const DIFF_MODIFIERS = ["previousDay", "previousWeek", "previousMonth"] as const;

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "the end of the query";
    case "pipe":
      return '"|"';
    case "string":
      return `the string ${JSON.stringify(t.value)}`;
    case "regex":
      return `the regular expression /${t.value}/`;
    case "ident":
      return t.quoted ? `\`${t.value}\`` : `"${t.value}"`;
    case "param":
      return `the parameter {{${t.value}}}`;
    default:
      return `"${t.value}"`;
  }
}

function walk(e: Expr, visit: (e: Expr) => boolean): boolean {
  if (visit(e)) return true;
  switch (e.kind) {
    case "call":
      return e.args.some((a) => walk(a, visit));
    case "not":
    case "neg":
      return walk(e.operand, visit);
    case "binary":
      return walk(e.left, visit) || walk(e.right, visit);
    case "like":
      return walk(e.operand, visit) || walk(e.pattern, visit);
    case "in":
      return walk(e.operand, visit) || e.values.some((v) => walk(v, visit));
    default:
      return false;
  }
}

export function findAggregate(e: Expr): (Expr & { kind: "call" }) | undefined {
  let found: (Expr & { kind: "call" }) | undefined;
  walk(e, (x) => {
    if (x.kind === "call" && lookupFunction(x.name)?.aggregate) {
      found = x;
      return true;
    }
    return false;
  });
  return found;
}

export function containsAggregate(e: Expr): boolean {
  return findAggregate(e) !== undefined;
}

/** Whether `e` refers to an alias given earlier in the same stats command. */
function refersTo(e: Expr, items: Projection[]): boolean {
  const names = new Set(items.map((i) => i.name));
  return walk(e, (x) => x.kind === "field" && names.has(x.name));
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
