import { createHash } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import type { ColumnInfo, JsonValue, QueryResult } from "./engine.ts";
import {
  addExact,
  compareExact,
  type Exact,
  exactDouble,
  exactJson,
  exactOf,
  exactOfText,
} from "./exact-number.ts";
import { globMatches, likeGlob } from "./glob.ts";
import type { Check, Cmp, Literal, Metric, Predicate } from "./model.ts";
import type { CheckOutcome, Status } from "./report.ts";
import { sqlStringLiteral } from "./template.ts";

/** How many offending rows a failed `every`/`no` check keeps for the report. */
export const OFFENDING_ROWS_KEPT = 10;

const STATUS_ORDER: Record<Status, number> = { passed: 0, warned: 1, failed: 2, errored: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = "passed";
  for (const s of statuses) if (STATUS_ORDER[s] > STATUS_ORDER[worst]) worst = s;
  return worst;
}

class CheckError extends Error {}

/**
 * A value as a number, when it is one: numbers, and numeric text such as Logs Insights and
 * Athena return (surrounding blanks ignored; `Infinity` and `-Infinity`, which Athena prints for
 * a double divided by zero, included). NaN is no number: nothing compares with it.
 */
export function asNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === "number") return Number.isNaN(v) ? undefined : v;
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (/^[+-]?Infinity$/.test(t)) return Number(t);
  if (t !== "" && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  return undefined;
}

/** A value as text, for text comparison, LIKE and regular expressions. */
export function asText(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * -1, 0 or 1 as text `a` sorts before, with or after `b` by code point, as Trino and DuckDB order
 * varchar (UTF-8 bytes). JavaScript's `<` compares UTF-16 units, which puts an emoji (0xD83D...)
 * before U+E000 to U+FFFF: `every v < '😀'` failed for a fullwidth character the SQL holds below it.
 */
function compareText(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  // Units differ here: a surrogate (0xD800-0xDFFF, a code point past 0xFFFF) sorts above 0xE000-0xFFFF.
  const unit = (c: number) =>
    c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c;
  return unit(a.charCodeAt(i)) < unit(b.charCodeAt(i)) ? -1 : 1;
}

function isNull(v: JsonValue | undefined): boolean {
  return v === null || v === undefined;
}

export function compare(a: number | string, op: Cmp, b: number | string): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

/** Whether the outcome of comparing two numbers (`compareExact`) meets `op`. */
function orderHolds(order: -1 | 0 | 1, op: Cmp): boolean {
  return compare(order, op, 0);
}

/** A number literal's exact value (undefined for the other literals). */
function literalNumber(lit: Literal): Exact | undefined {
  if (typeof lit === "number") return exactOf(lit);
  if (lit !== null && typeof lit === "object") return exactOfText(lit.exact);
  return undefined;
}

/** A metric check's number, as written when a double does not hold it. */
function checkNumber(value: number, exact: string | undefined): Exact {
  return (exact !== undefined ? exactOfText(exact) : exactOf(value))!;
}

/**
 * A value compared with a number literal, exactly (a big integer in text is not rounded): it must
 * be a number, or the check is in error (`no calls > 50` must not hold because `calls` is
 * `'1,000'`).
 */
function valueNumber(v: JsonValue, column: string, against: string): Exact {
  const x = exactOf(v);
  if (x === undefined) {
    throw new CheckError(
      `${column} holds ${JSON.stringify(v)}, which is not a number, so it cannot be compared with ${against}`,
    );
  }
  return x;
}

/**
 * Equality of a result value with a literal that is not a number: booleans, text, null. A value
 * compared with `true`/`false` must be a boolean as some engine shows one: JSON's, Athena's text
 * `true`/`false`, or Logs Insights' 1/0 (its results show a JSON boolean so). Anything else is an
 * error of the check: `no readOnly == true` held over Logs Insights' 1 (review).
 */
function equalsLiteral(v: JsonValue, lit: Literal, column: string): boolean {
  if (lit === null) return v === null;
  if (v === null) return false;
  if (typeof lit === "boolean") return booleanOf(v, column, lit) === lit;
  return asText(v) === lit;
}

function booleanOf(v: JsonValue, column: string, against: boolean): boolean {
  if (typeof v === "boolean") return v;
  const t = asText(v).trim().toLowerCase();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw new CheckError(
    `${column} holds ${JSON.stringify(v)}, which is not a boolean (true/false, or 1/0 as Logs Insights shows one), so it cannot be compared with ${against}`,
  );
}

/**
 * Whether a non-null value is one of a list's literals. Numbers compare as `==` does: a value
 * that matches none of the other literals and is not a number cannot be compared with the list's
 * numbers, and the check is in error.
 */
function inList(v: JsonValue, values: readonly Literal[], column: string): boolean {
  const numbers = values.map(literalNumber);
  // Strings and null first: a value that is one of them is in the list, boolean or not (`'x'` is
  // in `(true, 'x')`); then true/false, which need a boolean (`'x'` met `true` first, and the
  // check was in error).
  if (
    values.some((lit) => (typeof lit === "string" || lit === null) && equalsLiteral(v, lit, column))
  )
    return true;
  if (values.some((lit) => typeof lit === "boolean" && equalsLiteral(v, lit, column))) return true;
  const wanted = numbers.filter((x): x is Exact => x !== undefined);
  if (wanted.length === 0) return false;
  const x = valueNumber(
    v,
    column,
    values
      .filter((_, k) => numbers[k])
      .map(describeLiteral)
      .join(", "),
  );
  return wanted.some((w) => compareExact(x, w) === 0);
}

/**
 * Whether a value meets a predicate. A value that is not a number, compared with a number, is an
 * error of the check (`no calls > 50` must not hold because `calls` is `'1,000'`).
 */
function predicateHolds(
  p: Predicate,
  v: JsonValue,
  matcher: ((text: string) => boolean) | undefined,
  column: string,
): boolean {
  switch (p.kind) {
    case "null":
      return p.negated ? !isNull(v) : isNull(v);
    case "compare": {
      if (p.value === null) {
        if (p.op === "==") return isNull(v);
        if (p.op === "!=") return !isNull(v);
        return false;
      }
      // null equals only null: it differs from every other literal and is never less or greater.
      if (isNull(v)) return p.op === "!=";
      const lit = literalNumber(p.value);
      if (lit !== undefined) {
        const x = valueNumber(v, column, describeLiteral(p.value));
        return orderHolds(compareExact(x, lit), p.op);
      }
      if (typeof p.value === "boolean") {
        // Ordered as SQL orders booleans, false before true: `no f < true` held over false
        // values when every order with a boolean was false (a mutation audit).
        const b = booleanOf(v, column, p.value);
        return orderHolds(b === p.value ? 0 : b ? 1 : -1, p.op);
      }
      return orderHolds(compareText(asText(v), p.value as string), p.op);
    }
    case "in": {
      if (isNull(v)) return p.negated ? !p.values.includes(null) : p.values.includes(null);
      const found = inList(v, p.values, column);
      return p.negated ? !found : found;
    }
    case "like": {
      if (isNull(v)) return false;
      const m = matcher!(asText(v));
      return p.negated ? !m : m;
    }
    case "matches":
      return !isNull(v) && matcher!(asText(v));
  }
}

function describeLiteral(l: Literal): string {
  if (typeof l === "string") return sqlStringLiteral(l);
  if (l !== null && typeof l === "object") return l.exact;
  return String(l);
}

function describePredicate(p: Predicate): string {
  switch (p.kind) {
    case "compare":
      return `${p.op} ${describeLiteral(p.value)}`;
    case "in":
      return `${p.negated ? "not in" : "in"} (${p.values.map(describeLiteral).join(", ")})`;
    case "like":
      return `${p.negated ? "not like" : "like"} ${describeLiteral(p.pattern)}`;
    case "matches":
      return `matches ${describeLiteral(p.pattern)}`;
    case "null":
      return p.negated ? "is not null" : "is null";
  }
}

function metricText(m: Metric): string {
  return m.kind === "rows" ? "rows" : `${m.kind}(${m.column})`;
}

function columnIndex(columns: ColumnInfo[], column: string): number {
  const want = column.toLowerCase();
  const i = columns.findIndex((c) => c.name.toLowerCase() === want);
  // Names match case-insensitively: two columns that differ only in case (Logs Insights keeps
  // `n` and `N`) would leave the check reading one and the report showing the other.
  if (columns.filter((c) => c.name.toLowerCase() === want).length > 1) {
    throw new CheckError(
      `the result has more than one column named "${column}" (names match whatever their case): alias them apart`,
    );
  }
  if (i < 0) {
    const available = columns.map((c) => c.name).join(", ") || "(none)";
    throw new CheckError(
      `column "${column}" is not in the result; available columns: ${available}`,
    );
  }
  return i;
}

function rowObject(columns: ColumnInfo[], row: JsonValue[]): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  columns.forEach((c, i) => {
    o[c.name] = row[i] ?? null;
  });
  return o;
}

type Evaluated = Omit<CheckOutcome, "status"> & { holds: boolean };

/** One check evaluated row by row: nothing but its running figures is kept. */
interface Accumulator {
  add(row: JsonValue[]): void;
  outcome(rowCount: number): Evaluated;
}

/**
 * The key of a value among the distinct values of a column: the value as the engine gave it, text
 * as text and a number as a number (`'007'` and `'7'` are two values; so are two 21-digit ids
 * that read as the same double). A key longer than DISTINCT_KEY_CHARS is kept as its SHA-256: a
 * check's set of keys is held for the whole result, and 100,000 distinct values of 1 MB would
 * have held 100 GB in the runner (the server).
 */
export function distinctKey(v: JsonValue): string {
  const key =
    typeof v === "string"
      ? `s:${v}`
      : typeof v === "number" || typeof v === "boolean"
        ? `${typeof v}:${v}`
        : `j:${JSON.stringify(v)}`;
  return key.length > DISTINCT_KEY_CHARS
    ? `h:${createHash("sha256").update(key).digest("base64")}`
    : key;
}

/** Past this, a distinct key is hashed (CloudTrail's user agents and ARNs stay as they are). */
const DISTINCT_KEY_CHARS = 1024;

/** A metric's value: a number (exactly), text (min/max over values not all numbers), or none. */
type MetricValue = Exact | string | undefined;

/**
 * The running sum of a column's numbers: exact (the values as the result shows them, `0.1` +
 * `0.2` is `0.3`), and a double only past what exact sums take (an infinity, exponents hundreds
 * of digits apart).
 */
class RunningSum {
  n = 0;
  private exact: Exact | undefined = { m: 0n, e: 0 };
  private double = 0;

  add(x: Exact): void {
    this.n++;
    this.exact = this.exact === undefined ? undefined : addExact(this.exact, x);
    this.double += exactDouble(x);
  }

  sum(): Exact | undefined {
    return this.exact ?? exactOf(this.double);
  }

  /** Whether the sum is a double (exact sums gave up), as an average always is. */
  get rounded(): boolean {
    return this.exact === undefined;
  }

  /** The average: the (exact) sum divided by the count, in a double. */
  avg(): Exact | undefined {
    if (this.n === 0) return undefined;
    return exactOf(
      this.exact === undefined ? this.double / this.n : exactDouble(this.exact) / this.n,
    );
  }
}

/** The running least and greatest values: numbers as numbers (exactly), else as text (by code point). */
class RunningExtremes {
  private allNumbers = true;
  private numMin: Exact | undefined;
  private numMax: Exact | undefined;
  private textMin: string | undefined;
  private textMax: string | undefined;

  add(v: JsonValue): void {
    const x = exactOf(v);
    if (x === undefined) this.allNumbers = false;
    else {
      if (this.numMin === undefined || compareExact(x, this.numMin) < 0) this.numMin = x;
      if (this.numMax === undefined || compareExact(x, this.numMax) > 0) this.numMax = x;
    }
    const t = asText(v);
    if (this.textMin === undefined || compareText(t, this.textMin) < 0) this.textMin = t;
    if (this.textMax === undefined || compareText(t, this.textMax) > 0) this.textMax = t;
  }

  value(kind: "min" | "max"): MetricValue {
    if (this.allNumbers) return kind === "min" ? this.numMin : this.numMax;
    return kind === "min" ? this.textMin : this.textMax;
  }
}

/** A metric's running value; `value` is undefined when it has none (min/max/avg over no values). */
function metricAccumulator(
  m: Metric,
  columns: ColumnInfo[],
): {
  add(row: JsonValue[]): void;
  value(rowCount: number): MetricValue;
  rounded(): boolean;
  allNull(rowCount: number): boolean;
} {
  if (m.kind === "rows")
    return {
      add() {},
      value: (rowCount) => exactOf(rowCount),
      rounded: () => false,
      allNull: () => false,
    };
  const i = columnIndex(columns, m.column);
  let n = 0;
  const distinct = new Set<string>();
  const sum = new RunningSum();
  const extremes = new RunningExtremes();
  const add = (row: JsonValue[]) => {
    const v = row[i] ?? null;
    if (v === null) return;
    n++;
    if (m.kind === "distinct") distinct.add(distinctKey(v));
    if (m.kind === "sum" || m.kind === "avg") {
      const x = exactOf(v);
      if (x === undefined) {
        throw new CheckError(
          `${m.kind}(${m.column}) needs numbers, but the column holds ${JSON.stringify(v)}`,
        );
      }
      sum.add(x);
    }
    if (m.kind === "min" || m.kind === "max") extremes.add(v);
  };
  const value = (): MetricValue => {
    if (m.kind === "count") return exactOf(n);
    if (m.kind === "distinct") return exactOf(distinct.size);
    // 0 on an empty result (the spec), and over rows whose every value is null, as SQL's
    // `sum(CASE WHEN ... THEN 1 END)` is with nothing to count; the message says so (`allNull`).
    if ((m.kind === "sum" || m.kind === "avg") && n > 0 && sum.sum() === undefined) {
      throw new CheckError(
        `${m.kind}(${m.column}) is NaN: ${m.column} holds both Infinity and -Infinity, whose sum is no number`,
      );
    }
    if (m.kind === "sum") return sum.sum();
    if (m.kind === "avg") return sum.avg();
    return n === 0 ? undefined : extremes.value(m.kind);
  };
  // A double metric is compared with the check's number as a double: exactly, 2^53 + 1 would
  // be above an average of one value 2^53 + 1 that the double holds as 2^53.
  const rounded = () => m.kind === "avg" || (m.kind === "sum" && sum.rounded);
  /** Rows, and no value in the column: a sum of nothing (said in the check's message). */
  const allNull = (rowCount: number) => m.kind === "sum" && n === 0 && rowCount > 0;
  return { add, value, rounded, allNull };
}

type CheckBase = Pick<CheckOutcome, "check" | "label" | "line" | "warn">;

type MetricCheck = Extract<Check, { kind: "compare" | "between" }>;

/** What a metric check holds its metric against, as written. */
function expectedText(check: MetricCheck): string {
  return `${check.kind === "compare" ? check.op : "between"} ${limitsText(check)}`;
}

/** The number(s) of a metric check, as written. */
function limitsText(check: MetricCheck): string {
  return check.kind === "compare"
    ? `${check.exact ?? check.value}`
    : `${check.lowExact ?? check.low} and ${check.highExact ?? check.high}`;
}

function metricHolds(check: MetricCheck, v: Exact, rounded: boolean): boolean {
  const limit = (value: number, exact: string | undefined) => {
    const x = checkNumber(value, exact);
    return rounded ? (exactOf(exactDouble(x)) ?? x) : x;
  };
  if (check.kind === "compare") {
    return orderHolds(compareExact(v, limit(check.value, check.exact)), check.op);
  }
  return (
    compareExact(v, limit(check.low, check.lowExact)) >= 0 &&
    compareExact(v, limit(check.high, check.highExact)) <= 0
  );
}

/** The outcome of a metric check whose metric has no value. */
function noValue(check: MetricCheck, rowCount: number, base: CheckBase): Evaluated {
  const name = metricText(check.metric);
  const expected = expectedText(check);
  // The spec: on an empty result there is nothing to violate. Rows whose every value is null
  // are another matter (a JSON path that matches nothing, a misspelt field): nothing was
  // compared, and a threshold check must not pass on that.
  if (rowCount > 0) {
    throw new CheckError(
      `${name} has no value: ${check.metric.kind === "rows" ? "" : check.metric.column} is null in all ${rowCount} rows, so nothing was compared with ${expected}`,
    );
  }
  return {
    ...base,
    holds: true,
    actual: null,
    message: `${name} has no value (no rows), nothing to violate ${expected}`,
  };
}

function metricCheck(check: MetricCheck, columns: ColumnInfo[], base: CheckBase): Accumulator {
  const metric = metricAccumulator(check.metric, columns);
  return {
    add: metric.add,
    outcome(rowCount) {
      const v = metric.value(rowCount);
      const name = metricText(check.metric);
      if (v === undefined) return noValue(check, rowCount, base);
      if (typeof v === "string") {
        // min/max over values that are not all numbers (the spec orders them as text) cannot be
        // compared with the check's number: '1000' < 50 as text would hold.
        throw new CheckError(
          `${name} is ${JSON.stringify(v)}: the column holds values that are not numbers, so it cannot be compared with ${limitsText(check)}`,
        );
      }
      const actual = exactJson(v);
      // A sum of nothing holds `< 50`: the message says why, for the misspelt field it may be.
      const nulls = metric.allNull(rowCount)
        ? ` (${check.metric.kind === "rows" ? "" : check.metric.column} is null in all ${rowCount} rows: nothing to add up, or a misspelt field or JSON path)`
        : "";
      return {
        ...base,
        holds: metricHolds(check, v, metric.rounded()),
        actual,
        message: `${name} = ${actual}, expected ${expectedText(check)}${nulls}`,
      };
    },
  };
}

let backtrackingBounded = false;

/**
 * A `matches` pattern runs over values an AWS caller chose (a user agent, request parameters),
 * and JavaScript's regular expressions backtrack: `^(a+)+$` over 27 a's and a '!' took 15 s,
 * doubling with each character, while the runner's event loop (its timeouts, Ctrl-C) waited.
 * V8 then falls back to its linear-time engine, past its 50,000 backtracks, for every pattern
 * that engine runs (not a backreference or a lookaround); what matches is the same.
 */
function boundBacktracking(): void {
  if (backtrackingBounded) return;
  backtrackingBounded = true;
  setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
}

/** How a `like` or `matches` predicate tests a value's text (a LIKE in time linear in it). */
function predicateMatcher(p: Predicate): ((text: string) => boolean) | undefined {
  if (p.kind === "like") {
    const glob = likeGlob(p.pattern);
    return (text) => globMatches(glob, text);
  }
  if (p.kind !== "matches") return undefined;
  boundBacktracking();
  try {
    const re = new RegExp(p.pattern);
    return (text) => re.test(text);
  } catch (e) {
    throw new CheckError(
      `'${p.pattern}' is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}

/** Whether a column's type is an array, a row or a map (Athena's `array`, the local `array(integer)`). */
function nestedType(type: string): boolean {
  return /^\s*(array|row|map|struct)\b/i.test(type);
}

/**
 * Whether a predicate reads a value's text: `like`, `matches`, a comparison with a string (numbers
 * and booleans are not text, and a nested value is neither: an error of its own).
 */
function readsText(p: Predicate): boolean {
  if (p.kind === "like" || p.kind === "matches") return true;
  if (p.kind === "compare") return typeof p.value === "string";
  return p.kind === "in" && p.values.some((v) => typeof v === "string");
}

/**
 * An array, row or map compared as text: its text is not the same on every engine
 * (Athena's `[x, y]` and `{k=v}`, where an element holding `, ` reads back as two and every
 * element as text; the local engine's JSON with typed elements), so `like '%x, y%'` held on one
 * engine and not on the other. An error of the check, whichever engine answered.
 */
function refuseNested(v: JsonValue, type: string, column: string, p: Predicate): void {
  if (v === null || !readsText(p)) return;
  if (!nestedType(type) && typeof v !== "object") return;
  throw new CheckError(
    `${column} is an array, row or map, whose text differs between engines (Athena writes [a, b] and {k=v}, the local engine JSON), so it cannot be compared with ${describePredicate(p)}: compare a field or an element in the query (useridentity.arn, element_at(${column}, 1)), or CAST(${column} AS JSON) for its JSON text`,
  );
}

function quantifiedCheck(
  check: Extract<Check, { kind: "quantified" }>,
  columns: ColumnInfo[],
  base: CheckBase,
): Accumulator {
  const i = columnIndex(columns, check.column);
  const type = columns[i]?.type ?? "";
  const p = check.predicate;
  const matcher = predicateMatcher(p);
  let matching = 0;
  let offendingCount = 0;
  const offending: Record<string, JsonValue>[] = [];
  return {
    add(row) {
      refuseNested(row[i] ?? null, type, check.column, p);
      const holds = predicateHolds(p, row[i] ?? null, matcher, check.column);
      if (holds) matching++;
      // `every` is broken by the rows that fail the predicate, `no` by the rows that match it.
      const offends = check.quantifier === "every" ? !holds : check.quantifier === "no" && holds;
      if (!offends) return;
      offendingCount++;
      if (offending.length < OFFENDING_ROWS_KEPT) offending.push(rowObject(columns, row));
    },
    outcome(rowCount) {
      const pred = `${check.column} ${describePredicate(p)}`;
      if (check.quantifier === "some") {
        const holds = matching > 0;
        return {
          ...base,
          holds,
          actual: matching,
          message: holds
            ? `${matching} of ${rowCount} rows have ${pred}`
            : `no row has ${pred} (${rowCount} rows)`,
        };
      }
      const holds = offendingCount === 0;
      const what = check.quantifier === "every" ? `do not have ${pred}` : `have ${pred}`;
      return {
        ...base,
        holds,
        actual: offendingCount,
        message: holds
          ? `${check.quantifier} ${pred}: all ${rowCount} rows comply`
          : `${offendingCount} of ${rowCount} rows ${what}`,
        ...(holds ? {} : { offendingRows: offending, offendingCount }),
      };
    },
  };
}

function checkBase(check: Check): CheckBase {
  return {
    check: check.source,
    ...(check.label === undefined ? {} : { label: check.label }),
    line: check.position.line,
    warn: check.warn,
  };
}

/** Whether a check looks at row values (every check but those on `rows`). */
export function checkReadsValues(check: Check): boolean {
  return check.kind === "quantified" || check.metric.kind !== "rows";
}

/**
 * A step's checks (spec section 5) evaluated over a result streamed chunk by chunk: each check
 * keeps only its running figures (counts, sums, extremes, the distinct values of a `distinct`, the
 * first offending rows), never the rows themselves.
 */
export class CheckEvaluator {
  private slots: { acc?: Accumulator; error?: CheckError }[] | undefined;
  private rowCount = 0;

  constructor(private readonly checks: Check[]) {}

  /** Whether any check needs the rows' values (else counting them is enough). */
  get readsValues(): boolean {
    return this.checks.some(checkReadsValues);
  }

  private init(columns: ColumnInfo[]) {
    this.slots = this.checks.map((check) => {
      try {
        const base = checkBase(check);
        return {
          acc:
            check.kind === "quantified"
              ? quantifiedCheck(check, columns, base)
              : metricCheck(check, columns, base),
        };
      } catch (e) {
        if (!(e instanceof CheckError)) throw e;
        return { error: e };
      }
    });
  }

  /** Rows in result order. `rows` may be omitted when no check reads values (only counted). */
  add(columns: ColumnInfo[], count: number, rows?: JsonValue[][]): void {
    if (this.slots === undefined) this.init(columns);
    this.rowCount += count;
    if (rows === undefined) return;
    for (const slot of this.slots ?? []) {
      if (slot.error !== undefined || slot.acc === undefined) continue;
      try {
        for (const row of rows) slot.acc.add(row);
      } catch (e) {
        if (!(e instanceof CheckError)) throw e;
        slot.error = e;
      }
    }
  }

  /** The outcomes; `columns` are the result's (for a result without rows). */
  finish(columns: ColumnInfo[]): CheckOutcome[] {
    if (this.slots === undefined) this.init(columns);
    return this.checks.map((check, k) => {
      const slot = this.slots?.[k] ?? {};
      try {
        if (slot.error !== undefined) throw slot.error;
        const { holds, ...rest } = (slot.acc as Accumulator).outcome(this.rowCount);
        const status: Status = holds ? "passed" : check.warn ? "warned" : "failed";
        return { ...rest, status };
      } catch (e) {
        if (!(e instanceof CheckError)) throw e;
        return { ...checkBase(check), status: "errored", message: e.message };
      }
    });
  }
}

/** Evaluates a step's checks against its whole result (spec section 5). */
export function evaluateChecks(checks: Check[], result: QueryResult): CheckOutcome[] {
  const evaluator = new CheckEvaluator(checks);
  evaluator.add(result.columns, result.rows.length, result.rows);
  return evaluator.finish(result.columns);
}
