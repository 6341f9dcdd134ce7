import type { JsonValue, QueryResult } from "./engine.ts";
import type { Check, Cmp, Literal, Metric, Predicate } from "./model.ts";
import type { CheckOutcome, Status } from "./report.ts";

/** How many offending rows a failed `every`/`no` check keeps for the report. */
export const OFFENDING_ROWS_KEPT = 10;

const STATUS_ORDER: Record<Status, number> = { passed: 0, warned: 1, failed: 2, errored: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = "passed";
  for (const s of statuses) if (STATUS_ORDER[s] > STATUS_ORDER[worst]) worst = s;
  return worst;
}

class CheckError extends Error {}

/** A value as a number, when it is one (numbers, and numeric text such as Logs Insights returns). */
export function asNumber(v: JsonValue | undefined): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "" && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
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

function predicateHolds(p: Predicate, v: JsonValue, regex: RegExp | undefined): boolean {
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
        return n !== undefined && compare(n, p.op, p.value);
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
  return typeof l === "string" ? `'${l.replaceAll("'", "''")}'` : String(l);
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

function columnIndex(result: QueryResult, column: string): number {
  const want = column.toLowerCase();
  const i = result.columns.findIndex((c) => c.name.toLowerCase() === want);
  if (i < 0) {
    const available = result.columns.map((c) => c.name).join(", ") || "(none)";
    throw new CheckError(
      `column "${column}" is not in the result; available columns: ${available}`,
    );
  }
  return i;
}

/** The metric's value; `undefined` when it has none (min/max/avg over no values). */
function metricValue(m: Metric, result: QueryResult): number | string | undefined {
  if (m.kind === "rows") return result.rows.length;
  const i = columnIndex(result, m.column);
  const values = result.rows.map((r) => r[i] ?? null).filter((v) => v !== null);
  switch (m.kind) {
    case "count":
      return values.length;
    case "distinct":
      return new Set(
        values.map((v) => (asNumber(v) !== undefined ? `n:${asNumber(v)}` : asText(v))),
      ).size;
    case "sum":
    case "avg": {
      let total = 0;
      for (const v of values) {
        const n = asNumber(v);
        if (n === undefined) {
          throw new CheckError(
            `${m.kind}(${m.column}) needs numbers, but the column holds ${JSON.stringify(v)}`,
          );
        }
        total += n;
      }
      if (m.kind === "sum") return total;
      return values.length === 0 ? undefined : total / values.length;
    }
    case "min":
    case "max": {
      if (values.length === 0) return undefined;
      const nums = values.map(asNumber);
      if (nums.every((n) => n !== undefined)) {
        const ns = nums as number[];
        return m.kind === "min" ? Math.min(...ns) : Math.max(...ns);
      }
      const texts = values.map(asText).sort();
      return m.kind === "min" ? texts[0] : texts[texts.length - 1];
    }
  }
}

function rowObject(result: QueryResult, row: JsonValue[]): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  result.columns.forEach((c, i) => {
    o[c.name] = row[i] ?? null;
  });
  return o;
}

function evaluateOne(
  check: Check,
  result: QueryResult,
): Omit<CheckOutcome, "status"> & {
  holds: boolean;
} {
  const base = {
    check: check.source,
    ...(check.label === undefined ? {} : { label: check.label }),
    line: check.position.line,
    warn: check.warn,
  };
  switch (check.kind) {
    case "compare":
    case "between": {
      const v = metricValue(check.metric, result);
      const name = metricText(check.metric);
      const expected =
        check.kind === "compare"
          ? `${check.op} ${check.value}`
          : `between ${check.low} and ${check.high}`;
      if (v === undefined) {
        return {
          ...base,
          holds: true,
          actual: null,
          message: `${name} has no value (no rows), nothing to violate ${expected}`,
        };
      }
      let holds: boolean;
      if (typeof v === "string") {
        // min/max over text compared with a number: compare as text, as the spec says.
        holds =
          check.kind === "compare"
            ? compare(v, check.op, String(check.value))
            : v >= String(check.low) && v <= String(check.high);
      } else {
        holds =
          check.kind === "compare"
            ? compare(v, check.op, check.value)
            : v >= check.low && v <= check.high;
      }
      return { ...base, holds, actual: v, message: `${name} = ${v}, expected ${expected}` };
    }
    case "quantified": {
      const i = columnIndex(result, check.column);
      const p = check.predicate;
      let regex: RegExp | undefined;
      if (p.kind === "like") regex = likeToRegExp(p.pattern);
      if (p.kind === "matches") {
        try {
          regex = new RegExp(p.pattern);
        } catch (e) {
          throw new CheckError(
            `'${p.pattern}' is not a valid regular expression: ${(e as Error).message}`,
          );
        }
      }
      const matching: JsonValue[][] = [];
      const failing: JsonValue[][] = [];
      for (const row of result.rows) {
        (predicateHolds(p, row[i] ?? null, regex) ? matching : failing).push(row);
      }
      const pred = `${check.column} ${describePredicate(p)}`;
      if (check.quantifier === "some") {
        const holds = matching.length > 0;
        return {
          ...base,
          holds,
          actual: matching.length,
          message: holds
            ? `${matching.length} of ${result.rows.length} rows have ${pred}`
            : `no row has ${pred} (${result.rows.length} rows)`,
        };
      }
      const offending = check.quantifier === "every" ? failing : matching;
      const holds = offending.length === 0;
      const what = check.quantifier === "every" ? `do not have ${pred}` : `have ${pred}`;
      return {
        ...base,
        holds,
        actual: offending.length,
        message: holds
          ? `${check.quantifier} ${pred}: all ${result.rows.length} rows comply`
          : `${offending.length} of ${result.rows.length} rows ${what}`,
        ...(holds
          ? {}
          : {
              offendingRows: offending
                .slice(0, OFFENDING_ROWS_KEPT)
                .map((r) => rowObject(result, r)),
              offendingCount: offending.length,
            }),
      };
    }
  }
}

/** Evaluates a step's checks against its whole result (spec section 5). */
export function evaluateChecks(checks: Check[], result: QueryResult): CheckOutcome[] {
  return checks.map((check) => {
    try {
      const { holds, ...rest } = evaluateOne(check, result);
      const status: Status = holds ? "passed" : check.warn ? "warned" : "failed";
      return { ...rest, status };
    } catch (e) {
      if (!(e instanceof CheckError)) throw e;
      return {
        check: check.source,
        ...(check.label === undefined ? {} : { label: check.label }),
        line: check.position.line,
        warn: check.warn,
        status: "errored",
        message: e.message,
      };
    }
  });
}
