/**
 * A small static type inference for the expressions whose Trino type the syntax shows (a string
 * literal, `from_iso8601_timestamp(...)`, `date(...)`, `count(*)`, a CAST, a CloudTrail column, a
 * comparison or `IS NULL`...),
 * for the comparisons and concatenations Athena refuses ("Cannot apply operator: timestamp(3) with
 * time zone > varchar(19)", "Unexpected parameters (varchar, integer) for function concat") where
 * DuckDB casts and answers. Anything else has no type here, and nothing is said about it: the
 * rules built on this must never refuse what Athena runs.
 */
import type { ParserRuleContext } from "antlr4ng";
import {
  AndContext,
  ArithmeticBinaryContext,
  ArithmeticUnaryContext,
  AtTimeZoneContext,
  BooleanLiteralContext,
  CastContext,
  ColumnRefContext,
  ColumnReferenceContext,
  ConcatenationContext,
  CurrentDateContext,
  CurrentTimestampContext,
  DereferenceContext,
  ExistsContext,
  ExtractContext,
  FunctionCallContext,
  IntervalLiteralContext,
  LocalTimestampContext,
  LogicalNotContext,
  NumericLiteralContext,
  OrContext,
  ParameterContext,
  ParenthesizedExpressionContext,
  PositionContext,
  PredicatedContext,
  PrimaryExpressionContext,
  type QualifiedNameContext,
  StringLiteralContext,
  SubstringContext,
  TrimContext,
  TypeConstructorContext,
} from "dt-sql-parser/dist/lib/trino/TrinoSqlParser.js";

/**
 * Types that Trino converts into one another implicitly are of one group: numbers among
 * themselves, and date → timestamp → timestamp with time zone. No other group converts into
 * another (text into a time or a number, a number into text).
 */
export type TypeGroup = "varchar" | "number" | "boolean" | "temporal" | "interval";

export interface SqlType {
  group: TypeGroup;
  /** Trino's name: varchar, integer, bigint, decimal, double, boolean, date, timestamp... */
  name: string;
}

const t = (group: TypeGroup, name: string): SqlType => ({ group, name });
const VARCHAR = t("varchar", "varchar");
const BIGINT = t("number", "bigint");
const DOUBLE = t("number", "double");
const BOOLEAN = t("boolean", "boolean");
const DATE = t("temporal", "date");
const TIMESTAMP = t("temporal", "timestamp");
const TIMESTAMP_TZ = t("temporal", "timestamp with time zone");

/** What the inference asks of the query's names and parameters. */
export interface Typing {
  /** The path of a CloudTrail STRING column `ctx` names for sure (resolve.ts `stringColumn`). */
  column(ctx: ParserRuleContext): string | undefined;
  /** Whether the `?` at this offset is a parameter bound as text (a string or a timestamp). */
  textParam(offset: number): boolean;
}

function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}

/** Functions whose result is varchar whatever their arguments. */
const VARCHAR_FUNCTIONS = words(`
  json_extract_scalar lower upper trim ltrim rtrim replace split_part regexp_extract regexp_replace
  to_iso8601 format_datetime date_format translate concat_ws array_join json_format format chr
  to_hex to_base64 human_readable_seconds typeof word_stem soundex url_encode url_decode
  url_extract_host url_extract_path url_extract_protocol url_extract_query url_extract_fragment
  url_extract_parameter
`);
/** Functions whose result is varchar when their first argument is (else varbinary, arrays...). */
const VARCHAR_OF_FIRST = words("substr substring reverse lpad rpad");
const BIGINT_FUNCTIONS = words(`
  count count_if length date_diff cardinality strpos year month day hour minute second
  millisecond day_of_week dow day_of_month day_of_year doy week week_of_year quarter year_of_week
  yow approx_distinct json_array_length json_size levenshtein_distance hamming_distance
  row_number rank dense_rank ntile regexp_count codepoint
`);
const DOUBLE_FUNCTIONS = words("to_unixtime percent_rank cume_dist");
const BOOLEAN_FUNCTIONS = words("regexp_like starts_with ends_with is_json_scalar");
const TIMESTAMP_TZ_FUNCTIONS = words(`
  from_iso8601_timestamp from_iso8601_timestamp_nanos now from_unixtime from_unixtime_nanos
  parse_datetime with_timezone
`);
const DATE_FUNCTIONS = words("date from_iso8601_date last_day_of_month");
/** Functions whose result has the type of their argument (of any type). */
const SAME_AS_ARGUMENT = words("min max arbitrary any_value");
/** Functions whose result is a number when their argument is. */
const NUMBER_OF_NUMBER = words("abs round floor ceil ceiling truncate sum sign");

/** The type a CAST or a typed literal names (`varchar(10)`, `decimal(10,2)`, `timestamp(3)`). */
export function typeNamed(written: string): SqlType | undefined {
  const name = written.toLowerCase().replace(/\s+/g, " ").trim();
  const base = name.replace(/\s*\(.*?\)/g, "");
  if (base === "varchar") return VARCHAR;
  if (["bigint", "integer", "int", "smallint", "tinyint"].includes(base)) return t("number", base);
  if (["double", "double precision", "real", "decimal"].includes(base)) return t("number", base);
  if (base === "boolean") return BOOLEAN;
  if (base === "date") return DATE;
  if (base === "timestamp" || base === "timestamp without time zone") return TIMESTAMP;
  if (base === "timestamp with time zone") return TIMESTAMP_TZ;
  return undefined;
}

/** A string literal's value: its text less the quotes, `''` read as one quote. */
export function unquote(literal: string): string {
  return literal.slice(1, -1).replaceAll("''", "'");
}

/**
 * The JSON path of keys read one inside another (`$.assumedRoleUser.arn`): a key Trino's path
 * tokenizer does not take after a dot (letters, digits, `_`, `:`) is written `["key"]`.
 */
export function jsonPathOf(keys: readonly string[]): string {
  const step = (k: string) =>
    /^[A-Za-z_][A-Za-z0-9_:]*$/.test(k) ? `.${k}` : `["${k.replaceAll('"', '\\"')}"]`;
  return `$${keys.map(step).join("")}`;
}

/** Down through one-child wrappers (expression, predicate, value) and parentheses. */
export function unwrap(ctx: ParserRuleContext): ParserRuleContext {
  let at = ctx;
  for (;;) {
    if (at instanceof ParenthesizedExpressionContext) at = at.expression();
    else if (at instanceof PrimaryExpressionContext) return at;
    else if (at.children?.length === 1 && "children" in (at.children[0] as ParserRuleContext)) {
      at = at.children[0] as ParserRuleContext;
    } else return at;
  }
}

/** A call's function name, lower-cased, when it is one unqualified name (`count`, not `a.b`). */
export function functionName(call: FunctionCallContext): string | undefined {
  const parts = call.functionName().qualifiedName()?.identifier() ?? [];
  return parts.length === 1 ? parts[0]!.getText().toLowerCase() : undefined;
}

/** A type's or parameter's name after its article: `an integer`, `a varchar`. */
export function article(name: string): string {
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** Where `ctx` starts, past wrappers and parentheses: a problem's 1-based line and column. */
export function at(ctx: ParserRuleContext): { line: number; column: number } {
  const start = unwrap(ctx).start!;
  return { line: start.line, column: start.column + 1 };
}

/**
 * The name a column reference is (`t.a`, a select list's bare column too), through parentheses;
 * undefined for anything else.
 */
export function referenceName(ctx: ParserRuleContext): QualifiedNameContext | undefined {
  const ref = ctx instanceof ColumnRefContext ? ctx : unwrap(ctx);
  if (ref instanceof ColumnRefContext) return ref.qualifiedName() ?? undefined;
  if (ref instanceof ColumnReferenceContext) return ref.columnName().qualifiedName() ?? undefined;
  return undefined;
}

/** The Trino type of `ctx`, when its syntax shows it for sure; else undefined. */
export function typeOf(ctx: ParserRuleContext, typing: Typing): SqlType | undefined {
  // A select list's bare column (`SELECT eventname`).
  if (ctx instanceof ColumnRefContext)
    return typing.column(ctx) !== undefined ? VARCHAR : undefined;
  const at = unwrap(ctx);
  if (at instanceof StringLiteralContext) return VARCHAR;
  if (at instanceof BooleanLiteralContext || isBooleanExpression(at)) return BOOLEAN;
  if (at instanceof NumericLiteralContext) {
    const text = at.getText();
    return /^-?\d+$/.test(text)
      ? t("number", "integer")
      : /e/i.test(text)
        ? DOUBLE
        : t("number", "decimal");
  }
  if (at instanceof TypeConstructorContext) {
    const id = at.identifier();
    return id === null ? DOUBLE : typeNamed(id.getText());
  }
  if (at instanceof IntervalLiteralContext) return t("interval", "interval");
  if (at instanceof CurrentDateContext) return DATE;
  if (at instanceof CurrentTimestampContext) return TIMESTAMP_TZ;
  if (at instanceof LocalTimestampContext) return TIMESTAMP;
  if (at instanceof CastContext) return typeNamed(at.type().getText());
  if (at instanceof ParameterContext) {
    return typing.textParam(at.start!.start) ? VARCHAR : undefined;
  }
  if (at instanceof ColumnReferenceContext || at instanceof DereferenceContext) {
    return typing.column(at) !== undefined ? VARCHAR : undefined;
  }
  if (at instanceof ConcatenationContext) {
    const [l, r] = [at._left, at._right].map((x) => (x ? typeOf(x, typing) : undefined));
    return l?.group === "varchar" && r?.group === "varchar" ? VARCHAR : undefined;
  }
  if (at instanceof ArithmeticBinaryContext) {
    const [l, r] = [at._left, at._right].map((x) => (x ? typeOf(x, typing) : undefined));
    if (l?.group === "number" && r?.group === "number") {
      return [l.name, r.name].some((n) => n !== "integer" && n !== "bigint") ? DOUBLE : BIGINT;
    }
    const op = at._operator?.text;
    if (op !== "+" && op !== "-") return undefined;
    if (l?.group === "temporal" && r?.group === "interval") return l;
    if (op === "+" && l?.group === "interval" && r?.group === "temporal") return r;
    return undefined;
  }
  if (at instanceof ArithmeticUnaryContext) {
    const inner = typeOf(at.valueExpression(), typing);
    return inner?.group === "number" ? inner : undefined;
  }
  if (at instanceof AtTimeZoneContext) {
    return typeOf(at.valueExpression(), typing)?.group === "temporal" ? TIMESTAMP_TZ : undefined;
  }
  if (at instanceof SubstringContext) {
    const first = at.valueExpression(0);
    return first && typeOf(first, typing)?.group === "varchar" ? VARCHAR : undefined;
  }
  if (at instanceof TrimContext) return VARCHAR;
  if (at instanceof ExtractContext || at instanceof PositionContext) return BIGINT;
  if (at instanceof FunctionCallContext) return callType(at, typing);
  return undefined;
}

/** A comparison, IS NULL, LIKE, IN, BETWEEN..., EXISTS, NOT, AND, OR: a boolean in Trino. */
function isBooleanExpression(ctx: ParserRuleContext): boolean {
  if (ctx instanceof PredicatedContext) return ctx.predicate() !== null;
  return (
    ctx instanceof LogicalNotContext ||
    ctx instanceof AndContext ||
    ctx instanceof OrContext ||
    ctx instanceof ExistsContext
  );
}

function callType(call: FunctionCallContext, typing: Typing): SqlType | undefined {
  const name = functionName(call);
  if (name === undefined) return undefined;
  const args = call.expression();
  const arg = (i: number) => {
    const a = args[i];
    return a ? typeOf(a, typing) : undefined;
  };
  if (VARCHAR_FUNCTIONS.has(name)) return VARCHAR;
  if (VARCHAR_OF_FIRST.has(name)) return arg(0)?.group === "varchar" ? VARCHAR : undefined;
  if (name === "concat") {
    return args.length > 0 && args.every((_, i) => arg(i)?.group === "varchar")
      ? VARCHAR
      : undefined;
  }
  if (BIGINT_FUNCTIONS.has(name)) return BIGINT;
  if (DOUBLE_FUNCTIONS.has(name)) return DOUBLE;
  if (BOOLEAN_FUNCTIONS.has(name)) return BOOLEAN;
  if (TIMESTAMP_TZ_FUNCTIONS.has(name)) return TIMESTAMP_TZ;
  if (name === "date_parse") return TIMESTAMP;
  if (DATE_FUNCTIONS.has(name)) return DATE;
  if (name === "date_trunc" || name === "date_add") {
    // date_trunc(unit, x) and date_add(unit, n, x) have x's type (a time stays a time).
    const x = arg(name === "date_trunc" ? 1 : 2);
    return x?.group === "temporal" ? x : undefined;
  }
  if (SAME_AS_ARGUMENT.has(name) && args.length === 1) return arg(0);
  if (NUMBER_OF_NUMBER.has(name)) {
    const x = arg(0);
    return x?.group === "number" ? x : undefined;
  }
  return undefined;
}

/** Whether Trino refuses to compare values of these types (it converts neither into the other). */
export function incomparable(a: SqlType, b: SqlType): boolean {
  const scalar = (g: TypeGroup) => g !== "interval";
  return scalar(a.group) && scalar(b.group) && a.group !== b.group;
}
