/**
 * The translation's typed SQL values: a column or expression (`Col`) with the Logs Insights type
 * it holds, and how each type becomes each other one in DuckDB SQL.
 */

export type T = "string" | "number" | "boolean" | "timestamp" | "null";

export interface Col {
  sql: string;
  type: T;
}

const TIMESTAMP_FORMAT = "'%Y-%m-%d %H:%M:%S.%g'";

/**
 * How a value of each type (rows) is read as text, as a number, as a timestamp, and how it
 * leaves the query (`out`: timestamps as the service's text, booleans as 1/0). `$` stands for
 * the value's SQL.
 */
const CASTS: Record<T, Record<"str" | "num" | "ts" | "out", string>> = {
  string: { str: "$", num: "TRY_CAST($ AS DOUBLE)", ts: "TRY_CAST($ AS TIMESTAMP)", out: "$" },
  number: {
    str: "CAST($ AS VARCHAR)",
    num: "$",
    ts: "make_timestamp(CAST($ * 1000 AS BIGINT))",
    out: "$",
  },
  boolean: {
    str: "CAST(CAST($ AS INTEGER) AS VARCHAR)",
    num: "CAST($ AS INTEGER)",
    ts: "CAST(NULL AS TIMESTAMP)",
    out: "CAST($ AS INTEGER)",
  },
  timestamp: {
    str: `strftime($, ${TIMESTAMP_FORMAT})`,
    num: "epoch_ms($)",
    ts: "$",
    out: `strftime($, ${TIMESTAMP_FORMAT})`,
  },
  null: {
    str: "CAST(NULL AS VARCHAR)",
    num: "CAST(NULL AS DOUBLE)",
    ts: "CAST(NULL AS TIMESTAMP)",
    out: "$",
  },
};

function cast(c: Col, to: "str" | "num" | "ts" | "out"): string {
  return CASTS[c.type][to].split("$").join(c.sql);
}

/** The value as text. */
export const str = (c: Col): string => cast(c, "str");
/** The value as a number (timestamps in epoch milliseconds, booleans 1/0). */
export const num = (c: Col): string => cast(c, "num");
/** The value as a timestamp (numbers are epoch milliseconds). */
export const ts = (c: Col): string => cast(c, "ts");
/** How a value leaves the query. */
export const render = (c: Col): string => cast(c, "out");

/** A number as DOUBLE, for arithmetic that must not be integer arithmetic. */
export function dbl(c: Col): string {
  return `CAST(${num(c)} AS DOUBLE)`;
}

export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return Number.isInteger(n) && Math.abs(n) < 2 ** 53 ? String(n) : `CAST(${String(n)} AS DOUBLE)`;
}

/** A comparison as Logs Insights has it: true or false, never unknown (a missing field gives false). */
export function twoValued(sql: string): string {
  return `coalesce(${sql}, false)`;
}

/**
 * The service's natural sort of text as one ordered key (CWL_QuerySyntax-Sort): text before
 * numbers, numbers by value, text in chunks (digit runs by length then value, the rest by code
 * point).
 */
export function naturalKey(x: string): string {
  const isNum = isNumberText(x);
  const n = `(CASE WHEN ${isNum} THEN TRY_CAST(${x} AS DOUBLE) END)`;
  const chunks = `list_transform(regexp_extract_all(${x}, '[0-9]+|[^0-9]+'), lambda ch: CASE WHEN ch[1] BETWEEN '0' AND '9' THEN lpad(CAST(length(ch) AS VARCHAR), 6, '0') || ch ELSE ch END)`;
  // Equal numbers (01 and 1) by their text, as the documentation's example orders them.
  return `{'num': ${isNum}, 'n': ${n}, 't': (CASE WHEN ${isNum} THEN ${x} END), 'chunks': ${chunks}}`;
}

/** Whether text is a number value: digits only, a sign and a decimal point allowed (not 1e3, inf). */
export function isNumberText(x: string): string {
  return `regexp_full_match(${x}, '-?[0-9]+([.][0-9]+)?')`;
}

/** Text that is a number value as an exact DECIMAL (NULL for other text, or beyond 28 digits). */
export function numberOfText(x: string): string {
  return `(CASE WHEN ${isNumberText(x)} THEN TRY_CAST(${x} AS DECIMAL(38, 10)) END)`;
}
