/**
 * Trino (Athena engine v3) compatibility on DuckDB: session settings, macros for the functions
 * CloudTrail queries use, and the format translations the AST rewrite needs (`date_parse`,
 * `date_format`, `parse_datetime`, `format_datetime` take constant formats, which a macro cannot
 * translate). Built-ins shadowed by a macro stay reachable as `system.main.<name>`.
 */

/** Settings every connection inherits (set globally before the configuration is locked). */
export const SESSION_SETTINGS = [
  "SET GLOBAL TimeZone = 'UTC'",
  // Trino: 5 / 2 = 2.
  "SET GLOBAL integer_division = true",
];

const INTERVAL_OF = (u: string, n: string) =>
  `CASE lower(${u}) WHEN 'millisecond' THEN to_milliseconds(CAST(${n} AS BIGINT)) WHEN 'second' THEN to_seconds(CAST(${n} AS BIGINT)) WHEN 'minute' THEN to_minutes(CAST(${n} AS BIGINT)) WHEN 'hour' THEN to_hours(CAST(${n} AS BIGINT)) WHEN 'day' THEN to_days(CAST(${n} AS INTEGER)) WHEN 'week' THEN to_weeks(CAST(${n} AS INTEGER)) WHEN 'month' THEN to_months(CAST(${n} AS INTEGER)) WHEN 'quarter' THEN to_months(CAST(${n} AS INTEGER) * 3) WHEN 'year' THEN to_years(CAST(${n} AS INTEGER)) END`;

const concatOverloads = Array.from({ length: 9 }, (_, i) => i + 2)
  .map((n) => {
    const args = Array.from({ length: n }, (_, k) => `a${k}`);
    return `(${args.join(", ")}) AS ${args.join(" || ")}`;
  })
  .join(",\n  ");

/** Prefix of the macros: they never shadow DuckDB's built-ins; the rewrite calls them by this name. */
export const TRINO_PREFIX = "trino_";

/** Trino functions missing in DuckDB or differing from DuckDB's function of the same name. */
const MACRO_DEFS: string[] = [
  // JSON: Trino returns NULL for a non-scalar; json_extract_string would return its text.
  `CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(CAST(j AS JSON), p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(CAST(j AS JSON), p) END`,
  `CREATE MACRO json_parse(s) AS json(s)`,
  `CREATE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE MACRO json_size(j, p) AS CASE json_type(CAST(j AS JSON), p) WHEN 'ARRAY' THEN CAST(json_array_length(CAST(j AS JSON), p) AS BIGINT) WHEN 'OBJECT' THEN CAST(len(json_keys(CAST(j AS JSON), p)) AS BIGINT) ELSE 0 END`,
  `CREATE MACRO json_array_get(j, i) AS json_extract(CAST(j AS JSON), '$[' || CAST(i AS VARCHAR) || ']')`,
  `CREATE MACRO json_array_contains(j, v) AS list_contains(json_extract_string(CAST(j AS JSON), '$[*]'), CAST(v AS VARCHAR))`,
  `CREATE MACRO is_json_scalar(j) AS json_type(CAST(j AS JSON)) NOT IN ('OBJECT', 'ARRAY')`,
  // Time.
  `CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE MACRO from_iso8601_date(s) AS CAST(s AS DATE)`,
  `CREATE MACRO from_unixtime(x) AS to_timestamp(CAST(x AS DOUBLE))`,
  `CREATE MACRO to_unixtime(t) AS epoch(t)`,
  `CREATE MACRO to_iso8601(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ')`,
  `CREATE MACRO date_add(a, b) AS system.main.date_add(a, b), (u, n, t) AS t + ${INTERVAL_OF("u", "n")}`,
  // Trino counts complete units (date_sub), DuckDB's date_diff counts boundaries crossed.
  `CREATE MACRO date_diff(u, a, b) AS system.main.date_sub(u, a, b)`,
  `CREATE MACRO day_of_week(t) AS isodow(t)`,
  `CREATE MACRO dow(t) AS isodow(t)`,
  `CREATE MACRO day_of_year(t) AS dayofyear(t)`,
  `CREATE MACRO doy(t) AS dayofyear(t)`,
  `CREATE MACRO week_of_year(t) AS week(t)`,
  `CREATE MACRO year_of_week(t) AS isoyear(t)`,
  `CREATE MACRO yow(t) AS isoyear(t)`,
  `CREATE MACRO last_day_of_month(t) AS last_day(t)`,
  // Regular expressions: Trino searches (like regexp_matches), returns NULL when nothing matches,
  // replaces every match and writes groups as $1.
  `CREATE MACRO regexp_like(s, p) AS system.main.regexp_matches(s, p)`,
  `CREATE MACRO regexp_extract(s, p) AS CASE WHEN system.main.regexp_matches(s, p) THEN system.main.regexp_extract(s, p, 0) END, (s, p, g) AS CASE WHEN system.main.regexp_matches(s, p) THEN system.main.regexp_extract(s, p, g) END`,
  `CREATE MACRO regexp_replace(s, p) AS system.main.regexp_replace(s, p, '', 'g'), (s, p, r) AS system.main.regexp_replace(s, p, system.main.regexp_replace(r, '\\$(\\d)', '\\\\\\1', 'g'), 'g')`,
  `CREATE MACRO regexp_count(s, p) AS CAST(len(regexp_extract_all(s, p)) AS BIGINT)`,
  `CREATE MACRO regexp_split(s, p) AS string_split_regex(s, p)`,
  // Strings.
  `CREATE MACRO replace(s, x) AS system.main.replace(s, x, ''), (s, x, r) AS system.main.replace(s, x, r)`,
  // Trino's concat is NULL when any argument is; DuckDB's skips NULLs (|| does not).
  `CREATE MACRO concat(a) AS a,\n  ${concatOverloads}`,
  `CREATE MACRO levenshtein_distance(a, b) AS levenshtein(a, b)`,
  `CREATE MACRO hamming_distance(a, b) AS hamming(a, b)`,
  `CREATE MACRO codepoint(c) AS unicode(c)`,
  `CREATE MACRO to_utf8(s) AS encode(s)`,
  `CREATE MACRO from_utf8(b) AS decode(b)`,
  `CREATE MACRO url_extract_host(u) AS NULLIF(system.main.regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^:/?#]+)', 1), '')`,
  `CREATE MACRO url_extract_path(u) AS system.main.regexp_extract(u, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1)`,
  // Arrays and maps.
  `CREATE MACRO cardinality(x) AS CAST(len(x) AS BIGINT)`,
  `CREATE MACRO element_at(x, k) AS (x)[k]`,
  `CREATE MACRO array_join(a, sep) AS array_to_string(a, sep), (a, sep, nullrep) AS array_to_string(list_transform(a, lambda v: coalesce(CAST(v AS VARCHAR), nullrep)), sep)`,
  `CREATE MACRO array_distinct(a) AS list_filter(a, lambda v, i: list_position(a, v) = i)`,
  `CREATE MACRO slice(a, s, n) AS list_slice(a, s, s + n - 1)`,
  `CREATE MACRO sequence(a, b) AS generate_series(a, b), (a, b, st) AS generate_series(a, b, st)`,
  `CREATE MACRO array_max(a) AS list_max(a)`,
  `CREATE MACRO array_min(a) AS list_min(a)`,
  `CREATE MACRO map_keys(m) AS system.main.map_keys(m)`,
  // Aggregates.
  `CREATE MACRO approx_distinct(x) AS approx_count_distinct(x), (x, e) AS approx_count_distinct(x)`,
  `CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)`,
  `CREATE MACRO every(x) AS bool_and(x)`,
];

/** The macros as created: `CREATE MACRO trino_<name>`. */
export const MACROS: string[] = MACRO_DEFS.map((m) =>
  m.replace(/^CREATE MACRO (\w+)/, `CREATE MACRO ${TRINO_PREFIX}$1`),
);

/** Trino function names that have a macro. */
export const TRINO_FUNCTIONS: Set<string> = new Set(
  MACRO_DEFS.map((m) => (/^CREATE MACRO (\w+)/.exec(m) as RegExpExecArray)[1] as string),
);

/** MySQL-style format (Trino `date_parse`/`date_format`) to a DuckDB strftime/strptime format. */
export function mysqlFormat(f: string): string {
  const map: Record<string, string> = {
    a: "%a",
    b: "%b",
    c: "%-m",
    D: "%-d",
    d: "%d",
    e: "%-d",
    f: "%f",
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
    w: "%w",
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
    ["yy", "%y"],
    ["MMMM", "%B"],
    ["MMM", "%b"],
    ["MM", "%m"],
    ["M", "%-m"],
    ["dd", "%d"],
    ["d", "%-d"],
    ["DDD", "%j"],
    ["HH", "%H"],
    ["H", "%-H"],
    ["hh", "%I"],
    ["h", "%-I"],
    ["mm", "%M"],
    ["m", "%-M"],
    ["ss", "%S"],
    ["s", "%-S"],
    ["SSSSSS", "%f"],
    ["SSS", "%g"],
    ["a", "%p"],
    ["EEEE", "%A"],
    ["EEE", "%a"],
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
    } else {
      out += ch === "%" ? "%%" : ch;
      i++;
    }
  }
  return out;
}

/** Trino JSON paths that DuckDB rejects: `$["key"]` and `$['key']` become `$."key"`. */
export function jsonPath(p: string): string {
  return p.replace(/\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/g, (_m, a, b) => {
    const key = (a ?? b) as string;
    return `."${key.replaceAll('"', '\\"')}"`;
  });
}
