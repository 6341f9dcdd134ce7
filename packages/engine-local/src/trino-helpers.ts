/**
 * Helper macros the Trino macros of trino.ts and the AST rewrite (trino-ast.ts) call: guards that
 * turn DuckDB's answer into Trino's where the two differ on corner values (NaN, NULL inside arrays,
 * day-to-second intervals, sub-millisecond fractions). Not Trino function names; created with the
 * operator macros, before the macros that use them.
 */

import { IP_OVERLOADS } from "./trino-ipaddress.ts";
import { ZONED_OVERLOADS } from "./trino-zoned.ts";

/**
 * The code points Java's Character.isWhitespace accepts (Trino's one-argument trims), as an RE2
 * character class: not the no-break spaces U+00A0, U+2007 and U+202F.
 */
export const JAVA_WHITESPACE =
  "[\\t-\\r\\x{1C}-\\x{20}\\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200A}\\x{2028}\\x{2029}\\x{205F}\\x{3000}]";

/** Milliseconds of a day-to-second interval `t`. */
export const INTERVAL_MS = "CAST(round(epoch(t) * 1000) AS BIGINT)";

/**
 * CAST(x AS <integer type>) and TRY_CAST, as Trino casts (trino-ast.ts rewriteScalarCast): a
 * double or real rounds half away from zero (DoubleOperators.castToLong: 2.5 is 3, DuckDB's 2);
 * a varchar must be what Java's Long.parseLong/Integer.parseInt read, an optional sign and digits
 * (DuckDB would take ' 12', '13.5' as 14, '1e3', '1_000'); other types as DuckDB casts them
 * (decimals round half up in both). typeof is folded when binding: no cost per row.
 */
const INT_CAST = (type: string, javaName: string, tryCast: boolean) => {
  const text = "TRY_CAST(x AS VARCHAR)";
  const ok = `regexp_full_match(${text}, '[+-]?[0-9]+') AND TRY_CAST(x AS ${type}) IS NOT NULL`;
  const bad = tryCast
    ? "NULL"
    : `trino_raise('INVALID_CAST_ARGUMENT: Cannot cast ''' || ${text} || ''' to ${javaName}', x)`;
  const cast = tryCast ? "TRY_CAST" : "CAST";
  const double = `typeof(x) IN ('DOUBLE', 'FLOAT') OR (typeof(x) = 'JSON' AND json_type(TRY_CAST(x AS JSON)) = 'DOUBLE')`;
  return `CREATE MACRO trino_${tryCast ? "try_" : ""}cast_${type.toLowerCase()}(x) AS CASE WHEN ${double} THEN ${cast}(round(TRY_CAST(x AS DOUBLE)) AS ${type}) WHEN typeof(x) = 'VARCHAR' THEN CASE WHEN ${ok} THEN TRY_CAST(x AS ${type}) ELSE ${bad} END ELSE ${cast}(x AS ${type}) END`;
};

/** CAST(varchar AS BOOLEAN): Trino reads true/false/t/f/1/0 in any case, nothing else ('yes'). */
const BOOLEAN_CAST = (tryCast: boolean) => {
  const text = "lower(TRY_CAST(x AS VARCHAR))";
  const bad = tryCast
    ? "NULL"
    : "trino_raise('INVALID_CAST_ARGUMENT: Cannot cast ''' || TRY_CAST(x AS VARCHAR) || ''' to BOOLEAN', x)";
  return `CREATE MACRO trino_${tryCast ? "try_" : ""}cast_boolean(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN CASE WHEN ${text} IN ('true', 't', '1') THEN true WHEN ${text} IN ('false', 'f', '0') THEN false ELSE ${bad} END ELSE ${tryCast ? "TRY_CAST" : "CAST"}(x AS BOOLEAN) END`;
};

/**
 * CAST(varchar AS DATE): Trino reads yyyy-MM-dd (surrounding white space trimmed, one-digit month
 * and day accepted); DuckDB would also take '2024-03-10T06:30:00Z' or a time of day.
 */
const DATE_CAST = (tryCast: boolean) => {
  const text = "TRY_CAST(x AS VARCHAR)";
  const ok = `regexp_full_match(${text}, '\\s*[+-]?\\d{4,}-\\d{1,2}-\\d{1,2}\\s*') AND TRY_CAST(trim(${text}) AS DATE) IS NOT NULL`;
  const bad = tryCast
    ? "NULL"
    : `trino_raise('INVALID_CAST_ARGUMENT: Value cannot be cast to date: ' || ${text}, x)`;
  return `CREATE MACRO trino_${tryCast ? "try_" : ""}cast_date(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN CASE WHEN ${ok} THEN TRY_CAST(trim(${text}) AS DATE) ELSE ${bad} END ELSE ${tryCast ? "TRY_CAST" : "CAST"}(x AS DATE) END`;
};

/** The target types, with the names Trino's cast messages give them ("Cannot cast '1.5' to INT"). */
const INT_CAST_TYPES: [string, string][] = [
  ["TINYINT", "TINYINT"],
  ["SMALLINT", "SMALLINT"],
  ["INTEGER", "INT"],
  ["BIGINT", "BIGINT"],
];

/** Element types whose cast from JSON is Trino's own (JsonUtil; trino-ast.ts jsonContainerCast). */
export const JSON_CAST_ELEMENTS = ["varchar", "bigint", "integer", "smallint", "tinyint"];

/** trino_to_varchar's cases after the refusal of a zoned value: Trino's text of each type. */
const TO_VARCHAR = `WHEN typeof(x) = 'DOUBLE' THEN trino_double_text(TRY_CAST(x AS DOUBLE)) WHEN typeof(x) = 'FLOAT' THEN trino_real_text(TRY_CAST(x AS FLOAT)) WHEN typeof(x) IN ('TIMESTAMP', 'TIMESTAMP WITH TIME ZONE') THEN trino_timestamp_text(x, 3) WHEN typeof(x) = 'INTERVAL' THEN trino_interval_text(TRY_CAST(x AS INTERVAL)) ELSE CAST(x AS VARCHAR) END`;

/** CAST(x AS JSON)'s answers for a varchar, a NaN or infinite double, and a real (CASE branches of x). */
const TO_JSON =
  "WHEN typeof(x) = 'VARCHAR' THEN to_json(x) WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND isnan(TRY_CAST(x AS DOUBLE)) THEN CAST('\"NaN\"' AS JSON) WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND isinf(TRY_CAST(x AS DOUBLE)) THEN CAST(CASE WHEN TRY_CAST(x AS DOUBLE) > 0 THEN '\"Infinity\"' ELSE '\"-Infinity\"' END AS JSON) WHEN typeof(x) = 'FLOAT' THEN CAST(CAST(x AS VARCHAR) AS JSON)";

/** What the local engine cannot cast to JSON as Trino: reals, NaN or Infinity inside an array or map. */
const JSON_REFUSED =
  "typeof(x) LIKE '%FLOAT%' OR regexp_matches(CAST(CAST(x AS JSON) AS VARCHAR), '(^|[\\[,:])-?(NaN|Infinity)([,\\]}]|$)')";
const JSON_REFUSED_TEXT =
  "CAST of real values or of NaN/Infinity inside an array or map to JSON is not supported locally";

/** What trino_to_json and trino_map_to_json refuse: a map they cannot write in Trino's key order. */
const MAP_JSON_REFUSED =
  "CAST of a map to JSON is not supported locally here (Trino writes the keys sorted by their text): a map inside another value, keys of a type other than varchar, an integer, boolean, date or decimal, or a map the query does not show as one (cast the map itself, MAP(...), a map function or a map column of a WITH query)";

export const HELPER_MACROS: string[] = [
  ...INT_CAST_TYPES.flatMap(([t, j]) => [INT_CAST(t, j, false), INT_CAST(t, j, true)]),
  BOOLEAN_CAST(false),
  BOOLEAN_CAST(true),
  DATE_CAST(false),
  DATE_CAST(true),
  // NULL for a NaN double or real, or an array of them holding a NaN; any other value as it is
  // (typeof is known when binding, so the type of x is kept). greatest/least/array_max skip NaN.
  // Java's %b: false for NULL, a boolean's own value, true for anything else (trino-format.ts).
  `CREATE MACRO trino_format_boolean(x) AS CASE WHEN x IS NULL THEN 'false' WHEN typeof(x) = 'BOOLEAN' THEN CAST(x AS VARCHAR) ELSE 'true' END`,
  `CREATE MACRO trino_no_nan(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') AND isnan(TRY_CAST(x AS DOUBLE)) THEN NULL WHEN typeof(x) IN ('DOUBLE[]', 'FLOAT[]') AND list_bool_or(list_transform(TRY_CAST(x AS DOUBLE[]), lambda e: isnan(e))) THEN NULL ELSE x END`,
  // Whether x is an array whose equality with some element of a is NULL in Trino (as long, equal
  // where both are known, a NULL on one side): contains/array_position/array_remove then fail.
  `CREATE MACRO trino_indeterminate_eq(e, y) AS len(e) = len(y) AND (list_contains(list_transform(e, lambda v: v IS NULL), true) OR list_contains(list_transform(y, lambda v: v IS NULL), true)) AND NOT list_contains(list_transform(range(1, len(e) + 1), lambda i: e[i] IS NOT NULL AND y[i] IS NOT NULL AND e[i] <> y[i]), true)`,
  `CREATE MACRO trino_indeterminate_in(a, x) AS typeof(x) LIKE '%[]' AND coalesce(list_bool_or(list_transform(TRY_CAST(a AS VARCHAR[][]), lambda e: trino_indeterminate_eq(e, TRY_CAST(x AS VARCHAR[])))), false)`,
  // A lower bound of the bytes Trino's block takes for one value (repeat's 1,000,000-byte limit):
  // text and 5 bytes of offset and null flag; an array at least 5 bytes per element.
  `CREATE MACRO trino_block_bytes(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN strlen(CAST(x AS VARCHAR)) + 5 WHEN typeof(x) LIKE '%[]' THEN len(TRY_CAST(x AS VARCHAR[])) * 5 + 5 ELSE 5 END`,
  // s with each character written as the byte of its position in d (levenshtein_distance), by one
  // translate: d (an expression a macro inlines) inside a lambda over s's characters was computed
  // again for each of them, quadratic in s, and DuckDB folds the branch for a literal even when
  // it is not taken (a 100,000-character literal did not end in a minute, red-team).
  `CREATE MACRO trino_char_bytes(s, d) AS translate(s, array_to_string(d, ''), array_to_string(list_transform(range(1, len(d) + 1), lambda i: chr(CAST(i AS INTEGER))), ''))`,
  // The value at a Trino JSON path (trino-json-path.ts): steps is a JSON array of [member path,
  // element path or null]; each step reads a member of an object or an element of an array.
  `CREATE MACRO trino_json_walk(j, steps) AS CASE WHEN json_valid(CAST(j AS VARCHAR)) THEN list_reduce(list_prepend(CAST(j AS JSON), json_extract(CAST(steps AS JSON), '$[*]')), lambda acc, s: json_extract(acc, json_extract_string(s, CASE json_type(acc) WHEN 'ARRAY' THEN '$[1]' WHEN 'OBJECT' THEN '$[0]' END))) END`,
  // The value of the digits of s (an optional minus sign) in radix r, as a HUGEINT.
  `CREATE MACRO trino_base_value(s, r) AS (CASE WHEN starts_with(s, '-') THEN -1 ELSE 1 END) * list_reduce(list_transform(string_split(lower(ltrim(s, '-')), ''), lambda c: CAST(strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1 AS HUGEINT)), lambda a, d: a * r + d, CAST(0 AS HUGEINT))`,
  // CAST(double AS varchar) as Trino writes it: one digit, a point, the shortest digits that
  // give the value back, E and the exponent (25.5 is 2.55E1, 1.0 is 1.0E0, 0 is 0E0).
  `CREATE MACRO trino_double_digits(t) AS replace(split_part(t, 'e', 1), '.', '')`,
  `CREATE MACRO trino_double_exponent(t) AS CASE WHEN contains(t, 'e') THEN CAST(split_part(t, 'e', 2) AS INTEGER) ELSE 0 END + length(split_part(split_part(t, 'e', 1), '.', 1)) - 1 - (length(trino_double_digits(t)) - length(ltrim(trino_double_digits(t), '0')))`,
  `CREATE MACRO trino_double_mantissa(d) AS left(d, 1) || '.' || CASE WHEN length(d) > 1 THEN substr(d, 2) ELSE '0' END`,
  `CREATE MACRO trino_double_text(x) AS CASE WHEN isnan(x) THEN 'NaN' WHEN isinf(x) AND x > 0 THEN 'Infinity' WHEN isinf(x) THEN '-Infinity' WHEN x = 0 THEN CASE WHEN CAST(x AS VARCHAR) LIKE '-%' THEN '-0E0' ELSE '0E0' END ELSE (CASE WHEN x < 0 THEN '-' ELSE '' END) || trino_double_mantissa(rtrim(ltrim(trino_double_digits(CAST(abs(x) AS VARCHAR)), '0'), '0')) || 'E' || trino_double_exponent(CAST(abs(x) AS VARCHAR)) END`,
  // CAST(real AS varchar) as Trino writes it (RealOperators): the float's shortest digits read as
  // a double, then at most seven significant digits, half even ('0.1' is 1.0E-1; the double's
  // digits were 1.0000000149011612E-1). printf rounds the double's exact value, as DecimalFormat.
  `CREATE MACRO trino_sci_text(s) AS regexp_replace(rtrim(split_part(s, 'e', 1), '0'), '\\.$', '.0') || 'E' || CAST(split_part(s, 'e', 2) AS INTEGER)`,
  `CREATE MACRO trino_real_text(x) AS CASE WHEN isnan(x) THEN 'NaN' WHEN isinf(x) AND x > 0 THEN 'Infinity' WHEN isinf(x) THEN '-Infinity' WHEN x = 0 THEN CASE WHEN CAST(x AS VARCHAR) LIKE '-%' THEN '-0E0' ELSE '0E0' END ELSE trino_sci_text(printf('%.6e', CAST(CAST(x AS VARCHAR) AS DOUBLE))) END`,
  // A timestamp's text as Trino writes it, with p fraction digits: a timestamp with time zone
  // (a UTC instant here) ends with its zone, '2024-03-10 06:30:00.000 UTC' (DuckDB: '...+00').
  `CREATE MACRO trino_local_text(l, p) AS strftime(l, '%Y-%m-%d %H:%M:%S') || CASE WHEN p = 0 THEN '' ELSE '.' || left(strftime(l, '%f') || '000000', p) END`,
  `CREATE MACRO trino_timestamp_text(x, p) AS CASE WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN trino_local_text(CAST(TRY_CAST(x AS TIMESTAMPTZ) AS TIMESTAMP), p) || ' UTC' ELSE trino_local_text(TRY_CAST(x AS TIMESTAMP), p) END`,
  // An interval as Trino writes it (values.ts intervalText): 'Y-M' when it holds only months,
  // 'D HH:MM:SS.mmm' when it holds none, DuckDB's text when it mixes them (no Trino type does).
  `CREATE MACRO trino_interval_months(i) AS CAST(date_part('year', i) * 12 + date_part('month', i) AS BIGINT)`,
  `CREATE MACRO trino_interval_dhms(r) AS (CASE WHEN r <= -1000 THEN '-' ELSE '' END) || CAST(abs(r) // 86400000000 AS VARCHAR) || ' ' || lpad(CAST(abs(r) // 3600000000 % 24 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(r) // 60000000 % 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(r) // 1000000 % 60 AS VARCHAR), 2, '0') || '.' || lpad(CAST(abs(r) // 1000 % 1000 AS VARCHAR), 3, '0')`,
  `CREATE MACRO trino_interval_text_of(i, m, r) AS CASE WHEN m <> 0 AND r <> 0 THEN CAST(i AS VARCHAR) WHEN m <> 0 THEN (CASE WHEN m < 0 THEN '-' ELSE '' END) || CAST(abs(m) // 12 AS VARCHAR) || '-' || CAST(abs(m) % 12 AS VARCHAR) ELSE trino_interval_dhms(r) END`,
  `CREATE MACRO trino_interval_text(i) AS trino_interval_text_of(i, trino_interval_months(i), epoch_us(i) - epoch_us(to_months(trino_interval_months(i))))`,
  // CAST(x AS VARCHAR) with doubles and reals in Trino's text (trino-ast.ts rewriteToVarcharCast),
  // timestamps with Trino's precision 3 when the tree does not show another.
  `CREATE MACRO trino_to_varchar${IP_OVERLOADS.toVarchar}, (x) AS CASE ${ZONED_OVERLOADS.toVarcharGuard} ${TO_VARCHAR}`,
  // CAST(x AS VARCHAR) (trino-ast.ts rewriteToVarcharCast): a map, array or row has no cast to
  // varchar on Trino (an analysis error, which try() does not catch); DuckDB's printed `{b=1}`,
  // `[1, 2]`, `(1, 2)`.
  `CREATE MACRO trino_cast_varchar${IP_OVERLOADS.toVarchar}, (x) AS CASE ${ZONED_OVERLOADS.toVarcharGuard} WHEN typeof(x) LIKE 'MAP(%' OR typeof(x) LIKE 'STRUCT(%' OR regexp_matches(typeof(x), '\\[\\d*\\]$') THEN trino_refuse('CAST of a map, array or row to varchar is an error on Trino (Cannot cast ... to varchar), so it is not answered locally: use json_format(CAST(x AS JSON)) or array_join') ELSE trino_to_varchar(x) END`,
  // java.net.URI's parse: no white space or ^ ` { } | \\ " < >, and % only before two hex digits.
  `CREATE MACRO trino_url_ok(u) AS NOT regexp_matches(u, '[\\s^\`{}|\\\\"<>]') AND NOT contains(regexp_replace(u, '%[0-9A-Fa-f]{2}', '', 'g'), '%')`,
  // Group g of RFC 3986's URI expression: 2 scheme, 4 authority, 5 path, 6 ?query, 7 query, 9 fragment.
  `CREATE MACRO trino_url_part(u, g) AS regexp_extract(u, '^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?', g)`,
  `CREATE MACRO trino_url_opaque(u) AS trino_url_part(u, 2) <> '' AND NOT starts_with(substr(u, length(trino_url_part(u, 2)) + 2), '/')`,
  // Trino's x BETWEEN a AND b for doubles: a comparison with NaN is false.
  `CREATE MACRO trino_between(x, a, b) AS (CASE WHEN isnan(x) OR isnan(a) THEN false ELSE x >= a END) AND (CASE WHEN isnan(x) OR isnan(b) THEN false ELSE x <= b END)`,
  // a ordered by the comparator matrix m (m[i][j] = c(a[j], a[i])): a[j] goes before a[i] when
  // c(a[j], a[i]) < 0 < c(a[i], a[j]); ties, and equal values the comparator disagrees on (two
  // NULLs each "before" the other), keep their order. Any other disagreement leaves ranks that
  // are not a permutation: Java's sort would give an order of its own, so an error instead.
  `CREATE MACRO trino_sort_ranks(a, m) AS list_transform(range(1, len(a) + 1), lambda i: len(list_filter(range(1, len(a) + 1), lambda j: (m[i][j] < 0 AND m[j][i] > 0) OR (j < i AND ((m[i][j] = 0 AND m[j][i] = 0) OR a[i] IS NOT DISTINCT FROM a[j])))))`,
  `CREATE MACRO trino_sort_by(a, m) AS CASE WHEN len(list_distinct(trino_sort_ranks(a, m))) < len(a) THEN trino_refuse('array_sort with a comparator that is not consistent (for example two NULLs each sorted before the other) is not supported locally') ELSE list_transform(range(0, len(a)), lambda p: a[list_position(trino_sort_ranks(a, m), p)]) END`,
  // Trino's map equality (trino-ast.ts rewriteMapEquality; MapType's equal operator): another
  // size or a key the other map lacks is false, so is a value pair known to differ; else NULL
  // when a value is NULL on either side (or its comparison is), else true. The entries of each
  // side sorted (by key: keys are distinct) and zipped pair the same keys when the key sets are
  // the same, and a pair of other keys when they are not: n log n, where a lookup of each key
  // inside a lambda over the keys copied the other map into each call (10,000 keys took 2.7 s).
  // A pair's verdict: 0 equal, 1 unknown, 2 differs, 3 not decidable here (a value holding a
  // NULL or a map inside: DuckDB's = takes a NULL inside for a value and a map's key order for
  // part of it, where Trino compares element by element and key by key), refused unless a pair
  // differs. A double NaN is not equal to itself (Trino's double =).
  `CREATE MACRO trino_map_pair(x, y) AS CASE WHEN x.key IS DISTINCT FROM y.key THEN 2 WHEN x.value IS NULL OR y.value IS NULL THEN 1 WHEN NOT regexp_matches(typeof(x.value) || ' ' || typeof(y.value), '[\\[(]') THEN CASE WHEN x.value <> y.value THEN 2 WHEN typeof(x.value) IN ('DOUBLE', 'FLOAT') AND CAST(x.value AS VARCHAR) = 'nan' THEN 2 ELSE 0 END WHEN x.value = y.value AND NOT trino_indeterminate(x.value) AND NOT (regexp_matches(typeof(x.value), 'DOUBLE|FLOAT') AND regexp_matches(regexp_replace(CAST(to_json(x.value) AS VARCHAR), '"(\\\\.|[^"\\\\])*"', '', 'g'), 'NaN|nan')) THEN 0 WHEN NOT trino_indeterminate(x.value) AND NOT trino_indeterminate(y.value) AND NOT regexp_matches(typeof(x.value) || ' ' || typeof(y.value), 'MAP\\(') THEN 2 ELSE 3 END`,
  `CREATE MACRO trino_map_eq(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN cardinality(a) <> cardinality(b) THEN false ELSE trino_map_verdict(list_transform(list_zip(list_sort(map_entries(a)), list_sort(map_entries(b))), lambda z: trino_map_pair(z[1], z[2])), a, '= or <> of maps whose values hold a NULL or a map inside is not supported locally (Trino compares them element by element and key by key); compare the values') END`,
  `CREATE MACRO trino_map_verdict(v, a, why) AS CASE WHEN list_contains(v, 2) THEN false WHEN list_contains(v, 3) THEN trino_refuse(why, a) WHEN list_contains(v, 1) THEN NULL ELSE true END`,
  // map_zip_with's entries (trino-map-lambda.ts rewriteMapZipWith; Trino's MapZipWithFunction):
  // each key of a, in a's order, with its value and b's (NULL when b lacks it), then each key
  // only b has, in b's order, with NULL and b's value. Both maps' entries (tagged with their side
  // and place) sorted by key put a key both have side by side, a's first: n log n, where a
  // lookup of each key in the other map inside a lambda copies that map into each call.
  `CREATE MACRO trino_map_zip_entries(a, b) AS list_transform([list_sort(list_concat(list_transform(map_entries(a), lambda e, i: {'k': e.key, 's': 0, 'i': i, 'v1': e.value, 'v2': NULL}), list_transform(map_entries(b), lambda e, i: {'k': e.key, 's': 1, 'i': i, 'v1': NULL, 'v2': e.value})))], lambda s: list_transform(list_sort(list_transform(list_filter(list_zip(s, list_concat([NULL], s[1:len(s) - 1]), list_concat(s[2:], [NULL])), lambda p: p[1] IS NOT NULL AND NOT (p[1].s = 1 AND p[2] IS NOT NULL AND p[2].k IS NOT DISTINCT FROM p[1].k)), lambda p: {'s': p[1].s, 'i': p[1].i, 'k': p[1].k, 'v1': p[1].v1, 'v2': CASE WHEN p[1].s = 0 AND p[3] IS NOT NULL AND p[3].k IS NOT DISTINCT FROM p[1].k THEN p[3].v2 ELSE p[1].v2 END})), lambda e: {'k': e.k, 'v1': e.v1, 'v2': e.v2}))[1]`,
  // Trino's IS NOT DISTINCT FROM of maps (MapType's identical operator): the same keys, each
  // value identical (NULL to NULL), whatever the keys' order. DuckDB's IS NOT DISTINCT FROM on a
  // value is Trino's but for a map inside it, whose entries it takes in their order: a pair it
  // finds distinct holding a map is refused unless another pair differs.
  `CREATE MACRO trino_map_identical_pair(x, y) AS CASE WHEN x.key IS DISTINCT FROM y.key THEN 2 WHEN x.value IS NOT DISTINCT FROM y.value THEN 0 WHEN regexp_matches(typeof(x.value) || ' ' || typeof(y.value), 'MAP\\(') THEN 3 ELSE 2 END`,
  `CREATE MACRO trino_map_identical(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL WHEN cardinality(a) <> cardinality(b) THEN false ELSE trino_map_verdict(list_transform(list_zip(list_sort(map_entries(a)), list_sort(map_entries(b))), lambda z: trino_map_identical_pair(z[1], z[2])), a, 'IS [NOT] DISTINCT FROM of maps whose values hold maps in another key order is not supported locally (Trino compares them key by key); compare the values') END`,
  // Trino's array equality (trino-ast.ts rewriteArrayEquality): false on another length or an
  // element pair that differs, else NULL when an element is NULL on either side, else true.
  // Arrays of arrays, rows or maps: DuckDB's = is Trino's when no NULL is inside, else refused
  // (a NULL inside an element makes Trino's element comparison NULL, DuckDB's a value); holding
  // a map, refused where DuckDB finds them unequal (it compares a map's entries in their order).
  `CREATE MACRO trino_array_eq(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN len(a) <> len(b) THEN false WHEN regexp_matches(typeof(a) || ' ' || typeof(b), '(^| )(STRUCT|MAP)\\(|\\]\\[\\]') THEN CASE WHEN contains(CAST(a AS VARCHAR) || CAST(b AS VARCHAR), 'NULL') THEN trino_refuse('= or <> of arrays of arrays, rows or maps holding a NULL is not supported locally (Trino compares the NULL as unknown); compare the elements') WHEN a = b THEN true WHEN regexp_matches(typeof(a) || ' ' || typeof(b), 'MAP\\(') THEN trino_refuse('= or <> of arrays or rows holding maps DuckDB finds unequal is not supported locally (it compares a map''s entries in their order, Trino by key); compare the maps', a) ELSE false END WHEN trino_indeterminate_eq(a, b) THEN NULL ELSE a = b END`,
  // Whether a value is NULL or holds a NULL at any depth (Trino's INDETERMINATE operator): the
  // value's JSON with its strings taken out still names null (row-comparison.ts IN lists).
  `CREATE MACRO trino_indeterminate(v) AS v IS NULL OR regexp_matches(regexp_replace(CAST(to_json(v) AS VARCHAR), '"(\\\\.|[^"\\\\])*"', '', 'g'), 'null')`,
  // Whether <, <=, >, >= of two arrays reaches an element pair holding a NULL before a pair
  // that differs (Trino's ArrayType comparison then fails, or is NULL in later versions). The
  // pairs are the arrays zipped, not a lambda over positions reading a[i] (which computed an
  // array expression again for each position: 2,000 elements took 21 s).
  `CREATE MACRO trino_order_reaches_null(a, b) AS coalesce(list_filter(list_transform(list_zip(a[1:least(len(a), len(b))], b[1:least(len(a), len(b))]), lambda z: CASE WHEN trino_indeterminate(z[1]) OR trino_indeterminate(z[2]) THEN 1 WHEN z[1] <> z[2] THEN 2 ELSE 0 END), lambda x: x > 0)[1] = 1, false)`,
  // The letters of s, upper-cased (Soundex's clean step).
  `CREATE MACRO trino_letters(s) AS upper(regexp_replace(s, '[^\\pL]', '', 'g'))`,
  // Soundex digits of upper-case A-Z text: the first letter's, then the others' with H and W
  // dropped, by one translate. The tail keeps a digit that is not 0 and differs from the one
  // before, over the digits zipped with themselves shifted one place: a lambda over positions
  // reading d[i] computed d (the digits, an expression the macro inlines) again for each of
  // them, quadratic in the text (60,000 letters did not end in a minute, red-team).
  `CREATE MACRO trino_soundex_digits(c) AS string_split(translate(left(c, 1) || translate(substr(c, 2), 'HW', ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '01230120022455012623010202'), '')`,
  `CREATE MACRO trino_soundex_tail(d) AS array_to_string(list_transform(list_filter(list_zip(list_slice(d, 2, len(d)), list_slice(d, 1, len(d) - 1)), lambda p: struct_extract_at(p, 1) <> '0' AND struct_extract_at(p, 1) <> struct_extract_at(p, 2)), lambda p: struct_extract_at(p, 1)), '')`,
  `CREATE MACRO trino_soundex_code(c) AS left(c, 1) || rpad(left(trino_soundex_tail(trino_soundex_digits(c)), 3), 3, '0')`,
  // A field of a day-to-second interval as Trino counts it (DuckDB keeps hours past 24 as hours):
  // the interval's milliseconds split into days, hours, minutes, seconds and milliseconds.
  `CREATE MACRO trino_interval_part(f, t) AS CASE WHEN date_part('month', t) <> 0 OR date_part('year', t) <> 0 THEN date_part(f, t) ELSE CASE lower(f) WHEN 'day' THEN ${INTERVAL_MS} // 86400000 WHEN 'hour' THEN (${INTERVAL_MS} // 3600000) % 24 WHEN 'minute' THEN (${INTERVAL_MS} // 60000) % 60 WHEN 'second' THEN (${INTERVAL_MS} // 1000) % 60 WHEN 'millisecond' THEN ${INTERVAL_MS} % 1000 ELSE date_part(f, t) END END`,
  `CREATE MACRO trino_date_part(f VARCHAR, t INTERVAL) AS trino_interval_part(f, t), ${ZONED_OVERLOADS.datePart}, (f, t) AS date_part(f, t)`,
  // parse_datetime's value (trino-ast.ts zonedParse): a zone-less parse is a UTC instant; one
  // whose offset o (the text of its %z field) is not zero is refused (Trino keeps it as the zone).
  `CREATE MACRO trino_parsed_tz(t) AS CAST(t AS TIMESTAMPTZ)`,
  `CREATE MACRO trino_cast_time(x) AS CASE WHEN typeof(x) LIKE 'TIMESTAMP%' THEN CAST(TRY_CAST(x AS TIMESTAMP) AS TIME) ELSE CAST(TRY_CAST(x AS VARCHAR) AS TIME) END`,
  // listagg's value is varchar in Trino's signature (trino-syntax.ts listaggWithinGroup).
  `CREATE MACRO trino_listagg_value(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN TRY_CAST(x AS VARCHAR) ELSE trino_refuse('listagg of a ' || typeof(x) || ' value: Trino''s listagg takes varchar (CAST the value AS varchar)') END`,
  `CREATE MACRO trino_parsed_offset(t, o) AS CASE WHEN t IS NULL THEN NULL WHEN o = '' THEN trino_refuse('parse_datetime: the offset of this text could not be read locally') WHEN NOT regexp_full_match(o, 'Z|[+-]00(:?00){0,2}') THEN trino_refuse('parse_datetime of a text with an offset other than Z or +00:00 is not supported locally (the local engine keeps timestamps in UTC)') ELSE t END`,
  `CREATE MACRO trino_pivot_1969(t) AS CASE WHEN year(t) = 1969 THEN t + INTERVAL 100 YEAR ELSE t END`,
  // A timestamp rounded to milliseconds, half up, naming t once: DuckDB's common-subexpression
  // pass moves an expression named twice out of a TRY, where its error escapes the TRY.
  // Floor of t + 0.5 ms, in whole microseconds: a double division rounded wrongly after about 2255.
  "CREATE MACRO trino_timestamp_ms(t) AS date_trunc('millisecond', CAST(t AS TIMESTAMP) + INTERVAL '500 microseconds')",
  // A timestamp rounded half up to p fraction digits (CAST(x AS TIMESTAMP(p))).
  `CREATE MACRO trino_timestamp_round(t, p) AS CASE WHEN p >= 6 THEN t ELSE t + to_microseconds(CASE WHEN 2 * (((epoch_us(t) % CAST(10 ** (6 - p) AS BIGINT)) + CAST(10 ** (6 - p) AS BIGINT)) % CAST(10 ** (6 - p) AS BIGINT)) >= CAST(10 ** (6 - p) AS BIGINT) THEN CAST(10 ** (6 - p) AS BIGINT) ELSE 0 END - (((epoch_us(t) % CAST(10 ** (6 - p) AS BIGINT)) + CAST(10 ** (6 - p) AS BIGINT)) % CAST(10 ** (6 - p) AS BIGINT))) END`,
  // to_iso8601 of a timestamp of precision p: p fraction digits (none for 0).
  `CREATE MACRO trino_iso8601_p(t, p) AS strftime(t, '%Y-%m-%dT%H:%M:%S') || CASE WHEN p = 0 THEN '' ELSE '.' || left(strftime(t, '%f') || '000000', p) END`,
  // A timestamp rounded half up to milliseconds (Trino formats from milliseconds).
  `CREATE MACRO trino_round_ms(t TIMESTAMP) AS trino_ms_round(t), (t TIMESTAMPTZ) AS trino_ms_round(t), ${ZONED_OVERLOADS.roundMs}, (t) AS t`,
  // CAST(x AS JSON): a varchar is a JSON string (Trino does not parse it: json_parse does); a NaN or infinite double is the JSON string "NaN"/"Infinity" in Trino, a real
  // keeps its short text (3.14, not 3.140000104904175); inside arrays and maps, refused.
  `CREATE MACRO trino_json_of(x) AS CASE ${TO_JSON} WHEN ${JSON_REFUSED} THEN CAST(trino_refuse('${JSON_REFUSED_TEXT}') AS JSON) ELSE CAST(x AS JSON) END`,
  // A map anywhere in x: Trino writes a map's keys sorted (MapToJsonCast), DuckDB in the map's
  // order; only a map the tree shows is sorted (trino_map_to_json, trino-ast.ts rewriteToJsonCast).
  `CREATE MACRO trino_to_json${IP_OVERLOADS.toJson}, (x) AS CASE WHEN typeof(x) LIKE '%MAP(%' THEN CAST(trino_refuse('${MAP_JSON_REFUSED}') AS JSON) ELSE trino_json_of(x) END`,
  // CAST(x AS JSON) of an aggregate, which a typed overload cannot take: DuckDB's, but a map in
  // it (written in the map's order, not Trino's sorted one) is refused.
  `CREATE MACRO trino_agg_to_json(x) AS CASE WHEN typeof(x) LIKE '%MAP(%' THEN CAST(trino_refuse('${MAP_JSON_REFUSED}') AS JSON) ELSE CAST(x AS JSON) END`,
  // CAST(map AS JSON) as Trino's MapToJsonCast: the entries in the order of their keys' text (a
  // TreeMap of Java strings). Sorted here by DuckDB's text of the key, which is Java's for the
  // key types allowed, in byte order, which is Java's UTF-16 order unless keys hold both a
  // character from U+E000 to U+FFFF and one past U+FFFF; a map inside the map is refused.
  `CREATE MACRO trino_map_to_json(m) AS CASE WHEN m IS NULL THEN NULL WHEN NOT regexp_matches(typeof(m), '^MAP\\((VARCHAR|TINYINT|SMALLINT|INTEGER|BIGINT|BOOLEAN|DATE|DECIMAL\\(\\d+,\\d+\\)), ') OR regexp_matches(substr(typeof(m), 2), 'MAP\\(') OR (list_bool_or(list_transform(map_keys(m), lambda k: regexp_matches(CAST(k AS VARCHAR), '[\\x{E000}-\\x{FFFF}]'))) AND list_bool_or(list_transform(map_keys(m), lambda k: regexp_matches(CAST(k AS VARCHAR), '[\\x{10000}-\\x{10FFFF}]')))) THEN CAST(trino_refuse('${MAP_JSON_REFUSED}') AS JSON) ELSE trino_json_of(map_from_entries(list_transform(list_sort(list_transform(map_entries(m), lambda e: {'t': CAST(e.key AS VARCHAR), 'k': e.key, 'v': e.value})), lambda e: {'key': e.k, 'value': e.v}))) END`,
  // r unless a or b is NULL (zip_with: list_zip takes a NULL list as an empty one).
  `CREATE MACRO trino_unless_null(a, b, r) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE r END`,
  // Entries (unnamed rows: key, value) grouped by key: [{k, vs}], each key's values in the order of the list; NULL
  // for no entries. A subquery over the list: list functions would copy the list into each
  // element's lambda (quadratic: 8,000 entries took 3 s).
  `CREATE MACRO trino_entry_groups(l) AS (SELECT list({'k': k, 'vs': vs} ORDER BY first) FROM (SELECT e.k AS k, list(e.v ORDER BY e.i) AS vs, min(e.i) AS first FROM (SELECT unnest(list_transform(l, lambda x, i: {'k': struct_extract_at(x, 1), 'i': i, 'v': struct_extract_at(x, 2)})) AS e) GROUP BY e.k))`,
];
