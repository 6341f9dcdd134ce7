import {
  type BoundParam,
  fixedPathLength,
  insightsRegexLiteral,
  type ParamType,
  type ParamValue,
  sqlStringLiteral,
} from "@run-md/core";
import type { Command, Expr, InsightsQuery, Projection } from "./ast.ts";
import {
  ambiguousPower,
  binOffset,
  deliveryField,
  serviceOnlyCommand,
  powerGrouping,
  structureAccess,
  translateCall,
  valueAsCondition,
} from "./calls.ts";
import { assertInsights } from "./check.ts";
import {
  type Col,
  dbl,
  naturalKey,
  num,
  numberLiteral,
  numberOfText,
  render,
  str,
  type T,
  ts,
  twoValued,
} from "./columns.ts";
import {
  InsightsSyntaxError,
  InsightsUnsupportedError,
  refusalText,
  TOO_DEEP_HINT,
  withinStack,
} from "./errors.ts";
import { arityProblem, lookupFunction } from "./functions.ts";
import { tokenize } from "./lexer.ts";
import { renderInsightsQuery } from "./literal.ts";
import { parseInsights } from "./parser.ts";
import { captureGroups, regexProblem, toRe2 } from "./regex.ts";

/**
 * Translation of a Logs Insights query to one DuckDB SELECT over a relation of CloudWatch-style
 * events: `("@timestamp" TIMESTAMPTZ, "@message" VARCHAR (the event JSON), "@logStream" VARCHAR,
 * "@log" VARCHAR, "@ptr" VARCHAR)`, already scoped to the time window.
 *
 * The query becomes a chain of CTEs, one per command. Columns inside the chain have generated
 * names (`ts`, `msg`, `j1`, `d1`, `s1`, ...), so no field name or string of the query ever
 * becomes SQL text other than inside a quoted literal or the final quoted column alias.
 */

export interface TranslateOptions {
  /** The relation to read: a table or view name, optionally schema-qualified (`main.cwl_events`). */
  relation: string;
  /** Rows returned when the query has no `limit`: the service's default is 10,000. */
  defaultLimit?: number;
  /** Values of `{{name}}` references, bound as SQL literals (never spliced into the query text). */
  params?: Record<string, ParamValue | BoundParam>;
  /**
   * Whether to refuse, as every engine does, a query `checkInsights` finds a problem in (a field
   * CloudTrail records do not have, a parameter where its type does not fit); default true.
   * False for a CloudWatch Logs double, which reads any field.
   */
  check?: boolean;
}

export interface InsightsTranslation {
  sql: string;
  /** Output field names, in order. */
  columns: string[];
  /** Whether the query aggregates (has `stats`): the service adds no `@ptr` to such results. */
  aggregated: boolean;
  /**
   * The row limit the query did not choose (the service's default), when it has no `limit`: a
   * result of that many rows may have been cut.
   */
  defaultLimit?: number;
}

/** A group of a parse pattern: its capture-group index, name, pattern, and whether the match may skip it. */
interface ParseGroup {
  index: number;
  name: string;
  body: string;
  skippable: boolean;
}

interface OrderKey {
  sql: string;
  type: T;
  descending: boolean;
  /** Ordered as SQL orders it, not by the natural sort: the events' tie-breaker. */
  plain?: boolean;
}

/**
 * The events' own order, newest first: events of one second (CloudTrail writes many) follow
 * their @ptr, so that `limit`, `dedup` and sort ties keep the same events from run to run.
 */
const EVENT_ORDER: OrderKey[] = [
  { sql: "ts", type: "timestamp", descending: true },
  { sql: "ptr", type: "string", descending: false, plain: true },
];

interface Scope {
  mode: "events" | "aggregated";
  cols: Map<string, Col>;
  order: OrderKey[];
  outputs: string[] | null;
  /** Whether a `display` has set the outputs: a later `fields` then adds no column to them. */
  displayed?: boolean;
}

export function sqlString(s: string): string {
  if (s.includes("\u0000")) throw new Error("a NUL character cannot appear in a query literal");
  return sqlStringLiteral(s);
}

export function sqlIdent(s: string): string {
  if (s.includes("\u0000")) throw new Error("a NUL character cannot appear in an identifier");
  return `"${s.replace(/"/g, '""')}"`;
}

function relationSql(relation: string): string {
  const parts = relation.split(".");
  if (parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(p))) {
    throw new Error(`relation must be a plain (optionally qualified) name, got ${relation}`);
  }
  return parts.map(sqlIdent).join(".");
}

/** Parse and translate a Logs Insights query to DuckDB SQL. */
export function translateInsights(
  query: string | InsightsQuery,
  opts: TranslateOptions,
): InsightsTranslation {
  const ast = typeof query === "string" ? parseInsights(query) : query;
  return withinStack(ast.source, () => {
    if (opts.check !== false) {
      const bound = boundParams(opts.params);
      const types: Record<string, ParamType> = {};
      const values: Record<string, ParamValue> = {};
      for (const [name, p] of Object.entries(bound)) {
        types[name] = p.type;
        values[name] = p.value;
      }
      assertInsights(ast, { types, values });
    }
    return new Translator(ast, opts).run();
  });
}

/** Each parameter with its type: a bare value's type is its JavaScript type's. */
function boundParams(params: TranslateOptions["params"]): Record<string, BoundParam> {
  const out: Record<string, BoundParam> = {};
  for (const [name, p] of Object.entries(params ?? {})) {
    if (typeof p === "object") out[name] = p;
    else {
      const type = typeof p === "boolean" ? "boolean" : typeof p === "number" ? "number" : "string";
      out[name] = { type, value: p };
    }
  }
  return out;
}

/** The most SQL one expression may become (a nested call can double its argument's). */
const MAX_EXPR_SQL = 1_000_000;

class Translator {
  private readonly src: string;
  private readonly ctes: string[] = [];
  private cur = "e1";
  private counter = 0;
  private readonly jsonPaths = new Map<string, string>();
  private sawLimit = false;
  private aggregated = false;
  private scope: Scope = {
    mode: "events",
    cols: new Map(),
    order: EVENT_ORDER,
    outputs: null,
  };

  constructor(
    private readonly ast: InsightsQuery,
    private readonly opts: TranslateOptions,
  ) {
    this.src = ast.source;
  }

  run(): InsightsTranslation {
    for (const c of this.ast.commands) this.command(c);
    const outputs = dedupe(this.scope.outputs ?? ["@timestamp", "@message"]);
    const select = outputs.map((name) => {
      const col = this.resolveName(name);
      return `${render(col)} AS ${sqlIdent(this.outputName(name))}`;
    });
    const defaultLimit = Math.floor(this.opts.defaultLimit ?? 10_000);
    const limit = this.sawLimit ? "" : ` LIMIT ${defaultLimit}`;
    const final = `SELECT ${select.join(", ")} FROM ${this.cur}${orderBy(this.scope.order)}${limit}`;
    const { base, extract } = this.eventSql();
    const all = [`e0 AS (${base})`, `e1 AS (${extract})`, ...this.ctes];
    return {
      sql: `WITH ${all.join(",\n")}\n${final}`,
      columns: outputs.map((name) => this.outputName(name)),
      aggregated: this.aggregated,
      ...(this.sawLimit ? {} : { defaultLimit }),
    };
  }

  /**
   * The events (`e0`) and their fields the query names (`e1`), every field taken from the
   * event's JSON in one `json_extract` of all their pointers (`fieldPointers`).
   */
  private eventSql(): { base: string; extract: string } {
    const pointers: string[] = [];
    const fields = [...this.jsonPaths.entries()].map(([key, col]) => {
      const values = fieldPointers(key).map((p) => {
        pointers.push(p);
        return jsonValue(`jl[${pointers.length}]`);
      });
      return `${values.length > 1 ? `coalesce(${values.join(", ")})` : values[0]} AS ${col}`;
    });
    const base = [
      `SELECT timezone('UTC', "@timestamp") AS ts, "@message" AS msg, "@logStream" AS lstream, "@log" AS lgroup, "@ptr" AS ptr`,
      pointers.length > 0
        ? `, json_extract("@message", [${pointers.map(sqlString).join(", ")}]) AS jl`
        : "",
      ` FROM ${relationSql(this.opts.relation)}`,
    ].join("");
    const extract = fields.length ? `SELECT *, ${fields.join(", ")} FROM e0` : "SELECT * FROM e0";
    return { base, extract };
  }

  /**
   * An output column's name as the service names it: from the text of the query it gets, with
   * each parameter rendered (`stats count(*) by bin({{h}}h)` gives `bin(6h)`).
   */
  private outputName(name: string): string {
    if (!name.includes("{{")) return name;
    return renderInsightsQuery(name, boundParams(this.opts.params)).text;
  }

  // ---- plumbing

  private fresh(prefix: string): string {
    this.counter++;
    return `${prefix}${this.counter}`;
  }

  private addCte(sql: string): void {
    const name = this.fresh("c");
    this.ctes.push(`${name} AS (${sql})`);
    this.cur = name;
  }

  private unsupported(node: { start: number; end: number }, message: string): never {
    throw new InsightsUnsupportedError(this.src, node.start, node.end - node.start, message);
  }

  /** Make `sql` a column of the current relation, reusing plain column references. */
  private materialize(cols: Col[]): Col[] {
    const derived: string[] = [];
    const out = cols.map((c) => {
      if (/^[a-z]+\d*$/.test(c.sql)) return c;
      const name = this.fresh("d");
      derived.push(`${c.sql} AS ${name}`);
      return { sql: name, type: c.type };
    });
    if (derived.length) this.addCte(`SELECT *, ${derived.join(", ")} FROM ${this.cur}`);
    return out;
  }

  // ---- commands

  private command(c: Command): void {
    switch (c.kind) {
      case "fields":
      case "display": {
        const computed: Array<{ name: string; col: Col }> = [];
        const names: string[] = [];
        for (const item of c.items) {
          names.push(item.name);
          if (item.expr.kind === "field" && item.alias === undefined) {
            this.resolveName(item.expr.name, item.expr);
            continue;
          }
          computed.push({ name: item.name, col: this.expr(item.expr) });
        }
        const cols = this.materialize(computed.map((x) => x.col));
        for (const [i, x] of computed.entries()) this.scope.cols.set(x.name, cols[i]!);
        // The service shows only the last display's fields; fields add theirs when no display
        // comes before them (CWL_QuerySyntax-Display, -Fields).
        if (c.kind === "display") {
          this.scope.outputs = names;
          this.scope.displayed = true;
        } else if (!this.scope.displayed) {
          this.scope.outputs = [...(this.scope.outputs ?? []), ...names];
        }
        return;
      }
      case "filter":
        this.addCte(`SELECT * FROM ${this.cur} WHERE ${this.condition(c.expr, this.expr(c.expr))}`);
        return;
      case "stats":
        this.stats(c.items, c.by, c.offset);
        return;
      case "sort": {
        const cols = this.materialize(c.keys.map((k) => this.expr(k.expr)));
        const keys = cols.map((col, i) => ({ ...col, descending: c.keys[i]!.descending }));
        // Ties keep the order they had (the groups', or the events' newest first): the service
        // does not say how it breaks them, and a report's rows must not change between runs.
        this.scope.order = [...keys, ...this.scope.order];
        return;
      }
      case "limit": {
        // `limit any N`: any N events, "not guaranteed to be in any particular order"
        // (CWL_QuerySyntax-Limit): the first N in the order so far are one such answer.
        const order =
          c.from === "tail"
            ? this.scope.order.map((k) => ({ ...k, descending: !k.descending }))
            : this.scope.order;
        this.addCte(`SELECT * FROM ${this.cur}${orderBy(order)} LIMIT ${this.count(c.count)}`);
        this.sawLimit = true;
        return;
      }
      case "dedup":
        this.dedup(c.fields);
        return;
      case "parse": {
        const source = str(this.expr(c.source));
        const { regex, groups } =
          c.pattern.kind === "glob"
            ? globToRegex(c.pattern.text)
            : regexGroups(c.pattern.pattern, c.pattern.names);
        const re = sqlString(regex);
        const cols = groups.map((g) => {
          const value = `regexp_extract(${source}, ${re}, ${g.index})`;
          return `CASE WHEN regexp_matches(${source}, ${re}) THEN ${g.skippable ? this.tookPart(c, value, g) : value} END`;
        });
        const names = c.pattern.names;
        const made = this.materialize(cols.map((sql) => ({ sql, type: "string" as T })));
        for (const [i, n] of names.entries()) this.scope.cols.set(n, made[i]!);
        return;
      }
      case "unmask":
        // Data-protection masking does not exist locally: the values are already clear.
        return;
      default:
        this.unsupported(c, serviceOnlyCommand(c.kind));
    }
  }

  /**
   * A parse group's `value` where the match may have left the group out: DuckDB gives '' for a
   * group that took no part, which is no field ("without the extracted fields", CWL_QuerySyntax-
   * Parse). '' is the group's own match only where its pattern can match nothing; there the two
   * cannot be told apart, and the step fails at the parse rather than guess.
   */
  private tookPart(c: Command, value: string, g: ParseGroup): string {
    const message = refusalText(
      c,
      `parse: the group (?<${g.name}>${g.body}) may take no part in the match and may match the empty string, which the local engine cannot tell apart (CloudWatch Logs runs it: use --engine logs; or make the group match at least one character)`,
    );
    return `(CASE WHEN ${value} <> '' THEN ${value} WHEN NOT regexp_full_match('', ${sqlString(toRe2(g.body))}) THEN NULL ELSE error(${sqlString(message)}) END)`;
  }

  private dedup(fields: Expr[]): void {
    const keys = this.materialize(fields.map((f) => this.expr(f)));
    // Events where a dedup field is missing are kept, as the service does.
    const nulls = keys.map((k) => `${k.sql} IS NULL`).join(" OR ");
    const partition = keys.map((k) => k.sql).join(", ");
    this.addCte(
      `SELECT * FROM ${this.cur} QUALIFY ${nulls} OR row_number() OVER (PARTITION BY ${partition}${orderBy(this.scope.order)}) = 1`,
    );
  }

  private stats(items: Projection[], by: Projection[], offset?: Expr): void {
    if (offset !== undefined) this.unsupported(offset, binOffset());
    const inAggregate = new Map<string, Col>();
    const select: string[] = [];
    const next = new Map<string, Col>();
    const names: string[] = [];
    by.forEach((p) => {
      const col = this.expr(p.expr);
      const name = this.fresh("s");
      select.push(`${col.sql} AS ${name}`);
      next.set(p.name, { sql: name, type: col.type });
      names.push(p.name);
    });
    for (const p of items) {
      const col = this.expr(p.expr, inAggregate);
      inAggregate.set(p.name, col);
      const name = this.fresh("s");
      select.push(`${col.sql} AS ${name}`);
      next.set(p.name, { sql: name, type: col.type });
      names.push(p.name);
    }
    const groupBy = by.length ? ` GROUP BY ${by.map((_, i) => i + 1).join(", ")}` : "";
    this.addCte(`SELECT ${select.join(", ")} FROM ${this.cur}${groupBy}`);
    this.aggregated = true;
    // The service does not say in which order groups come; sorting by the groups keeps a
    // report's rows in the same order from one run to the next.
    const order = by.map((p) => ({ ...next.get(p.name)!, descending: false }));
    this.scope = { mode: "aggregated", cols: next, order, outputs: names };
  }

  // ---- names and expressions

  private resolveName(name: string, node?: { start: number; end: number }): Col {
    const known = this.scope.cols.get(name);
    if (known) return known;
    if (this.scope.mode === "aggregated") return { sql: "NULL", type: "null" };
    switch (name) {
      case "@timestamp":
        return { sql: "ts", type: "timestamp" };
      case "@message":
        return { sql: "msg", type: "string" };
      case "@ptr":
        return { sql: "ptr", type: "string" };
      // Files and stores keep neither the log group an event went to (the service's @log is
      // account-id:log-group-name), nor its log stream (CloudTrail names it
      // account_ID_CloudTrail_trail_region, "_number" added when it delivers to several:
      // cloudwatch-log-group-log-stream-naming-for-cloudtrail), nor when it arrived there: a
      // value would be a guess.
      case "@log":
      case "@logStream":
      case "@ingestionTime":
        return this.unsupported(node ?? { start: 0, end: 0 }, deliveryField(name));
    }
    if (/[[`]/.test(name))
      return this.unsupported(node ?? { start: 0, end: 0 }, structureAccess(name));
    // The service names a key of the event that starts with "@" with one more "@" (`@@version`
    // for `@version`); a name with one "@" is a field the service makes, and it makes no other.
    if (name.startsWith("@") && !name.startsWith("@@")) return { sql: "NULL", type: "null" };
    const key = name.startsWith("@@") ? name.slice(1) : name;
    let col = this.jsonPaths.get(key);
    if (!col) {
      col = `j${this.jsonPaths.size + 1}`;
      this.jsonPaths.set(key, col);
    }
    return { sql: col, type: "string" };
  }

  /**
   * An expression; `aliases` (the earlier items of the same `stats`) is given inside a `stats`
   * item. There an aggregate call (never nested: the parser refuses that) is computed over the
   * current relation even when an earlier stage has a column of the same text (`stats count(*) by
   * x | stats count(*)` counts the groups); elsewhere (`sort count(*)`) the text names the column.
   */
  private expr(e: Expr, aliases?: Map<string, Col>): Col {
    const col = this.exprOf(e, aliases);
    // Some functions' SQL names their argument more than once (toupper, isempty, sqrt), so each
    // nested call doubled it: 200 of them, within the parser's bound, ran out of memory.
    if (col.sql.length > MAX_EXPR_SQL) {
      throw new InsightsSyntaxError(
        this.src,
        e.start,
        e.end - e.start,
        `the query nests too deeply: its SQL would be more than ${MAX_EXPR_SQL.toLocaleString("en-US")} characters from this expression`,
        { hint: TOO_DEEP_HINT },
      );
    }
    return col;
  }

  private exprOf(e: Expr, aliases?: Map<string, Col>): Col {
    if (ambiguousPower(e)) this.unsupported(e, powerGrouping(e.text));
    const computed = aliases !== undefined && isAggregate(e);
    if (e.kind !== "field" && !computed) {
      const named = this.scope.cols.get(e.text);
      if (named) return named;
    }
    switch (e.kind) {
      case "field":
        return aliases?.get(e.name) ?? this.resolveName(e.name, e);
      case "string":
        return { sql: sqlString(e.value), type: "string" };
      case "number":
        return { sql: numberLiteral(e.value), type: "number" };
      case "param":
        return this.param(e);
      case "period":
        return this.unsupported(
          e,
          `a time period such as ${e.text} only goes in bin(), datefloor() or dateceil()`,
        );
      case "regex":
        return this.unsupported(e, `a regular expression only goes after "like" or "=~"`);
      case "neg":
        return { sql: `(- ${num(this.expr(e.operand, aliases))})`, type: "number" };
      case "not":
        return {
          sql: `(NOT ${this.condition(e.operand, this.expr(e.operand, aliases))})`,
          type: "boolean",
        };
      case "binary":
        return this.binary(e, aliases);
      case "like": {
        const operand = str(this.expr(e.operand, aliases));
        let test: string;
        if (e.pattern.kind === "regex" || e.pattern.kind === "param") {
          const pattern =
            e.pattern.kind === "regex" ? e.pattern.pattern : this.paramPattern(e.pattern);
          test = `regexp_matches(${operand}, ${sqlString(toRe2(pattern))})`;
        } else {
          const pat = this.expr(e.pattern, aliases);
          test = `contains(${operand}, ${str(pat)})`;
        }
        // A missing field matches neither `like` nor `not like` (docs/engines.md).
        return { sql: twoValued(e.negated ? `(NOT ${test})` : test), type: "boolean" };
      }
      case "in": {
        const values = e.values.map((v) => this.expr(v, aliases));
        const operand = this.expr(e.operand, aliases);
        const numeric = values.every((v) => v.type === "number" || v.type === "boolean");
        const lhs = numeric ? num(operand) : str(operand);
        const list = values.map((v) => (numeric ? num(v) : str(v))).join(", ");
        return {
          sql: twoValued(`(${lhs} ${e.negated ? "NOT IN" : "IN"} (${list}))`),
          type: "boolean",
        };
      }
      case "call":
        return this.call(e, aliases);
    }
  }

  /** A limit's count: the number, or its parameter's value, a positive whole number. */
  private count(count: number | (Expr & { kind: "param" })): number {
    if (typeof count === "number") return count;
    return this.wholeParam(count, count.name, "limit takes");
  }

  /** A parameter's value that must be a positive whole number (a count, a period's). */
  private wholeParam(at: Expr, name: string, what: string): number {
    const col = this.param({ kind: "param", name, start: at.start, end: at.end, text: at.text });
    const n = Number(col.sql);
    if (col.type !== "number" || !Number.isInteger(n) || n < 1) {
      throw new InsightsSyntaxError(
        this.src,
        at.start,
        at.end - at.start,
        `${what} a positive whole number: {{${name}}} is not one`,
        { code: "insights-param" },
      );
    }
    return n;
  }

  private param(e: Expr & { kind: "param" }): Col {
    const p = this.opts.params?.[e.name];
    if (p === undefined) {
      throw new InsightsSyntaxError(
        this.src,
        e.start,
        e.end - e.start,
        `unknown parameter {{${e.name}}}`,
        {
          code: "unknown-param",
          hint: "Declare it under params: in the front matter, or use a built-in: start, end, start_date, end_date.",
        },
      );
    }
    const v = typeof p === "object" ? p.value : p;
    const type = typeof p === "object" ? p.type : undefined;
    if (typeof v === "boolean") return { sql: v ? "1" : "0", type: "number" };
    if (typeof v === "number" || type === "integer" || type === "number") {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`parameter ${e.name} is not a finite number`);
      return { sql: numberLiteral(n), type: "number" };
    }
    return { sql: sqlString(String(v)), type: "string" };
  }

  /**
   * The regular expression a `like {{name}}` pattern is: the value rendered as the `/.../` literal
   * the logs engine sends (core's `insightsRegexLiteral`), read back by the lexer, so both
   * engines match the same pattern.
   */
  private paramPattern(e: Expr & { kind: "param" }): string {
    this.param(e); // an unknown parameter is reported as everywhere else
    const p = this.opts.params![e.name]!;
    const value = typeof p === "object" ? p.value : p;
    const pattern = tokenize(insightsRegexLiteral(e.name, String(value)))[0]!.value;
    const problem = regexProblem(pattern);
    if (problem !== undefined) {
      throw new InsightsSyntaxError(
        this.src,
        e.start,
        e.end - e.start,
        `{{${e.name}}} is a regular expression here and its value is not one: ${problem}`,
        { code: "insights-param" },
      );
    }
    return pattern;
  }

  /**
   * `col`, the translation of `e`, as a condition: a comparison, `like`, `in`, `not`, `and`/`or`
   * or a function that returns true or false. A value (`filter readOnly`) is refused at `e`:
   * AWS's documentation does not say which values pass (calls.ts `valueAsCondition`).
   */
  private condition(e: Expr, col: Col): string {
    if (col.type !== "boolean") this.unsupported(e, valueAsCondition(e.text));
    return col.sql;
  }

  private binary(e: Expr & { kind: "binary" }, aliases?: Map<string, Col>): Col {
    const l = this.expr(e.left, aliases);
    const r = this.expr(e.right, aliases);
    switch (e.op) {
      case "and":
      case "or":
        return {
          sql: `(${this.condition(e.left, l)} ${e.op.toUpperCase()} ${this.condition(e.right, r)})`,
          type: "boolean",
        };
      case "=":
      case "!=":
      case "<":
      case "<=":
      case ">":
      case ">=": {
        const op = e.op === "!=" ? "<>" : e.op;
        if (l.type === "null" || r.type === "null") return { sql: "false", type: "boolean" };
        const isNum = (c: Col) => c.type === "number" || c.type === "boolean";
        let sql: string;
        if (isNum(l) || isNum(r)) sql = `(${num(l)} ${op} ${num(r)})`;
        else if (l.type === "timestamp" || r.type === "timestamp")
          sql = `(${ts(l)} ${op} ${ts(r)})`;
        else if (e.left.kind !== "string" && e.right.kind !== "string")
          sql = fieldComparison(str(l), op, str(r));
        else sql = `(${str(l)} ${op} ${str(r)})`;
        return { sql: twoValued(sql), type: "boolean" };
      }
      case "^":
        return { sql: `power(${num(l)}, ${num(r)})`, type: "number" };
      case "/":
        // Logs Insights divides as doubles (count(*) / 60 is 0.5 for 30 events); explicit casts
        // keep it so whatever the session's integer-division setting (Trino's 5 / 2 = 2).
        return { sql: `(${dbl(l)} / ${dbl(r)})`, type: "number" };
      default:
        // As doubles too: the service's arithmetic is numeric, never an integer overflow
        // (toMillis(@timestamp) * 1000000 is 1.7e18; count(*) * 4e9 * 4e9 is beyond INT64).
        return { sql: `(${dbl(l)} ${e.op} ${dbl(r)})`, type: "number" };
    }
  }

  private call(e: Expr & { kind: "call" }, aliases?: Map<string, Col>): Col {
    // A syntax tree handed over (not parsed here) may hold a count the parser refuses.
    const spec = lookupFunction(e.name);
    const wrongCount = spec && !e.star ? arityProblem(spec, e.args.length) : undefined;
    if (wrongCount) throw new InsightsSyntaxError(this.src, e.start, e.end - e.start, wrongCount);
    // A `{{n}}h` period takes its parameter's count here, as the service gets it rendered.
    const args = e.args.map((a) =>
      a.kind === "period" && a.param !== undefined
        ? { ...a, amount: this.wholeParam(a, a.param, `the period ${a.text} takes`) }
        : a,
    );
    // An aggregate reads the events: a name in its arguments is the event's field, never an
    // earlier item of the same stats (`count(*) as eventName, count_distinct(eventName)`).
    const inner = isAggregate(e) ? undefined : aliases;
    return translateCall({
      call: { ...e, args },
      arg: (i) => this.expr(e.args[i]!, inner),
      args: () => e.args.map((x) => this.expr(x, inner)),
      timestamp: () => {
        const t = this.resolveName("@timestamp");
        if (t.type !== "timestamp")
          this.unsupported(e, `${e.name}() needs @timestamp, which this stage no longer has`);
        return t;
      },
      pointer: () => this.resolveName("@ptr"),
      unsupported: (node, message) => this.unsupported(node, message),
    });
  }
}

// ---- SQL helpers

function isAggregate(e: Expr): boolean {
  return e.kind === "call" && lookupFunction(e.name)?.aggregate === true;
}

/**
 * Two fields: as numbers when both are number values (9 < 10, 5 = 5.0; the same values sort
 * treats as numbers), else as text. As exact decimals of 10 places first (28-digit integers
 * stay apart); values that round to the same decimal (0.12345678901 and 0.12345678902) are
 * told apart as doubles, which keep 17 significant digits.
 */
function fieldComparison(l: string, op: string, r: string): string {
  const [a, b] = [numberOfText(l), numberOfText(r)];
  const [x, y] = [`TRY_CAST(${l} AS DOUBLE)`, `TRY_CAST(${r} AS DOUBLE)`];
  const asNumbers = `(CASE WHEN ${a} = ${b} THEN ${x} ${op} ${y} ELSE ${a} ${op} ${b} END)`;
  return `(CASE WHEN ${a} IS NOT NULL AND ${b} IS NOT NULL THEN ${asNumbers} ELSE ${l} ${op} ${r} END)`;
}

function dedupe(names: string[]): string[] {
  return [...new Set(names)];
}

/** Free parts of more dots than this try only their last keys joined (`fieldPointers`). */
const ALL_SPLITS_DOTS = 4;

/**
 * JSON pointers to the keys a flattened field name may stand for, the nested keys first. The
 * service flattens an event's JSON into fields named by their keys joined with ".", so
 * `requestParameters.tags.app.name` is the tag key `app.name` (AWS tag keys may hold dots) as
 * well as nested keys. CloudTrail's fixed keys (`userIdentity.sessionContext...`) hold no dot;
 * below them (a payload, a map: `fixedPathLength`) every way of splitting the rest is tried up to
 * ALL_SPLITS_DOTS dots (16 pointers); beyond, the nested keys and a last key holding dots (a
 * tag key's place).
 */
export function fieldPointers(name: string): string[] {
  const segs = name.split(".");
  const fixed = segs.slice(0, fixedPathLength(segs));
  const free = segs.slice(fixed.length);
  const splits: string[][] = [];
  if (free.length - 1 <= ALL_SPLITS_DOTS) {
    const walk = (at: number, keys: string[]) => {
      if (at === free.length) return void splits.push(keys);
      for (let end = at + 1; end <= free.length; end++)
        walk(end, [...keys, free.slice(at, end).join(".")]);
    };
    walk(0, []);
  } else {
    for (let last = free.length - 1; last >= 1; last--)
      splits.push([...free.slice(0, last), free.slice(last).join(".")]);
  }
  const token = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  return splits.map((keys) => `/${[...fixed, ...keys].map(token).join("/")}`);
}

/**
 * A JSON value from `json_extract` as Logs Insights shows it: booleans as 1 and 0, strings
 * unquoted; an object or a list is no field (the service flattens them into their values' fields,
 * `userIdentity.type`, `resources.0.ARN`: CWL_AnalyzeLogData-discoverable-fields), so it is absent.
 */
function jsonValue(v: string): string {
  return `(CASE json_type(${v}) WHEN 'BOOLEAN' THEN (CASE WHEN CAST(${v} AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE json_extract_string(${v}, '$') END)`;
}

function orderBy(keys: OrderKey[]): string {
  if (keys.length === 0) return "";
  const parts = keys.flatMap((k) => {
    const dir = k.descending ? "DESC" : "ASC";
    // The service's natural sort (columns.ts naturalKey); missing values last.
    if (k.type === "string" && !k.plain)
      return [`(${k.sql} IS NULL) ASC`, `${naturalKey(k.sql)} ${dir}`];
    return [`${k.sql} ${dir} NULLS LAST`];
  });
  return ` ORDER BY ${parts.join(", ")}`;
}

/** Regex of a `parse` glob: `*` captures lazily, the last one greedily; the rest is literal. */
function globToRegex(glob: string): { regex: string; groups: ParseGroup[] } {
  const parts = glob.split("*");
  const literal = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
  let regex = literal(parts[0]!);
  // Every `*` takes part in a match: none is skipped.
  const groups: ParseGroup[] = [];
  for (let i = 1; i < parts.length; i++) {
    const last = i === parts.length - 1 && parts[i] === "";
    // `[\s\S]`, not `.`: a value (a policy document, an error message) may span lines.
    regex += last ? "([\\s\\S]*)" : "([\\s\\S]*?)";
    regex += literal(parts[i]!);
    groups.push({ index: i, name: "", body: "", skippable: false });
  }
  return { regex, groups };
}

/**
 * Each named group of an RE2 pattern, by the names `parse` makes: its capture-group index, its
 * pattern, and whether the match may leave it out (`captureGroups`).
 */
function regexGroups(pattern: string, names: string[]): { regex: string; groups: ParseGroup[] } {
  const byName = new Map(captureGroups(pattern).map((g) => [g.name, g]));
  return {
    regex: toRe2(pattern),
    groups: names.map((name) => ({ ...byName.get(name)!, name })),
  };
}
