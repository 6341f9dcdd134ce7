/**
 * A function's argument of a type that none of the function's Trino signatures takes and that
 * Trino does not convert into one they take: `split_part(eventname, '.', '1')` (Trino never
 * converts text to a number), `lower(123)`, `date_trunc('hour', eventtime)` (text to a time),
 * `from_iso8601_timestamp(date(...))`. Trino's analyzer refuses the call ("Unexpected
 * parameters (varchar, varchar(1), varchar(1)) for function split_part. Expected:
 * split_part(varchar(x), varchar(y), bigint)", FunctionResolver) where DuckDB converted and
 * answered, or failed in words that say nothing of Athena.
 *
 * `SIGNATURES` is the one table: every overload Trino has of the functions runbooks use, written
 * as Trino lists them. An argument is judged only when types.ts knows its type for certain, and
 * by its group (numbers convert among themselves, a date into a timestamp...), so a call is
 * refused only when no overload of its argument count takes the known types: the rule must never
 * refuse what Athena runs.
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  FunctionCallContext,
  NumericLiteralContext,
  ParameterContext,
  StringLiteralContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";
import type { SqlProblem } from "./problem.ts";
import {
  article,
  at,
  functionName,
  jsonPathOf,
  type SqlType,
  type TypeGroup,
  type Typing,
  typeOf,
  unquote,
  unwrap,
} from "./types.ts";
import type { SourceText } from "./value-types.ts";

/**
 * Trino's overloads (trinodb/trino, core/trino-main io.trino.operator.scalar: StringFunctions,
 * JoniRegexpFunctions, JsonFunctions, UrlFunctions, DateTimeFunctions, MathFunctions,
 * VarbinaryFunctions, the array and map functions; io.trino.operator.aggregation for the
 * aggregates). `a|b(...)` gives the overload to each name; `T`, `E`, `K`, `V`, `U` take any type;
 * JoniRegexp, JsonPath and CodePoints take text (Trino converts varchar into them); a type the
 * inference never gives (varbinary, json, array, map, ipaddress, a lambda) takes none it knows.
 * A last parameter ending with `...` repeats.
 */
const SIGNATURES = `
  chr(bigint)
  codepoint(varchar(1))
  concat_ws(varchar, varchar...) concat_ws(varchar, array(varchar))
  hamming_distance|levenshtein_distance(varchar(x), varchar(y))
  length(varchar(x)) length(char(x)) length(varbinary)
  lower|upper(varchar(x)) lower|upper(char(x))
  lpad|rpad(varchar(x), bigint, varchar(y)) lpad|rpad(varbinary, bigint, varbinary)
  ltrim|rtrim|trim(varchar(x)) ltrim|rtrim|trim(varchar(x), CodePoints)
  ltrim|rtrim|trim(char(x)) ltrim|rtrim|trim(char(x), CodePoints)
  luhn_check|soundex(varchar)
  replace(varchar(x), varchar(y)) replace(varchar(x), varchar(y), varchar(z))
  reverse(varchar(x)) reverse(varbinary) reverse(array(E))
  split(varchar(x), varchar(y)) split(varchar(x), varchar(y), bigint)
  split_part(varchar(x), varchar(y), bigint)
  split_to_map|split_to_multimap(varchar, varchar, varchar)
  starts_with(varchar(x), varchar(y)) starts_with(char(x), char(y))
  strpos(varchar(x), varchar(y)) strpos(varchar(x), varchar(y), bigint)
  substr|substring(varchar(x), bigint) substr|substring(varchar(x), bigint, bigint)
  substr|substring(char(x), bigint) substr|substring(char(x), bigint, bigint)
  substr|substring(varbinary, bigint) substr|substring(varbinary, bigint, bigint)
  translate(varchar(x), varchar(y), varchar(z))
  word_stem(varchar(x)) word_stem(varchar(x), varchar(2))
  to_utf8(varchar(x))
  from_utf8(varbinary) from_utf8(varbinary, bigint) from_utf8(varbinary, varchar(x))
  md5|sha1|sha256|sha512|xxhash64|crc32|to_base64(varbinary)

  regexp_like|regexp_count|regexp_split(varchar(x), JoniRegexp)
  regexp_extract|regexp_extract_all(varchar(x), JoniRegexp)
  regexp_extract|regexp_extract_all(varchar(x), JoniRegexp, bigint)
  regexp_position(varchar(x), JoniRegexp) regexp_position(varchar(x), JoniRegexp, bigint)
  regexp_position(varchar(x), JoniRegexp, bigint, bigint)
  regexp_replace(varchar(x), JoniRegexp) regexp_replace(varchar(x), JoniRegexp, varchar(y))
  regexp_replace(varchar(x), JoniRegexp, function(array(varchar), varchar(y)))

  json_extract|json_extract_scalar|json_size(varchar(x), JsonPath)
  json_extract|json_extract_scalar|json_size(json, JsonPath)
  json_array_length|is_json_scalar(varchar(x)) json_array_length|is_json_scalar(json)
  json_array_get(varchar(x), bigint) json_array_get(json, bigint)
  json_parse(varchar(x))
  json_format(json)

  url_extract_fragment|url_extract_host|url_extract_path|url_extract_port(varchar(x))
  url_extract_protocol|url_extract_query|url_encode|url_decode(varchar(x))
  url_extract_parameter(varchar(x), varchar(y))

  date_add(varchar(x), bigint, date) date_add(varchar(x), bigint, time(p))
  date_add(varchar(x), bigint, time(p) with time zone) date_add(varchar(x), bigint, timestamp(p))
  date_add(varchar(x), bigint, timestamp(p) with time zone)
  date_diff(varchar(x), date, date) date_diff(varchar(x), time(p), time(p))
  date_diff(varchar(x), time(p) with time zone, time(p) with time zone)
  date_diff(varchar(x), timestamp(p), timestamp(p))
  date_diff(varchar(x), timestamp(p) with time zone, timestamp(p) with time zone)
  date_trunc(varchar(x), date) date_trunc(varchar(x), time(p))
  date_trunc(varchar(x), time(p) with time zone) date_trunc(varchar(x), timestamp(p))
  date_trunc(varchar(x), timestamp(p) with time zone)
  date_format|format_datetime(timestamp(p), varchar(x))
  date_format|format_datetime(timestamp(p) with time zone, varchar(x))
  date_parse|parse_datetime(varchar(x), varchar(y))
  from_iso8601_timestamp|from_iso8601_timestamp_nanos|from_iso8601_date(varchar(x))
  to_iso8601(date) to_iso8601(timestamp(p)) to_iso8601(timestamp(p) with time zone)
  from_unixtime(double) from_unixtime(double, varchar(x)) from_unixtime(double, bigint, bigint)
  from_unixtime_nanos(bigint) from_unixtime_nanos(decimal(p,s))
  to_unixtime(timestamp(p)) to_unixtime(timestamp(p) with time zone)
  to_milliseconds(interval day to second)
  human_readable_seconds(double)
  parse_duration(varchar(x))
  date(varchar(x)) date(timestamp(p)) date(timestamp(p) with time zone)
  last_day_of_month|quarter|week|week_of_year(date)
  last_day_of_month|quarter|week|week_of_year(timestamp(p))
  last_day_of_month|quarter|week|week_of_year(timestamp(p) with time zone)
  day_of_week|dow|day_of_year|doy|year_of_week|yow(date)
  day_of_week|dow|day_of_year|doy|year_of_week|yow(timestamp(p))
  day_of_week|dow|day_of_year|doy|year_of_week|yow(timestamp(p) with time zone)
  year|month(date) year|month(timestamp(p)) year|month(timestamp(p) with time zone)
  year|month(interval year to month)
  day|day_of_month(date) day|day_of_month(timestamp(p))
  day|day_of_month(timestamp(p) with time zone) day|day_of_month(interval day to second)
  hour|minute|second|millisecond(time(p)) hour|minute|second|millisecond(time(p) with time zone)
  hour|minute|second|millisecond(timestamp(p))
  hour|minute|second|millisecond(timestamp(p) with time zone)
  hour|minute|second|millisecond(interval day to second)
  with_timezone(timestamp(p), varchar(x))
  at_timezone(timestamp(p) with time zone, varchar(x))
  at_timezone(timestamp(p) with time zone, interval day to second)
  timezone_hour|timezone_minute(timestamp(p) with time zone)
  timezone_hour|timezone_minute(time(p) with time zone)

  abs|ceil|ceiling|floor|sign|round(bigint) abs|ceil|ceiling|floor|sign|round(double)
  abs|ceil|ceiling|floor|sign|round(decimal(p,s)) abs|ceil|ceiling|floor|sign|round(integer)
  abs|ceil|ceiling|floor|sign|round(real) abs|ceil|ceiling|floor|sign|round(smallint)
  abs|ceil|ceiling|floor|sign|round(tinyint)
  round(bigint, integer) round(double, integer) round(decimal(p,s), integer)
  round(integer, integer) round(real, integer) round(smallint, integer) round(tinyint, integer)
  truncate(double) truncate(real) truncate(decimal(p,s))
  truncate(double, integer) truncate(real, integer) truncate(decimal(p,s), bigint)
  sqrt|cbrt|exp|ln|log2|log10|degrees|radians(double)
  sin|cos|tan|asin|acos|atan|sinh|cosh|tanh(double)
  is_nan|is_finite|is_infinite(double) is_nan|is_finite|is_infinite(real)
  log|pow|power|atan2(double, double)
  mod(bigint, bigint) mod(double, double) mod(decimal(p,s), decimal(p,s)) mod(integer, integer)
  mod(real, real) mod(smallint, smallint) mod(tinyint, tinyint)
  width_bucket(double, double, double, bigint) width_bucket(double, array(double))
  to_base(bigint, bigint) from_base(varchar(x), bigint)
  format_number(bigint) format_number(double)
  bitwise_and|bitwise_or|bitwise_xor|bit_count(bigint, bigint)
  bitwise_not(bigint)

  sum|avg(bigint) sum|avg(double) sum|avg(decimal(p,s)) sum|avg(integer) sum|avg(real)
  sum|avg(smallint) sum|avg(tinyint) sum|avg(interval day to second)
  sum|avg(interval year to month)
  stddev|stddev_pop|stddev_samp|variance|var_pop|var_samp(bigint)
  stddev|stddev_pop|stddev_samp|variance|var_pop|var_samp(double)
  count_if|bool_and|bool_or|every(boolean)
  approx_percentile(bigint, double) approx_percentile(double, double) approx_percentile(real, double)
  approx_percentile(bigint, array(double)) approx_percentile(double, array(double))
  approx_percentile(real, array(double)) approx_percentile(bigint, bigint, double)
  approx_percentile(double, bigint, double) approx_percentile(real, bigint, double)
  approx_percentile(bigint, bigint, array(double)) approx_percentile(double, bigint, array(double))
  approx_percentile(real, bigint, array(double)) approx_percentile(bigint, bigint, double, double)
  approx_percentile(double, bigint, double, double) approx_percentile(real, bigint, double, double)

  cardinality(array(E)) cardinality(map(K,V))
  element_at(array(E), bigint) element_at(map(K,V), K)
  slice(array(E), bigint, bigint)
  trim_array(array(E), bigint)
  contains(array(T), T) contains(varchar(x), ipaddress)
  array_join(array(T), varchar(x)) array_join(array(T), varchar(x), varchar(y))
  array_position(array(T), T) array_position(array(T), T, bigint)
  array_remove(array(E), E)
  array_distinct|array_max|array_min|array_sort(array(E))
  array_sort(array(T), function(T,T,integer))
  arrays_overlap|array_intersect|array_union|array_except(array(E), array(E))
  map_keys|map_values(map(K,V))
  filter|any_match|all_match|none_match(array(T), function(T,boolean))
  transform(array(T), function(T,U))
  sequence(bigint, bigint) sequence(bigint, bigint, bigint) sequence(date, date)
  sequence(date, date, interval day to second) sequence(date, date, interval year to month)
  sequence(timestamp(p), timestamp(p), interval day to second)
  sequence(timestamp(p), timestamp(p), interval year to month)
`;

/** What a parameter takes of the types the inference knows: a group, any, or none (`other`). */
type Want = TypeGroup | "any" | "other";

interface Param {
  /** As Trino writes it: varchar(x), bigint, timestamp(p) with time zone, array(E)... */
  name: string;
  want: Want;
}

interface Overload {
  /** As Trino lists it after "Expected:". */
  text: string;
  params: Param[];
  /** The last parameter repeats (`concat_ws(varchar, varchar...)`). */
  variadic: boolean;
}

/** The group of the inference's types a parameter of Trino's type `name` takes. */
function wantOf(name: string): Want {
  const base = name.replace(/\(.*$/, "").trim();
  if (/^[A-Z]$/.test(base)) return "any";
  if (["varchar", "char", "JoniRegexp", "JsonPath", "CodePoints"].includes(base)) return "varchar";
  if (["tinyint", "smallint", "integer", "bigint", "double", "real", "decimal"].includes(base))
    return "number";
  if (base === "boolean") return "boolean";
  if (/^(date|time|timestamp)\b/.test(name)) return "temporal";
  if (name.startsWith("interval")) return "interval";
  return "other";
}

/** `a, b(c, d), e` → `a`, `b(c, d)`, `e`: commas outside parentheses. */
function topLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of list) {
    if (ch === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
      continue;
    }
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    current += ch;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** `SIGNATURES` read: each name's overloads, in the table's order. */
function parseSignatures(table: string): Map<string, Overload[]> {
  const out = new Map<string, Overload[]>();
  const signature = /([a-z0-9_|]+)\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g;
  for (const [, names, list] of table.matchAll(signature)) {
    const written = topLevel(list!);
    const variadic = written.at(-1)?.endsWith("...") === true;
    const params = written.map((p) => {
      const name = p.replace(/\.\.\.$/, "");
      return { name, want: wantOf(name) };
    });
    for (const name of names!.split("|")) {
      const text = `${name}(${params.map((p) => p.name).join(", ")}${variadic ? "..." : ""})`;
      out.set(name, [...(out.get(name) ?? []), { text, params, variadic }]);
    }
  }
  return out;
}

/** Every overload of the functions the rule judges, by lower-case name. */
export const OVERLOADS: ReadonlyMap<string, readonly Overload[]> = parseSignatures(SIGNATURES);

/** Whether `o` takes `count` arguments. */
function fits(o: Overload, count: number): boolean {
  return o.variadic ? count >= o.params.length - 1 : count === o.params.length;
}

/** The parameter of `o` the argument at `i` is passed to. */
function paramAt(o: Overload, i: number): Param {
  return o.params[Math.min(i, o.params.length - 1)]!;
}

/** Trino's exact integer types: it converts none of decimal, real or double into them. */
const INTEGERS = new Set(["tinyint", "smallint", "integer", "bigint"]);

function takes(param: Param, type: SqlType): boolean {
  if (param.want === "any") return true;
  if (param.want !== type.group) return false;
  // `substr(s, 1.5)`, `split_part(s, '.', 2e0)`: numbers convert among themselves only upward
  // (an integer into a decimal or double), never a decimal or double into an integer.
  return !(INTEGERS.has(param.name) && ["decimal", "double", "real"].includes(type.name));
}

interface Typed {
  arg: ParserRuleContext;
  type: SqlType | undefined;
}

/** The overload that refuses fewest of the known types, and the first argument it refuses. */
function closest(overloads: readonly Overload[], args: Typed[]) {
  let best: { param: Param; index: number; misses: number } | undefined;
  for (const o of overloads) {
    if (!fits(o, args.length)) continue;
    const misses = args.flatMap(({ type }, i) => {
      const param = paramAt(o, i);
      return type && !takes(param, type) ? [{ param, index: i }] : [];
    });
    if (misses.length === 0) return undefined; // an overload takes the call
    if (best === undefined || misses.length < best.misses) {
      best = { ...misses[0]!, misses: misses.length };
    }
  }
  return best;
}

/** An argument's type as Trino names it in the refusal: a literal's length and precision too. */
function trinoName(arg: ParserRuleContext, type: SqlType | undefined): string {
  if (type === undefined) return "?";
  const lit = unwrap(arg);
  if (lit instanceof StringLiteralContext) {
    return `varchar(${[...unquote(lit.getText())].length})`;
  }
  if (lit instanceof NumericLiteralContext) {
    const text = lit.getText().replace(/^-/, "");
    if (/^\d+$/.test(text)) return Number(text) > 2147483647 ? "bigint" : "integer";
    const [whole = "", fraction = ""] = text.split(".");
    if (!/e/i.test(text)) {
      const digits = whole.replace(/^0+/, "").length + fraction.length;
      return `decimal(${Math.max(digits, 1)},${fraction.length})`;
    }
  }
  return type.name;
}

const GROUP_WORDS: Record<Want, string> = {
  varchar: "text",
  number: "a number",
  boolean: "a boolean",
  temporal: "a date or time",
  interval: "an interval",
  any: "any type",
  other: "",
};

/** Functions that read a time out of text: a time passed to them is one already. */
const PARSES_TIME = new Set([
  "from_iso8601_timestamp",
  "from_iso8601_timestamp_nanos",
  "from_iso8601_date",
  "date_parse",
  "parse_datetime",
]);

/** What to write instead of text where a number, a time or a boolean is wanted. */
function insteadOfText(arg: ParserRuleContext, param: Param, text: string): string {
  const lit = unwrap(arg);
  const literal = lit instanceof StringLiteralContext ? unquote(lit.getText()) : undefined;
  if (lit instanceof ParameterContext) {
    return param.want === "number"
      ? `declare the parameter as an integer or a number, or write CAST(${text} AS ${numberType(param)})`
      : `write ${convertText(text, param)}`;
  }
  if (param.want === "number" && literal !== undefined && /^-?\d+(\.\d+)?$/.test(literal)) {
    return `write ${literal} instead of ${text}`;
  }
  if (param.want === "temporal" && literal !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(literal)) {
    return `write DATE '${literal}'`;
  }
  return `write ${convertText(text, param)}`;
}

function numberType(param: Param): string {
  return ["integer", "double"].includes(param.name) ? param.name : "bigint";
}

function convertText(text: string, param: Param): string {
  if (param.want === "number") return `CAST(${text} AS ${numberType(param)})`;
  if (param.want === "temporal") return `from_iso8601_timestamp(${text})`;
  if (param.want === "boolean") return `${text} = 'true'`;
  if (param.name === "varbinary") return `to_utf8(${text})`;
  if (param.name === "json") return `json_parse(${text})`;
  if (param.name.startsWith("array")) return `split(${text}, ',') for an array of its parts`;
  return `a value of type ${param.name}`;
}

/** What Trino does not convert: "text to a number", "decimal or double to an integer". */
function converted(type: SqlType, wanted: string): string {
  if (type.group === "number" && wanted === "a number")
    return "decimal, real or double to an integer (only integers into wider numbers)";
  return `${GROUP_WORDS[type.group].replace(/^an? /, "")} to ${wanted}`;
}

/** What to write instead of an argument of `type` where `param` is wanted. */
function instead(
  name: string,
  arg: ParserRuleContext,
  type: SqlType,
  param: Param,
  text: string,
): string {
  if (type.group === "varchar") return insteadOfText(arg, param, text);
  if (param.want === "varchar") {
    if (type.group === "temporal") {
      return PARSES_TIME.has(name)
        ? `${text} is a time already: write it without ${name}()`
        : `write to_iso8601(${text})`;
    }
    if (unwrap(arg) instanceof NumericLiteralContext && !text.startsWith("{{"))
      return `write '${text}' instead of ${text}`;
    return `write CAST(${text} AS varchar)`;
  }
  if (type.group === "number" && param.want === "temporal") return `write from_unixtime(${text})`;
  if (type.group === "number" && param.want === "number")
    return `write an integer, or CAST(${text} AS ${numberType(param)}) (which rounds it)`;
  if (type.group === "boolean" && param.want === "number") return `write if(${text}, 1, 0)`;
  return `convert it with CAST(${text} AS ${param.name.replace(/\(.*/, "")})`;
}

/** A call none of whose Trino overloads takes its arguments' known types. */
export function checkArgumentTypes(
  n: ParserRuleContext,
  typing: Typing,
  text: SourceText,
  out: SqlProblem[],
): void {
  if (!(n instanceof FunctionCallContext)) return;
  const name = functionName(n);
  const overloads = name === undefined ? undefined : OVERLOADS.get(name);
  if (name === undefined || overloads === undefined) return;
  const args: Typed[] = n.expression().map((arg) => ({ arg, type: typeOf(arg, typing) }));
  const miss = closest(overloads, args);
  if (miss === undefined) return;
  const { arg, type } = args[miss.index]!;
  const value = text(arg).trim();
  const given = args.map((a) => trinoName(a.arg, a.type)).join(", ");
  const expected = overloads.map((o) => o.text).join(", ");
  const param =
    unwrap(arg) instanceof ParameterContext
      ? " (a parameter other than a boolean or a number is bound as text)"
      : "";
  const wanted = GROUP_WORDS[miss.param.want] || miss.param.name;
  const second = args[1] ? text(args[1].arg).trim() : undefined;
  // DuckDB's contains(string, search) finds text in text; Trino's takes an array (or a CIDR).
  const fix =
    name === "contains" && miss.index === 0 && type!.group === "varchar" && second !== undefined
      ? `to find text in text, write strpos(${value}, ${second}) > 0`
      : name === "element_at" && miss.index === 0 && type!.group === "varchar"
        ? jsonKeyFix(value, args[1]?.arg)
        : instead(name, arg, type!, miss.param, value);
  out.push({
    ...at(arg),
    severity: "error",
    rule: "sql-athena",
    message: `Unexpected parameters (${given}) for function ${name}. Expected: ${expected}: ${value} is ${article(trinoName(arg, type))}${param} where ${name} wants ${article(miss.param.name)}, and Athena (Trino) converts no ${converted(type!, wanted)}; ${fix}`,
  });
}

/**
 * `element_at(requestparameters, 'bucketName')`: a key of the JSON text columns, read as if they
 * were maps (a published query does); the generic "write a value of type map(K,V)" said nothing
 * of what to write.
 */
function jsonKeyFix(value: string, key: ParserRuleContext | undefined): string {
  const lit = key === undefined ? undefined : unwrap(key);
  const name = lit instanceof StringLiteralContext ? unquote(lit.getText()) : "key";
  return `to read a key of JSON text, write json_extract_scalar(${value}, '${jsonPathOf([name]).replaceAll("'", "''")}')`;
}
