/**
 * The Logs Insights functions the parser knows, with their arity: every function of the service's
 * "Boolean, comparison, numeric, datetime, and other functions" page (CWL_QuerySyntax-operations-
 * functions), its stats page (CWL_QuerySyntax-Stats), its hashing functions page
 * (CWL_QuerySyntax-hash-functions) and its time-series functions page (CWL_QuerySyntax-timeseries-
 * functions), so that a query the service accepts is not refused by the `logs` engine. Which of them the local engine translates is calls.ts's
 * (`translatesLocally`). Names match case-insensitively.
 */

export interface FunctionSpec {
  /** The documented spelling. */
  name: string;
  minArgs: number;
  /** `Infinity` for variadic functions. */
  maxArgs: number;
  aggregate: boolean;
  /** Whether `name(*)` is allowed. */
  star?: boolean;
}

function fn(name: string, minArgs: number, maxArgs: number, aggregate = false): FunctionSpec {
  return { name, minArgs, maxArgs, aggregate };
}

const SPECS: FunctionSpec[] = [
  // General
  fn("ispresent", 1, 1),
  fn("isempty", 1, 1),
  fn("isblank", 1, 1),
  fn("coalesce", 1, Number.POSITIVE_INFINITY),
  // "case(cond1, val1, cond2, val2, ..., [default]) ... Supports up to 10 branches."
  fn("case", 2, 21),
  fn("if", 3, 3),
  fn("isNumeric", 1, 1),
  fn("messageSize", 1, 1),
  fn("queryStartTime", 0, 0),
  fn("queryEndTime", 0, 0),
  fn("queryTimeRange", 0, 0),
  // JSON and structure types
  fn("jsonParse", 1, 1),
  fn("jsonStringify", 1, 1),
  fn("jsonArraySize", 1, 1),
  fn("jsonArrayContains", 2, 2),
  // String
  fn("concat", 1, Number.POSITIVE_INFINITY),
  fn("strlen", 1, 1),
  fn("toupper", 1, 1),
  fn("tolower", 1, 1),
  fn("trim", 1, 2),
  fn("ltrim", 1, 2),
  fn("rtrim", 1, 2),
  fn("substr", 2, 3),
  fn("replace", 3, 3),
  fn("regexReplace", 3, 3),
  fn("strcontains", 2, 3),
  fn("startsWith", 2, 2),
  fn("endsWith", 2, 2),
  fn("urlencode", 1, 1),
  fn("urldecode", 1, 1),
  fn("base64encode", 1, 1),
  fn("base64decode", 1, 1),
  fn("split", 2, 2),
  fn("hexToAscii", 1, 1),
  fn("hexToDec", 1, 1),
  fn("decToHex", 1, 1),
  // Numeric
  fn("abs", 1, 1),
  fn("ceil", 1, 1),
  fn("floor", 1, 1),
  fn("greatest", 1, Number.POSITIVE_INFINITY),
  fn("least", 1, Number.POSITIVE_INFINITY),
  fn("log", 1, 1),
  fn("sqrt", 1, 1),
  fn("round", 1, 2),
  fn("haversine", 4, 4),
  fn("toNumber", 1, 1),
  fn("toInt", 1, 1),
  fn("toLong", 1, 1),
  fn("toDouble", 1, 1),
  // Date and time
  fn("bin", 1, 1),
  fn("datefloor", 2, 2),
  fn("dateceil", 2, 2),
  fn("fromMillis", 1, 1),
  fn("toMillis", 1, 1),
  fn("now", 0, 0),
  fn("parseDate", 2, 3),
  fn("formatDate", 2, 3),
  fn("strftime", 2, 3),
  // IP addresses
  fn("isValidIp", 1, 1),
  fn("isValidIpV4", 1, 1),
  fn("isValidIpV6", 1, 1),
  fn("isIpInSubnet", 2, 2),
  fn("isIpv4InSubnet", 2, 2),
  fn("isIpv6InSubnet", 2, 2),
  fn("ipv4ToNumber", 1, 1),
  fn("isPrivateIP", 1, 1),
  fn("isPublicIP", 1, 1),
  fn("isReservedIP", 1, 1),
  // Hashing: md5(fieldName: string), sha256(fieldName: string)
  fn("md5", 1, 1),
  fn("sha256", 1, 1),
  // Aggregates
  { name: "count", minArgs: 0, maxArgs: 1, aggregate: true, star: true },
  fn("count_distinct", 1, 1, true),
  fn("sum", 1, 1, true),
  fn("avg", 1, 1, true),
  fn("min", 1, 1, true),
  fn("max", 1, 1, true),
  fn("pct", 2, 2, true),
  fn("stddev", 1, 1, true),
  fn("earliest", 1, 1, true),
  fn("latest", 1, 1, true),
  fn("sortsFirst", 1, 1, true),
  fn("sortsLast", 1, 1, true),
  // Time-series, with stats: rate(fieldName, interval), count_over_time(fieldName),
  // sum_over_time(fieldName), histogram(fieldName, buckets)
  fn("rate", 2, 2, true),
  fn("count_over_time", 1, 1, true),
  fn("sum_over_time", 1, 1, true),
  fn("histogram", 2, 2, true),
];

const BY_LOWER = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/**
 * Why a call of `spec` with `n` arguments is no documented signature of it, or undefined when it
 * is one: the parser's error, and the translation's for a query handed over as a syntax tree, so
 * that a wrong count never answers locally (a dropped or ignored argument would).
 */
export function arityProblem(spec: FunctionSpec, n: number): string | undefined {
  if (n >= spec.minArgs && n <= spec.maxArgs) return undefined;
  const want =
    spec.minArgs === spec.maxArgs
      ? `${spec.minArgs}`
      : spec.maxArgs === Number.POSITIVE_INFINITY
        ? `at least ${spec.minArgs}`
        : `${spec.minArgs} to ${spec.maxArgs}`;
  return `${spec.name}() takes ${want} argument(s), got ${n}`;
}

export const FUNCTION_NAMES: readonly string[] = SPECS.map((s) => s.name);
