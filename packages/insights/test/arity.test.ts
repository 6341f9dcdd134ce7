/**
 * The argument counts of every function AWS documents, against the parser and the translation.
 *
 * The counts below are transcribed by hand from the signatures of the pages (read 2026-12), not
 * from functions.ts:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
 *   (numeric, datetime, general, JSON, IP address and string functions);
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Stats.html
 *   ("Functions to use with stats");
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-hash-functions.html;
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-timeseries-functions.html
 *   ("Use time-series functions with the stats command").
 * `f(a [, b])` and two listed signatures (`ltrim(str)`, `ltrim(str, trimChars)`) are two counts;
 * `f(a, ...rest[])` is one or more (`many`); `case(cond1, val1, cond2, val2, ..., [default])`
 * "Supports up to 10 branches", so 2 to 21 arguments.
 */
import { describe, expect, test } from "vitest";
import type { Expr, InsightsQuery } from "../src/ast.ts";
import { CONDITION_FUNCTIONS } from "../src/calls.ts";
import {
  FUNCTION_NAMES,
  InsightsSyntaxError,
  parseInsights,
  translateInsights,
} from "../src/index.ts";
import { thrown } from "./thrown.ts";

/** One or more: a rest parameter (`...numbers: number[]`). */
const many = Number.POSITIVE_INFINITY;

/** Each documented function: its documented counts (lowest, highest) and an argument to repeat. */
const DOCUMENTED: readonly [name: string, min: number, max: number, arg: string][] = [
  // Numeric operators
  ["abs", 1, 1, "n"],
  ["ceil", 1, 1, "n"],
  ["floor", 1, 1, "n"],
  ["greatest", 1, many, "n"], // greatest(a: number, ...numbers: number[])
  ["least", 1, many, "n"], // least(a: number, ...numbers: number[])
  ["log", 1, 1, "n"],
  ["round", 1, 2, "n"], // round(a: number [, d: number])
  ["sqrt", 1, 1, "n"],
  ["haversine", 4, 4, "n"], // haversine(lat1, lon1, lat2, lon2)
  ["toNumber", 1, 1, "s"],
  ["toInt", 1, 1, "s"],
  ["toLong", 1, 1, "s"],
  ["toDouble", 1, 1, "s"],
  // Datetime functions
  ["bin", 1, 1, "5m"],
  ["datefloor", 2, 2, "1h"],
  ["dateceil", 2, 2, "1h"],
  ["fromMillis", 1, 1, "n"],
  ["toMillis", 1, 1, "@timestamp"],
  ["now", 0, 0, "n"], // "This function takes no arguments."
  ["parseDate", 2, 3, "s"], // parseDate(fieldName, format [, timezone])
  ["formatDate", 2, 3, "s"], // formatDate(timestamp, format [, timezone])
  ["strftime", 2, 3, "s"], // "Also available as the alias strftime"
  // General functions
  ["ispresent", 1, 1, "s"],
  ["coalesce", 1, many, "s"], // coalesce(fieldName: LogField, ...fieldNames: LogField[])
  ["case", 2, 21, "n"],
  ["if", 3, 3, "n"],
  ["isNumeric", 1, 1, "s"],
  ["messageSize", 1, 1, "@message"],
  ["queryStartTime", 0, 0, "n"],
  ["queryEndTime", 0, 0, "n"],
  ["queryTimeRange", 0, 0, "n"],
  // JSON functions
  ["jsonParse", 1, 1, "s"],
  ["jsonStringify", 1, 1, "s"],
  ["jsonArraySize", 1, 1, "s"],
  ["jsonArrayContains", 2, 2, "s"],
  // IP address string functions
  ["isValidIp", 1, 1, "s"],
  ["isValidIpV4", 1, 1, "s"],
  ["isValidIpV6", 1, 1, "s"],
  ["isIpInSubnet", 2, 2, '"10.0.0.0/8"'],
  ["isIpv4InSubnet", 2, 2, '"10.0.0.0/8"'],
  ["isIpv6InSubnet", 2, 2, '"2001:db8::/32"'],
  ["ipv4ToNumber", 1, 1, "s"],
  ["isPrivateIP", 1, 1, "s"],
  ["isPublicIP", 1, 1, "s"],
  ["isReservedIP", 1, 1, "s"],
  // String functions
  ["isempty", 1, 1, "s"],
  ["isblank", 1, 1, "s"],
  ["concat", 1, many, "s"], // concat(str: string, ...strings: string[])
  ["ltrim", 1, 2, "s"],
  ["rtrim", 1, 2, "s"],
  ["trim", 1, 2, "s"],
  ["strlen", 1, 1, "s"],
  ["toupper", 1, 1, "s"],
  ["tolower", 1, 1, "s"],
  ["substr", 2, 3, "n"], // substr(str, startIndex) and substr(str, startIndex, length)
  ["replace", 3, 3, "s"],
  ["regexReplace", 3, 3, "s"],
  ["strcontains", 2, 3, "s"], // strcontains(str, searchValue [, caseInsensitive])
  ["startsWith", 2, 2, "s"],
  ["endsWith", 2, 2, "s"],
  ["urlencode", 1, 1, "s"],
  ["urldecode", 1, 1, "s"],
  ["base64encode", 1, 1, "s"],
  ["base64decode", 1, 1, "s"],
  ["split", 2, 2, "s"],
  ["hexToAscii", 1, 1, "s"],
  ["hexToDec", 1, 1, "s"],
  ["decToHex", 1, 1, "n"],
  // Functions to use with stats
  ["avg", 1, 1, "n"],
  ["count", 0, 1, "s"], // count() and count(fieldName: LogField)
  ["count_distinct", 1, 1, "s"],
  ["max", 1, 1, "n"],
  ["min", 1, 1, "n"],
  ["pct", 2, 2, "n"], // pct(fieldName, percent)
  ["stddev", 1, 1, "n"],
  ["sum", 1, 1, "n"],
  ["earliest", 1, 1, "s"],
  ["latest", 1, 1, "s"],
  ["sortsFirst", 1, 1, "s"],
  ["sortsLast", 1, 1, "s"],
  // Hashing functions
  ["md5", 1, 1, "s"], // md5(fieldName: string)
  ["sha256", 1, 1, "s"], // sha256(fieldName: string)
  // Time-series functions
  ["rate", 2, 2, "n"], // rate(fieldName: NumericLogField, interval: Period)
  ["count_over_time", 1, 1, "s"], // count_over_time(fieldName: LogField)
  ["sum_over_time", 1, 1, "n"], // sum_over_time(fieldName: NumericLogField)
  ["histogram", 2, 2, "n"], // histogram(fieldName: NumericLogField, buckets: number)
];

const AGGREGATES = new Set([
  "avg",
  "count",
  "count_distinct",
  "max",
  "min",
  "pct",
  "stddev",
  "sum",
]);
const TIME_SERIES = ["rate", "count_over_time", "sum_over_time", "histogram"];
const STATS = new Set([
  ...AGGREGATES,
  ...TIME_SERIES,
  ...["earliest", "latest", "sortsFirst", "sortsLast"],
]);

/** A query calling `name` with `n` arguments, in the command the page uses it in. */
function queryOf(name: string, arg: string, n: number): string {
  const args = Array.from({ length: n }, (_, i) => argAt(name, arg, i)).join(", ");
  return STATS.has(name) ? `stats ${name}(${args}) as x` : `fields ${name}(${args}) as x`;
}

/** Each argument in a form the function's translation takes (a period, a CIDR, a percentile). */
function argAt(name: string, arg: string, i: number): string {
  if (name === "datefloor" || name === "dateceil") return i === 0 ? "@timestamp" : arg;
  if (name.startsWith("isIp") && name.endsWith("InSubnet")) return i === 0 ? "s" : arg;
  if (name === "pct" || name === "round") return i === 0 ? "n" : "2";
  if (name === "rate") return i === 0 ? "n" : "5m";
  if (name === "histogram") return i === 0 ? "n" : "10";
  if (name === "strcontains" && i === 2) return "true";
  if (name === "case" || name === "if") return i % 2 === 0 && i < 20 ? "n > 1" : "n";
  return arg;
}

/** The counts to try: each documented one (the rest as 12), and one fewer and one more. */
function counts(min: number, max: number): { ok: number[]; bad: number[] } {
  const top = max === many ? 12 : max;
  const ok = Array.from({ length: top - min + 1 }, (_, i) => min + i);
  const bad = [min - 1, max === many ? -1 : max + 1].filter((n) => n >= 0);
  return { ok, bad };
}

describe("the parser accepts exactly the documented argument counts", () => {
  test.each(DOCUMENTED)("%s takes %s to %s argument(s)", (name, min, max, arg) => {
    const { ok, bad } = counts(min, max);
    for (const n of ok) expect(() => parseInsights(queryOf(name, arg, n)), `${n}`).not.toThrow();
    for (const n of bad) {
      const q = queryOf(name, arg, n);
      const e = thrown(InsightsSyntaxError, () => parseInsights(q));
      expect(e.message).toMatch(new RegExp(`^${name}\\(\\) takes .* argument\\(s\\), got ${n}$`));
      expect(e.offset).toBe(q.indexOf(`${name}(`));
    }
  });

  test("every documented function is in the table, and only those", () => {
    expect([...FUNCTION_NAMES].sort()).toEqual(DOCUMENTED.map(([n]) => n).sort());
  });
});

/** A parsed query whose first call has `n` arguments: what a caller handing a tree could send. */
function withCount(q: string, n: number): InsightsQuery {
  const ast = parseInsights(q);
  const cmd = ast.commands[0]!;
  if (cmd.kind !== "fields" && cmd.kind !== "stats") throw new Error(q);
  const e = cmd.items[0]!.expr as Expr & { kind: "call" };
  const args = Array.from({ length: n }, (_, i) => e.args[i % Math.max(1, e.args.length)]!);
  e.args = n === 0 ? [] : args;
  return ast;
}

describe("the translation of a syntax tree refuses a count the page does not document", () => {
  // Each function the local engine translates, from a documented call, with one argument
  // fewer and one more. Before, round(n, 2, 2), trim(s, " ", " "), count(s, s), pct(n, 2, 2) and
  // bin(5m, 5m) answered with the extra argument dropped, if() with four became a case(), and
  // substr(s) or ispresent() failed with a TypeError.
  const translated = DOCUMENTED.filter(([name]) => translatesAt(name));
  expect(translated.length).toBeGreaterThan(40);

  test.each(translated)("%s", (name, min, max, arg) => {
    const q = queryOf(name, arg, min);
    for (const n of counts(min, max).bad) {
      const ast = withCount(q, n);
      const e = thrown(InsightsSyntaxError, () =>
        translateInsights(ast, { relation: "cwl_events", check: false }),
      );
      expect(e.code).toBe("insights-syntax");
      expect(e.message).toMatch(new RegExp(`^${name}\\(\\) takes .* argument\\(s\\), got ${n}$`));
      expect(e.offset).toBe(q.indexOf(`${name}(`));
    }
  });
});

/** Whether a documented call of `name` translates (at its lowest count). */
function translatesAt(name: string): boolean {
  const [, min, , arg] = DOCUMENTED.find(([n]) => n === name)!;
  try {
    translateInsights(queryOf(name, arg, min), { relation: "cwl_events", check: false });
    return true;
  } catch {
    return false;
  }
}

describe("the functions `check` lets stand as conditions are the ones whose translation is one", () => {
  // service-only.ts judges `filter f(...)` by CONDITION_FUNCTIONS, written by hand; the run
  // judges it by the translation's type. A function missing from the list would be let by
  // `check` and refused by every local run (or the reverse). if/case/coalesce are conditions
  // when their values are (conditions.test.ts).
  const plain = DOCUMENTED.filter(
    ([name]) =>
      !STATS.has(name) && !["if", "case", "coalesce"].includes(name) && translatesAt(name),
  );

  test.each(plain)("filter %s(...)", (name, min, _max, arg) => {
    const args = Array.from({ length: min }, (_, i) => argAt(name, arg, i)).join(", ");
    const q = `filter ${name}(${args})`;
    let refused = "";
    try {
      translateInsights(q, { relation: "cwl_events", check: false });
    } catch (e) {
      refused = (e as Error).message;
    }
    if (CONDITION_FUNCTIONS.has(name)) expect(refused).toBe("");
    else expect(refused).toContain("is a value, not a condition");
  });

  test("every listed function is translated", () => {
    for (const name of CONDITION_FUNCTIONS) expect(translatesAt(name), name).toBe(true);
  });
});
