/** The Logs Insights functions the parser knows, with their arity. Names match case-insensitively. */

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
  fn("strcontains", 2, 2),
  // Numeric
  fn("abs", 1, 1),
  fn("ceil", 1, 1),
  fn("floor", 1, 1),
  fn("greatest", 1, Number.POSITIVE_INFINITY),
  fn("least", 1, Number.POSITIVE_INFINITY),
  fn("log", 1, 1),
  fn("sqrt", 1, 1),
  // Date and time
  fn("bin", 1, 1),
  fn("datefloor", 2, 2),
  fn("dateceil", 2, 2),
  fn("fromMillis", 1, 1),
  fn("toMillis", 1, 1),
  // IP addresses
  fn("isValidIp", 1, 1),
  fn("isValidIpV4", 1, 1),
  fn("isValidIpV6", 1, 1),
  fn("isIpInSubnet", 2, 2),
  fn("isIpv4InSubnet", 2, 2),
  fn("isIpv6InSubnet", 2, 2),
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
];

const BY_LOWER = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

export const FUNCTION_NAMES: readonly string[] = SPECS.map((s) => s.name);
