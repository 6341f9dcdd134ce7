/**
 * The translation of each Logs Insights function to DuckDB SQL: one translator per function,
 * given its call's translated arguments through a `CallContext`. A function of functions.ts
 * that has no translator here is reported as not supported by the local engine.
 */
import type { Expr, PeriodUnit, SERVICE_ONLY_COMMANDS } from "./ast.ts";
import { type Col, naturalKey, num, numberLiteral, str, ts } from "./columns.ts";
import { refusalText } from "./errors.ts";

type Call = Expr & { kind: "call" };

/** What a translator gets from the translator of the whole query. */
export interface CallContext {
  call: Call;
  /** Argument `i`, translated. */
  arg(i: number): Col;
  /** Every argument, translated. */
  args(): Col[];
  /** The events' @timestamp, for the functions that read it implicitly. */
  timestamp(): Col;
  /** The events' @ptr, which orders events of the same @timestamp. */
  pointer(): Col;
  unsupported(node: { start: number; end: number }, message: string): never;
}

type Translator = (c: CallContext) => Col;

const PERIOD_INTERVAL: Record<PeriodUnit, [number, string]> = {
  ms: [1, "millisecond"],
  s: [1, "second"],
  m: [1, "minute"],
  h: [1, "hour"],
  d: [1, "day"],
  w: [7, "day"],
  mo: [1, "month"],
  q: [3, "month"],
  y: [1, "year"],
};

/** Argument `i`, a time period (`5m`), as a DuckDB INTERVAL. */
function period(c: CallContext, i: number): string {
  const p = c.call.args[i]!;
  if (p.kind !== "period") {
    return c.unsupported(p, `${c.call.name}() takes a time period such as 5m or 1h`);
  }
  const [mult, unit] = PERIOD_INTERVAL[p.unit];
  const amount = p.amount * mult;
  if (!Number.isInteger(amount) || amount <= 0)
    c.unsupported(p, `the period ${p.text} must be a positive whole number`);
  return `INTERVAL '${amount} ${unit}'`;
}

/**
 * `t` truncated to a multiple of the period counted from the Unix epoch, as Logs Insights'
 * `bin`/`datefloor` do: `bin(7m)` starts at 00:00, 00:07, ... of the epoch's minutes and `bin(1w)`
 * on the epoch's weekday (a Thursday); months, quarters and years are calendar ones (docs/engines.md).
 * DuckDB's own `time_bucket` origin is 2000-01-03, a Monday, which shifts 7m and 1w bins.
 */
function floorTo(interval: string, t: string): string {
  return `time_bucket(${interval}, ${t}, TIMESTAMP '1970-01-01 00:00:00')`;
}

function ipv4Test(ip: string): string {
  return `coalesce(regexp_full_match(${ip}, '${IPV4}'), false)`;
}

/** A dotted-quad IPv4 address, each part 0-255 without leading zeros. */
const IPV4 =
  "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

/** RFC 4291 text forms: eight groups, or fewer around one `::`, the last two may be IPv4. */
const IPV6 = (() => {
  const h = "[0-9A-Fa-f]{1,4}";
  const forms = [`(${h}:){7}${h}`, `(${h}:){6}${IPV4}`];
  // n groups before `::` and at most 7 - n (or 5 - n before an IPv4 tail) after it.
  for (let n = 0; n <= 7; n++) {
    const before = n === 0 ? "" : `(${h}:){${n - 1}}${h}`;
    forms.push(n === 7 ? `${before}::` : `${before}::(${h}(:${h}){0,${6 - n}})?`);
    if (n <= 5) forms.push(`${before}::((${h}:){0,${5 - n}})${IPV4}`);
  }
  return `(${forms.join("|")})`;
})();

function ipv6Test(ip: string): string {
  return `coalesce(regexp_full_match(${ip}, '${IPV6}'), false)`;
}

/** Whether an IPv4 address (its text `ip`) is in the call's CIDR literal (second argument). */
function ipv4InSubnet(c: CallContext): Col {
  const ip = str(c.arg(0));
  const cidrArg = c.call.args[1]!;
  const cidr = cidrArg.kind === "string" ? cidrArg.value : undefined;
  const m = cidr?.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/);
  if (!m) {
    return c.unsupported(cidrArg, 'the subnet must be an IPv4 CIDR string such as "192.0.2.0/24"');
  }
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32)
    c.unsupported(cidrArg, `"${cidr}" is not a valid IPv4 CIDR`);
  const network = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const base = Math.floor(network / size) * size;
  const asInt = [1, 2, 3, 4]
    .map((i, k) => `CAST(split_part(${ip}, '.', ${i}) AS BIGINT) * ${256 ** (3 - k)}`)
    .join(" + ");
  const sql = `(CASE WHEN ${ipv4Test(ip)} THEN (${asInt}) BETWEEN ${base} AND ${base + size - 1} ELSE false END)`;
  return { sql, type: "boolean" };
}

/** The white space the trim functions remove (DuckDB's trim removes spaces only). */
const TRIM_RE: Record<string, string> = {
  trim: "^[\\s\\v]+|[\\s\\v]+$",
  ltrim: "^[\\s\\v]+",
  rtrim: "[\\s\\v]+$",
};

/** `name(text[, characters])`: the trim functions; without characters, white space. */
const trim: Translator = (c) => {
  if (c.call.args.length > 1)
    return { sql: `${c.call.name}(${str(c.arg(0))}, ${str(c.arg(1))})`, type: "string" };
  const re = TRIM_RE[c.call.name];
  return { sql: `regexp_replace(${str(c.arg(0))}, '${re}', '', 'g')`, type: "string" };
};

/** `name(number)` with DuckDB's function of the same name. */
const sameNumeric: Translator = (c) => ({
  sql: `${c.call.name}(${num(c.arg(0))})`,
  type: "number",
});

/**
 * `fn(x)` where it is defined, else no value: DuckDB fails the whole query on the square root or
 * the logarithm of a negative number, where one event's value must not stop the others'.
 */
function defined(x: string, domain: string, fn: string): Col {
  return { sql: `(CASE WHEN ${x} ${domain} THEN ${fn}(${x}) END)`, type: "number" };
}

/** greatest / least: of timestamps when all are, else of numbers. */
const extreme: Translator = (c) => {
  const xs = c.args();
  const allTs = xs.every((x) => x.type === "timestamp");
  return {
    sql: `${c.call.name}(${xs.map((x) => (allTs ? x.sql : num(x))).join(", ")})`,
    type: allTs ? "timestamp" : "number",
  };
};

/**
 * min / max: of timestamps as such, else of numbers. A field with a value that is not a number
 * fails the query: what the service answers for text (eventTime) is not documented, and the
 * numbers alone (or null) would be a silent guess.
 */
const minMax: Translator = (c) => {
  const x = c.arg(0);
  if (x.type === "timestamp") return { sql: `${c.call.name}(${x.sql})`, type: "timestamp" };
  const message = `${c.call.text}: a value that is not a number; min() and max() of text are not supported by the local engine (use sortsFirst/sortsLast, or --engine logs)`;
  return numbersOnly(x, `${c.call.name}(${num(x)})`, refusalText(c.call, message));
};

/**
 * The aggregate `agg` of `x`'s values as numbers, failing the query when a value of `x` is text
 * that is no number: the service's answer for text is not documented (avg, sum and stddev take a
 * "NumericLogField"), and leaving such values out would be a silent guess.
 */
function numbersOnly(x: Col, agg: string, message: string): Col {
  if (x.type !== "string") return { sql: agg, type: "number" };
  return {
    sql: `(CASE WHEN count(${x.sql}) > count(${num(x)}) THEN error(${sqlText(message)}) ELSE ${agg} END)`,
    type: "number",
  };
}

/** sum / avg / stddev (the sample deviation) / pct of numbers: text refuses (`numbersOnly`). */
function numericAggregate(c: CallContext, agg: (x: string) => string): Col {
  const x = c.arg(0);
  const message = `${c.call.text}: a value that is not a number; ${c.call.name}() of text is not supported by the local engine (filter the values first, or --engine logs)`;
  return numbersOnly(x, agg(num(x)), refusalText(c.call, message));
}

function sqlText(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * earliest / latest: the value at the first or last @timestamp where it is present; of events
 * of the same second, the one first by @ptr (the same value from run to run).
 */
const atTime: Translator = (c) => {
  const x = c.arg(0);
  const dir = c.call.name === "earliest" ? "ASC" : "DESC";
  return {
    sql: `first(${x.sql} ORDER BY ${c.timestamp().sql} ${dir}, ${c.pointer().sql} ASC) FILTER (WHERE ${x.sql} IS NOT NULL)`,
    type: x.type,
  };
};

const coalesce: Translator = (c) => {
  const xs = c.args().filter((x) => x.type !== "null");
  if (xs.length === 0) return { sql: "NULL", type: "null" };
  const same = xs.every((x) => x.type === xs[0]!.type);
  return {
    sql: `coalesce(${xs.map((x) => (same ? x.sql : str(x))).join(", ")})`,
    type: same ? xs[0]!.type : "string",
  };
};

/**
 * An index or length past the end of any text DuckDB holds (at most 4 GB), and within what its
 * substr takes (an offset up to 2^32 - 1).
 */
const PAST_ANY_TEXT = 2 ** 31;

/**
 * substr(string, x[, y]): "Returns a substring from the index specified by the number argument to
 * the end of the string. If the function has a second number argument, it contains the length";
 * its example, `substr("xyZfooxyZ", 3, 3)` is "foo", counts from 0. An index or a length that is
 * negative or not whole fails the step at the call: the page does not say what it gives (DuckDB
 * counted a negative length backwards, `substr("List", 2, -1)` was "i", and rounded 1.5 to 2), and so
 * does one that is no number (0 / 0). One past the end reads to the end, however large.
 */
const substr: Translator = (c) => {
  const numbers = c.call.args.slice(1).map((_, i) => num(c.arg(i + 1)));
  // NaN (0 / 0) is no index either: DuckDB's NaN equals itself, so it passed the other tests.
  const bad = numbers
    .map((x) => `isnan(CAST(${x} AS DOUBLE)) OR ${x} < 0 OR ${x} <> trunc(${x})`)
    .join(" OR ");
  // Past any text's end, however large (DuckDB's cast of 1e19 failed the step, naming no call).
  const [start, len] = numbers.map((x) => `CAST(least(${x}, ${PAST_ANY_TEXT}) AS BIGINT)`);
  const message = `${c.call.text}: an index or a length that is negative or not a whole number; AWS's documentation does not say what substr() gives for it, so the local engine does not guess ${USE_LOGS}`;
  return {
    sql: `(CASE WHEN ${bad} THEN error(${sqlText(refusalText(c.call, message))}) ELSE substr(${str(c.arg(0))}, ${start} + 1${len === undefined ? "" : `, ${len}`}) END)`,
    type: "string",
  };
};

/**
 * replace(string1, string2, string3): "Replaces all instances of string2 in string1 with
 * string3". Instances of the empty string are not defined (DuckDB leaves the text as it is, Java's
 * String.replace puts string3 between every character): such a call fails the step at the call.
 */
const replace: Translator = (c) => {
  const [text, from, to] = c.args().map(str);
  const message = `${c.call.text}: a replacement of the empty string; AWS's documentation does not say what replace() gives for it, so the local engine does not guess ${USE_LOGS}`;
  return {
    sql: `(CASE WHEN ${from} = '' THEN error(${sqlText(refusalText(c.call, message))}) ELSE replace(${text}, ${from}, ${to}) END)`,
    type: "string",
  };
};

const dateceil: Translator = (c) => {
  const t = ts(c.arg(0));
  const p = period(c, 1);
  const floor = floorTo(p, t);
  return {
    sql: `(CASE WHEN ${floor} = ${t} THEN ${t} ELSE ${floor} + ${p} END)`,
    type: "timestamp",
  };
};

const pct: Translator = (c) => {
  const p = c.call.args[1]!;
  if (p.kind !== "number" || p.value < 0 || p.value > 100) {
    return c.unsupported(p, "pct() takes a percentile between 0 and 100 as its second argument");
  }
  return numericAggregate(c, (x) => pctOfPage(c.call, x, p.value));
};

/**
 * pct(f, p) as its page defines it: "the @duration value at which 95 percent of the values of
 * @duration are lower than this value, and 5 percent are higher", a LogFieldValue. Of n sorted
 * values, the one at place k (from 0) has k below and n - 1 - k above, so k runs from
 * p * n / 100 - 1 to p * n / 100: one place (its value), or two when p * n / 100 is a whole
 * number. Two places holding different values fail the step at the call: the page does not say
 * which it is (and an interpolation between them, as this engine once gave, is no value).
 */
function pctOfPage(call: Call, x: string, p: number): string {
  const values = `list_sort(list(${x}) FILTER (WHERE ${x} IS NOT NULL))`;
  const n = `len(${values})`;
  // p * n exactly (p may have decimals: 99.9), then the places 1-based, within the list.
  const t = `(CAST(${numberLiteral(p)} AS DECIMAL(18, 6)) * ${n})`;
  const lo = `greatest(CAST(ceil(${t} / 100) AS BIGINT), 1)`;
  const hi = `least(CAST(floor(${t} / 100) AS BIGINT) + 1, ${n})`;
  const [a, b] = [`${values}[${lo}]`, `${values}[${hi}]`];
  const place = `the values at the ${String(p)}th percentile's place are `;
  const why = `; AWS's documentation says pct() returns the value "at which" ${String(p)} percent of the values are lower and the rest higher, which is either, and does not say which, so the local engine does not guess (CloudWatch Logs runs it: use --engine logs)`;
  const message = `concat(${sqlText(`${call.text}: ${place}`)}, CAST(${a} AS VARCHAR), ' and ', CAST(${b} AS VARCHAR), ${sqlText(refusalText(call, why))})`;
  return `(CASE WHEN ${n} = 0 THEN NULL WHEN ${a} = ${b} THEN ${a} ELSE error(${message}) END)`;
}

const count: Translator = (c) =>
  c.call.star || c.call.args.length === 0
    ? { sql: "count(*)", type: "number" }
    : { sql: `count(${c.arg(0).sql})`, type: "number" };

/** `x, key`: x with the key of the natural sort `sort` uses (translate.ts naturalKey). */
function naturalArgs(x: string): string {
  return `${x}, ${naturalKey(x)}) FILTER (WHERE ${x} IS NOT NULL`;
}

/**
 * strcontains / startsWith / endsWith: "Returns 1 if str contains [starts with, ends with]
 * searchValue and 0 otherwise", so 0 for an event without `str` too; strcontains' third argument
 * `true` makes "the match case-insensitive" (`false`, as without it, does not).
 */
function textTest(test: (s: string, v: string) => string): Translator {
  return (c) => {
    let [s, v] = [str(c.arg(0)), str(c.arg(1))];
    const flag = c.call.args[2];
    if (flag !== undefined) {
      const word = flag.kind === "field" && flag.text === flag.name ? flag.name : "";
      if (word !== "true" && word !== "false")
        return c.unsupported(flag, `${c.call.name}()'s third argument is true or false`);
      if (word === "true") [s, v] = [`lower(${s})`, `lower(${v})`];
    }
    return { sql: `coalesce(${test(s, v)}, false)`, type: "boolean" };
  };
}

/**
 * if(condition, trueValue, falseValue) and case(cond1, val1, ..., [default]): "the value for the
 * first true condition", else the default (none without one); values of different types as text.
 */
const conditional: Translator = (c) => {
  const args = c.args();
  const values = args.filter((_, i) => i % 2 === 1 || (i === args.length - 1 && i % 2 === 0));
  const typed = values.filter((x) => x.type !== "null");
  const same = typed.every((x) => x.type === typed[0]?.type);
  const value = (x: Col) => (same ? x.sql : str(x));
  const whens: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    const when = args[i]!;
    if (when.type !== "boolean")
      c.unsupported(c.call.args[i]!, valueAsCondition(c.call.args[i]!.text));
    whens.push(`WHEN ${when.sql} THEN ${value(args[i + 1]!)}`);
  }
  const otherwise = args.length % 2 === 1 ? ` ELSE ${value(args[args.length - 1]!)}` : "";
  return {
    sql: `(CASE ${whens.join(" ")}${otherwise} END)`,
    type: same ? (typed[0]?.type ?? "null") : "string",
  };
};

/** 2^52: from here on every double is a whole number. */
const WHOLE_DOUBLE = 4503599627370496;

/**
 * round(a[, d]): "With one argument, rounds to the nearest integer. With two arguments, rounds to
 * d decimal places." The page does not say which way a value half-way between two (2.5) goes, so
 * such a value fails the step with a message at the call rather than take a side.
 */
const round: Translator = (c) => {
  const d = c.call.args[1];
  if (
    d !== undefined &&
    (d.kind !== "number" || !Number.isInteger(d.value) || d.value < 0 || d.value > 15)
  )
    return c.unsupported(d, "round()'s decimal places are a whole number from 0 to 15");
  const places = d?.value ?? 0;
  const x = `CAST(${num(c.arg(0))} AS DOUBLE)`;
  // The value as its shortest decimal text reads (1.005, not the double's 1.00499999999999989...),
  // so that a value written half-way is one. From 2^52 on a double holds no fraction: it is its
  // own rounding (DuckDB's round(1e21, 2) of the double was 999999999999999900000).
  const dec = `TRY_CAST(CAST(${x} AS VARCHAR) AS DECIMAL(38, 18))`;
  const half = `CAST('0.${"0".repeat(places)}5' AS DECIMAL(38, 18))`;
  const scaled = `(${x} * ${10 ** places})`;
  const message = `${c.call.text}: a value half-way between two roundings; AWS's documentation does not say which way round() takes it, so the local engine does not guess (--engine logs)`;
  const refuse = `error(${sqlText(refusalText(c.call, message))})`;
  return {
    sql: `(CASE WHEN isnan(${x}) OR isinf(${x}) OR abs(${x}) >= ${WHOLE_DOUBLE} THEN ${x} WHEN ${dec} IS NULL THEN (CASE WHEN abs(${scaled} - trunc(${scaled})) = 0.5 THEN ${refuse} ELSE round(${x}, ${places}) END) WHEN abs(round(${dec}, ${places}) - ${dec}) = ${half} THEN ${refuse} ELSE CAST(round(${dec}, ${places}) AS DOUBLE) END)`,
    type: "number",
  };
};

/**
 * The characters whose DuckDB case mapping is not Unicode's full one (that of Java's and
 * JavaScript's toUpperCase/toLowerCase: "ß" is "SS", "ﬁ" is "FI", "İ" is "i̇", a word's last "Σ" is
 * "ς"; DuckDB gives "ẞ", "ﬁ", "i", "σ"), or that DuckDB's Unicode version maps and another may
 * not: every code point whose upper() or lower() differs from JavaScript's, measured over all of
 * them (test/case-mapping.test.ts checks the list), with "Σ" for its context.
 */
export const CASE_UNSURE: Record<"upper" | "lower", string> = {
  upper:
    "[\\x{df}\\x{149}\\x{19b}\\x{1f0}\\x{264}\\x{390}\\x{3b0}\\x{587}\\x{1c8a}\\x{1e96}-\\x{1e9a}\\x{1f50}\\x{1f52}\\x{1f54}\\x{1f56}\\x{1f80}-\\x{1faf}\\x{1fb2}-\\x{1fb4}\\x{1fb6}-\\x{1fb7}\\x{1fbc}\\x{1fc2}-\\x{1fc4}\\x{1fc6}-\\x{1fc7}\\x{1fcc}\\x{1fd2}-\\x{1fd3}\\x{1fd6}-\\x{1fd7}\\x{1fe2}-\\x{1fe4}\\x{1fe6}-\\x{1fe7}\\x{1ff2}-\\x{1ff4}\\x{1ff6}-\\x{1ff7}\\x{1ffc}\\x{a7cd}\\x{a7cf}\\x{a7d3}\\x{a7d5}\\x{a7db}\\x{fb00}-\\x{fb06}\\x{fb13}-\\x{fb17}\\x{feff}\\x{10d70}-\\x{10d85}\\x{16ebb}-\\x{16ed3}]",
  lower:
    "[\\x{130}\\x{3a3}\\x{1c89}\\x{a7cb}-\\x{a7cc}\\x{a7ce}\\x{a7d2}\\x{a7d4}\\x{a7da}\\x{a7dc}\\x{feff}\\x{10d50}-\\x{10d65}\\x{16ea0}-\\x{16eb8}]",
};

/**
 * toupper / tolower: "Converts the string to uppercase [lowercase]". A value holding a character
 * of `CASE_UNSURE` fails the step at the call rather than take DuckDB's mapping, which is not
 * the standard one the service's is likely to be; any other value is mapped.
 */
function caseMapped(c: CallContext, fn: "upper" | "lower"): Col {
  const x = str(c.arg(0));
  const message = `${c.call.text}: a value holding a character (such as ß, ﬁ, İ or Σ) whose ${fn}-case form differs between Unicode's full mapping and the local engine's; AWS's documentation does not say which the service uses, so the local engine does not guess (CloudWatch Logs runs it: use --engine logs)`;
  return {
    sql: `(CASE WHEN regexp_matches(${x}, '${CASE_UNSURE[fn]}') THEN error(${sqlText(refusalText(c.call, message))}) ELSE ${fn}(${x}) END)`,
    type: "string",
  };
}

/** The functions the local engine translates whose value is true or false: conditions. */
export const CONDITION_FUNCTIONS: ReadonlySet<string> = new Set([
  "ispresent",
  "isempty",
  "isblank",
  "strcontains",
  "startsWith",
  "endsWith",
  "isValidIp",
  "isValidIpV4",
  "isValidIpV6",
  "isIpInSubnet",
  "isIpv4InSubnet",
]);

/** The translators by the functions' documented names (functions.ts). */
const CALLS: ReadonlyMap<string, Translator> = new Map<string, Translator>([
  ["ispresent", (c) => ({ sql: `(${c.arg(0).sql} IS NOT NULL)`, type: "boolean" })],
  [
    "isempty",
    (c) => ({ sql: `(${c.arg(0).sql} IS NULL OR ${str(c.arg(0))} = '')`, type: "boolean" }),
  ],
  [
    "isblank",
    (c) => ({
      sql: `(${c.arg(0).sql} IS NULL OR regexp_full_match(${str(c.arg(0))}, '[\\s\\v]*'))`,
      type: "boolean",
    }),
  ],
  ["coalesce", coalesce],
  ["concat", (c) => ({ sql: `concat(${c.args().map(str).join(", ")})`, type: "string" })],
  ["strlen", (c) => ({ sql: `length(${str(c.arg(0))})`, type: "number" })],
  ["toupper", (c) => caseMapped(c, "upper")],
  ["tolower", (c) => caseMapped(c, "lower")],
  ["trim", trim],
  ["ltrim", trim],
  ["rtrim", trim],
  ["substr", substr],
  ["replace", replace],
  ["strcontains", textTest((s, v) => `contains(${s}, ${v})`)],
  ["startsWith", textTest((s, v) => `starts_with(${s}, ${v})`)],
  ["endsWith", textTest((s, v) => `ends_with(${s}, ${v})`)],
  ["if", conditional],
  ["case", conditional],
  ["round", round],
  ["abs", sameNumeric],
  ["ceil", sameNumeric],
  ["floor", sameNumeric],
  ["sqrt", (c) => defined(num(c.arg(0)), ">= 0", "sqrt")],
  ["log", (c) => defined(num(c.arg(0)), "> 0", "ln")],
  ["greatest", extreme],
  ["least", extreme],
  ["bin", (c) => ({ sql: floorTo(period(c, 0), c.timestamp().sql), type: "timestamp" })],
  ["datefloor", (c) => ({ sql: floorTo(period(c, 1), ts(c.arg(0))), type: "timestamp" })],
  ["dateceil", dateceil],
  ["fromMillis", (c) => ({ sql: ts({ sql: num(c.arg(0)), type: "number" }), type: "timestamp" })],
  ["toMillis", (c) => ({ sql: `epoch_ms(${ts(c.arg(0))})`, type: "number" })],
  [
    "isValidIp",
    (c) => ({ sql: `(${ipv4Test(str(c.arg(0)))} OR ${ipv6Test(str(c.arg(0)))})`, type: "boolean" }),
  ],
  ["isValidIpV4", (c) => ({ sql: ipv4Test(str(c.arg(0))), type: "boolean" })],
  ["isValidIpV6", (c) => ({ sql: ipv6Test(str(c.arg(0))), type: "boolean" })],
  ["isIpInSubnet", ipv4InSubnet],
  ["isIpv4InSubnet", ipv4InSubnet],
  // isIpv6InSubnet: not supported by the local engine.
  // ---- aggregates
  ["count", count],
  ["count_distinct", (c) => ({ sql: `count(DISTINCT ${c.arg(0).sql})`, type: "number" })],
  ["sum", (c) => numericAggregate(c, (x) => `sum(${x})`)],
  ["avg", (c) => numericAggregate(c, (x) => `avg(${x})`)],
  ["stddev", (c) => numericAggregate(c, (x) => `stddev_samp(${x})`)],
  ["min", minMax],
  ["max", minMax],
  ["pct", pct],
  ["earliest", atTime],
  ["latest", atTime],
  ["sortsFirst", (c) => ({ sql: `arg_min(${naturalArgs(str(c.arg(0)))})`, type: "string" })],
  ["sortsLast", (c) => ({ sql: `arg_max(${naturalArgs(str(c.arg(0)))})`, type: "string" })],
]);

export function translateCall(c: CallContext): Col {
  const translate = CALLS.get(c.call.name);
  if (!translate) return c.unsupported(c.call, serviceOnlyFunction(c.call.name));
  return translate(c);
}

/** Whether the local engine translates the function (by its documented name, functions.ts). */
export function translatesLocally(name: string): boolean {
  return CALLS.has(name);
}

/**
 * Why a value in a condition's place (`filter readOnly`, `not errorCode`, `if(errorCode, ...)`)
 * is refused: the functions page says to "use Boolean operators only in functions that return
 * TRUE or FALSE" and writes conditions as comparisons; which values of a field pass is not said
 * (the local engine once read any value as "present", so `filter readOnly` kept readOnly 0 too).
 */
export function valueAsCondition(text: string): string {
  return `${text} is a value, not a condition: AWS's documentation writes conditions as comparisons and functions that return true or false, and does not say which values pass, so the local engine does not guess (write a comparison such as ${text} = 1, or ispresent(${text})) ${USE_LOGS}`;
}

/**
 * Whether an expression is a power the page does not read for us: `a ^ b ^ c` (a power whose
 * exponent is another one, without parentheses) or `-a ^ b` (a minus sign before a power). The
 * functions page gives `2 ^ 3` returns 8 only, not which way a chain groups nor whether the sign
 * goes first; the local engine read them as mathematics does (`2 ^ 3 ^ 2` 512, `-2 ^ 2` -4).
 */
export function ambiguousPower(e: Expr): boolean {
  const bare = (x: Expr) => x.kind === "binary" && x.op === "^" && x.start === x.left.start;
  return (
    (e.kind === "binary" && e.op === "^" && bare(e.right)) || (e.kind === "neg" && bare(e.operand))
  );
}

/** Why the local engine refuses an `ambiguousPower`. */
export function powerGrouping(text: string): string {
  return `${text}: AWS's documentation gives 2 ^ 3 alone, not whether a ^ b ^ c is (a ^ b) ^ c or a ^ (b ^ c), nor whether -a ^ b is (-a) ^ b or -(a ^ b), so the local engine does not guess (write the parentheses) ${USE_LOGS}`;
}

/** How each refusal of what only CloudWatch Logs runs ends. */
const USE_LOGS = "(CloudWatch Logs runs it: use --engine logs)";

/** Why the local engine refuses a function CloudWatch Logs runs. */
export function serviceOnlyFunction(name: string): string {
  return `${name}() is not supported by the local engine ${USE_LOGS}`;
}

/** Why the local engine does not run each command only CloudWatch Logs runs (their pages). */
const SERVICE_ONLY_COMMAND_REASONS: Record<(typeof SERVICE_ONLY_COMMANDS)[number], string> = {
  unnest:
    "its lists come from jsonParse(), which the local engine does not have, and AWS's documentation does not say whether a field of the event such as resources is one",
  pattern:
    "AWS's documentation does not say how the service clusters events into patterns and tokens",
  anomaly: "AWS's documentation does not say how the service's machine learning finds anomalies",
  diff: "it compares with an earlier time range the step's window does not read, in a form AWS's documentation does not give",
  fillmissing:
    "AWS's documentation does not say which bins are empty (from the query's window or from the first to the last bin found)",
  filldown:
    "AWS's documentation does not say in which order the rows are filled (the events' or the results')",
  accum:
    "AWS's documentation does not say in which order the rows are summed, nor what a row without a number adds",
};

/** The local engine's refusal of a command only CloudWatch Logs runs (`serviceOnlyUses` lists it). */
export function serviceOnlyCommand(kind: (typeof SERVICE_ONLY_COMMANDS)[number]): string {
  return `the ${kind} command is not supported by the local engine: ${SERVICE_ONLY_COMMAND_REASONS[kind]} ${USE_LOGS}`;
}

/**
 * Why `stats ... by bin(5m) offset 1h` is not translated: the time-series page says the bins are
 * shifted by the period, not whether the events read move with them (the query's time range is
 * the same) nor how a bin's time is then shown.
 */
export function binOffset(): string {
  return `offset (stats ... by bin() offset <period>) is not supported by the local engine: AWS's documentation does not say which events a shifted bin holds ${USE_LOGS}`;
}

/**
 * Why a map's or list's access (`users[1]`, ``map.`special.char` ``) is not translated: the
 * "Structure types" section shows `json_message.users[1].action` without saying whether an index
 * counts from 0 or 1, and the local engine's fields are the event's flattened keys, not maps.
 */
export function structureAccess(name: string): string {
  return `${name}: a map's or list's access (list[index], map.\`key\`) is not supported by the local engine: AWS's documentation does not say whether a list's index counts from 0 or 1 (CloudWatch Logs runs it: use --engine logs; a CloudTrail list is read as resources.0.ARN)`;
}

/** What the files do not say, for each field the service makes that the local engine refuses. */
export const DELIVERY_FIELDS: Readonly<Record<"@log" | "@logStream" | "@ingestionTime", string>> = {
  "@log": "which log group an event was delivered to",
  "@logStream":
    "which log stream an event was delivered to (CloudTrail names it account_ID_CloudTrail_trail_region, and account_ID_CloudTrail_trail_region_number when it delivers to several)",
  "@ingestionTime": "when an event was ingested into CloudWatch Logs",
};

/** Why the local engine refuses a field of the event's delivery (`DELIVERY_FIELDS`). */
export function deliveryField(name: keyof typeof DELIVERY_FIELDS): string {
  return `${name} is not available on the local engine: CloudTrail files do not say ${DELIVERY_FIELDS[name]}`;
}
