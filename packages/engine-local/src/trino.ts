/**
 * Trino (Athena engine v3) compatibility on DuckDB: session settings, macros for the functions
 * CloudTrail queries use, and the format translations the AST rewrite needs (`date_parse`,
 * `date_format`, `parse_datetime`, `format_datetime` take constant formats, which a macro cannot
 * translate). Built-ins shadowed by a macro stay reachable as `system.main.<name>`.
 */
import { RunMdError } from "@run-md/core";
import { BOUND_MACROS, GUARD_PREFIX, TOO_LARGE, VALUE_BOUND } from "./bounds.ts";
import { hasTypedParameter } from "./raise-anchors.ts";
import { BITWISE_MACROS } from "./trino-bitwise.ts";
import {
  HELPER_MACROS,
  INTERVAL_MS,
  JAVA_WHITESPACE,
  JSON_CAST_ELEMENTS,
} from "./trino-helpers.ts";
import { IP_MACROS, IP_OVERLOADS } from "./trino-ipaddress.ts";
import { VARBINARY_MACROS } from "./trino-varbinary.ts";
import { ZONED_MACROS, ZONED_OVERLOADS } from "./trino-zoned.ts";
import {
  DECIMAL_QUOTIENT,
  FROM_UTF8,
  INVERSE_NORMAL_CDF,
  JSON_CANONICAL,
  JSON_NUMBER_TEXT,
  NORMAL_CDF,
  NORMALIZE,
  QUERY_TOKEN,
  REFUSE,
} from "./udfs.ts";

/** Settings every connection inherits (set globally before the configuration is locked). */
export const SESSION_SETTINGS = [
  "SET GLOBAL TimeZone = 'UTC'",
  // No integer_division: Trino's 5 / 2 = 2 comes from the rewrite (trino_divide), so that DuckDB
  // SQL of other origins (the Logs Insights translation) divides as doubles.
];

const INTERVAL_OF = (u: string, n: string) =>
  `CASE lower(${u}) WHEN 'millisecond' THEN to_milliseconds(CAST(${n} AS BIGINT)) WHEN 'second' THEN to_seconds(CAST(${n} AS BIGINT)) WHEN 'minute' THEN to_minutes(CAST(${n} AS BIGINT)) WHEN 'hour' THEN to_hours(CAST(${n} AS BIGINT)) WHEN 'day' THEN to_days(CAST(${n} AS INTEGER)) WHEN 'week' THEN to_weeks(CAST(${n} AS INTEGER)) WHEN 'month' THEN to_months(CAST(${n} AS INTEGER)) WHEN 'quarter' THEN to_months(CAST(${n} AS INTEGER) * 3) WHEN 'year' THEN to_years(CAST(${n} AS INTEGER)) ELSE trino_raise('INVALID_FUNCTION_ARGUMENT: ''' || ${u} || ''' is not a valid TIMESTAMP field', ${u}) END`;

/** Units a DATE accepts in date_add/date_trunc (Trino: anything finer is an error on a DATE). */
const DATE_UNIT = (u: string) =>
  `CASE WHEN lower(${u}) IN ('day', 'week', 'month', 'quarter', 'year') THEN ${u} ELSE trino_raise('INVALID_FUNCTION_ARGUMENT: ''' || ${u} || ''' is not a valid DATE field', ${u}) END`;

const concatOverloads = Array.from({ length: 9 }, (_, i) => i + 2)
  .map((n) => {
    const args = Array.from({ length: n }, (_, k) => `a${k}`);
    return `(${args.join(", ")}) AS ${args.join(" || ")}`;
  })
  .join(",\n  ");

/** The i-th element of the JSON array j (negative: from the end), NULL when j is not JSON. */
const JSON_ELEMENT = `json_extract(CASE WHEN json_valid(CAST(j AS VARCHAR)) THEN CAST(j AS JSON) END, '$[' || CASE WHEN i < 0 THEN '#' || CAST(i AS VARCHAR) ELSE CAST(i AS VARCHAR) END || ']')`;

const containsOverload = (type: string, jsonTypes: string, value: string, e: string) =>
  `(j, v ${type}) AS CASE WHEN v IS NOT NULL AND json_valid(CAST(j AS VARCHAR)) AND json_type(CAST(j AS VARCHAR)) = 'ARRAY' THEN coalesce(list_bool_or(list_transform(CAST(json_extract(CAST(j AS VARCHAR), '$[*]') AS JSON[]), lambda e: json_type(e) IN (${jsonTypes}) AND ${e} = ${value})), false) END`;

const JSON_CONTAINS = [
  containsOverload("BOOLEAN", "'BOOLEAN'", "CAST(v AS VARCHAR)", "CAST(e AS VARCHAR)"),
  containsOverload("BIGINT", "'BIGINT', 'UBIGINT'", "v", "TRY_CAST(CAST(e AS VARCHAR) AS BIGINT)"),
  containsOverload("DOUBLE", "'DOUBLE'", "v", "TRY_CAST(CAST(e AS VARCHAR) AS DOUBLE)"),
  containsOverload("VARCHAR", "'VARCHAR'", "v", "json_extract_string(e, '$')"),
].join(", ");

/**
 * greatest/least: NULL when any argument is NULL (DuckDB's ignore NULLs), and NaN (or an array
 * holding one) takes no part unless every argument is NaN (DuckDB orders NaN above everything).
 */
const nullIfAnyNull = (fn: string) =>
  Array.from({ length: 15 }, (_, i) => i + 2)
    .map((n) => {
      const args = Array.from({ length: n }, (_, k) => `a${k}`);
      return `(${args.join(", ")}) AS CASE WHEN ${args.map((a) => `${a} IS NULL`).join(" OR ")} THEN NULL ELSE coalesce(system.main.${fn}(${args.map((a) => `trino_no_nan(${a})`).join(", ")}), a0) END`;
    })
    .join(",\n  ");

/** Text Trino's CAST to timestamp accepts (s, a macro's parameter): its literal forms only. */
const TIMESTAMP_TEXT =
  "regexp_full_match(s, '\\s*\\d{4,}-\\d{1,2}-\\d{1,2}( \\d{1,2}:\\d{1,2}(:\\d{1,2}(\\.\\d+)?)?)?\\s*')";

/**
 * CAST(varchar AS timestamp)'s overloads: Trino's literal forms only ('2020-05-10T12:34:56', the
 * ISO text of eventtime, is an error on Athena; DuckDB would take it), `refusal` a CASE branch.
 */
const TIMESTAMP_CAST = (refusal: string) =>
  `(s VARCHAR) AS CASE WHEN NOT ${TIMESTAMP_TEXT} THEN trino_raise('INVALID_CAST_ARGUMENT: Value cannot be cast to timestamp: ' || s, s) ${refusal} ELSE CAST(s AS TIMESTAMP) END, ${ZONED_OVERLOADS.castTimestamp}, (x) AS CAST(x AS TIMESTAMP)`;

/**
 * An array element as array_join prints it: JSON strings without their quotes, JSON null as NULL,
 * the rest through trino_to_varchar.
 */
const JOIN_TEXT = `CASE WHEN typeof(v) = 'JSON' THEN json_extract_string(CAST(v AS JSON), '$') ELSE trino_to_varchar(v) END`;

/**
 * array_join of nested arrays or maps: Trino has no cast of them to varchar, which it finds while
 * planning, so try() cannot hide it: refused as trino_refuse refuses.
 */
const JOIN_REFUSED = `typeof(a) LIKE '%[][]' OR typeof(a) LIKE 'MAP(%)[]' THEN trino_refuse('OPERATOR_NOT_FOUND: Cannot cast ' || typeof(a) || ' elements to varchar')`;

/**
 * A varchar array's elements are their own text: joined outside the lambda, where DuckDB folds
 * the typeof branches (in it, trino_to_varchar's double and timestamp text ran for every element:
 * 1.2 us a row for three, against 0.04).
 */
const JOIN_VARCHAR = `WHEN typeof(a) = 'VARCHAR[]' THEN coalesce(array_to_string(list_filter(TRY_CAST(a AS VARCHAR[]), lambda v: v IS NOT NULL), sep), '')`;

/** array_join's overloads. */
const ARRAY_JOIN = `(a, sep) AS CASE WHEN ${JOIN_REFUSED} WHEN a IS NULL OR sep IS NULL THEN NULL ${JOIN_VARCHAR} ELSE coalesce(array_to_string(list_filter(list_transform(a, lambda v: ${JOIN_TEXT}), lambda v: v IS NOT NULL), sep), '') END, (a, sep, nullrep) AS CASE WHEN ${JOIN_REFUSED} ELSE array_to_string(list_transform(a, lambda v: coalesce(${JOIN_TEXT}, nullrep)), sep) END`;

/** array_join with a separator that is not a constant (rewrite-functions.ts). */
const ARRAY_JOIN_DYNAMIC = `(a, sep) AS CASE WHEN ${JOIN_REFUSED} WHEN a IS NULL OR sep IS NULL THEN NULL ELSE trino_join_reduce(list_filter(list_transform(a, lambda v: ${JOIN_TEXT}), lambda v: v IS NOT NULL), sep) END, (a, sep, nullrep) AS CASE WHEN ${JOIN_REFUSED} WHEN a IS NULL OR sep IS NULL THEN NULL ELSE trino_join_reduce(list_transform(a, lambda v: coalesce(${JOIN_TEXT}, nullrep)), sep) END`;

/** contains/array_position/array_remove of an array whose comparison with an element is NULL. */
const INDETERMINATE = (fn: string) =>
  `trino_indeterminate_in(a, x) THEN trino_raise('NOT_SUPPORTED: ${fn} does not support arrays with elements that are null or contain null', x)`;

const HAS_NULL = (a: string) =>
  `coalesce(list_bool_or(list_transform(${a}, lambda e: e IS NULL)), false)`;
const SEQUENCE_DIRECTION = (way: string, anchor: string) =>
  `trino_raise('INVALID_FUNCTION_ARGUMENT: sequence stop value should be ${way} than or equal to start value', ${anchor})`;

const SEQUENCE_TOO_LONG = (anchor: string) =>
  `trino_raise('INVALID_FUNCTION_ARGUMENT: result of sequence function must not have more than 10000 entries', ${anchor})`;

/**
 * lpad/rpad with Trino's bigint size (DuckDB's takes an INTEGER: a bigint failed to bind, also a
 * NULL one, which Trino answers with NULL): checked against Trino's range, then narrowed.
 */
const PAD = (fn: string) =>
  `CASE WHEN n < 0 OR n > 2147483647 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Target length must be in the range [0..' || '2147483647]', concat(n, p)) WHEN p = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Padding string must not be empty', concat(n, p)) ELSE ${GUARD_PREFIX}${fn}(s, TRY_CAST(n AS INTEGER), p) END`;

const CONCAT_WS = Array.from({ length: 9 }, (_, i) => i + 1)
  .map((n) => {
    const args = Array.from({ length: n }, (_, k) => `a${k} VARCHAR`);
    return `(sep VARCHAR, ${args.join(", ")}) AS system.main.concat_ws(sep, ${args.map((a) => a.split(" ")[0]).join(", ")})`;
  })
  .join(", ");

/** Trino's substr: start 0 or before the first character, or a length <= 0, give ''. */
const SUBSTR = `(s, st) AS CASE WHEN st = 0 OR -st > length(s) THEN '' WHEN st < 0 THEN system.main.substr(s, length(s) + st + 1) ELSE system.main.substr(s, st) END, (s, st, n) AS CASE WHEN st = 0 OR n <= 0 OR -st > length(s) THEN '' WHEN st < 0 THEN system.main.substr(s, length(s) + st + 1, n) ELSE system.main.substr(s, st, n) END`;

/** to_iso8601 of a date or timestamp: only a timestamp with time zone has an offset (Z). */
const TO_ISO8601 = `CASE typeof(t) WHEN 'DATE' THEN strftime(t, '%Y-%m-%d') WHEN 'TIMESTAMP WITH TIME ZONE' THEN strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') ELSE strftime(t, '%Y-%m-%dT%H:%M:%S.%g') END`;

/** Prefix of the macros: they never shadow DuckDB's built-ins; the rewrite calls them by this name. */
export const TRINO_PREFIX = "trino_";

/** Airlift's Duration text (Java's \s is these six characters): a number, then its unit. */
const DURATION =
  "'^[ \\t\\n\\x0B\\f\\r]*([0-9]+(?:\\.[0-9]+)?)[ \\t\\n\\x0B\\f\\r]*([a-zA-Z]+)[ \\t\\n\\x0B\\f\\r]*$'";

/** Milliseconds in a Duration unit `du` (NULL for an unknown one). */
const DURATION_MS =
  "CASE du WHEN 'ns' THEN 1e-6 WHEN 'us' THEN 1e-3 WHEN 'ms' THEN 1.0 WHEN 's' THEN 1000.0 WHEN 'm' THEN 60000.0 WHEN 'h' THEN 3600000.0 WHEN 'd' THEN 86400000.0 END";

/**
 * split_to_multimap's entries: the text split at `ed` left to right (as Java's indexOf scan), an
 * empty last part dropped (a delimiter the scan ends exactly at the end of the text). Not "the
 * text ends with `ed`": 'a=1;;;' at ';;' is 'a=1' and ';', a bad entry.
 */
const SPLIT_ENTRIES =
  "list_transform([string_split(s, ed)], lambda ps: CASE WHEN ps[-1] = '' THEN ps[1:len(ps) - 1] ELSE ps END)[1]";

/** The first entry without exactly one `kd` (a NULL when each has one). */
const BAD_ENTRY = `list_filter(${SPLIT_ENTRIES}, lambda e: strpos(e, kd) = 0 OR strpos(system.main.substr(e, strpos(e, kd) + length(kd)), kd) > 0)[1]`;

/**
 * The entries of the first value of each key in `l`, a list of row(key, value) without NULL keys,
 * keys in the order they first came: the rows numbered, sorted by key then number, each kept
 * when its key differs from the row before (a list zipped with itself shifted by one), sorted
 * back by number. No lambda reads `l` (DuckDB copies a captured list into every call: quadratic)
 * and no subquery (which cannot run OVER a window). Fields by struct_extract: in HAVING, DuckDB
 * reads a lambda's `g.k` as the column k of a table g.
 */
const FIRST_ENTRIES = `list_transform([list_sort(list_transform(l, lambda x, i: {'k': x[1], 'i': i, 'v': x[2]}))], lambda s: list_transform(list_sort(list_transform(list_filter(list_zip(s, list_concat([NULL], s[1:len(s) - 1])), lambda p: p[2] IS NULL OR struct_extract(p[1], 'k') IS DISTINCT FROM struct_extract(p[2], 'k')), lambda p: {'i': struct_extract(p[1], 'i'), 'k': struct_extract(p[1], 'k'), 'v': struct_extract(p[1], 'v')})), lambda e: {'key': struct_extract(e, 'k'), 'value': struct_extract(e, 'v')}))[1]`;

/**
 * ngrams of 2 to 5 elements: the array zipped with itself shifted 1, 2... places, no lambda
 * reading the array (DuckDB copies a captured list into every call: the slice per position took
 * 29 s for 10,000 elements). Larger n: NGRAMS_COLUMNS (m grams of n: m * n * n steps of about
 * 0.5 us) or a slice per position of the array bound once (each slice copies it: m * len(a)
 * copies of about 1.6 us, weighed 3), whichever is fewer; past 6,000,000 the call is refused
 * (DuckDB interrupts no call in progress: 25,000,000 steps took 12 s; 4,001 slices of an
 * expression of 10,000 elements, computed again for each, took 166 s).
 */
const NGRAMS_ZIPPED = [2, 3, 4, 5]
  .map((n) => {
    const shifted = Array.from({ length: n }, (_, i) => `a[${i + 1}:len(a) - ${n - 1 - i}]`);
    const gram = Array.from({ length: n }, (_, i) => `z[${i + 1}]`);
    return `WHEN n = ${n} THEN list_transform(list_zip(${shifted.join(", ")}), lambda z: [${gram.join(", ")}])`;
  })
  .join(" ");

/**
 * zip of 2 to 5 arrays: anonymous rows of their elements (DuckDB's list_zip: unnamed structs, the
 * shorter padded with NULL), so `r[2]` reads a field as in Trino.
 */
const ZIP_OVERLOADS = [2, 3, 4, 5]
  .map((n) => {
    const a = Array.from({ length: n }, (_, i) => `a${i}`);
    const anyNull = a.map((x) => `${x} IS NULL`).join(" OR ");
    return `(${a.join(", ")}) AS CASE WHEN ${anyNull} THEN NULL ELSE list_zip(${a.join(", ")}) END`;
  })
  .join(", ");

/**
 * map_concat of 2 to 8 maps: NULL when any is NULL (DuckDB's skips it); the maps put in one list
 * first, so that their key and value types meet (map(decimal(2,1), ...) and map(decimal(3,1), ...)).
 * The entries of the last map, then of each map before it, each key kept where it first comes
 * (map_agg's FIRST_ENTRIES, sorted): Trino's MapConcatFunction's value and order. DuckDB's own
 * map_concat looked each key up in the entries so far (20,000 keys a side took 12 s, 50,000 took
 * 123 s) and kept the first map's order.
 */
const MAP_CONCAT_OVERLOADS = [2, 3, 4, 5, 6, 7, 8]
  .map((n) => {
    const m = Array.from({ length: n }, (_, i) => `m${i}`);
    const anyNull = m.map((x) => `${x} IS NULL`).join(" OR ");
    const empty = m.map((x) => `cardinality(${x}) = 0`).join(" AND ");
    return `(${m.join(", ")}) AS CASE WHEN ${anyNull} THEN NULL WHEN ${empty} THEN list_value(${m.join(", ")})[1] ELSE trino_map_agg_entries(list_transform(flatten(list_reverse(list_transform(list_value(${m.join(", ")}), lambda mc_m: map_entries(mc_m)))), lambda mc_e: row(mc_e.key, mc_e.value))) END`;
  })
  .join(", ");

/**
 * The ISO 8601 text from_iso8601_timestamp casts (RE2, no anchors): a full date, and a time of
 * day with seconds after a 'T' (a fraction of at most 9 digits, as Joda reads), with a UTC offset
 * or none (the session's zone, UTC on Athena).
 */
const ISO8601_UTC =
  "\\d{4,9}-\\d{1,2}-\\d{1,2}(T([01]?\\d|2[0-3]):[0-5]?\\d:[0-5]?\\d(\\.\\d{1,9})?(Z|[+-]00(:?00)?)?)?";
/**
 * Joda's ISODateTimeFormat.dateTimeParser(): a date (year, month, day; ordinal; week) and an
 * optional 'T' time (hours 0 to 23) whose last field may have a fraction of at most 9 digits, and
 * an offset; or a 'T' time alone. Joda reads 't' and 'z' in either case.
 */
const ISO8601_JODA =
  "([+-]?\\d{1,9}(-(\\d{1,2}(-\\d{1,2})?|\\d{3}|W\\d{1,2}(-\\d)?))?|[+-]?\\d{1,9}-?W\\d{1,2}-?\\d?)?([Tt](([01]?\\d|2[0-3])(:[0-5]?\\d(:[0-5]?\\d)?)?([.,]\\d{1,9})?)?([Zz]|[+-]\\d{1,2}(:?\\d{2}(:?\\d{2}([.,]\\d+)?)?)?)?)?";

const ISO8601_FOREIGN =
  "from_iso8601_timestamp with an offset other than Z or +00:00 is not supported locally (the local engine keeps timestamps in UTC)";

/**
 * Trino's normal_cdf and inverse_normal_cdf (MathFunctions): its checks (a NaN fails them, as in
 * Java: DuckDB orders NaN above every number), the value in JavaScript (udf-normal.ts).
 */
const NORMAL_MACROS = [
  `CREATE MACRO normal_cdf(m, sd, v) AS CASE WHEN NOT (CAST(sd AS DOUBLE) > 0 AND NOT isnan(CAST(sd AS DOUBLE))) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: standardDeviation must be > 0', sd) ELSE ${NORMAL_CDF}(CAST(m AS DOUBLE), CAST(sd AS DOUBLE), CAST(v AS DOUBLE)) END`,
  `CREATE MACRO inverse_normal_cdf(m, sd, p) AS CASE WHEN NOT (CAST(p AS DOUBLE) > 0 AND CAST(p AS DOUBLE) < 1 AND NOT isnan(CAST(p AS DOUBLE))) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: p must be 0 > p > 1', p) WHEN NOT (CAST(sd AS DOUBLE) > 0 AND NOT isnan(CAST(sd AS DOUBLE))) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: sd must be > 0', sd) ELSE ${INVERSE_NORMAL_CDF}(CAST(m AS DOUBLE), CAST(sd AS DOUBLE), CAST(p AS DOUBLE)) END`,
];

/**
 * Scalar types an array's element may have for `||` of an unknown value, each its own overload.
 * No DOUBLE or REAL: DuckDB would choose it for a DECIMAL by an implicit cast (the array's
 * decimals became doubles); such a value is left to DuckDB's || (an error), as before.
 */
const SCALAR_ELEMENT_TYPES = [
  "VARCHAR",
  "BOOLEAN",
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "DATE",
  "TIMESTAMP",
  "TIMESTAMPTZ",
];

/** Trino's Wilson score bounds (MathFunctions.wilsonInterval): its checks, its order of operations. */
const WILSON_MACROS = [
  ["lower", -1],
  ["upper", 1],
].map(
  ([name, bound]) =>
    `CREATE MACRO wilson_interval_${name}(s, n, z) AS CASE WHEN s < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: number of successes must not be negative', s) WHEN n <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: number of trials must be positive', n) WHEN s > n THEN trino_raise('INVALID_FUNCTION_ARGUMENT: number of successes must not be larger than number of trials', s) WHEN z < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: z-score must not be negative', z) ELSE list_transform([{'p': CAST(s AS DOUBLE) / CAST(n AS DOUBLE), 'n': CAST(n AS DOUBLE), 'z': CAST(z AS DOUBLE)}], lambda w: (w.p + (w.z * w.z) / (2 * w.n) + ${bound} * w.z * sqrt((w.p * (1 - w.p)) / w.n + (w.z * w.z) / (4 * w.n * w.n))) / (1 + (w.z * w.z) / w.n))[1] END`,
);

/** The sum of a list of doubles, left to right from 0.0, as Java's loop adds them (bit for bit). */
const JAVA_SUM = (list: string) =>
  `list_reduce(${list}, lambda acc, x: acc + x, CAST(0.0 AS DOUBLE))`;

/**
 * cosine_similarity of two sparse vectors (map(varchar, double)), as Trino's MathFunctions: each
 * map's L2 norm (NULL when a value is NULL), the dot product over the left map's keys found in the
 * right, in map order; dot / (|l| * |r|) as IEEE divides (NaN for a zero vector).
 */
/** Whether `x` is a map(varchar, number) or a NULL of no type (typeof, known when binding). */
const SPARSE_VECTOR = (x: string) =>
  `(typeof(${x}) = '"NULL"' OR regexp_matches(typeof(${x}), '^MAP\\(VARCHAR, (DOUBLE|FLOAT|BIGINT|INTEGER|SMALLINT|TINYINT|DECIMAL\\(\\d+,\\d+\\))\\)$'))`;

const COSINE_MACROS = [
  `CREATE MACRO l2_norm(m) AS CASE WHEN list_bool_or(list_transform(map_values(m), lambda v: v IS NULL)) THEN NULL ELSE sqrt(${JAVA_SUM("list_transform(map_values(m), lambda v: v * v)")}) END`,
  `CREATE MACRO cosine_of(l, r) AS ${JAVA_SUM("list_transform(list_filter(map_entries(l), lambda e: map_contains(r, struct_extract(e, 'key'))), lambda e: struct_extract(e, 'value') * r[struct_extract(e, 'key')])")} / (trino_l2_norm(l) * trino_l2_norm(r))`,
  `CREATE MACRO cosine_similarity(a, b) AS CASE WHEN NOT (${SPARSE_VECTOR("a")} AND ${SPARSE_VECTOR("b")}) THEN trino_raise('FUNCTION_NOT_FOUND: Unexpected parameters (' || lower(typeof(a)) || ', ' || lower(typeof(b)) || ') for function cosine_similarity. Expected: cosine_similarity(map(varchar,double), map(varchar,double))', a) ELSE trino_cosine_of(TRY_CAST(a AS MAP(VARCHAR, DOUBLE)), TRY_CAST(b AS MAP(VARCHAR, DOUBLE))) END`,
];

/** The local refusal of approx_percentile's percentage that differs between rows. */
const PERCENTAGE_VARIES =
  "approx_percentile''s percentage differs between the rows of a group: it must be constant for all input rows (Trino''s documentation), and Athena takes the last row''s, in an order no query fixes, so the local engine does not answer; write a constant (0.95), a parameter, or a grouped column''s value";

/** Trino's error for split's empty delimiter. */
const EMPTY_DELIMITER = "INVALID_FUNCTION_ARGUMENT: The delimiter may not be the empty string";

/** Trino functions missing in DuckDB or differing from DuckDB's function of the same name. */
/**
 * Trino's binary search of width_bucket(x, bins), 0-based as Trino's: while lo < hi, bins[lo] >
 * bins[hi - 1] (Java's `>`: false with a NaN) is "not sorted", a middle that is not finite is an
 * error naming it, and x < middle moves hi down, else lo up. The state carries the error (e: 1
 * not sorted, 2 not finite, 3 a NULL bin, which Trino reads as no defined value) to raise after
 * the steps (list_reduce takes its initial value's type from the list: a list of states, one a
 * step). The bins are bound once (wb_b): a lambda that read `bins` would compute the
 * expression again at each step, and each step reads the list, not each element (n log n).
 */
const WB_GT = (a: string, b: string) => `(${a} > ${b} AND NOT isnan(${a}) AND NOT isnan(${b}))`;
const WB_STATE = (lo: string, hi: string, e: string, v: string) =>
  `{'lo': CAST(${lo} AS BIGINT), 'hi': CAST(${hi} AS BIGINT), 'e': CAST(${e} AS INTEGER), 'v': CAST(${v} AS DOUBLE)}`;
const WB_MID = "wb_b[(wb_s.lo + wb_s.hi) // 2 + 1]";
const WIDTH_BUCKET_SEARCH = `list_transform([CAST(bins AS DOUBLE[])], lambda wb_b: list_transform([list_reduce(list_transform(range(CAST(floor(log2(len(wb_b))) AS BIGINT) + 2), lambda wb_k: ${WB_STATE("0", "0", "0", "0")}), lambda wb_s, wb_k: CASE WHEN wb_s.e <> 0 OR wb_s.lo >= wb_s.hi THEN wb_s WHEN wb_b[wb_s.lo + 1] IS NULL OR wb_b[wb_s.hi] IS NULL OR ${WB_MID} IS NULL THEN ${WB_STATE("wb_s.lo", "wb_s.hi", "3", "0")} WHEN ${WB_GT("wb_b[wb_s.lo + 1]", "wb_b[wb_s.hi]")} THEN ${WB_STATE("wb_s.lo", "wb_s.hi", "1", "0")} WHEN NOT isfinite(${WB_MID}) THEN ${WB_STATE("wb_s.lo", "wb_s.hi", "2", WB_MID)} WHEN CAST(x AS DOUBLE) < ${WB_MID} THEN ${WB_STATE("wb_s.lo", "(wb_s.lo + wb_s.hi) // 2", "0", "0")} ELSE ${WB_STATE("(wb_s.lo + wb_s.hi) // 2 + 1", "wb_s.hi", "0", "0")} END, ${WB_STATE("0", "len(wb_b)", "0", "0")})], lambda wb_r: CASE wb_r.e WHEN 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Bin values are not sorted in ascending order', x) WHEN 2 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Bin value must be finite, got ' || CASE WHEN isnan(wb_r.v) THEN 'NaN' WHEN wb_r.v > 0 THEN 'Infinity' ELSE '-Infinity' END, x) WHEN 3 THEN trino_refuse('width_bucket with a NULL bin value is not supported locally (Trino reads no defined value for it)') ELSE wb_r.lo END)[1])[1]`;

/**
 * The distinct elements of `kept` (each value's first, in `kept`'s order) that `keep` selects by
 * the values of `against`: both lists tagged (t 0 `against`, t 1 `kept` with its positions) and
 * sorted together, so that each value's elements of `against` come first in its run and `keep`
 * judges an element of `kept` by the one before it (st_p[1], and st_p[2] before it: NULL at the
 * start); the kept sorted back by position. array_except keeps the first of a run that has no
 * element of `against`, array_intersect the first of `kept` after one of `against`. No lambda
 * reads either list: the filter that looked each element up in the other array was quadratic
 * (and computed the other array again for each element when it was an expression: 4,000
 * elements each took 6 s, 2026-12-07). Fields by struct_extract where a HAVING could read `x.f`
 * as a column (trino_entry_groups).
 */
const SORTED_AGAINST = (kept: string, against: string, keep: string) =>
  `list_transform([list_sort(list_concat(list_transform(${against}, lambda st_v: {'v': st_v, 't': 0, 'i': CAST(0 AS BIGINT)}), list_transform(${kept}, lambda st_v, st_i: {'v': st_v, 't': 1, 'i': CAST(st_i AS BIGINT)})), 'ASC', 'NULLS LAST')], lambda st_s: list_transform(list_sort(list_transform(list_filter(list_zip(st_s, list_concat([NULL], st_s[1:len(st_s) - 1])), lambda st_p: ${keep.replace(/st_p\[(\d)\]\.(\w)/g, "struct_extract(st_p[$1], '$2')")}), lambda st_p: {'i': struct_extract(st_p[1], 'i'), 'v': struct_extract(st_p[1], 'v')})), lambda st_e: struct_extract(st_e, 'v')))[1]`;

/** The position of the k-th of `cnt` occurrences (k from `n`: negative counts from the end), 0 past them. */
const NTH_OF = (cnt: string, at: (k: string) => string) =>
  `CASE WHEN (CASE WHEN n > 0 THEN n ELSE ${cnt} + n + 1 END) NOT BETWEEN 1 AND ${cnt} THEN 0 ELSE ${at(`(CASE WHEN n > 0 THEN n ELSE ${cnt} + n + 1 END)`)} END`;

/**
 * strpos(s, x, n) for a non-empty x: the text split at x left to right (DuckDB's string_split,
 * as Java's indexOf scan: the occurrences that do not overlap) gives the k-th occurrence as the
 * lengths of the first k parts and k - 1 x's, plus one. Occurrences overlap only when x has a
 * period d shorter than itself (x starts with its last L - d characters): then an occurrence
 * also starts d after a found one when the L - 1 characters after that one (the next part, then
 * x unless it was the last) start with x's last d characters. Those make a text of one flag a
 * character ('1' where an occurrence starts), whose k-th '1' is found as above. The periods cost
 * L * L once (only when x occurs), the flags L per period per found occurrence; each list is
 * zipped, never read at positions. Past 10,000 characters of x (that occurs), or 100,000,000
 * steps of flags, the call is refused: DuckDB interrupts no call in progress (x of 12,000 'a's in
 * 60,000 took 8 s), and Trino's own scan is that slow there too.
 */
const STRPOS_REFUSED =
  "trino_refuse('strpos with an instance of a substring of more than 10,000 characters, or of one that overlaps itself that often in the text, is not supported locally')";
const STRPOS_NTH = `list_transform([{'p': string_split(s, x), 'x': x, 'l': length(x)}], lambda sp: CASE WHEN len(sp.p) = 1 THEN 0 WHEN sp.l > 10000 THEN ${STRPOS_REFUSED} ELSE list_transform([list_transform(range(1, sp.l), lambda sp_d: starts_with(sp.x, right(sp.x, sp.l - sp_d)))], lambda sp_per: CASE WHEN NOT coalesce(list_bool_or(sp_per), false) THEN ${NTH_OF("(len(sp.p) - 1)", (k) => `coalesce(list_sum(list_transform(sp.p[1:${k}], lambda sp_t: length(sp_t))), 0) + (${k} - 1) * sp.l + 1`)} WHEN (len(sp.p) - 1) * len(list_filter(sp_per, lambda sp_v: sp_v)) * sp.l > 100000000 THEN ${STRPOS_REFUSED} ELSE list_transform([array_to_string(list_transform(list_zip(sp.p, sp.p[2:]), lambda sp_z, sp_j: repeat('0', length(sp_z[1])) || CASE WHEN sp_z[2] IS NULL THEN '' ELSE '1' || list_transform([left(sp_z[2] || CASE WHEN sp_j < len(sp.p) - 1 THEN sp.x ELSE '' END, sp.l - 1)], lambda sp_after: array_to_string(list_transform(list_zip(sp_per, range(1, sp.l)), lambda sp_q: CASE WHEN NOT sp_q[1] THEN '0' WHEN starts_with(sp_after, right(sp.x, sp_q[2])) THEN '1' ELSE '0' END), ''))[1] END), '')], lambda sp_f: ${NTH_OF("(length(sp_f) - length(replace(sp_f, '1', '')))", (k) => `length(array_to_string(string_split(sp_f, '1')[1:${k}], '1')) + 1`)})[1] END)[1] END)[1]`;

/** The key of entry `e` (the text before its first kd; NULL without one). */
const STM_KEY = (e: string) =>
  `CASE WHEN system.main.strpos(${e}, kd) > 0 THEN system.main.substr(${e}, 1, system.main.strpos(${e}, kd) - 1) END`;

/**
 * split_to_map's entries (SPLIT_ENTRIES, as split_to_multimap's) judged in Trino's order: the
 * first bad entry (stm_f.b, 0 for none) unless a key seen before comes first (stm_f.d, NULL for
 * none: the entries sorted by key then position, each with the key of the one before). The map
 * otherwise. DuckDB's map_from_entries failed on a duplicate key in its own words ("Map keys
 * must be unique"), and empty entries were dropped where Trino finds no delimiter in them.
 */
const SPLIT_TO_MAP = `list_transform([${SPLIT_ENTRIES}], lambda stm_e: list_transform([{'b': coalesce(list_filter(list_transform(stm_e, lambda e, i: CASE WHEN system.main.strpos(e, kd) = 0 OR system.main.strpos(system.main.substr(e, system.main.strpos(e, kd) + length(kd)), kd) > 0 THEN i END), lambda i: i IS NOT NULL)[1], 0), 'd': list_transform([list_sort(list_transform(stm_e, lambda e, i: {'k': ${STM_KEY("e")}, 'i': i}))], lambda stm_s: list_min(list_transform(list_filter(list_zip(stm_s, list_concat([NULL], stm_s[1:len(stm_s) - 1])), lambda p: p[2] IS NOT NULL AND struct_extract(p[1], 'k') = struct_extract(p[2], 'k')), lambda p: struct_extract(p[1], 'i'))))[1]}], lambda stm_f: CASE WHEN stm_f.b > 0 AND (stm_f.d IS NULL OR stm_f.b <= stm_f.d) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. Bad input: ''' || stm_e[stm_f.b] || '''', s) WHEN stm_f.d IS NOT NULL THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Duplicate keys (' || ${STM_KEY("stm_e[stm_f.d]")} || ') are not allowed', s) ELSE map_from_entries(list_transform(stm_e, lambda e: {'k': ${STM_KEY("e")}, 'v': system.main.substr(e, system.main.strpos(e, kd) + length(kd))})) END)[1])[1]`;

/**
 * ngrams(a, n) for n > 5 with more grams (m) than elements in one: a list_reduce that adds one
 * column at a time, the grams of k elements zipped with the array shifted k places (ng_c holds
 * those shifted arrays, their elements each a one-element list, the type of a gram). The array
 * is read once per column, not once per gram (7-element grams of 10,000 elements took 111 s).
 */
const NGRAMS_COLUMNS = `list_reduce(list_transform(range(1, n), lambda ng_k: list_transform(a[1 + ng_k:len(a) - n + 1 + ng_k], lambda ng_v: [ng_v])), lambda ng_g, ng_c: list_transform(list_zip(ng_g, ng_c), lambda ng_z: list_concat(ng_z[1], ng_z[2])), list_transform(a[1:len(a) - n + 1], lambda ng_v: [ng_v]))`;

const MACRO_DEFS: string[] = [
  // JSON: Trino returns NULL for a non-scalar and for text that is not JSON; json_extract_string would return its text.
  // A number as the document writes it (udfs.ts), where DuckDB would print its double again. The
  // document is parsed twice (checked, then read at the path) and the value bound once through a
  // lambda: testing json_type(j, p) in the CASE parsed it again per branch (a step reading one
  // field of 1M events on the store: 215 ms, now 109 ms).
  `CREATE MACRO json_extract_scalar(j, p) AS list_transform([CASE WHEN json_valid(CAST(j AS VARCHAR)) THEN json_extract(CAST(j AS JSON), p) END], lambda jes_value: CASE WHEN json_type(jes_value) IN ('OBJECT', 'ARRAY') THEN NULL WHEN json_type(jes_value) = 'DOUBLE' THEN ${JSON_NUMBER_TEXT}(CAST(j AS VARCHAR), p, json_extract_string(jes_value, '$')) ELSE json_extract_string(jes_value, '$') END)[1]`,
  // Text that is not JSON gives NULL, as Trino's JsonExtract (DuckDB's json_extract raises). Not
  // try(): DuckDB refuses it around anything volatile, and error() (in the casts' macros) is.
  `CREATE MACRO json_extract(j, p) AS CASE WHEN json_valid(CAST(j AS VARCHAR)) THEN json_extract(CAST(j AS JSON), p) END`,
  // Trino's Jackson reads strict JSON only (Trino's error otherwise: DuckDB's json() took NaN and
  // '[1,]') and writes it again with its keys sorted, a duplicate key's last value, its doubles
  // as Java prints them (json-canonical.ts).
  `CREATE MACRO json_parse(s) AS CAST(${JSON_CANONICAL}(CAST(s AS VARCHAR), true) AS JSON)`,
  // Trino prints JSON in its canonical form, without insignificant white space, doubles as Java
  // prints them (its keys in the order the value has them: json_parse sorted them).
  `CREATE MACRO json_format(j) AS ${JSON_CANONICAL}(CAST(json(CAST(j AS VARCHAR)) AS VARCHAR), false)`,
  // NULL for JSON that is not an array, or not JSON (DuckDB's: 0, or an error).
  `CREATE MACRO json_array_length(j) AS CASE WHEN j IS NULL OR NOT json_valid(CAST(j AS VARCHAR)) THEN NULL WHEN json_type(CAST(j AS JSON)) = 'ARRAY' THEN CAST(json_array_length(CAST(j AS JSON)) AS BIGINT) END`,
  // json_size at a path the rewrite made (trino-json-path.ts: a JSON pointer), then Trino's.
  `CREATE MACRO json_size_at(j, p) AS CASE WHEN json_type(CAST(j AS JSON), p) IS NULL THEN NULL ELSE CASE json_type(CAST(j AS JSON), p) WHEN 'ARRAY' THEN CAST(json_array_length(CAST(j AS JSON), p) AS BIGINT) WHEN 'OBJECT' THEN CAST(len(json_keys(CAST(j AS JSON), p)) AS BIGINT) ELSE 0 END END`,
  `CREATE MACRO json_size(j, p) AS CASE WHEN p IS NULL THEN NULL WHEN NOT starts_with(ltrim(p), '$') THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Invalid JSON path: ''' || p || '''', p) ELSE trino_json_size_at(j, p) END`,
  // Trino's json_array_get gives a JSON null as NULL and counts a negative index from the end. (It
  // also hands a string element back as JSON text without quotes, which DuckDB's JSON type cannot
  // hold: an error, except under CAST(... AS varchar), which unquotes it as on Trino.)
  `CREATE MACRO json_array_get(j, i) AS CASE json_type(${JSON_ELEMENT}) WHEN 'NULL' THEN NULL WHEN 'VARCHAR' THEN CAST(trino_refuse('json_array_get of a string element is not supported locally (Trino returns its text without quotes as JSON); write CAST(json_array_get(...) AS varchar) or json_extract_scalar(json, ''$[i]'')') AS JSON) ELSE ${JSON_ELEMENT} END`,
  // Trino compares like with like: a boolean only with JSON booleans, a bigint with JSON integers,
  // a double with JSON numbers written with a fraction or exponent, a varchar with JSON strings.
  `CREATE MACRO json_array_contains${JSON_CONTAINS}`,
  `CREATE MACRO is_json_scalar(j) AS json_type(CAST(j AS JSON)) NOT IN ('OBJECT', 'ARRAY')`,
  // Time.
  // Trino keeps a zoned timestamp's milliseconds in 52 bits: a later year is an error. An offset
  // other than UTC would print as UTC here (the instant is right, the zone is lost): an error.
  // Joda's ISO parser (Trino's): 'T' between date and time ('2021-10-13 18:35:08' is an error),
  // digits past the millisecond dropped. The forms DuckDB's cast reads alike, with a UTC offset,
  // are cast; Joda's others (an offset, a week date, no seconds...) are refused; the rest raise.
  `CREATE MACRO from_iso8601_timestamp(s) AS CASE WHEN regexp_full_match(s, '${ISO8601_UTC}') THEN CASE WHEN abs(epoch_ms(CAST(s AS TIMESTAMPTZ))) > 2251799813685247 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Millis overflow: ' || epoch_ms(CAST(s AS TIMESTAMPTZ)), s) ELSE trino_ms_floor(epoch_us(CAST(s AS TIMESTAMPTZ))) END WHEN s <> '' AND regexp_full_match(s, '${ISO8601_JODA}') THEN trino_refuse(CASE WHEN trino_iso8601_foreign(s) THEN '${ISO8601_FOREIGN}' ELSE 'from_iso8601_timestamp of ''' || s || ''' is not supported locally: write the date and time in full, 2021-10-13T18:35:08Z' END) ELSE trino_raise('INVALID_FUNCTION_ARGUMENT: ' || trino_joda_invalid(s, length(regexp_extract(s, '^${ISO8601_JODA}'))), s) END`,
  `CREATE MACRO from_iso8601_date(s) AS CAST(s AS DATE)`,
  // With a zone (or hours and minutes of an offset): a zoned value (trino-zoned.ts).
  `CREATE MACRO from_unixtime(x) AS to_timestamp(CAST(x AS DOUBLE)), (x, z) AS trino_tz_from_instant(to_timestamp(CAST(x AS DOUBLE)), trino_tz_name(z), 3), (x, h, m) AS trino_tz_from_instant(to_timestamp(CAST(x AS DOUBLE)), trino_tz_minutes_text(h * 60 + m), 3)`,
  `CREATE MACRO to_unixtime(t) AS epoch(t)`,
  // Only a timestamp with time zone has an offset (Z); a zone-less one has none.
  `CREATE MACRO to_iso8601${ZONED_OVERLOADS.toIso8601}, (t) AS ${TO_ISO8601}`,
  // On a DATE, date_add and date_trunc return a DATE (typed overloads; DuckDB would give a TIMESTAMP).
  `CREATE MACRO date_add(a, b) AS system.main.date_add(a, b), (u VARCHAR, n BIGINT, t DATE) AS CAST(t + ${INTERVAL_OF(DATE_UNIT("u"), "n")} AS DATE), (u VARCHAR, n BIGINT, t TIMESTAMP) AS t + ${INTERVAL_OF("u", "n")}, (u VARCHAR, n BIGINT, t TIMESTAMPTZ) AS t + ${INTERVAL_OF("u", "n")}, ${ZONED_OVERLOADS.dateAdd(INTERVAL_OF("u", "n"))}`,
  `CREATE MACRO date_trunc(u VARCHAR, t DATE) AS CAST(system.main.date_trunc(${DATE_UNIT("u")}, t) AS DATE), (u VARCHAR, t TIMESTAMP) AS system.main.date_trunc(u, t), (u VARCHAR, t TIMESTAMPTZ) AS system.main.date_trunc(u, t), ${ZONED_OVERLOADS.dateTrunc}`,
  // Trino counts complete units (date_sub), DuckDB's date_diff counts boundaries crossed.
  `CREATE MACRO date_diff${ZONED_OVERLOADS.dateDiff}, (u, a, b) AS system.main.date_sub(u, a, b)`,
  `CREATE MACRO day_of_week(t) AS isodow(t)`,
  `CREATE MACRO dow(t) AS isodow(t)`,
  `CREATE MACRO day_of_year(t) AS dayofyear(t)`,
  `CREATE MACRO doy(t) AS dayofyear(t)`,
  `CREATE MACRO week_of_year(t) AS week(t)`,
  `CREATE MACRO year_of_week(t) AS isoyear(t)`,
  `CREATE MACRO yow(t) AS isoyear(t)`,
  `CREATE MACRO last_day_of_month(t) AS last_day(t)`,
  `CREATE MACRO day_of_month(t) AS day(t)`,
  // The milliseconds within the second (DuckDB's count the seconds too).
  `CREATE MACRO millisecond(t INTERVAL) AS trino_interval_part('millisecond', t), (t) AS system.main.millisecond(t) % 1000`,
  // Fields of a day-to-second interval: hour(INTERVAL '90061' SECOND) is 1 (DuckDB: 25).
  ...["day", "hour", "minute", "second"].map(
    (u) =>
      `CREATE MACRO ${u}(t INTERVAL) AS trino_interval_part('${u}', t), (t) AS system.main.${u}(t)`,
  ),
  // to_milliseconds of a day-to-second interval (Trino has none of a year-to-month one).
  `CREATE MACRO to_milliseconds(t INTERVAL) AS CASE WHEN date_part('month', t) <> 0 OR date_part('year', t) <> 0 THEN trino_raise('FUNCTION_NOT_FOUND: Unexpected parameters (interval year to month) for function to_milliseconds. Expected: to_milliseconds(interval day to second)', t) ELSE ${INTERVAL_MS} END, (t) AS trino_raise('FUNCTION_NOT_FOUND: Unexpected parameters (' || lower(typeof(t)) || ') for function to_milliseconds. Expected: to_milliseconds(interval day to second)', t)`,
  // parse_duration('3.5s') as Airlift's Duration reads it, rounded to milliseconds half up.
  `CREATE MACRO parse_duration(s) AS CASE WHEN s = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: duration is empty', s) WHEN NOT regexp_full_match(s, ${DURATION}) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: duration is not a valid data duration string: ' || s, s) ELSE list_transform([regexp_extract(s, ${DURATION}, 2)], lambda du: CASE WHEN ${DURATION_MS} IS NULL THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Unknown time unit: ' || du, du) ELSE system.main.to_milliseconds(CAST(floor(CAST(regexp_extract(s, ${DURATION}, 1) AS DOUBLE) * ${DURATION_MS} + 0.5) AS BIGINT)) END)[1] END`,
  // random(n): an integer in [0, n); random(m, n) in [m, n).
  `CREATE MACRO random() AS system.main.random(), (n) AS CASE WHEN n <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: bound must be positive', n) ELSE CAST(floor(system.main.random() * n) AS BIGINT) END, (m, n) AS CASE WHEN m >= n THEN trino_raise('INVALID_FUNCTION_ARGUMENT: start value must be less than stop value', concat(m, n)) ELSE m + CAST(floor(system.main.random() * (n - m)) AS BIGINT) END`,
  `CREATE MACRO rand() AS system.main.random()`,
  ...BITWISE_MACROS,
  // Doubles.
  // The square root of a negative number is NaN (DuckDB: an error).
  `CREATE MACRO sqrt(x) AS CASE WHEN x < 0 THEN CAST('NaN' AS DOUBLE) ELSE system.main.sqrt(x) END`,
  `CREATE MACRO is_nan(x) AS isnan(x)`,
  `CREATE MACRO is_finite(x) AS isfinite(x)`,
  `CREATE MACRO is_infinite(x) AS isinf(x)`,
  `CREATE MACRO truncate(x) AS trunc(x), (x, n) AS trunc(x, n)`,
  // floor/ceil of an integer keep its type (DuckDB: DOUBLE); others as DuckDB's.
  ...["floor", "ceil", "ceiling"].map(
    (fn) =>
      `CREATE MACRO ${fn}${["TINYINT", "SMALLINT", "INTEGER", "BIGINT"].map((t) => `(x ${t}) AS x, `).join("")}(x) AS system.main.${fn}(x)`,
  ),
  // from_base: digits 0-9a-z of the radix, an optional minus sign; the result must fit a BIGINT.
  `CREATE MACRO from_base(s, r) AS CASE WHEN r < 2 OR r > 36 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Radix must be between 2 and 36', r) WHEN NOT regexp_full_match(lower(s), '-?[0-9a-z]+') OR list_bool_or(list_transform(string_split(lower(ltrim(s, '-')), ''), lambda c: strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) > r)) OR trino_base_value(s, r) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Not a valid base-' || r || ' number: ' || s, s) ELSE CAST(trino_base_value(s, r) AS BIGINT) END`,
  // width_bucket over equal-width buckets between two bounds, or over bin edges by Trino's binary
  // search (MathFunctions.widthBucket): it checks the order only of the ends of each range it
  // halves (width_bucket(1.5, array[1.0, 2.3, 2.0]) is 1) and the finiteness of each middle it
  // reads. The steps are a list_reduce over the bins bound once (WIDTH_BUCKET_SEARCH).
  `CREATE MACRO width_bucket(x, bins) AS CASE WHEN x IS NULL OR bins IS NULL THEN NULL WHEN len(bins) = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Bins cannot be an empty array', x) WHEN isnan(x) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Operand cannot be NaN', x) ELSE ${WIDTH_BUCKET_SEARCH} END, (x, b1, b2, n) AS CASE WHEN x IS NULL OR b1 IS NULL OR b2 IS NULL OR n IS NULL THEN NULL WHEN isnan(x) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: operand must not be NaN', x) WHEN NOT isfinite(b1) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: first bound must be finite', b1) WHEN NOT isfinite(b2) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: second bound must be finite', b2) WHEN b1 = b2 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: bounds cannot equal each other', b1) WHEN n <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: bucketCount must be greater than 0', n) WHEN b1 < b2 THEN CAST(CASE WHEN x < b1 THEN 0 WHEN x >= b2 THEN n + 1 ELSE floor((x - b1) / (b2 - b1) * n) + 1 END AS BIGINT) ELSE CAST(CASE WHEN x > b1 THEN 0 WHEN x <= b2 THEN n + 1 ELSE floor((b1 - x) / (b1 - b2) * n) + 1 END AS BIGINT) END`,
  `CREATE MACRO nan() AS CAST('NaN' AS DOUBLE)`,
  `CREATE MACRO infinity() AS CAST('Infinity' AS DOUBLE)`,
  // Regular expressions: Trino searches (like regexp_matches), returns NULL when nothing matches,
  // replaces every match and writes groups as $1.
  `CREATE MACRO regexp_like(s, p) AS system.main.regexp_matches(s, p)`,
  `CREATE MACRO regexp_extract(s, p) AS CASE WHEN system.main.regexp_matches(s, p) THEN system.main.regexp_extract(s, p, 0) END, (s, p, g) AS CASE WHEN system.main.regexp_matches(s, p) THEN system.main.regexp_extract(s, p, g) END`,
  `CREATE MACRO regexp_replace(s, p) AS system.main.regexp_replace(s, p, '', 'g'), (s, p, r) AS system.main.regexp_replace(s, p, ${GUARD_PREFIX}regexp_r(s, p, system.main.regexp_replace(r, '\\$(\\d)', '\\\\\\1', 'g'), 'g'), 'g'), (s, p, r, re2) AS system.main.regexp_replace(s, p, ${GUARD_PREFIX}regexp_r(s, p, r, 'g'), 'g')`,
  `CREATE MACRO regexp_count(s, p) AS CAST(len(regexp_extract_all(s, p)) AS BIGINT)`,
  // An empty pattern matches before the first character and after the last: '' at both ends.
  // NULL for a NULL argument (string_split_regex split at a NULL pattern answered [s]).
  `CREATE MACRO regexp_split(s, p) AS CASE WHEN s IS NULL OR p IS NULL THEN NULL WHEN p = '' THEN list_concat([''], string_split(s, ''), ['']) ELSE string_split_regex(s, p) END`,
  // regexp_position: 1-based position of the n-th match at or after start, -1 when there is none
  // (from the text before and between the matches; an empty pattern matches at every position).
  `CREATE MACRO regexp_position(s, p) AS trino_regexp_position_at(s, p, 1, 1), (s, p, st) AS trino_regexp_position_at(s, p, st, 1), (s, p, st, n) AS trino_regexp_position_at(s, p, st, n)`,
  // Strings.
  // An empty search string: Trino inserts the replacement before every character and at the end.
  `CREATE MACRO replace(s, x) AS system.main.replace(s, x, ''), (s, x, r) AS CASE WHEN x = '' AND s = '' THEN r WHEN x = '' AND coalesce(strlen(r) * (length(s) + 1) + strlen(s), 0) > ${VALUE_BOUND} THEN trino_refuse('${TOO_LARGE}: replace would build a value of more than ${VALUE_BOUND} bytes (the local engine''s bound on one value)', s) WHEN x = '' THEN r || array_to_string(list_transform(string_split(s, ''), lambda c: c || r), '') ELSE ${GUARD_PREFIX}replace(s, x, r) END`,
  `CREATE MACRO substr${SUBSTR}`,
  `CREATE MACRO substring${SUBSTR}`,
  // Past the last part: NULL (DuckDB: ''); an index below 1 is an error.
  `CREATE MACRO split_part(s, d, i) AS CASE WHEN i <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Index must be greater than zero', i) WHEN i > len(CASE WHEN d = '' THEN string_split(s, '') ELSE string_split(s, d) END) THEN NULL ELSE system.main.split_part(s, d, i) END`,
  // The instance-th occurrence (overlapping, as Trino's indexOf loop finds them; negative: from
  // the end): NULL for a NULL argument, instance 0 an error, an empty substring at 1 whatever the
  // instance (StringFunctions.stringPosition). STRPOS_NTH finds them without reading the text at
  // each of its positions (substr there was quadratic: 60,000 characters took 3 to 5 s).
  `CREATE MACRO strpos(s, x) AS system.main.strpos(s, x), (s, x, n) AS CASE WHEN s IS NULL OR x IS NULL OR n IS NULL THEN NULL WHEN n = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: ''instance'' must be a positive or negative number.', n) WHEN x = '' THEN CAST(1 AS BIGINT) ELSE CAST(${STRPOS_NTH} AS BIGINT) END`,
  // Rounding an integer keeps its type and fails when the result does not fit (DuckDB wraps around:
  // round(SMALLINT '32767', -3) was -32536).
  `CREATE MACRO round(x) AS system.main.round(x), ${["TINYINT", "SMALLINT", "INTEGER"].map((t) => `(x ${t}, d INTEGER) AS CAST(system.main.round(CAST(x AS BIGINT), d) AS ${t})`).join(", ")}, (x, d) AS system.main.round(x, d)`,
  // Trino returns NULL when any argument is NULL; DuckDB's ignore NULLs.
  // split with a limit: the last part holds the rest of the string.
  // Trino (StringFunctions.split) judges the limit, then the delimiter: an empty one is an error
  // (DuckDB split into characters); the two-argument form is the limit length + 1. A NULL
  // argument is NULL first: Trino calls no function of one.
  `CREATE MACRO split(s, d) AS CASE WHEN s IS NULL OR d IS NULL THEN NULL WHEN d = '' THEN trino_raise('${EMPTY_DELIMITER}', d) ELSE string_split(s, d) END, (s, d, lim) AS CASE WHEN s IS NULL OR d IS NULL OR lim IS NULL THEN NULL WHEN lim <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Limit must be positive', lim) WHEN lim > 2147483647 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Limit is too large', lim) WHEN d = '' THEN trino_raise('${EMPTY_DELIMITER}', d) WHEN len(string_split(s, d)) <= lim THEN string_split(s, d) ELSE list_concat(list_slice(string_split(s, d), 1, lim - 1), [array_to_string(list_slice(string_split(s, d), lim, len(string_split(s, d))), d)]) END`,
  // reverse of a string, and of an array (the untyped overload).
  // Trino reverses code points (SliceUtf8.reverse); DuckDB's reverse keeps grapheme clusters
  // whole (a combining accent stayed after its letter). ASCII text is the same either way.
  `CREATE MACRO reverse(s VARCHAR) AS CASE WHEN strlen(s) = length(s) THEN system.main.reverse(s) ELSE array_to_string(list_reverse(string_split(s, '')), '') END, (a) AS list_reverse(a)`,
  // Trino maps each code point with Java's Character.toUpperCase, which keeps ß (its upper case is
  // two letters); DuckDB's upper makes it ẞ. No other code point differs.
  `CREATE MACRO upper(s) AS CASE WHEN contains(s, 'ß') THEN array_to_string(list_transform(string_split(s, ''), lambda c: CASE WHEN c = 'ß' THEN c ELSE system.main.upper(c) END), '') ELSE system.main.upper(s) END`,
  // index is strpos.
  `CREATE MACRO index(s, x) AS system.main.strpos(s, x)`,
  `CREATE MACRO zip${ZIP_OVERLOADS}`,
  `CREATE MACRO ngrams(a, n) AS CASE WHEN a IS NULL OR n IS NULL THEN NULL WHEN n <= 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: N must be positive', n) WHEN n >= len(a) THEN [a] ${NGRAMS_ZIPPED} WHEN least(3 * (len(a) - n + 1) * len(a), (len(a) - n + 1) * n * n) > 6000000 THEN trino_refuse('ngrams over more than 6,000,000 element steps (grams times their length squared, or three times the elements, whichever is fewer) is not supported locally') WHEN 3 * len(a) <= n * n THEN list_transform([a], lambda ng_a: list_transform(range(1, len(ng_a) - n + 2), lambda i: ng_a[i:i + n - 1]))[1] ELSE ${NGRAMS_COLUMNS} END`,
  `CREATE MACRO trim_array(a, n) AS CASE WHEN a IS NULL OR n IS NULL THEN NULL WHEN n < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: size must not be negative: ' || n, n) WHEN n > len(a) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: size must not exceed array cardinality ' || len(a) || ': ' || n, n) ELSE a[1:len(a) - n] END`,
  `CREATE MACRO split_to_multimap(s, ed, kd) AS CASE WHEN s IS NULL OR ed IS NULL OR kd IS NULL THEN NULL WHEN ed = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: entryDelimiter is empty', ed) WHEN kd = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: keyValueDelimiter is empty', kd) WHEN ed = kd THEN trino_raise('INVALID_FUNCTION_ARGUMENT: entryDelimiter and keyValueDelimiter must not be the same', ed) WHEN s = '' THEN MAP() WHEN ${BAD_ENTRY} IS NOT NULL THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Key-value delimiter must appear exactly once in each entry. Bad input: ' || ${BAD_ENTRY}, s) ELSE map_from_entries(list_transform(trino_entry_groups(list_transform(${SPLIT_ENTRIES}, lambda e: row(system.main.substr(e, 1, strpos(e, kd) - 1), system.main.substr(e, strpos(e, kd) + length(kd))))), lambda g: {'k': g.k, 'v': g.vs})) END`,
  // Trino's length of a varbinary is its byte count (DuckDB's length takes no BLOB). One untyped
  // macro that asks the bound type: a typed BLOB overload was chosen for a varchar whose type was
  // not known yet (a correlated column), which read its \\xNN escapes as bytes.
  `CREATE MACRO length(x) AS CASE WHEN typeof(x) = 'BLOB' THEN octet_length(TRY_CAST(x AS BLOB)) WHEN typeof(x) IN ('VARCHAR', '"NULL"') THEN system.main.length(TRY_CAST(x AS VARCHAR)) ELSE trino_raise('FUNCTION_NOT_FOUND: Unexpected parameters (' || lower(typeof(x)) || ') for function length. Expected: length(varchar(x)), length(varbinary)', x) END`,
  // Trino's scan (SplitToMapFunction): the delimiters judged first, then each entry in order,
  // an empty one between two delimiters included; the first entry without exactly one kd, or whose
  // key came before, is the error (Trino's words: "Duplicate keys (k) are not allowed").
  `CREATE MACRO split_to_map(s, ed, kd) AS CASE WHEN s IS NULL OR ed IS NULL OR kd IS NULL THEN NULL WHEN ed = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: entryDelimiter is empty', ed) WHEN kd = '' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: keyValueDelimiter is empty', kd) WHEN ed = kd THEN trino_raise('INVALID_FUNCTION_ARGUMENT: entryDelimiter and keyValueDelimiter must not be the same', ed) ELSE ${SPLIT_TO_MAP} END`,
  `CREATE MACRO greatest(a0) AS a0, ${nullIfAnyNull("greatest")}`,
  `CREATE MACRO least(a0) AS a0, ${nullIfAnyNull("least")}`,
  // Trino's concat is NULL when any argument is; DuckDB's skips NULLs (|| does not).
  `CREATE MACRO concat(a) AS trino_raise('INVALID_FUNCTION_ARGUMENT: There must be two or more concatenation arguments', a),\n  ${concatOverloads}`,
  // DuckDB's levenshtein counts bytes, Trino's characters: text beyond ASCII is compared with each
  // distinct character written as one byte (at most 127 of them). Trino refuses texts whose
  // lengths, the longer times the shorter less one, pass 1,000,000 (its work grows with that
  // product, and an interrupt waits for the call: red-team, two texts of 250,000 characters
  // outlived a 2 s timeout by two minutes).
  `CREATE MACRO levenshtein_distance(a, b) AS CASE WHEN (CASE WHEN length(a) >= length(b) THEN length(a) * (length(b) - 1) ELSE length(b) * (length(a) - 1) END) > 1000000 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: The combined inputs for Levenshtein distance are too large', concat(a, b)) WHEN NOT regexp_matches(a || b, '[^\\x00-\\x7F]') THEN levenshtein(a, b) WHEN len(list_distinct(string_split(a || b, ''))) > 127 THEN trino_refuse('levenshtein_distance of text with more than 127 distinct characters beyond ASCII is not supported locally') ELSE levenshtein(trino_char_bytes(a, list_distinct(string_split(a || b, ''))), trino_char_bytes(b, list_distinct(string_split(a || b, '')))) END`,
  // One-argument trims remove Java's white space (U+2028, U+3000...), as Trino does.
  `CREATE MACRO ltrim(s) AS regexp_replace(s, '^${JAVA_WHITESPACE}+', ''), (s, c) AS system.main.ltrim(s, c)`,
  `CREATE MACRO rtrim(s) AS regexp_replace(s, '${JAVA_WHITESPACE}+$', ''), (s, c) AS system.main.rtrim(s, c)`,
  `CREATE MACRO trim(s) AS regexp_replace(s, '^${JAVA_WHITESPACE}+|${JAVA_WHITESPACE}+$', '', 'g'), (s, c) AS system.main.trim(s, c)`,
  // Soundex as Trino (Apache commons-codec, US English): letters only, H and W ignored after the
  // first letter, vowels separate equal codes, three digits padded with 0.
  `CREATE MACRO soundex(s) AS CASE WHEN s IS NULL THEN NULL WHEN trino_letters(s) = '' THEN '' WHEN regexp_matches(trino_letters(s), '[^A-Z]') THEN trino_raise('INVALID_FUNCTION_ARGUMENT: The character is not mapped: ' || regexp_extract(trino_letters(s), '[^A-Z]'), s) ELSE trino_soundex_code(trino_letters(s)) END`,
  `CREATE MACRO hamming_distance(a, b) AS CASE WHEN length(a) <> length(b) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: The input strings to hamming_distance function must have the same length', concat(a, b)) WHEN a = '' THEN CAST(0 AS BIGINT) ELSE hamming(a, b) END`,
  // chr takes a bigint (DuckDB's an integer); Trino's message for what is not a code point.
  `CREATE MACRO chr(n) AS CASE WHEN n < 0 OR n > 1114111 OR n BETWEEN 55296 AND 57343 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Not a valid Unicode code point: ' || n, n) ELSE system.main.chr(CAST(n AS INTEGER)) END`,
  // codepoint takes a varchar(1): anything but one character is an error.
  `CREATE MACRO codepoint(c) AS CASE WHEN length(c) <> 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: codepoint takes exactly one character', c) ELSE unicode(c) END`,
  `CREATE MACRO lpad(s, n, p) AS ${PAD("lpad")}`,
  `CREATE MACRO rpad(s, n, p) AS ${PAD("rpad")}`,
  // concat_ws over an array joins its elements; NULL elements are skipped.
  `CREATE MACRO concat_ws(sep, a VARCHAR[]) AS CASE WHEN sep IS NULL THEN NULL ELSE array_to_string(a, sep) END, ${CONCAT_WS}`,
  `CREATE MACRO to_utf8(s) AS encode(s)`,
  // from_utf8: udfs.ts decodes the bytes and replaces each invalid sequence as Trino does (U+FFFD,
  // a given character or code point, or nothing for ''); DuckDB's decode refuses them.
  `CREATE MACRO from_utf8(b) AS ${FROM_UTF8}(b, 65533), (b, r VARCHAR) AS CASE WHEN length(r) > 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Replacement character string must empty or a single character', r) ELSE ${FROM_UTF8}(b, CASE WHEN r = '' THEN -1 ELSE unicode(r) END) END, (b, r BIGINT) AS CASE WHEN r < 0 OR r > 1114111 OR r BETWEEN 55296 AND 57343 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Invalid replacement character', r) ELSE ${FROM_UTF8}(b, CAST(r AS INTEGER)) END`,
  // Trino's digests are varbinary (to_hex gives their bytes in upper case); DuckDB's are hex text,
  // whose to_hex would be the hex of that text.
  // Trino's SQL/JSON path functions take a path mode ('lax $.a'); DuckDB's take another syntax and
  // answer NULL or false for Trino's paths.
  // Typed: a refusal of DuckDB's NULL type, given to a function (`x || typeof(x)`), was dropped
  // while binding, the call then NULL (DuckDB's error() too).
  ...["json_exists", "json_value", "json_query"].map(
    (f) =>
      `CREATE MACRO ${f}(j, p) AS CAST(trino_refuse('${f} is not supported locally: use json_extract_scalar or json_extract') AS ${f === "json_exists" ? "BOOLEAN" : "VARCHAR"})`,
  ),
  `CREATE MACRO md5(b) AS unhex(system.main.md5(b))`,
  `CREATE MACRO sha1(b) AS unhex(system.main.sha1(b))`,
  `CREATE MACRO sha256(b) AS unhex(system.main.sha256(b))`,
  // DuckDB names types otherwise (INTEGER, VARCHAR, STRUCT(...)) than Trino (integer, varchar(3), row(...)).
  `CREATE MACRO typeof(x) AS CAST(trino_refuse('typeof is not supported locally: DuckDB names types otherwise than Trino') AS VARCHAR)`,
  // java.net.URLDecoder: '+' is a space, and a '%' not followed by two hex digits is an error.
  `CREATE MACRO url_decode(s) AS CASE WHEN contains(regexp_replace(s, '%[0-9A-Fa-f]{2}', '', 'g'), '%') THEN trino_raise('INVALID_FUNCTION_ARGUMENT: URLDecoder: Illegal hex characters in escape (%) pattern', s) ELSE system.main.url_decode(replace(s, '+', ' ')) END`,
  // Guava's form parameter escaper: letters, digits and "-_.*" kept, a space as '+', the rest %XX
  // (DuckDB's url_encode keeps '~', escapes '*' and writes a space as %20).
  `CREATE MACRO url_encode(s) AS replace(replace(replace(system.main.url_encode(s), '%20', '+'), '~', '%7E'), '%2A', '*')`,
  // URLs as java.net.URI reads them: NULL for text it rejects, '' for a part that is absent; an
  // opaque URI (mailto:x@y) has no path or query (trino-helpers.ts trino_url_*).
  `CREATE MACRO url_extract_protocol(u) AS CASE WHEN trino_url_ok(u) THEN trino_url_part(u, 2) END`,
  `CREATE MACRO url_extract_host(u) AS CASE WHEN trino_url_ok(u) THEN regexp_replace(regexp_replace(trino_url_part(u, 4), '^.*@', ''), ':[0-9]*$', '') END`,
  `CREATE MACRO url_extract_port(u) AS CASE WHEN trino_url_ok(u) AND regexp_matches(trino_url_part(u, 4), ':[0-9]+$') THEN CAST(regexp_extract(trino_url_part(u, 4), ':([0-9]+)$', 1) AS BIGINT) END`,
  `CREATE MACRO url_extract_path(u) AS CASE WHEN NOT trino_url_ok(u) THEN NULL WHEN trino_url_opaque(u) THEN '' ELSE url_decode(trino_url_part(u, 5)) END`,
  `CREATE MACRO url_extract_query(u) AS CASE WHEN NOT trino_url_ok(u) THEN NULL WHEN trino_url_opaque(u) THEN '' ELSE url_decode(trino_url_part(u, 7)) END`,
  `CREATE MACRO url_extract_fragment(u) AS CASE WHEN trino_url_ok(u) THEN url_decode(trino_url_part(u, 9)) END`,
  // The first value of the parameter in the query ('' when it has no '='); NULL without a query.
  `CREATE MACRO url_extract_parameter(u, name) AS CASE WHEN NOT trino_url_ok(u) OR trino_url_opaque(u) OR trino_url_part(u, 6) = '' THEN NULL ELSE list_filter(list_transform(string_split(trino_url_part(u, 7), '&'), lambda p: CASE WHEN split_part(p, '=', 1) = name THEN CASE WHEN contains(p, '=') THEN trino_url_decode(substr(p, strpos(p, '=') + 1)) ELSE '' END END), lambda x: x IS NOT NULL)[1] END`,
  // Arrays and maps.
  // An array key holding a NULL cannot be compared: Trino refuses it (DuckDB would keep it).
  `CREATE MACRO map() AS system.main.map(), (k, v) AS CASE WHEN typeof(k) LIKE '%[][]' AND coalesce(list_bool_or(list_transform(TRY_CAST(k AS VARCHAR[][]), lambda e: list_contains(list_transform(e, lambda x: x IS NULL), true))), false) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: map key cannot be indeterminate', k) ELSE system.main.map(k, v) END`,
  // Of an array or a map (DuckDB's len takes arrays only).
  `CREATE MACRO cardinality(x) AS CAST(CASE WHEN typeof(x) LIKE 'MAP(%' THEN len(json_keys(to_json(x))) ELSE len(TRY_CAST(x AS VARCHAR[])) END AS BIGINT)`,
  `CREATE MACRO element_at(x, k) AS CASE WHEN NOT starts_with(typeof(x), 'MAP') AND CAST(k AS VARCHAR) = '0' THEN trino_raise('INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1', k) ELSE (x)[k] END`,
  // NULL elements are skipped (all NULL: ''), JSON strings lose their quotes.
  `CREATE MACRO array_join${ARRAY_JOIN}`,
  // NULL when the value is absent and the array holds a NULL (it might have been the value).
  `CREATE MACRO contains${IP_OVERLOADS.contains}, (a, x) AS CASE WHEN a IS NULL OR x IS NULL THEN NULL WHEN ${INDETERMINATE("contains")} WHEN list_contains(a, x) THEN true WHEN ${HAS_NULL("a")} THEN NULL ELSE false END`,
  `CREATE MACRO from_hex(s) AS CASE WHEN length(s) % 2 = 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: invalid input length ' || length(s), s) ELSE system.main.from_hex(s) END`,
  // a[i] of a known array (trino-ast.ts arraySubscript): Trino's errors past the end, at 0, below;
  // the array and the index are evaluated once (a struct in a one-element list).
  `CREATE MACRO array_subscript(x, i) AS list_transform([{'a': x, 'i': i}], lambda s: CASE WHEN s.i > len(s.a) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Array subscript must be less than or equal to array length: ' || s.i || ' > ' || len(s.a), s.i) WHEN s.i = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1', s.i) WHEN s.i < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Array subscript is negative: ' || s.i, s.i) ELSE (s.a)[s.i] END)[1]`,
  // m[k] of the table's map column (trino-ast.ts mapSubscript): a missing key is Trino's error.
  `CREATE MACRO map_subscript(m, k) AS CASE WHEN m IS NULL OR k IS NULL THEN NULL WHEN map_contains(m, k) THEN (m)[k] ELSE trino_raise('INVALID_FUNCTION_ARGUMENT: Key not present in map: ' || k, m) END`,
  // The first of each value, in order: the elements with their positions sorted, the first of
  // each run kept, sorted back by position. No lambda reads a (a lambda over a's elements that
  // looked each up in a was quadratic: 30,000 elements of a split text did not end in a minute).
  `CREATE MACRO array_distinct(a) AS CASE WHEN a IS NULL OR len(a) = 0 THEN a ELSE list_transform([list_sort(list_transform(a, lambda v, i: {'v': v, 'i': i}), 'ASC', 'NULLS LAST')], lambda ad_s: list_transform(list_sort(list_transform(list_filter(list_zip(ad_s, list_concat([NULL], ad_s[1:len(ad_s) - 1])), lambda p: p[2] IS NULL OR struct_extract(p[1], 'v') IS DISTINCT FROM struct_extract(p[2], 'v')), lambda p: {'i': struct_extract(p[1], 'i'), 'v': struct_extract(p[1], 'v')})), lambda e: struct_extract(e, 'v')))[1] END`,
  // A negative start counts from the end; start 0 and a negative length are errors.
  `CREATE MACRO slice(a, s, n) AS CASE WHEN s = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: SQL array indices start at 1', concat(s, n)) WHEN n < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: length must be greater than or equal to 0', concat(s, n)) WHEN s > 0 THEN list_slice(a, s, s + n - 1) WHEN len(a) + s + 1 < 1 THEN list_slice(a, 1, 0) ELSE list_slice(a, len(a) + s + 1, len(a) + s + n) END`,
  // sequence: the default step follows the direction (-1 downwards), DATE steps a day, and more
  // than 10,000 entries is an error (Trino's limit).
  `CREATE MACRO sequence(a BIGINT, b BIGINT) AS CASE WHEN abs(CAST(b AS HUGEINT) - a) >= 10000 THEN ${SEQUENCE_TOO_LONG("concat(a, b)")} ELSE generate_series(a, b, CASE WHEN a <= b THEN 1 ELSE -1 END) END, (a DATE, b DATE) AS list_transform(generate_series(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), CASE WHEN a <= b THEN INTERVAL 1 DAY ELSE INTERVAL (-1) DAY END), lambda t: CAST(t AS DATE)), (a BIGINT, b BIGINT, st BIGINT) AS CASE WHEN st = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: step must not be zero', st) WHEN st > 0 AND b < a THEN ${SEQUENCE_DIRECTION("greater", "concat(a, b, st)")} WHEN st < 0 AND b > a THEN ${SEQUENCE_DIRECTION("less", "concat(a, b, st)")} WHEN (CAST(b AS HUGEINT) - a) // st >= 10000 THEN ${SEQUENCE_TOO_LONG("concat(a, b, st)")} ELSE generate_series(a, b, st) END, (a DATE, b DATE, st INTERVAL) AS CASE WHEN date_part('hour', st) <> 0 OR date_part('minute', st) <> 0 OR date_part('microseconds', st) <> 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: sequence step must be a day interval if start and end values are dates', st) ELSE list_transform(trino_sequence_checked(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP), st), lambda t: CAST(t AS DATE)) END, (a TIMESTAMP, b TIMESTAMP, st INTERVAL) AS trino_sequence_checked(a, b, st)`,
  `CREATE MACRO arrays_overlap(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN list_has_any(a, b) THEN true WHEN ${HAS_NULL("a")} OR ${HAS_NULL("b")} THEN NULL ELSE false END`,
  `CREATE MACRO array_remove(a, x) AS CASE WHEN x IS NULL THEN NULL WHEN ${INDETERMINATE("array_remove")} ELSE list_filter(a, lambda e: e IS NULL OR e <> x) END`,
  // NULL for a NULL array (list_concat read it as empty: array_union(NULL, x) was x's values).
  `CREATE MACRO array_union(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE trino_array_distinct(list_concat(a, b)) END`,
  `CREATE MACRO array_except(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE ${SORTED_AGAINST("a", "b", "st_p[1].t = 1 AND (st_p[2] IS NULL OR st_p[1].v IS DISTINCT FROM st_p[2].v)")} END`,
  // In the order of the longer array (of the first when both are as long), as Trino's set walk.
  `CREATE MACRO array_intersect(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE ${SORTED_AGAINST("CASE WHEN len(a) < len(b) THEN b ELSE a END", "CASE WHEN len(a) < len(b) THEN a ELSE b END", "st_p[1].t = 1 AND st_p[2].t = 0 AND st_p[1].v IS NOT DISTINCT FROM st_p[2].v")} END`,
  // NULL for a NULL search value, 0 when absent (DuckDB: NULL).
  `CREATE MACRO array_position(a, x) AS CASE WHEN a IS NULL OR x IS NULL THEN NULL WHEN ${INDETERMINATE("array_position")} ELSE CAST(coalesce(list_position(a, x), 0) AS BIGINT) END`,
  `CREATE MACRO repeat(x, n) AS CASE WHEN n < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be greater than or equal to 0', n) WHEN n > 10000 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: count argument of repeat function must be less than or equal to 10000', n) WHEN trino_block_bytes(x) * n > 1000000 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: result of repeat function must not take more than 1000000 bytes', n) ELSE list_transform(range(n), lambda i: x) END`,
  // NULL when an element is NULL (DuckDB's skip them).
  // NaN (or an array holding one) is skipped unless every element is NaN (as greatest/least).
  `CREATE MACRO array_max(a) AS CASE WHEN ${HAS_NULL("a")} THEN NULL ELSE coalesce(list_max(list_filter(a, lambda e: trino_no_nan(e) IS NOT NULL)), list_max(a)) END`,
  `CREATE MACRO array_min(a) AS CASE WHEN ${HAS_NULL("a")} THEN NULL ELSE coalesce(list_min(list_filter(a, lambda e: trino_no_nan(e) IS NOT NULL)), list_min(a)) END`,
  `CREATE MACRO map_keys(m) AS system.main.map_keys(m)`,
  // Aggregates.
  `CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)`,
  // approx_percentile(x, p) outside a window is trino_runmd_percentile(list(x), p) (rewrite-functions.ts
  // approxPercentile): Trino's t-digest keeps every value its own centroid while the values are
  // few (about 75), and then answers the sorted values' element at floor(p * n) in doubles, the
  // largest for p * n >= n - 1 (airlift TDigest.valuesAt); DuckDB's approx_quantile interpolated
  // ([1, 2, 3, 4] at 0.5: 2.5 or 2, Trino 3). Past that Trino's answer is itself approximate.
  // No value (none, all NULL, or none its FILTER kept): NULL, the array form's too, and the
  // percentiles are not judged (Trino checks them for a value only); a NULL in the array is
  // Trino's error, and so is a NaN value (sorted last), which the t-digest refuses.
  `CREATE MACRO runmd_percentile_of(s, p) AS CASE WHEN p IS NULL OR s IS NULL OR len(s) = 0 THEN NULL WHEN isnan(s[len(s)]) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Cannot add NaN to t-digest', p) WHEN p < 0 OR p > 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Percentile must be between 0 and 1', p) ELSE s[least(CAST(floor(CAST(p AS DOUBLE) * len(s)) AS BIGINT), len(s) - 1) + 1] END`,
  `CREATE MACRO runmd_percentile(l, p) AS trino_runmd_percentile_of(list_sort(list_filter(l, lambda v: v IS NOT NULL)), p)`,
  `CREATE MACRO runmd_percentiles_of(s, ps) AS CASE WHEN ps IS NULL OR s IS NULL OR len(s) = 0 THEN NULL WHEN isnan(s[len(s)]) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Cannot add NaN to t-digest', ps) WHEN len(list_filter(ps, lambda q: q IS NULL)) > 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Percentile cannot be null', ps) ELSE list_transform(ps, lambda q: trino_runmd_percentile_of(s, q)) END`,
  `CREATE MACRO runmd_percentiles(l, ps) AS trino_runmd_percentiles_of(list_sort(list_filter(l, lambda v: v IS NOT NULL)), ps)`,
  // A percentage read from the rows (rewrite-functions.ts approxPercentile): the group's distinct
  // non-NULL ones, which must be one, as Trino's documentation asks; Trino would take the last
  // row's, an answer that depends on the order it reads rows in.
  `CREATE MACRO runmd_one_percentile(l) AS CASE WHEN len(l) > 1 THEN trino_refuse('${PERCENTAGE_VARIES}', l) ELSE l[1] END`,
  `CREATE MACRO every(x) AS bool_and(x)`,
  // max_by(x, y, n) keeps NULL values of x as Trino's (DuckDB's arg_max skips them: each x goes
  // in a struct, never NULL). The two-argument forms and arbitrary are renamed
  // (rewrite-functions.ts renameAggregate).
  `CREATE MACRO max_by(x, y, n) AS list_transform(arg_max({'v': x}, y, n), lambda s: s.v)`,
  `CREATE MACRO min_by(x, y, n) AS list_transform(arg_min({'v': x}, y, n), lambda s: s.v)`,
  // map_agg(k, v) and multimap_agg(k, v) are list(row(k, v)) FILTER (WHERE k IS NOT NULL), with
  // the query's own FILTER, DISTINCT or OVER (map-aggregates.ts), finished here. map_agg keeps the
  // first value a key came with, multimap_agg every value in the order rows arrived (which rows
  // arrive first is the engine's to choose, on Trino too).
  `CREATE MACRO map_agg_entries(l) AS CASE WHEN l IS NULL THEN NULL ELSE map_from_entries(${FIRST_ENTRIES}) END`,
  // multimap_from_entries: the values of each key in the array's order, keys as they first came.
  `CREATE MACRO multimap_from_entries(l) AS CASE WHEN list_bool_or(list_transform(l, lambda e: e IS NULL)) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: map entry cannot be null', l) WHEN list_bool_or(list_transform(l, lambda e: struct_extract_at(e, 1) IS NULL)) THEN trino_raise('INVALID_FUNCTION_ARGUMENT: map key cannot be null', l) WHEN len(l) = 0 THEN map_from_entries(list_transform(l, lambda e: {'k': struct_extract_at(e, 1), 'v': [struct_extract_at(e, 2)]})) ELSE map_from_entries(list_transform(trino_entry_groups(l), lambda g: {'k': struct_extract(g, 'k'), 'v': struct_extract(g, 'vs')})) END`,
  `CREATE MACRO multimap_agg_entries(l) AS map_from_entries(list_transform(trino_entry_groups(l), lambda g: {'k': struct_extract(g, 'k'), 'v': struct_extract(g, 'vs')}))`,
  ...VARBINARY_MACROS,
  ...WILSON_MACROS,
  ...NORMAL_MACROS,
  ...COSINE_MACROS,
  `CREATE MACRO normalize(s, form) AS ${NORMALIZE}(s, form)`,
  `CREATE MACRO map_concat(m) AS trino_raise('INVALID_FUNCTION_ARGUMENT: There must be two or more concatenation arguments to map_concat', m), ${MAP_CONCAT_OVERLOADS}`,
  // sign keeps its argument's type (DuckDB's is a TINYINT); a decimal's is decimal(1,0), NaN's NaN.
  `CREATE MACRO sign${["TINYINT", "SMALLINT", "INTEGER", "BIGINT"].map((t) => `(x ${t}) AS CAST(system.main.sign(x) AS ${t})`).join(", ")}, (x DECIMAL) AS CAST(system.main.sign(x) AS DECIMAL(1, 0)), (x DOUBLE) AS CASE WHEN isnan(x) THEN x ELSE CAST(system.main.sign(x) AS DOUBLE) END, (x FLOAT) AS CASE WHEN isnan(x) THEN x ELSE CAST(system.main.sign(x) AS FLOAT) END`,
];

const DATE_PLUS = (d: string, i: string, op: string) =>
  `CASE WHEN date_part('hour', ${i}) <> 0 OR date_part('minute', ${i}) <> 0 OR date_part('microseconds', ${i}) <> 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Cannot ${op === "+" ? "add" : "subtract"} hour, minutes or seconds ${op === "+" ? "to" : "from"} a date', ${i}) ELSE CAST(${d} ${op} ${i} AS DATE) END`;

const DIVISION_BY_ZERO = "trino_raise('DIVISION_BY_ZERO: Division by zero', b)";

/**
 * Macros the AST rewrite calls (trino-ast.ts) for operators; not Trino function names. Typed
 * overloads pick the semantics by argument type: integers divide as integers and fail on zero,
 * doubles and reals follow IEEE (1/0 = Infinity, 0/0 = NaN, x % 0 = NaN).
 */
const integerOverloads = (op: string) =>
  ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"]
    // A null operand gives null before the zero test: Trino never calls an operator on null.
    .map(
      (t) =>
        `(a ${t}, b ${t}) AS CASE WHEN a IS NULL THEN NULL WHEN b = 0 THEN ${DIVISION_BY_ZERO} ELSE a ${op} b END`,
    )
    .join(", ");

/**
 * A DECIMAL operand (with an integer or another decimal) the rewrite could not see in the tree (a
 * column of a table function, a function's result): DuckDB binds this overload for it (a decimal
 * with a double still takes the DOUBLE one). Trino's answer is a DECIMAL whose scale depends on
 * the operands' scales, which the overload no longer knows: refused rather than DuckDB's double.
 */
const DECIMAL_UNSEEN = (what: string) =>
  `(a DECIMAL(38, 0), b DECIMAL(38, 0)) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE CAST(trino_refuse('${what} of a DECIMAL value whose type the local engine cannot see in the query is not supported locally (Athena keeps it a DECIMAL with scale max(s1, s2)); cast the operand, for example CAST(x AS DECIMAL(38, 2)) or CAST(x AS DOUBLE)') AS DECIMAL(38, 0)) END`;

const OPERATOR_MACROS: string[] = [
  // json_array_get's element as JSON with its quotes, under CAST(... AS varchar) (trino-ast.ts).
  `CREATE MACRO trino_json_array_get_quoted(j, i) AS CASE json_type(${JSON_ELEMENT}) WHEN 'NULL' THEN NULL ELSE ${JSON_ELEMENT} END`,
  ...ZONED_MACROS,
  ...IP_MACROS,
  ...HELPER_MACROS,
  // The instant of us microseconds, down to its millisecond (date_trunc of a TIMESTAMPTZ goes
  // through ICU's calendar, several times slower).
  `CREATE MACRO trino_ms_floor(us) AS make_timestamptz(us - ((us % 1000 + 1000) % 1000))`,
  // A text a regexp_* function matches with a $ anchor (trino-regex-end.ts): Joni's $ also
  // matches before a final newline, where the match would differ; refused there.
  `CREATE MACRO trino_regex_text_end(s, f) AS CASE WHEN ends_with(s, chr(10)) THEN CAST(trino_refuse(f || ' with a $ anchor over a text that ends with a newline is not supported locally (Trino''s $ also matches before that newline): strip it first, rtrim(x, chr(10))') AS VARCHAR) ELSE s END`,
  // A text with characters past ASCII that the pattern's classes may read otherwise (u: RE2).
  `CREATE MACRO trino_regex_text_ascii(s, f, u) AS CASE WHEN strlen(s) <> length(s) AND regexp_matches(s, u) THEN CAST(trino_refuse(f || ' of a text with characters past ASCII that \\w, \\d, \\s, \\b or a [[:class:]] may take is not supported locally (the local engine''s classes are ASCII; Trino''s may also take é, ٣ or a no-break space): write the characters out, [a-zA-Z0-9_]') AS VARCHAR) ELSE s END`,
  // A row cast field by field (trino-container-cast.ts): a row of another size is Trino's error.
  `CREATE MACRO trino_row_size(r, n, packed) AS CASE WHEN r IS NULL THEN NULL WHEN len(json_keys(to_json(r))) <> n THEN trino_raise('INVALID_FUNCTION_ARGUMENT: the size of fromType and toType must match', r) ELSE packed END`,
  // sum of integers: Trino's bigint accumulator fails past 2^63 (DuckDB's HUGEINT does not).
  `CREATE MACRO trino_checked_sum(s) AS CASE WHEN typeof(s) = 'HUGEINT' AND (s > 9223372036854775807 OR s < -9223372036854775808) THEN trino_raise('NUMERIC_VALUE_OUT_OF_RANGE: bigint addition overflow', s) ELSE s END`,
  // Joda's message for text it cannot parse at position p (FormatUtils.createErrorMessage).
  `CREATE MACRO trino_joda_sample(s, p) AS CASE WHEN length(s) <= p + 35 THEN s ELSE left(s, p + 32) || '...' END`,
  `CREATE MACRO trino_joda_invalid(s, p) AS 'Invalid format: "' || trino_joda_sample(s, p) || '"' || CASE WHEN p <= 0 THEN '' WHEN p >= length(s) THEN ' is too short' ELSE ' is malformed at "' || substr(trino_joda_sample(s, p), p + 1) || '"' END`,
  // from_iso8601_timestamp's unsupported case: an offset other than UTC.
  `CREATE MACRO trino_iso8601_foreign(s) AS regexp_matches(s, '[T ][0-9:.,]+[+-]([0-9]{2}):?([0-9]{2})?$') AND NOT regexp_matches(s, '[+-]00(:?00)?$')`,
  // reduce's number state (trino-map-lambda.ts stateType): a decimal the step widens grows a digit
  // each round in Trino's type solving, which does not settle; refused rather than answered.
  `CREATE MACRO trino_reduce_state(init, s) AS CASE WHEN typeof(s) LIKE 'DECIMAL%' AND typeof(s) <> typeof(init) THEN trino_refuse('reduce whose step widens a decimal state (' || typeof(init) || ' to ' || typeof(s) || ') is not supported locally: cast the initial value and the step to one type, for example DOUBLE') ELSE s END`,
  // array_join and concat_ws of an array with a separator that is not a constant (DuckDB's
  // array_to_string wants a constant; rewrite-functions.ts picks these then): joined by a reduce.
  `CREATE MACRO trino_join_reduce(l, sep) AS coalesce(list_reduce(list_slice(l, 2, len(l)), lambda acc, x: acc || sep || x, l[1]), '')`,
  `CREATE MACRO trino_array_join_dynamic${ARRAY_JOIN_DYNAMIC}`,
  `CREATE MACRO trino_concat_ws_dynamic(sep, a VARCHAR[]) AS CASE WHEN sep IS NULL OR a IS NULL THEN NULL ELSE trino_join_reduce(list_filter(a, lambda v: v IS NOT NULL), sep) END, ${CONCAT_WS}`,
  // array || element and element || array (trino-array-concat.ts): NULL if either is NULL.
  `CREATE MACRO trino_array_append(a, e) AS CASE WHEN a IS NULL OR e IS NULL THEN NULL ELSE list_append(a, e) END`,
  `CREATE MACRO trino_array_prepend(e, a) AS CASE WHEN a IS NULL OR e IS NULL THEN NULL ELSE list_prepend(e, a) END`,
  // An array and a value whose type the tree does not show (trino-array-concat.ts): appended or
  // prepended when DuckDB binds it as a scalar of one of these types, else DuckDB's || (two arrays).
  `CREATE MACRO trino_array_append_any${SCALAR_ELEMENT_TYPES.map((t) => `(a, e ${t}) AS trino_array_append(a, e), `).join("")}(a, e) AS a || e`,
  `CREATE MACRO trino_array_prepend_any${SCALAR_ELEMENT_TYPES.map((t) => `(e ${t}, a) AS trino_array_prepend(e, a), `).join("")}(e, a) AS e || a`,
  `CREATE MACRO trino_divide${integerOverloads("//")}, ${DECIMAL_UNSEEN("Division")}, (a DOUBLE, b DOUBLE) AS a / b, (a FLOAT, b FLOAT) AS a / b, (a INTERVAL, b DOUBLE) AS CASE WHEN b = 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Cannot divide an interval by zero', b) ELSE a / b END`,
  `CREATE MACRO trino_modulo${integerOverloads("%")}, ${DECIMAL_UNSEEN("Modulus")}, (a DOUBLE, b DOUBLE) AS a % b, (a FLOAT, b FLOAT) AS a % b`,
  // Decimal operands known from the tree: Trino's scale max(s1, s2), rounded half up, computed
  // exactly on the unscaled values (HUGEINT; an overflow is an error); the caller casts the text.
  `CREATE MACRO trino_unscaled(x, s) AS CASE WHEN strpos(CAST(x AS VARCHAR), '.') > 0 AND length(CAST(x AS VARCHAR)) - strpos(CAST(x AS VARCHAR), '.') <> s THEN trino_refuse('decimal division: an operand has an unexpected scale (not supported locally)') ELSE CAST(replace(CAST(x AS VARCHAR), '.', '') AS HUGEINT) END`,
  `CREATE MACRO trino_pow10(k) AS CAST('1' || repeat('0', CAST(k AS INTEGER)) AS HUGEINT)`,
  // q = round_half_up(n / d) on HUGEINTs; the text of q with s decimals (the caller casts it).
  `CREATE MACRO trino_digits(t, s) AS CASE WHEN length(t) > s THEN t ELSE lpad(t, s + 1, '0') END`,
  `CREATE MACRO trino_point(p, s) AS CASE WHEN s = 0 THEN p ELSE left(p, length(p) - s) || '.' || right(p, s) END`,
  `CREATE MACRO trino_decimal_text(q, s) AS (CASE WHEN q < 0 THEN '-' ELSE '' END) || trino_point(trino_digits(CAST(abs(q) AS VARCHAR), s), s)`,
  `CREATE MACRO trino_round_div(n, d) AS n // d + CASE WHEN 2 * abs(n % d) >= abs(d) THEN sign(n) * sign(d) ELSE 0 END`,
  // The text of round(n * 10^k / d) with s decimals: on HUGEINTs while n * 10^k and 2 * d stay
  // within 10^37, otherwise in JavaScript's BigInt (udfs.ts; Trino divides past 128 bits too).
  `CREATE MACRO trino_decimal_quotient(n, d, k, s) AS CASE WHEN k <= 37 AND abs(n) < trino_pow10(37 - k) AND abs(d) < trino_pow10(37) THEN trino_decimal_text(trino_round_div(n * trino_pow10(least(k, 37)), d), s) ELSE ${DECIMAL_QUOTIENT}(CAST(n AS VARCHAR), CAST(d AS VARCHAR), CAST(k AS INTEGER), CAST(s AS INTEGER)) END`,
  `CREATE MACRO trino_decimal_divide(a, b, sa, sb, s) AS CASE WHEN b = 0 THEN ${DIVISION_BY_ZERO} ELSE trino_decimal_quotient(trino_unscaled(a, sa), trino_unscaled(b, sb), s - sa + sb, s) END`,
  `CREATE MACRO trino_avg_unseen(a, t) AS CASE WHEN t LIKE 'DECIMAL%' THEN trino_refuse('avg of a decimal whose scale the query does not show is not supported locally (Trino averages it as a decimal of that scale, rounded half up): CAST its argument AS DECIMAL(p, s) or AS DOUBLE') ELSE a END`,
  `CREATE MACRO trino_decimal_modulo(a, b) AS CASE WHEN b = 0 THEN ${DIVISION_BY_ZERO} ELSE a % b END`,
  // any_match/all_match over the list of the lambda's results (rewrite.ts): three-valued.
  `CREATE MACRO trino_any_match_list(t) AS CASE WHEN coalesce(list_bool_or(t), false) THEN true WHEN ${HAS_NULL("t")} THEN NULL ELSE false END`,
  `CREATE MACRO trino_all_match_list(t) AS CASE WHEN NOT coalesce(list_bool_and(list_transform(t, lambda x: coalesce(x, true))), true) THEN false WHEN ${HAS_NULL("t")} THEN NULL ELSE true END`,
  `CREATE MACRO trino_regexp_position_at(s, p, st, n) AS CASE WHEN st < 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: start position cannot be smaller than 1', st) WHEN n < 1 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: occurrence cannot be smaller than 1', n) WHEN p = '' THEN CASE WHEN st + n - 1 <= length(s) + 1 THEN st + n - 1 ELSE -1 END WHEN len(regexp_extract_all(system.main.substr(s, st), p)) < n THEN -1 ELSE st + length(array_to_string(list_slice(regexp_split_to_array(system.main.substr(s, st), p), 1, n), '')) + length(array_to_string(list_slice(regexp_extract_all(system.main.substr(s, st), p), 1, n - 1), '')) END`,
  // EXTRACT(TIMEZONE_HOUR/MINUTE ...) needs a timestamp with time zone (DuckDB: 0 for any timestamp).
  `CREATE MACRO trino_zone_part${ZONED_OVERLOADS.zonePart}, (f VARCHAR, t TIMESTAMPTZ) AS date_part(f, t), (f VARCHAR, t TIMESTAMP) AS trino_raise('TYPE_MISMATCH: ' || f || ' needs a timestamp with time zone', t), (f VARCHAR, t DATE) AS trino_raise('TYPE_MISMATCH: ' || f || ' needs a timestamp with time zone', t)`,
  // Java's Double.toString from Trino's double text (trino_double_text: 2.55E1): a plain decimal
  // with at least one fraction digit between 10^-3 and 10^7 (25.5, 100.0, 0.001), else d.dddEn.
  `CREATE MACRO trino_java_double_of(t, d, e) AS CASE WHEN t IN ('0E0', '-0E0') THEN replace(t, '0E0', '0.0') WHEN NOT contains(t, 'E') OR e < -3 OR e >= 7 THEN t WHEN e >= 0 THEN (CASE WHEN starts_with(t, '-') THEN '-' ELSE '' END) || rpad(left(d, e + 1), e + 1, '0') || '.' || coalesce(nullif(substr(d, e + 2), ''), '0') ELSE (CASE WHEN starts_with(t, '-') THEN '-' ELSE '' END) || '0.' || repeat('0', -e - 1) || d END`,
  `CREATE MACRO trino_java_double(t) AS trino_java_double_of(t, coalesce(nullif(rtrim(replace(split_part(ltrim(t, '-'), 'E', 1), '.', ''), '0'), ''), '0'), TRY_CAST(split_part(t, 'E', 2) AS INTEGER))`,
  // format('%s', timestamp) prints Java's LocalDateTime text: T, and 0, 3 or 6 fraction digits.
  `CREATE MACRO trino_format_arg(x TIMESTAMP) AS trino_java_local(x), (x DATE) AS CAST(x AS VARCHAR), (x TIMESTAMPTZ) AS x, ${ZONED_OVERLOADS.formatArg}, ${IP_OVERLOADS.toVarchar}, (x) AS x`,
  // format's %s prints String.valueOf of Trino's Java value (x through trino_format_arg first,
  // except an aggregate, whose timestamp is printed here):
  // integers and decimals their digits (a decimal Java would write in E notation, below 10^-6,
  // is refused), doubles Java's text.
  `CREATE MACRO trino_format_s_refusal(x) AS CASE WHEN typeof(x) = 'FLOAT' THEN 'format(''%s'', real) is not supported locally: cast the value to double' WHEN typeof(x) LIKE 'DECIMAL%' AND abs(TRY_CAST(x AS DOUBLE)) < 0.000001 AND length(split_part(CAST(x AS VARCHAR), '.', 2)) > 6 THEN 'format(''%s'', decimal) of a decimal below 10^-6 is not supported locally (Java writes it in E notation)' END`,
  // Java's text of a double: DuckDB's own between 10^-3 and 10^7 (the same shortest digits,
  // plain, with ".0" when whole), else trino_java_double's, in a lambda that binds v once.
  `CREATE MACRO trino_java_double_value(v) AS CASE WHEN abs(v) >= 0.001 AND abs(v) < 10000000 THEN CAST(v AS VARCHAR) ELSE list_transform([v], lambda jd_v: trino_java_double(trino_double_text(jd_v)))[1] END`,
  // The double outside the lambda: in a lambda DuckDB does not fold the typeof branches, and
  // trino_java_double's string work ran for every row of any type (13 us a row for a varchar,
  // 140 for a double).
  `CREATE MACRO trino_format_s_text(x) AS CASE WHEN typeof(x) = 'DOUBLE' THEN trino_java_double_value(TRY_CAST(x AS DOUBLE)) ELSE list_transform([x], lambda fs_x: CASE WHEN typeof(fs_x) = 'TIMESTAMP' THEN trino_java_local(TRY_CAST(fs_x AS TIMESTAMP)) ELSE CAST(fs_x AS VARCHAR) END)[1] END`,
  // The refusal outside the lambda, where its anchor can be the macro's parameters.
  `CREATE MACRO trino_refuse_if(refusal, v) AS CASE WHEN refusal IS NOT NULL THEN trino_refuse(refusal) ELSE v END`,
  `CREATE MACRO trino_format_s_any(x) AS trino_refuse_if(trino_format_s_refusal(x), trino_format_s_text(x))`,
  // A varchar or an integer is its own text: typed overloads, chosen while binding, so that
  // neither the refusal nor the text is bound or run for them (264 ms to bind each format('%s')
  // argument, 3.5 s for a format of a format). An aggregate's type is not known when the
  // overload is chosen ("multiple overloads"): trino-format.ts gives it trino_format_s_any.
  `CREATE MACRO trino_format_s${["VARCHAR", "BIGINT", "HUGEINT", "UBIGINT", "UHUGEINT"].map((t) => `(x ${t}) AS CAST(x AS VARCHAR), `).join("")}(x) AS trino_format_s_any(x)`,
  // Timestamp sequences: the step must go towards the stop value; at most 10,000 entries.
  `CREATE MACRO trino_sequence_checked(a, b, st) AS CASE WHEN a + st > a AND b < a THEN ${SEQUENCE_DIRECTION("greater", "concat(a, b, st)")} WHEN a + st < a AND b > a THEN ${SEQUENCE_DIRECTION("less", "concat(a, b, st)")} WHEN len(generate_series(a, b, st)) > 10000 THEN ${SEQUENCE_TOO_LONG("concat(a, b, st)")} ELSE generate_series(a, b, st) END`,
  // regexp_extract of a group that may not take part (trino-ast.ts regexpExtractGroup).
  // regexp_extract's group checks (JoniRegexpFunctions.validateGroup; trino-ast.ts
  // regexpExtractByGroup): a negative group or one past the pattern's n groups fails, matched or
  // not; NULL for a NULL text or group (Trino does not call the function).
  `CREATE MACRO trino_regexp_group_check(s, g, n) AS CASE WHEN s IS NULL OR g IS NULL THEN NULL WHEN g < 0 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Group cannot be negative', s) WHEN g > n THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Pattern has ' || n || ' groups. Cannot access group ' || g, s) END`,
  `CREATE MACRO trino_regexp_extract_group(s, p, g, body) AS CASE WHEN NOT system.main.regexp_matches(s, p) THEN NULL WHEN system.main.regexp_extract(s, p, g) <> '' THEN system.main.regexp_extract(s, p, g) WHEN NOT regexp_full_match('', body) THEN NULL ELSE trino_refuse('regexp_extract: group ' || CAST(g AS VARCHAR) || ' matched the empty string or did not take part, which the local engine cannot tell apart (not supported locally)') END`,
  `CREATE MACRO trino_cast_timestamp${TIMESTAMP_CAST("")}`,
  // DuckDB keeps microseconds and cuts the digits past the sixth. To timestamp(6) Trino rounds
  // half up: the seventh digit rounds; past 6 digits Trino keeps them: refused. Below 6, rounding
  // the microseconds gives Trino's answer.
  `CREATE MACRO trino_cast_timestamp_6${TIMESTAMP_CAST("WHEN regexp_matches(s, '\\.\\d{6}[5-9]') THEN CAST(s AS TIMESTAMP) + INTERVAL 1 MICROSECOND")}`,
  `CREATE MACRO trino_cast_timestamp_fine${TIMESTAMP_CAST("WHEN regexp_matches(s, '\\.\\d{6}\\d*[1-9]') THEN trino_refuse('a timestamp with a digit past the sixth is not supported locally (DuckDB keeps microseconds): ' || s)")}`,
  // TRY_CAST: NULL for the same texts.
  `CREATE MACRO trino_try_cast_timestamp(s VARCHAR) AS CASE WHEN ${TIMESTAMP_TEXT} THEN TRY_CAST(s AS TIMESTAMP) END, ${ZONED_OVERLOADS.castTimestamp}, (x) AS TRY_CAST(x AS TIMESTAMP)`,
  // DATE plus or minus days, months or years is a DATE; hours, minutes or seconds are an error.
  `CREATE MACRO trino_add(a DATE, b INTERVAL) AS ${DATE_PLUS("a", "b", "+")}, ${ZONED_OVERLOADS.add}, (a INTERVAL, b DATE) AS ${DATE_PLUS("b", "a", "+")}, (a, b) AS a + b`,
  `CREATE MACRO trino_subtract(a DATE, b INTERVAL) AS ${DATE_PLUS("a", "b", "-")}, ${ZONED_OVERLOADS.subtract}, (a, b) AS a - b`,
  // CAST(json AS VARCHAR): a JSON string without its quotes, numbers and booleans as text.
  // A JSON number with a fraction or an exponent is a double to Trino (JsonUtil): its text is the
  // double's (500.0 → 5.0E2), an integer type rounds it half away from zero (2.5 → 3). An integer
  // keeps its digits, also past 64 bits (DuckDB's json_type calls those DOUBLE).
  `CREATE MACRO trino_json_to_varchar(j) AS CASE json_type(CAST(j AS JSON)) WHEN 'VARCHAR' THEN json_extract_string(CAST(j AS JSON), '$') WHEN 'NULL' THEN NULL WHEN 'OBJECT' THEN trino_raise('INVALID_CAST_ARGUMENT: Cannot cast JSON object to varchar', j) WHEN 'ARRAY' THEN trino_raise('INVALID_CAST_ARGUMENT: Cannot cast JSON array to varchar', j) WHEN 'DOUBLE' THEN CASE WHEN regexp_matches(CAST(j AS VARCHAR), '[.eE]') THEN trino_double_text(CAST(CAST(j AS JSON) AS DOUBLE)) ELSE CAST(j AS VARCHAR) END ELSE CAST(j AS VARCHAR) END`,
  // A JSON path that is not a constant (rewrite-functions.ts): $.name.name reads alike in DuckDB
  // and Trino; an index or a quoted step would not, so it fails rather than answer otherwise.
  `CREATE MACRO trino_plain_json_path(p) AS CASE WHEN p IS NULL OR regexp_full_match(p, '[$](\\.[A-Za-z_][A-Za-z0-9_]*)*') THEN p WHEN NOT starts_with(p, '$') THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Invalid JSON path: ''' || p || '''', p) ELSE trino_refuse('a JSON path given when the query runs (' || p || ') is supported locally only as $.name.name: write the path in the query') END`,
  // TRY_CAST: NULL where CAST fails (an object where a varchar belongs; any element that fails).
  `CREATE MACRO trino_try_json_to_varchar(j) AS CASE WHEN json_type(CAST(j AS JSON)) IN ('OBJECT', 'ARRAY') THEN NULL ELSE trino_json_to_varchar(j) END`,
  ...JSON_CAST_ELEMENTS.flatMap((t) => {
    const element = (tried: string) =>
      t === "varchar" ? `trino_${tried}json_to_varchar` : `trino_${tried}cast_${t}`;
    const each = (list: string, tried: string) =>
      `list_transform(${list}, lambda e: ${element(tried)}(e))`;
    const failed = (list: string) =>
      `list_bool_or(list_transform(${list}, lambda e: json_type(e) <> 'NULL' AND ${element("try_")}(e) IS NULL))`;
    const array = (cast: string) => `${cast}(j AS JSON[])`;
    const entries = (cast: string) => `map_entries(${cast}(j AS MAP(VARCHAR, JSON)))`;
    const map = (tried: string, cast: string) =>
      `map_from_entries(list_transform(${entries(cast)}, lambda e: {'key': e.key, 'value': ${element(tried)}(e.value)}))`;
    const values = `list_transform(${entries("TRY_CAST")}, lambda e: e.value)`;
    return [
      `CREATE MACRO trino_json_array_${t}(j) AS ${each(array("CAST"), "")}`,
      `CREATE MACRO trino_json_map_${t}(j) AS ${map("", "CAST")}`,
      `CREATE MACRO trino_try_json_array_${t}(j) AS CASE WHEN ${failed(array("TRY_CAST"))} THEN NULL ELSE ${each(array("TRY_CAST"), "try_")} END`,
      `CREATE MACRO trino_try_json_map_${t}(j) AS CASE WHEN ${failed(values)} THEN NULL ELSE ${map("try_", "TRY_CAST")} END`,
    ];
  }),
];

/**
 * Raises a Trino error from SQL. Not DuckDB's error(), which is volatile and so refused inside
 * try(): Trino's try(5 / 0) is NULL. A failing cast of the message is not volatile; its text,
 * "Could not convert string '<message>' to INT32", is unwrapped by the engine (engine.ts).
 * The anchor keeps the call from being constant, which DuckDB would fold while planning: each
 * anchor is widened to its macro's parameters when the macro is created (raise-anchors.ts,
 * macros.ts).
 */
const RAISE_MACRO =
  "CREATE MACRO trino_raise(msg, anchor) AS (CASE WHEN CAST(msg || coalesce(left(CAST(anchor AS VARCHAR), 0), '') AS INTEGER) IS NULL THEN NULL END)";

/**
 * Refuses what the local engine cannot answer as Trino does ("not supported locally"), where a
 * row needs it. The JavaScript function (udfs.ts REFUSE) raises, and first notes the refusal
 * under the query's token (the connection's variable, set by the engine for each query): a
 * try(), even one around a lambda, turns the raise into NULL, and the engine then fails the step
 * with the refusal it noted (engine.ts). The function is volatile, so DuckDB never folds it while
 * planning (a refusal of constants raised in a branch no row took); inside a lambda, where DuckDB's
 * TRY does not look for volatile calls (it refused to bind around error()). The message reaches
 * the lambda as its element (a lambda's body cannot name an outer column in a correlated
 * subquery), with the macro's parameters as its anchor (raise-anchors.ts): a refusal naming no
 * column was evaluated for every row, before the WHERE's other conditions (found by review).
 */
const REFUSE_MACRO = `CREATE MACRO trino_refuse(msg, anchor) AS (CASE WHEN list_transform([msg || coalesce(left(CAST(anchor AS VARCHAR), 0), '')], lambda __runmd_refusal: ${REFUSE}(__runmd_refusal, getvariable('${QUERY_TOKEN}')))[1] THEN NULL END)`;

/** The macros as created: `CREATE MACRO trino_<name>`. */
export const MACROS: string[] = [
  RAISE_MACRO,
  REFUSE_MACRO,
  ...BOUND_MACROS,
  ...OPERATOR_MACROS,
  ...MACRO_DEFS.map((m) => m.replace(/^CREATE MACRO (\w+)/, `CREATE MACRO ${TRINO_PREFIX}$1`)),
];

/** Trino function names that have a macro. */
export const TRINO_FUNCTIONS: Set<string> = new Set(
  MACRO_DEFS.map((m) => (/^CREATE MACRO (\w+)/.exec(m) as RegExpExecArray)[1] as string),
);

/** Trino functions whose macro has a typed overload (chosen wrongly for an aggregate argument). */
export const TYPED_FUNCTIONS: Set<string> = new Set(
  MACRO_DEFS.filter(hasTypedParameter).map(
    (m) => (/^CREATE MACRO (\w+)/.exec(m) as RegExpExecArray)[1] as string,
  ),
);

/** Specifiers Trino's date_format/date_parse reject (DateTimeFunctions: "%X not supported"). */
const MYSQL_UNSUPPORTED = new Set(["D", "U", "u", "V", "w", "X"]);

/** MySQL-style format (Trino `date_parse`/`date_format`) to a DuckDB strftime/strptime format. */
export function mysqlFormat(f: string, formatting = false): string {
  const map: Record<string, string> = {
    a: "%a",
    b: "%b",
    c: "%-m",
    d: "%d",
    e: "%-d",
    // date_format prints milliseconds and three zeros (Trino formats from milliseconds).
    f: formatting ? "%g000" : "%f",
    H: "%H",
    h: "%I",
    I: "%I",
    i: "%M",
    j: "%j",
    k: "%-H",
    l: "%-I",
    M: "%B",
    m: "%m",
    p: "%p",
    r: "%I:%M:%S %p",
    S: "%S",
    s: "%S",
    T: "%H:%M:%S",
    v: "%V",
    W: "%A",
    x: "%G",
    Y: "%Y",
    y: "%y",
    "%": "%%",
  };
  let out = "";
  for (let i = 0; i < f.length; i++) {
    const ch = f[i] as string;
    if (ch === "%" && i + 1 < f.length) {
      const spec = f[i + 1] as string;
      if (MYSQL_UNSUPPORTED.has(spec)) {
        throw new RunMdError(
          "sql-error",
          `INVALID_FUNCTION_ARGUMENT: %${spec} not supported in date format string`,
        );
      }
      out += map[spec] ?? spec;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Joda-style format (Trino `parse_datetime`/`format_datetime`) to a DuckDB format. */
export function jodaFormat(f: string): string {
  const tokens: [string, string][] = [
    ["yyyy", "%Y"],
    ["YYYY", "%Y"],
    ["yyy", "%Y"],
    ["yy", "%y"],
    ["y", "%Y"],
    ["Y", "%Y"],
    ["MMMM", "%B"],
    ["MMM", "%b"],
    ["MM", "%m"],
    ["M", "%-m"],
    ["dd", "%d"],
    ["d", "%-d"],
    ["DDD", "%j"],
    ["D", "%-j"],
    ["HH", "%H"],
    ["H", "%-H"],
    ["hh", "%I"],
    ["h", "%-I"],
    ["mm", "%M"],
    ["m", "%-M"],
    ["ss", "%S"],
    ["s", "%-S"],
    ["SSSSSSSSS", "%n"],
    ["SSSSSS", "%f"],
    ["SSS", "%g"],
    ["a", "%p"],
    ["EEEE", "%A"],
    ["EEE", "%a"],
    ["EE", "%a"],
    ["E", "%a"],
    ["ZZ", "%z"],
    ["Z", "%z"],
    ["z", "%Z"],
  ];
  let out = "";
  let i = 0;
  while (i < f.length) {
    const ch = f[i] as string;
    if (ch === "'") {
      if (f[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = f.indexOf("'", i + 1);
      const lit = end < 0 ? f.slice(i + 1) : f.slice(i + 1, end);
      out += lit.replaceAll("%", "%%");
      i = end < 0 ? f.length : end + 1;
      continue;
    }
    const tok = tokens.find(([t]) => f.startsWith(t, i));
    if (tok) {
      out += tok[1];
      i += tok[0].length;
    } else if (/[A-Za-z]/.test(ch)) {
      // A pattern letter without a DuckDB equivalent (S and SS: fractions cut to 1 or 2 digits,
      // e/w/x/k/K/C/G...): an error rather than the letter printed as it is.
      const run = /^(.)\1*/.exec(f.slice(i))?.[0] ?? ch;
      throw new RunMdError(
        "sql-error",
        `The Joda pattern field '${run}' in '${f}' is not supported locally (format_datetime/parse_datetime).`,
        {
          hint: "Use yyyy, MM, dd, HH, mm, ss, SSS, E, D, a, Z or quoted text; the query runs on Athena as written.",
        },
      );
    } else {
      out += ch === "%" ? "%%" : ch;
      i++;
    }
  }
  return out;
}

/** What each strptime field reads, as a regular expression (offsetPattern). */
const FIELD_RE: Record<string, string> = {
  Y: "[+-]?[0-9]+",
  j: "[0-9]{1,3}",
  n: "[0-9]+",
  f: "[0-9]+",
  g: "[0-9]+",
  p: "[AaPp][Mm]",
  A: "[A-Za-z]+",
  a: "[A-Za-z]+",
  B: "[A-Za-z]+",
  b: "[A-Za-z]+",
  Z: "[^ ]+",
  z: "(Z|[+-][0-9]{2}(?::?[0-9]{2}){0,2})",
  "%": "%",
};

/**
 * A regular expression matching the whole text a strptime format reads, its offset field (`%z`)
 * the first group: parse_datetime must know the offset it parsed (trino-ast.ts zonedParse).
 */
export function offsetPattern(duckFormat: string): string {
  let re = "";
  for (let i = 0; i < duckFormat.length; i++) {
    const ch = duckFormat[i] as string;
    if (ch !== "%") {
      re += ch.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
      continue;
    }
    let spec = duckFormat[++i] ?? "";
    if (spec === "-") spec = duckFormat[++i] ?? "";
    re += FIELD_RE[spec] ?? "[0-9]{1,2}";
  }
  return `^${re}$`;
}

/** Trino JSON paths that DuckDB rejects: `$["key"]` and `$['key']` become `$."key"`. */
export function jsonPath(p: string): string {
  return (
    p
      .replace(/\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/g, (_m, a, b) => {
        const key = (a ?? b) as string;
        return `."${key.replaceAll('"', '\\"')}"`;
      })
      // Trino also takes a bare name in brackets: `$[fuu]` is `$.fuu`.
      .replace(/\[\s*([A-Za-z_]\w*)\s*\]/g, '."$1"')
  );
}
