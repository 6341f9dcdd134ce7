/**
 * One value's size bound. DuckDB's memoryLimit does not count the buffer a scalar function builds
 * one value in, and an interrupt waits for the call running: `lpad('', 1000000000, 'a')` took 60 s
 * and 6 GB under a 200 MB limit (red-team). So each call a step's author wrote of a DuckDB function
 * that can make a value much larger than its inputs is renamed to a guard macro of its own
 * (`lpad` → `runmd_guard_lpad`, guard-growth.ts, the last pass of rewriteAthena, which Athena SQL,
 * dialect=duckdb and Logs Insights steps all go through): it estimates the result's size and
 * refuses (`value-too-large`, through trino_refuse, which try() cannot hide) before the function
 * runs. DuckDB's functions keep their names: the engine's own macros call them directly (a guard
 * shadowing them by name changed their answers), and the Trino macros that pass a size the step
 * chose to one of them (trino_lpad, trino_replace, trino_regexp_replace) call the guard instead.
 * The sandbox refuses a guarded name left in the statement (a qualified `system.main.lpad`).
 *
 * A guard changes no answer: its size is computed from every argument in the function's own
 * order, each cast as the call casts it (no TRY_CAST), so an argument's error comes first as
 * before and a NULL argument (a NULL result) is never refused. Concatenation (`||`, concat,
 * list_concat) is not guarded: its result is the sum of its arguments (docs/engines.md).
 */

/** The largest value, in bytes (Trino's own limit on repeat's result; see docs/engines.md). */
export const VALUE_BOUND = 1_000_000;

/** The message prefix engine.ts maps to the `value-too-large` error. */
export const TOO_LARGE = "VALUE_TOO_LARGE";

/** The guards' names: `runmd_guard_<function>` (macros.ts creates them as statements need them). */
export const GUARD_PREFIX = "runmd_guard_";

/** The refusal; `anchor` (an argument) keeps it from being evaluated once for the whole query. */
const refuse = (fn: string, anchor: string) =>
  `trino_refuse('${TOO_LARGE}: ${fn} would build a value of more than ${VALUE_BOUND} bytes (the local engine''s bound on one value)', ${anchor})`;

/**
 * `call` unless `size` exceeds the bound. `exact`, when given, is a closer size computed only for
 * the rows whose `size` (an upper bound) exceeds it: a replacement is refused by its matches.
 */
export const guarded = (fn: string, size: string, call: string, anchor: string, exact?: string) =>
  `CASE WHEN coalesce(${size}, 0) <= ${VALUE_BOUND} THEN ${call} ${
    exact === undefined ? "" : `WHEN coalesce(${exact}, 0) <= ${VALUE_BOUND} THEN ${call} `
  }ELSE ${refuse(fn, anchor)} END`;

/** A text's bytes, the argument cast to VARCHAR as the function casts it (NULL stays NULL). */
const LEN = `CREATE MACRO ${GUARD_PREFIX}len(x) AS strlen(CAST(x AS VARCHAR))`;
const len = (x: string) => `${GUARD_PREFIX}len(${x})`;

/** The sum of the numbers (widths, precisions, argument indexes) in printf's specifiers. */
const DIGITS = `coalesce(list_sum(list_transform(regexp_extract_all(array_to_string(regexp_extract_all(${GUARD_PREFIX}printf_f(f), '%[^a-zA-Z%]*'), ' '), '[0-9]+'), lambda d: CAST(d AS DOUBLE))), 0)`;

/**
 * printf with 0 to 15 arguments: the pattern, its widths and precisions, and the arguments' text;
 * a width taken from an argument (`%*d`) counts as past the bound. Trino's format() becomes printf
 * (trino-format.ts), so it is guarded too.
 */
const PRINTF = `CREATE MACRO ${GUARD_PREFIX}printf${Array.from({ length: 16 }, (_, n) => {
  const params = ["f", ...Array.from({ length: n }, (_v, i) => `a${i}`)];
  const star = `CASE WHEN contains(${GUARD_PREFIX}printf_f(f), '*') THEN ${VALUE_BOUND + 1} ELSE 0 END`;
  const size = [len("f"), ...params.slice(1).map(len), star, DIGITS].join(" + ");
  return `(${params.join(", ")}) AS ${guarded("printf", size, `printf(${params.join(", ")})`, "f")}`;
}).join(", ")}`;

/** printf's pattern without `%%`. */
const PRINTF_F = `CREATE MACRO ${GUARD_PREFIX}printf_f(f) AS replace(CAST(f AS VARCHAR), '%%', '')`;

/** lpad/rpad: n characters, each as many bytes as the padding's on average. */
const PAD = (fn: string) =>
  `CREATE MACRO ${GUARD_PREFIX}${fn}(s, n, p) AS ${guarded(
    fn,
    `${len("s")} * 0 + CAST(CAST(n AS INTEGER) AS DOUBLE) * ${len("p")} / greatest(length(CAST(p AS VARCHAR)), 1)`,
    `${fn}(s, n, p)`,
    "s",
  )}`;

/** replace: an upper bound (one match per length of x), then the matches counted. */
const REPLACE = `CREATE MACRO ${GUARD_PREFIX}replace(s, x, r) AS ${guarded(
  "replace",
  `${len("s")} + (${len("s")} // greatest(${len("x")}, 1)) * greatest(${len("r")} - ${len("x")}, 0)`,
  "replace(s, x, r)",
  "s",
  `${len("s")} + ((${len("s")} - strlen(replace(CAST(s AS VARCHAR), CAST(x AS VARCHAR), ''))) // greatest(${len("x")}, 1)) * (${len("r")} - ${len("x")})`,
)}`;

/**
 * regexp_replace: the text, a replacement at every position (an empty pattern matches at each;
 * once without the 'g' option) and each back-reference (`\0`-`\9`) at most the text again; then
 * with the matches counted and measured by regexp_replace itself (one and two characters for
 * each, and none), each back-reference at most the matched text. DuckDB wants the options as a
 * constant where a macro is created, so a call with options keeps its function and has its
 * replacement guarded (`runmd_guard_regexp_r`, guardGrowth); options other than 'g' are counted
 * by the first bound only.
 */
const REFS = `len(regexp_extract_all(CAST(r AS VARCHAR), '\\\\[0-9]'))`;
const REGEXP_UPPER = (global: string) =>
  `${len("s")} + ${len("p")} * 0 + (CASE WHEN ${global} THEN ${len("s")} + 1 ELSE 1 END) * ${len("r")} + ${REFS} * ${len("s")}`;
const REGEXP_EXACT = (o: string) => {
  const swap = (r: string) => `strlen(regexp_replace(s, p, ${r}${o}))`;
  return `${swap("''")} + (${swap("'xx'")} - ${swap("'x'")}) * ${len("r")} + ${REFS} * (${len("s")} - ${swap("''")})`;
};
const REGEXP = `CREATE MACRO ${GUARD_PREFIX}regexp_replace(s, p, r) AS ${guarded("regexp_replace", REGEXP_UPPER("false"), "regexp_replace(s, p, r)", "s", REGEXP_EXACT(""))}`;
const GLOBAL = "contains(CAST(o AS VARCHAR), 'g')";
const REGEXP_R = `CREATE MACRO ${GUARD_PREFIX}regexp_r(s, p, r, o) AS CASE WHEN coalesce(${REGEXP_UPPER(GLOBAL)}, 0) <= ${VALUE_BOUND} THEN r WHEN CAST(o AS VARCHAR) = 'g' AND coalesce(${REGEXP_EXACT(", 'g'")}, 0) <= ${VALUE_BOUND} THEN r WHEN CAST(o AS VARCHAR) = '' AND coalesce(${REGEXP_EXACT("")}, 0) <= ${VALUE_BOUND} THEN r ELSE ${refuse("regexp_replace", "s")} END`;

/** Elements of range/generate_series as a list, 16 bytes each: numbers, or timestamps by a step. */
const RANGE = (fn: string) => {
  const n = (x: string) => `CAST(CAST(${x} AS BIGINT) AS DOUBLE)`;
  const span = `abs(epoch(b) - epoch(a)) / greatest(abs(epoch(s)), 1e-6)`;
  const g = (params: string, size: string) =>
    `(${params}) AS ${guarded(fn, `16 * ${size}`, `${fn}(${params.replace(/ (TIMESTAMPTZ|TIMESTAMP|INTERVAL)/g, "")})`, params[0] as string)}`;
  return `CREATE MACRO ${GUARD_PREFIX}${fn}${[
    g("b", n("b")),
    g("a TIMESTAMP, b TIMESTAMP, s INTERVAL", span),
    g("a TIMESTAMPTZ, b TIMESTAMPTZ, s INTERVAL", span),
    g("a, b", `abs(${n("b")} - ${n("a")})`),
    g("a, b, s", `abs(${n("b")} - ${n("a")}) / greatest(abs(${n("s")}), 1)`),
  ].join(", ")}`;
};

/** list_resize/array_resize: the list and n elements (and n copies of the filler). */
const RESIZE = (fn: string) =>
  `CREATE MACRO ${GUARD_PREFIX}${fn}(l, n) AS ${guarded(fn, `16 * (len(l) + CAST(CAST(n AS BIGINT) AS DOUBLE))`, `${fn}(l, n)`, "l")}, (l, n, v) AS ${guarded(fn, `16 * len(l) + CAST(CAST(n AS BIGINT) AS DOUBLE) * (16 + coalesce(${len("v")}, 0))`, `${fn}(l, n, v)`, "l")}`;

/**
 * Edit distances: their work grows with the product of their texts' lengths, and an interrupt
 * waits for the call running (levenshtein of two texts of 250,000 characters outlived a 2 s step
 * timeout by two minutes, red-team). Refused past Trino's own bound on levenshtein_distance: the
 * longer text's bytes times the shorter's less one at most 1,000,000 (about 3 ms a call).
 */
export const WORK_BOUND = 1_000_000;
const EDIT = (fn: string) => {
  const [a, b] = [len("a"), len("b")];
  const work = `CASE WHEN ${a} >= ${b} THEN ${a} * (${b} - 1) ELSE ${b} * (${a} - 1) END`;
  return `CREATE MACRO ${GUARD_PREFIX}${fn}(a, b) AS CASE WHEN coalesce(${work}, 0) <= ${WORK_BOUND} THEN ${fn}(a, b) ELSE trino_refuse('${TOO_LARGE}: ${fn} would compare texts of ' || ${a} || ' and ' || ${b} || ' bytes, more than ${WORK_BOUND} pairs of characters (the local engine''s bound on one call, Trino''s on levenshtein_distance)', a) END`;
};

/** The guards, helpers first. */
export const BOUND_MACROS: string[] = [
  LEN,
  PRINTF_F,
  PAD("lpad"),
  PAD("rpad"),
  `CREATE MACRO ${GUARD_PREFIX}repeat(x, n) AS ${guarded("repeat", `${len("x")} * CAST(CAST(n AS BIGINT) AS DOUBLE)`, "repeat(x, n)", "x")}`,
  REPLACE,
  REGEXP,
  REGEXP_R,
  PRINTF,
  RESIZE("list_resize"),
  RESIZE("array_resize"),
  RANGE("range"),
  RANGE("generate_series"),
  EDIT("levenshtein"),
  EDIT("damerau_levenshtein"),
  EDIT("editdist3"),
];

/** The functions guarded (lower-case): a step's call of one becomes `runmd_guard_<name>`. */
export const BOUNDED_FUNCTIONS: ReadonlySet<string> = new Set(
  BOUND_MACROS.map((m) => (/^CREATE MACRO (\w+)/.exec(m) as RegExpExecArray)[1] as string)
    .filter((n) => !["len", "printf_f", "regexp_r"].includes(n.slice(GUARD_PREFIX.length)))
    .map((n) => n.slice(GUARD_PREFIX.length)),
);
