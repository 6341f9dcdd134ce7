/**
 * Trino's TIMESTAMP WITH TIME ZONE in a zone other than UTC. DuckDB's TIMESTAMPTZ is an instant
 * shown in the session's zone (UTC here), so a zoned value is carried as a STRUCT (`ZONED`):
 * - `tz_instant` (TIMESTAMPTZ) first, so that ORDER BY, min/max and greatest/least order by instant;
 * - `tz_zone`: a region name (`America/Los_Angeles`, ICU's time zone data) or an offset (`+07:09`);
 * - `tz_local` (TIMESTAMP): the local time in that zone, which fields, truncation and formats use;
 * - `tz_p`: Trino's precision (fraction digits), which the value prints with.
 * values.ts prints it as Trino does (`2001-08-22 03:04:05.321 America/Los_Angeles`).
 * `from_iso8601_timestamp(eventtime)` and other UTC instants stay TIMESTAMPTZ (fast, and
 * comparable with everything else); the macros below take both.
 *
 * What the tree shows is zoned gets Trino's semantics: comparisons by instant, `+ INTERVAL` on the
 * instant (day to second) or on the local time (year to month). A zoned value the rewrite cannot
 * see (a column of a CTE) still orders by instant, but equality of two such values in different
 * zones compares the zone too; printing it as text is refused (trino_to_varchar).
 */
import { RunMdError } from "@run-md/core";
import { callNode, intConst, isTypedLiteral, strConst } from "./trino-ast.ts";

type Node = Record<string, unknown>;

/** The DuckDB type of a zoned value. */
export const ZONED =
  "STRUCT(tz_instant TIMESTAMPTZ, tz_zone VARCHAR, tz_local TIMESTAMP, tz_p INTEGER)";

/** Whether x (a macro's argument) is a zoned value: known when the macro binds. */
const ZONED_UNSEEN = "typeof(x) LIKE 'STRUCT(tz_instant %'";
const ZONED_UNSEEN_TEXT =
  "CAST of a timestamp with time zone the local engine cannot see in the query to varchar is not supported locally";

/** Zone names Trino reads as UTC (TimeZoneKey), upper-cased. */
const UTC_NAMES =
  "'Z', 'UTC', 'UT', 'UCT', 'GMT', 'GMT0', 'ZULU', 'GREENWICH', 'UNIVERSAL', 'ETC/UTC', 'ETC/UT', 'ETC/UCT', 'ETC/GMT', 'ETC/GMT0', 'ETC/ZULU', 'ETC/GREENWICH', 'ETC/UNIVERSAL', '+00:00', '-00:00'";

/**
 * `body` with `x` evaluated once and named `name`: macro parameters are expanded as trees, so a
 * zoned value used four times would be built four times (and nested calls multiply).
 */
const LET = (x: string, name: string, body: string) =>
  `list_transform([${x}], lambda ${name}: ${body})[1]`;

/** Offset seconds of a zoned value: its local time minus its instant. */
const OFFSET_S = (x: string) =>
  `((epoch_us(${x}.tz_local) - epoch_us(${x}.tz_instant)) // 1000000)`;

/** Units added to the instant (the others move the local time: days, months... in the zone). */
const INSTANT_UNITS = "('millisecond', 'second', 'minute', 'hour')";

export const ZONED_MACROS: string[] = [
  // A timestamp rounded half up to milliseconds (Trino formats from milliseconds).
  `CREATE MACRO trino_ms_round(t) AS t + to_microseconds(CASE WHEN ((epoch_us(t) % 1000) + 1000) % 1000 >= 500 THEN 1000 ELSE 0 END - ((epoch_us(t) % 1000) + 1000) % 1000)`,
  // Java's LocalDateTime text (format('%s', x)): T, and 0, 3 or 6 fraction digits.
  `CREATE MACRO trino_java_local(x) AS CASE WHEN year(x) > 9999 THEN '+' ELSE '' END || CASE WHEN epoch_us(x) % 1000000 = 0 THEN strftime(x, '%Y-%m-%dT%H:%M:%S') WHEN epoch_us(x) % 1000 = 0 THEN strftime(x, '%Y-%m-%dT%H:%M:%S.%g') ELSE strftime(x, '%Y-%m-%dT%H:%M:%S.%f') END`,
  // Minutes of an offset zone ('+07:09'); NULL for a region name.
  `CREATE MACRO trino_tz_offset_min(z) AS CASE WHEN regexp_full_match(z, '[+-]\\d{2}:\\d{2}') THEN (CASE WHEN left(z, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substr(z, 2, 2) AS INTEGER) * 60 + CAST(substr(z, 5, 2) AS INTEGER)) END`,
  `CREATE MACRO trino_tz_minutes_text(m) AS CASE WHEN m = 0 THEN 'UTC' WHEN abs(m) > 14 * 60 THEN trino_raise('INVALID_FUNCTION_ARGUMENT: Invalid offset minutes ' || m, m) ELSE (CASE WHEN m < 0 THEN '-' ELSE '+' END) || lpad(CAST(abs(m) // 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST(abs(m) % 60 AS VARCHAR), 2, '0') END`,
  // A zone argument as Trino names it: UTC spellings are UTC, an offset is ±HH:MM, an interval
  // (AT TIME ZONE INTERVAL '03:04' HOUR TO MINUTE) is its offset. A region name unknown to ICU
  // fails where it is used ("Unknown TimeZone").
  `CREATE MACRO trino_tz_interval_name(z) AS trino_tz_minutes_text(CAST(epoch(z) // 60 AS INTEGER))`,
  `CREATE MACRO trino_tz_name(z) AS CASE WHEN upper(z) IN (${UTC_NAMES}) THEN 'UTC' WHEN regexp_full_match(z, '[+-]\\d{2}:\\d{2}') THEN trino_tz_minutes_text(trino_tz_offset_min(z)) ELSE z END`,
  // The instant of a local time in zone z, and the local time of an instant (session zone: UTC).
  `CREATE MACRO trino_tz_instant_of(l, z) AS CASE WHEN trino_tz_offset_min(z) IS NOT NULL THEN CAST(l AS TIMESTAMPTZ) - to_minutes(trino_tz_offset_min(z)) ELSE timezone(z, l) END`,
  `CREATE MACRO trino_tz_local_of(i, z) AS CASE WHEN trino_tz_offset_min(z) IS NOT NULL THEN CAST(i AS TIMESTAMP) + to_minutes(trino_tz_offset_min(z)) ELSE timezone(z, i) END`,
  // t cut to p fraction digits (a date_add of 1 ms to a timestamp(2) keeps .10).
  `CREATE MACRO trino_tz_cut(t, p) AS t - to_microseconds(((epoch_us(t) % CAST(10 ** (6 - least(p, 6)) AS BIGINT)) + CAST(10 ** (6 - least(p, 6)) AS BIGINT)) % CAST(10 ** (6 - least(p, 6)) AS BIGINT))`,
  `CREATE MACRO trino_tz_make(i, z, l, p) AS {'tz_instant': i, 'tz_zone': z, 'tz_local': l, 'tz_p': CAST(p AS INTEGER)}`,
  `CREATE MACRO trino_tz_from_instant(i, z, p) AS ${LET("i", "tz_i", "trino_tz_make(trino_tz_cut(tz_i, p), z, trino_tz_cut(trino_tz_local_of(tz_i, z), p), p)")}`,
  // From a local time (a local time skipped by a DST change moves on, as ICU and Joda do).
  `CREATE MACRO trino_tz_from_local(l, z, p) AS trino_tz_from_instant(trino_tz_instant_of(l, z), z, p)`,
  // A literal: Trino keeps a zoned timestamp's milliseconds in 52 bits.
  `CREATE MACRO trino_tz_literal(l, z, p) AS ${LET("l", "tz_l", "CASE WHEN abs(epoch_ms(tz_l)) > 2251799813685247 THEN trino_raise('INVALID_LITERAL: ''' || CAST(tz_l AS VARCHAR) || ' ' || z || ''' is not a valid TIMESTAMP literal', tz_l) ELSE trino_tz_from_local(tz_l, z, p) END")}`,
  // The instant or the local time of a zoned value; anything else as it is.
  `CREATE MACRO trino_tz_instant(x ${ZONED}) AS x.tz_instant, (x) AS x`,
  `CREATE MACRO trino_tz_local(x ${ZONED}) AS x.tz_local, (x) AS x`,
  // AT TIME ZONE / at_timezone: the same instant in another zone (a zone-less timestamp is UTC's).
  `CREATE MACRO trino_at_timezone(x ${ZONED}, z, p) AS ${LET("x", "tz_x", "trino_tz_from_instant(tz_x.tz_instant, z, tz_x.tz_p)")}, (x TIMESTAMPTZ, z, p) AS trino_tz_from_instant(x, z, p)`,
  `CREATE MACRO trino_tz_offset_text(s, sep) AS (CASE WHEN s < 0 THEN '-' ELSE '+' END) || lpad(CAST(abs(s) // 3600 AS VARCHAR), 2, '0') || sep || lpad(CAST(abs(s) // 60 % 60 AS VARCHAR), 2, '0') || CASE WHEN abs(s) % 60 <> 0 THEN sep || lpad(CAST(abs(s) % 60 AS VARCHAR), 2, '0') ELSE '' END`,
  `CREATE MACRO trino_tz_fraction(l, p) AS CASE WHEN p = 0 THEN '' ELSE '.' || left(strftime(l, '%f'), p) END`,
  // CAST(x AS VARCHAR): the local time with p fraction digits, then the zone.
  `CREATE MACRO trino_tz_text(x) AS ${LET("x", "tz_x", `strftime(tz_x.tz_local, '%Y-%m-%d %H:%M:%S') || trino_tz_fraction(tz_x.tz_local, tz_x.tz_p) || ' ' || tz_x.tz_zone`)}`,
  // to_iso8601: the offset, Z when it is zero.
  `CREATE MACRO trino_tz_iso(x) AS ${LET("x", "tz_x", `strftime(tz_x.tz_local, '%Y-%m-%dT%H:%M:%S') || trino_tz_fraction(tz_x.tz_local, tz_x.tz_p) || CASE WHEN ${OFFSET_S("tz_x")} = 0 THEN 'Z' ELSE trino_tz_offset_text(${OFFSET_S("tz_x")}, ':') END`)}`,
  // format('%s', x): Java's ZonedDateTime text, 2020-05-10T12:34:56.100+05:45[Asia/Kathmandu].
  `CREATE MACRO trino_tz_java(x) AS ${LET("x", "tz_x", `trino_java_local(tz_x.tz_local) || CASE WHEN ${OFFSET_S("tz_x")} = 0 THEN 'Z' ELSE trino_tz_offset_text(${OFFSET_S("tz_x")}, ':') END || CASE WHEN trino_tz_offset_min(tz_x.tz_zone) IS NULL THEN '[' || tz_x.tz_zone || ']' ELSE '' END`)}`,
  // timezone_hour / timezone_minute: the offset's parts, with its sign.
  `CREATE MACRO trino_tz_zone_part(f, x) AS ${LET("x", "tz_x", `CAST(sign(${OFFSET_S("tz_x")}) * CASE lower(f) WHEN 'timezone_hour' THEN abs(${OFFSET_S("tz_x")}) // 3600 ELSE abs(${OFFSET_S("tz_x")}) // 60 % 60 END AS BIGINT)`)}`,
  // x + i: a year-to-month interval moves the local time, a day-to-second one the instant
  // (Trino's precision is then at least 3).
  `CREATE MACRO trino_tz_plus(x, i) AS ${LET("x", "tz_x", `CASE WHEN date_part('year', i) * 12 + date_part('month', i) <> 0 THEN trino_tz_from_local(tz_x.tz_local + i, tz_x.tz_zone, tz_x.tz_p) ELSE trino_tz_from_instant(tz_x.tz_instant + i, tz_x.tz_zone, greatest(tz_x.tz_p, 3)) END`)}`,
  // date_add / date_trunc / date_diff in the value's zone.
  `CREATE MACRO trino_tz_date_add(u, i, x) AS ${LET("x", "tz_x", `CASE WHEN lower(u) IN ${INSTANT_UNITS} THEN trino_tz_from_instant(tz_x.tz_instant + i, tz_x.tz_zone, tz_x.tz_p) ELSE trino_tz_from_local(tz_x.tz_local + i, tz_x.tz_zone, tz_x.tz_p) END`)}`,
  `CREATE MACRO trino_tz_diff(u, a, b) AS ${LET("a", "tz_a", LET("b", "tz_b", `CASE WHEN lower(u) IN ${INSTANT_UNITS} THEN system.main.date_sub(u, tz_a.tz_instant, tz_b.tz_instant) ELSE system.main.date_sub(u, tz_a.tz_local, trino_tz_local_of(tz_b.tz_instant, tz_a.tz_zone)) END`))}`,
  // Joda's Z in format_datetime: the offset as +0545 (UTC's for a TIMESTAMPTZ).
  `CREATE MACRO trino_tz_offset_z(x ${ZONED}) AS ${LET("x", "tz_x", `trino_tz_offset_text(${OFFSET_S("tz_x")}, '')`)}, (x TIMESTAMPTZ) AS '+0000', (x) AS strftime(x, '%z')`,
];

/** Overloads of the Trino macros (trino.ts, trino-helpers.ts) for zoned values. */
export const ZONED_OVERLOADS = {
  dateTrunc: `(u VARCHAR, t ${ZONED}) AS ${LET("t", "tz_x", "trino_tz_from_local(system.main.date_trunc(u, tz_x.tz_local), tz_x.tz_zone, tz_x.tz_p)")}`,
  dateAdd: (interval: string) =>
    `(u VARCHAR, n BIGINT, t ${ZONED}) AS trino_tz_date_add(u, ${interval}, t)`,
  dateDiff: `(u VARCHAR, a ${ZONED}, b ${ZONED}) AS trino_tz_diff(u, a, b), (u VARCHAR, a ${ZONED}, b TIMESTAMPTZ) AS trino_tz_diff(u, a, trino_tz_from_instant(b, 'UTC', 3)), (u VARCHAR, a TIMESTAMPTZ, b ${ZONED}) AS trino_tz_diff(u, trino_tz_from_instant(a, 'UTC', 3), b)`,
  toIso8601: `(t ${ZONED}) AS trino_tz_iso(t)`,
  zonePart: `(f VARCHAR, t ${ZONED}) AS trino_tz_zone_part(f, t)`,
  datePart: `(f VARCHAR, t ${ZONED}) AS date_part(f, t.tz_local)`,
  castTimestamp: `(x ${ZONED}) AS x.tz_local`,
  roundMs: `(t ${ZONED}) AS ${LET("t", "tz_x", "trino_tz_make(trino_ms_round(tz_x.tz_instant), tz_x.tz_zone, trino_ms_round(tz_x.tz_local), tz_x.tz_p)")}`,
  formatArg: `(x ${ZONED}) AS trino_tz_java(x)`,
  add: `(a ${ZONED}, b INTERVAL) AS trino_tz_plus(a, b), (a INTERVAL, b ${ZONED}) AS trino_tz_plus(b, a)`,
  subtract: `(a ${ZONED}, b INTERVAL) AS trino_tz_plus(a, -b)`,
  /** A zoned value trino_to_varchar cannot see in the tree (values.ts prints them; CAST cannot). */
  toVarcharGuard: `WHEN ${ZONED_UNSEEN} THEN trino_refuse('${ZONED_UNSEEN_TEXT}')`,
};

const castTo = (child: Node, id: string): Node => ({
  class: "CAST",
  type: "OPERATOR_CAST",
  alias: "",
  query_location: 0,
  child,
  cast_type: { id, type_info: null },
  try_cast: false,
});

const UTC_ZONES = new Set(UTC_NAMES.replaceAll("'", "").split(", "));

/**
 * A constant zone as Trino names it (trino_tz_name's rules, applied here so that the SQL stays
 * small): UTC spellings are UTC, an offset is ±HH:MM within 14 hours (zero is UTC).
 */
export function zoneName(zone: string): string {
  if (UTC_ZONES.has(zone.toUpperCase())) return "UTC";
  const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(zone);
  if (!m) return zone;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60)
    throw new RunMdError(
      "sql-error",
      `INVALID_FUNCTION_ARGUMENT: Invalid time zone offset: ${zone}`,
    );
  if (minutes === 0) return "UTC";
  return `${m[1]}${String(m[2]).padStart(2, "0")}:${m[3]}`;
}

/** A zone argument: a constant named here, else trino_tz_name / trino_tz_interval_name in SQL. */
function zoneArg(z: Node): Node {
  const text = z.class === "CONSTANT" ? (z.value as Node).value : undefined;
  if (typeof text === "string") return strConst(zoneName(text));
  return callNode(isInterval(z) ? "trino_tz_interval_name" : "trino_tz_name", [z], { alias: "" });
}

/** `date[ time] zone` of a TIMESTAMP literal: the zone an offset (`+07:09`) or a name. */
const ZONED_TEXT =
  /^\s*(-?\d{4,}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.(\d*))?)?)?)(?:\s*([+-]\d{1,2}:\d{2})|\s+([A-Za-z][\w/+-]*))\s*$/;

/**
 * `TIMESTAMP '2020-05-01 12:34:56.1 Asia/Kathmandu'` (a cast of a constant to TIMESTAMP or
 * TIMESTAMP WITH TIME ZONE whose text ends with a zone) → `trino_tz_literal(local, zone, p)`.
 * Undefined for anything else.
 */
export function zonedLiteral(v: Node): Node | undefined {
  if (v.class !== "CAST" || v.try_cast === true) return undefined;
  const id = (v.cast_type as Node).id;
  const child = v.child as Node;
  const text = child.class === "CONSTANT" ? (child.value as Node).value : undefined;
  if ((id !== "TIMESTAMP" && id !== "TIMESTAMP WITH TIME ZONE") || typeof text !== "string")
    return undefined;
  const m = ZONED_TEXT.exec(text);
  if (!m) return undefined;
  const name = zoneName((m[3] ?? m[4]) as string);
  const local = castTo(strConst(m[1] as string), "TIMESTAMP");
  if (isTypedLiteral(v))
    return callNode("trino_tz_literal", [local, strConst(name), intConst((m[2] ?? "").length)], v);
  // A CAST written in the query is precision 3, and to timestamp its local time (the zone checked,
  // as Trino's VarcharToTimestamp does); it kept the text's digits and its zone.
  const ms = callNode("trino_timestamp_ms", [local], { alias: "" });
  if (id === "TIMESTAMP") return { ...ms, alias: v.alias, query_location: v.query_location };
  return callNode("trino_tz_literal", [ms, strConst(name), intConst(3)], v);
}

/** `from_iso8601_timestamp('2001-08-22T03:04:05.321+07:09')`: a constant with an offset. */
export function iso8601Constant(f: Node): Node | undefined {
  const arg = (f.children as Node[])[0];
  const text = arg?.class === "CONSTANT" ? (arg.value as Node).value : undefined;
  if ((f.children as Node[]).length !== 1 || typeof text !== "string") return undefined;
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d(?:\.\d+)?)?)([+-]\d\d:?\d\d)$/.exec(text.trim());
  if (!m) return undefined;
  const zone = zoneName((m[3] as string).replace(/^([+-]\d\d)(\d\d)$/, "$1:$2"));
  const local = castTo(strConst(`${m[1]} ${m[2]}`), "TIMESTAMP");
  return callNode("trino_tz_literal", [local, strConst(zone), intConst(3)], f);
}

/**
 * The instant or local time of x: a field of a value the tree shows is zoned, else the typed
 * macro (trino_tz_instant / trino_tz_local, which binds its argument once per overload).
 */
function part(x: Node, which: "instant" | "local"): Node {
  if (isZoned(x)) return callNode("struct_extract", [x, strConst(`tz_${which}`)], { alias: "" });
  return callNode(`trino_tz_${which}`, [x], { alias: "" });
}

/** Producers of zoned values, and calls whose result is zoned when an argument is. */
const ZONED_PRODUCERS = new Set(["trino_tz_literal", "trino_at_timezone", "trino_tz_from_local"]);
const ZONED_PASS = new Set([
  "trino_date_trunc",
  "trino_date_add",
  "trino_add",
  "trino_subtract",
  "trino_greatest",
  "trino_least",
  "coalesce",
]);

/** Whether the tree shows that an expression is a zoned value. */
export function isZoned(n: unknown): boolean {
  if (typeof n !== "object" || n === null) return false;
  const v = n as Node;
  if (v.class !== "FUNCTION") return false;
  const name = String(v.function_name);
  const args = (v.children as unknown[]) ?? [];
  if (ZONED_PRODUCERS.has(name)) return true;
  if (name === "trino_from_unixtime") return args.length > 1;
  return ZONED_PASS.has(name) && args.some(isZoned);
}

/**
 * A comparison or BETWEEN with a zoned operand compares instants (Trino: equal instants in two
 * zones are equal).
 */
export function zonedComparison(v: Node): Node {
  const keys = v.class === "COMPARISON" ? ["left", "right"] : ["input", "lower", "upper"];
  if (v.class !== "COMPARISON" && v.class !== "BETWEEN") return v;
  if (!keys.some((k) => isZoned(v[k]))) return v;
  for (const k of keys) v[k] = part(v[k] as Node, "instant");
  return v;
}

/** Functions of a timestamp's fields: a zoned value gives those of its local time. */
const LOCAL_FIELD_FUNCTIONS = new Set(
  (
    "year quarter month week week_of_year day day_of_month day_of_week dow day_of_year doy " +
    "year_of_week yow hour minute second millisecond last_day_of_month date"
  ).split(" "),
);

/**
 * Zoned-value forms of the timestamp functions (before the Trino macro names are applied):
 * with_timezone, at_timezone / AT TIME ZONE, timezone_hour/minute, from_iso8601_timestamp of a
 * constant with an offset, current_timezone(), and the field functions on the local time.
 * Undefined when the call is none of these.
 */
export function zonedFunction(
  f: Node,
  name: string,
  hasAggregate: (v: unknown) => boolean,
  precision: (v: unknown) => number | undefined,
): Node | undefined {
  const args = f.children as Node[];
  const a0 = args[0] as Node;
  switch (name) {
    case "with_timezone":
      if (args.length !== 2) return undefined;
      return callNode(
        "trino_tz_from_local",
        [a0, zoneArg(args[1] as Node), intConst(precision(a0) ?? 3)],
        f,
      );
    case "at_timezone":
    case "timezone": {
      if (args.length !== 2) return undefined;
      const [x, z] = name === "timezone" ? [args[1] as Node, a0] : [a0, args[1] as Node];
      if (hasAggregate(x))
        throw notLocal(`${name === "timezone" ? "AT TIME ZONE" : "at_timezone"} of an aggregate`);
      // The zone is named here, not by a typed macro: nested typed macros bind their arguments
      // once per overload, which multiplies the binding time at each level.
      return callNode("trino_at_timezone", [x, zoneArg(z), intConst(precision(x) ?? 3)], f);
    }
    case "timezone_hour":
    case "timezone_minute":
      if (args.length !== 1 || hasAggregate(a0)) return undefined;
      return callNode("trino_zone_part", [strConst(name), a0], f);
    case "from_iso8601_timestamp":
      return iso8601Constant(f);
    case "current_timezone":
      return args.length === 0 ? { ...strConst("UTC"), alias: f.alias } : undefined;
    case "to_unixtime":
      if (args.length === 1 && a0.class !== "CONSTANT" && !hasAggregate(a0))
        args[0] = part(a0, "instant");
      return undefined;
  }
  if (
    LOCAL_FIELD_FUNCTIONS.has(name) &&
    args.length === 1 &&
    a0.class !== "CONSTANT" &&
    !hasAggregate(a0)
  )
    args[0] = part(a0, "local");
  return undefined;
}

/** An INTERVAL literal (`INTERVAL '03:04' HOUR TO MINUTE` is to_minutes(184) after decimalLiterals). */
function isInterval(n: Node): boolean {
  if (n.class === "CAST") return (n.cast_type as Node).id === "INTERVAL";
  return (
    n.class === "FUNCTION" &&
    /^to_(days|hours|minutes|seconds|milliseconds)$/.test(String(n.function_name))
  );
}

function notLocal(what: string): RunMdError {
  return new RunMdError("sql-error", `${what} is not supported locally.`, {
    hint: "The query runs on Athena as written.",
  });
}

/**
 * `strftime(x, format)` of a value that may be zoned: the local time's fields, and each `%z`
 * (Joda's Z) as the value's offset (`trino_tz_offset_z`): strftime's format must be a constant.
 */
export function zonedStrftime(f: Node, duckFormat: string): Node {
  const x = (f.children as Node[])[0] as Node;
  const local = callNode("trino_tz_local", [x], { alias: "" });
  const parts = duckFormat.split(/(?<=(?:^|[^%])(?:%%)*)%z/);
  if (parts.length === 1) return { ...f, children: [local, strConst(duckFormat)] };
  const pieces: Node[] = [];
  parts.forEach((part, i) => {
    if (i > 0) pieces.push(callNode("trino_tz_offset_z", [x], { alias: "" }));
    if (part !== "") pieces.push(callNode("strftime", [local, strConst(part)], { alias: "" }));
  });
  // || rather than concat(), which would skip a NULL.
  const [first, ...rest] = pieces as [Node, ...Node[]];
  const joined = rest.reduce(
    (a, b) => ({ ...callNode("||", [a, b], { alias: "" }), is_operator: true }),
    first,
  );
  return { ...joined, alias: f.alias };
}
