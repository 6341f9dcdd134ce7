/**
 * One value's size bound. DuckDB's memoryLimit does not count the buffer a scalar function builds
 * one value in, and an interrupt waits for the call running: `lpad('', 1000000000, 'a')` took 60 s
 * and 6 GB under a 200 MB limit (red-team). So every DuckDB function that can make a value much
 * larger than its inputs is shadowed by a macro of the same name, created in the engine's
 * database before any statement runs (macros.ts): it estimates the result's size from its
 * arguments' actual sizes and refuses (`value-too-large`, through trino_refuse, which try()
 * cannot hide) before the built-in (`system.main.<name>`) runs. Unqualified and quoted calls, in
 * lambdas, CTEs, the Trino macros' bodies and the Logs Insights translation all reach the macro;
 * the sandbox refuses a qualified function name (`system.main.lpad`), which would not.
 *
 * Estimates are upper bounds from the arguments' sizes, never the result counted (that would name
 * the arguments again): a replacement that could grow past the bound is refused even when few
 * matches would make it smaller. Concatenation (`||`, concat, list_concat) is not guarded: its
 * result is the sum of its arguments, and a guard naming each argument twice made nested
 * concatenations (the views', the Trino macros') grow exponentially when bound.
 */

/** The largest value, in bytes (Trino's own limit on repeat's result; see docs/engines.md). */
export const VALUE_BOUND = 1_000_000;

/** The message prefix engine.ts maps to the `value-too-large` error. */
export const TOO_LARGE = "VALUE_TOO_LARGE";

/** The refusal; `anchor` (a parameter) keeps it from being evaluated once for the whole query. */
const refuse = (fn: string, anchor: string) =>
  `trino_refuse('${TOO_LARGE}: ${fn} would build a value of more than ${VALUE_BOUND} bytes (the local engine''s bound on one value)', ${anchor})`;

/** `expr` when `size` is within the bound, else the refusal naming `fn`. */
const guarded = (fn: string, size: string, expr: string) =>
  `CASE WHEN coalesce(${size}, 0) > ${VALUE_BOUND} THEN ${refuse(fn, ANCHOR.exec(expr)?.[1] ?? "NULL")} ELSE ${expr} END`;

/** The first argument of the call a guard makes: the refusal's anchor. */
const ANCHOR = /\((\w+)/;

/**
 * A value's size as its text's bytes (a list's elements each at least two: `[1, 2]`). Each argument
 * is named once: a macro copies an argument's expression into each place its body names it, so
 * guards nested in one another grow as the product of those counts.
 */
const BYTES = `CREATE MACRO runmd_bytes(x) AS coalesce(strlen(TRY_CAST(x AS VARCHAR)), 0)`;

/** The sum of the numbers (widths, precisions, argument indexes) in a list of specifiers. */
const DIGITS = (specs: string) =>
  `coalesce(list_sum(list_transform(regexp_extract_all(array_to_string(${specs}, ' '), '[0-9]+'), lambda d: TRY_CAST(d AS DOUBLE))), 0)`;

/** printf's specifiers (`%08.3f`; `%%` dropped). */
const PRINTF_SPECS = "regexp_extract_all(replace(f, '%%', ''), '%[^a-zA-Z%]*')";

/**
 * printf with 0 to 15 arguments: the pattern, its widths and precisions, and the arguments' sizes;
 * a width taken from an argument (`%*d`) is refused. format() is not shadowed: every step's
 * format() becomes printf or a concatenation of printf calls (rewrite-functions.ts, trino-format.ts).
 */
const FORMAT = (fn: string, specs: string, dynamic: string) =>
  `CREATE MACRO ${fn}${Array.from({ length: 16 }, (_, n) => {
    const args = Array.from({ length: n }, (_v, i) => `a${i}`);
    const sizes = ["strlen(f)", DIGITS(specs), ...args.map((a) => `runmd_bytes(${a})`)];
    const call = `system.main.${fn}(${["f", ...args].join(", ")})`;
    const size = `CASE WHEN ${dynamic} THEN ${VALUE_BOUND + 1} ELSE ${sizes.join(" + ")} END`;
    return `(${["f", ...args].join(", ")}) AS ${guarded(fn, size, call)}`;
  }).join(", ")}`;

/** Elements of range/generate_series(a, b, s) as a list: numbers, dates or timestamps. */
const RANGE_COUNT = `CASE WHEN typeof(a) IN ('DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE') THEN abs(epoch(TRY_CAST(TRY_CAST(b AS VARCHAR) AS TIMESTAMP)) - epoch(TRY_CAST(TRY_CAST(a AS VARCHAR) AS TIMESTAMP))) / greatest(abs(epoch(TRY_CAST(TRY_CAST(s AS VARCHAR) AS INTERVAL))), 1e-6) ELSE abs(TRY_CAST(b AS DOUBLE) - TRY_CAST(a AS DOUBLE)) / greatest(abs(TRY_CAST(s AS DOUBLE)), 1e-300) END`;

const RANGE = (fn: string) =>
  `CREATE MACRO ${fn}(b) AS ${guarded(fn, "16 * TRY_CAST(b AS DOUBLE)", `system.main.${fn}(b)`)}, (a, b) AS ${guarded(fn, "16 * abs(TRY_CAST(b AS DOUBLE) - TRY_CAST(a AS DOUBLE))", `system.main.${fn}(a, b)`)}, (a, b, s) AS ${guarded(fn, `16 * ${RANGE_COUNT}`, `system.main.${fn}(a, b, s)`)}`;

/** replace's result: at most one replacement per length of `x` in `s`. */
const REPLACE_UPPER =
  "strlen(s) + (strlen(s) // greatest(strlen(x), 1)) * greatest(strlen(r) - strlen(x), 0)";

/**
 * regexp_replace's result: the text, a replacement at every position (an empty pattern matches at
 * each; once without the 'g' option), and each back-reference (`\0`-`\9`) at most the text again.
 */
const REFS = "len(regexp_extract_all(r, '\\\\[0-9]'))";
const REGEXP_SIZE = (global: string) =>
  `strlen(s) + (CASE WHEN ${global} THEN strlen(s) + 1 ELSE 1 END) * strlen(r) + ${REFS} * strlen(s)`;

/** The shadowing macros, created before any other (macros.ts), with runmd_bytes first. */
export const BOUND_MACROS: string[] = [
  BYTES,
  `CREATE MACRO lpad(s, n, p) AS ${guarded("lpad", "TRY_CAST(n AS DOUBLE) * strlen(p) / greatest(length(p), 1)", "system.main.lpad(s, n, p)")}`,
  `CREATE MACRO rpad(s, n, p) AS ${guarded("rpad", "TRY_CAST(n AS DOUBLE) * strlen(p) / greatest(length(p), 1)", "system.main.rpad(s, n, p)")}`,
  `CREATE MACRO repeat(x, n) AS ${guarded("repeat", "runmd_bytes(x) * TRY_CAST(n AS DOUBLE)", "system.main.repeat(x, n)")}`,
  `CREATE MACRO replace(s, x, r) AS ${guarded("replace", REPLACE_UPPER, "system.main.replace(s, x, r)")}`,
  `CREATE MACRO regexp_replace(s, p, r) AS ${guarded("regexp_replace", REGEXP_SIZE("false"), "system.main.regexp_replace(s, p, r)")}, (s, p, r, o) AS ${guarded("regexp_replace", REGEXP_SIZE("contains(o, 'g')"), "system.main.regexp_replace(s, p, r, o)")}`,
  FORMAT("printf", PRINTF_SPECS, `contains(array_to_string(${PRINTF_SPECS}, ''), '*')`),
  ...["list_resize", "array_resize"].map(
    (fn) =>
      `CREATE MACRO ${fn}(l, n) AS ${guarded(fn, "runmd_bytes(l) + 16 * TRY_CAST(n AS DOUBLE)", `system.main.${fn}(l, n)`)}, (l, n, v) AS ${guarded(fn, "runmd_bytes(l) + (16 + runmd_bytes(v)) * TRY_CAST(n AS DOUBLE)", `system.main.${fn}(l, n, v)`)}`,
  ),
  RANGE("range"),
  RANGE("generate_series"),
];

/** The shadowed names (lower-case), which macros.ts creates for every statement. */
export const BOUNDED_FUNCTIONS: string[] = BOUND_MACROS.map(
  (m) => (/^CREATE MACRO ("[^"]+"|\w+)/.exec(m) as RegExpExecArray)[1] as string,
);
