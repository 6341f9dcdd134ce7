import type { ColumnInfo, JsonValue, QueryResult } from "./engine.ts";
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

/** Equality of a result value with a check literal: numbers numerically, the rest as text. */
function equalsLiteral(v: JsonValue, lit: Literal): boolean {
  if (lit === null) return v === null;
  if (v === null) return false;
  if (typeof lit === "number") return asNumber(v) === lit;
  if (typeof lit === "boolean") return v === lit || asText(v).toLowerCase() === String(lit);
  return asText(v) === lit;
}

function likeToRegExp(pattern: string): RegExp {
  let re = "";
  for (const ch of pattern) {
    if (ch === "%") re += "[\\s\\S]*";
    else if (ch === "_") re += "[\\s\\S]";
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a value meets a predicate. A value that is not a number, compared with a number, is an
 * error of the check (`no calls > 50` must not hold because `calls` is `'1,000'`).
 */
function predicateHolds(
  p: Predicate,
  v: JsonValue,
  regex: RegExp | undefined,
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
      if (typeof p.value === "number") {
        const n = asNumber(v);
        if (n === undefined) {
          throw new CheckError(
            `${column} holds ${JSON.stringify(v)}, which is not a number, so it cannot be compared with ${p.value}`,
          );
        }
        return compare(n, p.op, p.value);
      }
      if (typeof p.value === "boolean") {
        const eq = equalsLiteral(v, p.value);
        if (p.op === "==") return eq;
        if (p.op === "!=") return !eq;
        return false;
      }
      return compare(asText(v), p.op, p.value);
    }
    case "in": {
      if (isNull(v)) return p.negated ? !p.values.includes(null) : p.values.includes(null);
      const found = p.values.some((lit) => equalsLiteral(v, lit));
      return p.negated ? !found : found;
    }
    case "like": {
      if (isNull(v)) return false;
      const m = regex!.test(asText(v));
      return p.negated ? !m : m;
    }
    case "matches":
      return !isNull(v) && regex!.test(asText(v));
  }
}

function describeLiteral(l: Literal): string {
  return typeof l === "string" ? sqlStringLiteral(l) : String(l);
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

/** A metric's running value; `value` is undefined when it has none (min/max/avg over no values). */
function metricAccumulator(
  m: Metric,
  columns: ColumnInfo[],
): { add(row: JsonValue[]): void; value(rowCount: number): number | string | undefined } {
  if (m.kind === "rows") return { add() {}, value: (rowCount) => rowCount };
  const i = columnIndex(columns, m.column);
  let n = 0;
  let total = 0;
  const distinct = new Set<string>();
  let allNumbers = true;
  let numMin = Infinity;
  let numMax = -Infinity;
  let textMin: string | undefined;
  let textMax: string | undefined;
  const add = (row: JsonValue[]) => {
    const v = row[i] ?? null;
    if (v === null) return;
    n++;
    const num = asNumber(v);
    if (m.kind === "distinct") distinct.add(num !== undefined ? `n:${num}` : asText(v));
    if (m.kind === "sum" || m.kind === "avg") {
      if (num === undefined) {
        throw new CheckError(
          `${m.kind}(${m.column}) needs numbers, but the column holds ${JSON.stringify(v)}`,
        );
      }
      total += num;
    }
    if (m.kind === "min" || m.kind === "max") {
      if (num === undefined) allNumbers = false;
      else {
        numMin = Math.min(numMin, num);
        numMax = Math.max(numMax, num);
      }
      const t = asText(v);
      if (textMin === undefined || t < textMin) textMin = t;
      if (textMax === undefined || t > textMax) textMax = t;
    }
  };
  const value = (): number | string | undefined => {
    switch (m.kind) {
      case "count":
        return n;
      case "distinct":
        return distinct.size;
      case "sum":
        return total;
      case "avg":
        return n === 0 ? undefined : total / n;
      case "min":
      case "max":
        if (n === 0) return undefined;
        if (allNumbers) return m.kind === "min" ? numMin : numMax;
        return m.kind === "min" ? textMin : textMax;
    }
  };
  return { add, value };
}

type CheckBase = Pick<CheckOutcome, "check" | "label" | "line" | "warn">;

function metricCheck(
  check: Extract<Check, { kind: "compare" | "between" }>,
  columns: ColumnInfo[],
  base: CheckBase,
): Accumulator {
  const metric = metricAccumulator(check.metric, columns);
  return {
    add: metric.add,
    outcome(rowCount) {
      const v = metric.value(rowCount);
      const name = metricText(check.metric);
      const expected =
        check.kind === "compare"
          ? `${check.op} ${check.value}`
          : `between ${check.low} and ${check.high}`;
      if (v === undefined) {
        // The spec: on an empty result there is nothing to violate. Rows whose every value is
        // null are another matter (a JSON path that matches nothing, a misspelt field): nothing
        // was compared, and a threshold check must not pass on that.
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
      if (typeof v === "string") {
        // min/max over values that are not all numbers (the spec orders them as text) cannot be
        // compared with the check's number: '1000' < 50 as text would hold.
        throw new CheckError(
          `${name} is ${JSON.stringify(v)}: the column holds values that are not numbers, so it cannot be compared with ${check.kind === "compare" ? check.value : `${check.low} and ${check.high}`}`,
        );
      }
      const holds =
        check.kind === "compare"
          ? compare(v, check.op, check.value)
          : v >= check.low && v <= check.high;
      return { ...base, holds, actual: v, message: `${name} = ${v}, expected ${expected}` };
    },
  };
}

function predicateRegex(p: Predicate): RegExp | undefined {
  if (p.kind === "like") return likeToRegExp(p.pattern);
  if (p.kind !== "matches") return undefined;
  try {
    return new RegExp(p.pattern);
  } catch (e) {
    throw new CheckError(
      `'${p.pattern}' is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}

function quantifiedCheck(
  check: Extract<Check, { kind: "quantified" }>,
  columns: ColumnInfo[],
  base: CheckBase,
): Accumulator {
  const i = columnIndex(columns, check.column);
  const p = check.predicate;
  const regex = predicateRegex(p);
  let matching = 0;
  let offendingCount = 0;
  const offending: Record<string, JsonValue>[] = [];
  return {
    add(row) {
      const holds = predicateHolds(p, row[i] ?? null, regex, check.column);
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
