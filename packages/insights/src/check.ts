/**
 * What a Logs Insights query that parses can still get wrong, found before it runs (`run-md check`,
 * and every engine before it reads or sends anything):
 *
 * - `insights-field`: a field a CloudTrail record does not have (`eventNmae`, `eventname`,
 *   `useridentity.username`). Logs Insights reads a missing field as absent, so the query runs and
 *   matches nothing, and `rows == 0` passes. Field names are case-sensitive; the record's fixed
 *   structures are checked below the top level (core's `checkRecordPath`), payloads are not.
 *   Names the query defines itself (`parse ... as x`, `stats`/`fields ... as x`) and `@` fields
 *   are not CloudTrail's.
 * - `insights-param`: a parameter where its type does not fit: a boolean one as a condition
 *   (Logs Insights has no boolean literal: it gets 1 or 0, a value), and `limit {{n}}` with a
 *   parameter that is not a number (or, when the value is known, not a positive whole number);
 *   at run time, a string value holding a carriage return (`carriageReturn`), and a value of a
 *   `like {{name}}` pattern that is no regular expression literal (`regexValueProblem`).
 */
import {
  checkRecordPath,
  insightsRegexLiteral,
  RECORD_FIELDS,
  RECORD_FIELDS_BEYOND_DDL,
  type RecordField,
  insightsRegexValueProblem,
  type ParamType,
  type ParamValue,
} from "@run-md/core";
import type { Command, Expr, InsightsQuery, PeriodUnit } from "./ast.ts";
import { InsightsSyntaxError, positionAt } from "./errors.ts";
import { tokenize } from "./lexer.ts";
import { parseInsights } from "./parser.ts";
import { regexProblem } from "./regex.ts";

export interface InsightsProblem {
  rule: "insights-field" | "insights-param" | "insights-invalid";
  /**
   * An error refuses the step everywhere; a warning is `check`'s only: a field near no CloudTrail
   * field may be one CloudTrail added since (it adds keys: `eventContext`), not a typo.
   */
  severity: "error" | "warning";
  message: string;
  /** 0-based offset and length in the query; `line` and `column` 1-based. */
  offset: number;
  length: number;
  line: number;
  column: number;
}

export interface InsightsCheckOptions {
  /** The declared types of the query's parameters, by name. */
  types?: Readonly<Record<string, ParamType | undefined>>;
  /** Their values, when known (at run time): a `limit {{n}}` count is checked too. */
  values?: Readonly<Record<string, ParamValue>>;
}

/** The problems of a query that parses (a syntax error is thrown, as by `parseInsights`). */
export function checkInsights(
  query: string | InsightsQuery,
  opts: InsightsCheckOptions = {},
): InsightsProblem[] {
  const ast = typeof query === "string" ? parseInsights(query) : query;
  const out: InsightsProblem[] = [];
  const add = (
    rule: InsightsProblem["rule"],
    node: { start: number; end: number },
    message: string,
    severity: InsightsProblem["severity"] = "error",
  ) => {
    const { line, column } = positionAt(ast.source, node.start);
    out.push({
      rule,
      severity,
      message,
      offset: node.start,
      length: Math.max(1, node.end - node.start),
      line,
      column,
    });
  };
  const types = opts.types ?? {};
  const typeOf = (name: string) => (Object.hasOwn(types, name) ? types[name] : undefined);

  for (const [e, message, severity] of fieldProblems(ast.commands))
    add("insights-field", e, message, severity);

  for (const e of conditions(ast.commands)) {
    if (e.kind === "param" && typeOf(e.name) === "boolean") {
      add(
        "insights-param",
        e,
        `{{${e.name}}} is a boolean parameter, which Logs Insights gets as 1 or 0, a value and not a condition: write {{${e.name}}} = 1`,
      );
    }
  }

  const values = opts.values ?? {};
  for (const e of paramRefs(ast.commands)) {
    const v = Object.hasOwn(values, e.name) ? values[e.name] : undefined;
    if (typeof v === "string" && v.includes("\r")) add("insights-param", e, carriageReturn(e.name));
  }
  for (const e of regexParamRefs(ast.commands)) {
    const v = Object.hasOwn(values, e.name) ? values[e.name] : undefined;
    const problem = v === undefined ? undefined : regexValueProblem(String(v));
    if (problem !== undefined && !String(v).includes("\r"))
      add(
        "insights-param",
        e,
        `{{${e.name}}} is a regular expression here and its value ${problem}`,
      );
  }

  for (const site of countSites(ast.commands)) {
    const problem = countProblem(site, typeOf, values);
    if (problem !== undefined) add(problem[0], site.node, problem[1]);
  }
  for (const [node, message] of statsProblems(ast.commands)) add("insights-invalid", node, message);
  for (const e of readableTimeComparisons(ast.commands, typeOf)) {
    add(
      "insights-invalid",
      e,
      `CloudWatch Logs does not filter by a time written as text ("Currently, CloudWatch Logs Insights doesn't support filtering logs with human readable timestamps"): compare toMillis(${e.left.text}) with a number of milliseconds (a number parameter) instead`,
    );
  }
  return out.sort((a, b) => a.offset - b.offset);
}

type FieldRef = ReturnType<typeof fieldRefs>[number];

/** The fields Logs Insights makes for every event of a log group (its names start with "@"). */
const SERVICE_FIELDS = new Set([
  "@timestamp",
  "@message",
  "@logStream",
  "@log",
  "@ptr",
  "@ingestionTime",
]);

/**
 * Families of fields the service makes for some log groups (`@entity.KeyAttributes.Type`,
 * `@aws.tag.<key>`, AWS's discovered-fields page): not refused.
 */
const SERVICE_FIELD_PREFIXES = ["@entity.", "@aws."];

/** A name with one "@" that the service does not make: an error, or undefined. */
function serviceFieldProblem(name: string): string | undefined {
  if (!name.startsWith("@") || name.startsWith("@@") || SERVICE_FIELDS.has(name)) return;
  if (SERVICE_FIELD_PREFIXES.some((p) => name.startsWith(p))) return;
  return `Logs Insights makes no field "${name}" (it makes ${[...SERVICE_FIELDS].join(", ")}); a key "${name}" of the event is the field "@${name}"`;
}

/**
 * The fields a CloudTrail record cannot have: an error where CloudTrail spells a field close to
 * it (a typo, another case), a warning where none is (a key CloudTrail added since, perhaps).
 */
function fieldProblems(commands: Command[]): [FieldRef, string, InsightsProblem["severity"]][] {
  const defined = definedNames(commands);
  const anomaly = commands.find((c) => c.kind === "anomaly");
  const unnested = new Set<Expr>(commands.flatMap((c) => (c.kind === "unnest" ? [c.field] : [])));
  const out: [FieldRef, string, InsightsProblem["severity"]][] = [];
  for (const e of fieldRefs(commands)) {
    if (defined.has(e.name) || defined.has(e.name.split(".")[0]!)) continue;
    // After `anomaly`, whose page says it "adds anomaly detection results" to the fields without
    // naming them (CWL_QuerySyntax-Anomaly, "Anomaly Command Output"), an "@" name may be one.
    const afterAnomaly = anomaly !== undefined && e.start > anomaly.start;
    const service = afterAnomaly ? undefined : serviceFieldProblem(e.name);
    if (service) out.push([e, service, "error"]);
    if (e.name.startsWith("@")) continue;
    const problem = checkRecordPath(e.name.split("."));
    if (problem === undefined) {
      // unnest's field is a list by its page; whether the service reads a record's list as one
      // is not said (docs/engines.md), so `unnest resources` is left to the service.
      const container = unnested.has(e) ? undefined : recordContainer(e.name);
      if (container !== undefined) out.push([e, container, "error"]);
      continue;
    }
    const { suggestion } = problem;
    if (suggestion === undefined) {
      out.push([
        e,
        `"${e.name}" is not a CloudTrail field run-md knows: a record without it matches as if the field were absent`,
        "warning",
      ]);
      continue;
    }
    const hint =
      suggestion.toLowerCase() === e.name.toLowerCase()
        ? ` (did you mean "${suggestion}"? field names are case-sensitive)`
        : ` (did you mean "${suggestion}"?)`;
    out.push([e, `CloudTrail records have no field "${e.name}"${hint}`, "error"]);
  }
  return out;
}

/**
 * Why a name of one of the record's fixed objects or lists (`userIdentity`, `resources`,
 * `resources.0`, `userIdentity.sessionContext`) is no field, or undefined: the service flattens
 * them into fields of their values ("nested JSON fields using the dot notation", JSON arrays "into
 * a list of field names and values": CWL_AnalyzeLogData-discoverable-fields), so the name is
 * absent from every event and `rows == 0` would pass. Payloads (`requestParameters`) are not
 * refused: CloudTrail writes some as text, a value.
 */
function recordContainer(name: string): string | undefined {
  let fields: readonly RecordField[] | undefined = RECORD_FIELDS;
  let path = "";
  let kind: RecordField["kind"] | "element" | undefined;
  for (const seg of name.split(".")) {
    if (kind === "struct-array") {
      kind = "element";
      continue;
    }
    const known: readonly RecordField[] = [
      ...(fields ?? []),
      ...(RECORD_FIELDS_BEYOND_DDL[path] ?? []),
    ];
    const field = known.find((f) => f.name === seg);
    if (field === undefined) return undefined;
    path = path === "" ? field.name : `${path}.${field.name}`;
    kind = field.kind;
    fields = field.kind === "struct" || field.kind === "struct-array" ? field.fields : undefined;
  }
  if (kind !== "struct" && kind !== "struct-array" && kind !== "element") return undefined;
  const what = kind === "struct-array" ? "a list" : "an object";
  const example =
    kind === "struct-array" ? `${name}.0.${fields?.[0]?.name}` : `${name}.${fields?.[0]?.name}`;
  return `"${name}" is ${what} in CloudTrail records, and Logs Insights makes fields of its values only (${example}, ...): no event has a field "${name}"`;
}

const ASSERT_HINTS: Record<InsightsProblem["rule"], string> = {
  "insights-field":
    "Write the field as CloudTrail spells it (field names are case-sensitive); `run-md check` lists every such field with its place in the runbook.",
  "insights-param": "`run-md check` lists every such parameter with its place in the runbook.",
  "insights-invalid":
    "CloudWatch Logs would refuse the query or run it otherwise than written; `run-md check` lists every such place in the runbook.",
};

/**
 * For the engines: refuses a query with a problem, before anything is read or sent, with the
 * first problem's rule as the error code and its position.
 */
export function assertInsights(
  query: string | InsightsQuery,
  opts: InsightsCheckOptions = {},
): void {
  const ast = typeof query === "string" ? parseInsights(query) : query;
  const problems = checkInsights(ast, opts).filter((p) => p.severity === "error");
  const first = problems[0];
  if (first === undefined) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : "";
  throw new InsightsSyntaxError(ast.source, first.offset, first.length, `${first.message}${more}`, {
    code: first.rule,
    hint: ASSERT_HINTS[first.rule],
  });
}

/** The children of an expression. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "call":
      return e.args;
    case "not":
    case "neg":
      return [e.operand];
    case "binary":
      return [e.left, e.right];
    case "like":
      return [e.operand, e.pattern];
    case "in":
      return [e.operand, ...e.values];
    default:
      return [];
  }
}

/** The expressions of a command, at their top. */
export function commandExprs(c: Command): Expr[] {
  switch (c.kind) {
    case "fields":
    case "display":
      return c.items.map((i) => i.expr);
    case "filter":
      return [c.expr];
    case "stats":
      return [...c.items, ...c.by].map((i) => i.expr).concat(c.offset ?? []);
    case "sort":
      return c.keys.map((k) => k.expr);
    case "dedup":
    case "unmask":
      return c.fields;
    case "parse":
      return [c.source];
    case "limit":
    case "anomaly":
    case "diff":
    case "filldown":
      return [];
    case "unnest":
    case "accum":
      return [c.field];
    case "pattern":
      return [c.source];
    case "fillmissing":
      return c.fills.flatMap((f) => [f.value, f.field]);
  }
}

/**
 * The most rows `limit` may ask for: "You can specify a limit value of up to 100,000" (CloudWatch
 * Logs' page on `limit`; without one the service returns up to 10,000).
 */
export const LIMIT_MAX = 100_000;

/**
 * The largest count of each unit a period may have: "CloudWatch Logs caps your request according
 * to the time unit that you choose ... if you specify bin(300s), CloudWatch Logs actually
 * implements this as 60 seconds" (its datetime functions' page). A larger count is refused, so no
 * engine bins by a period other than the one written.
 */
export const PERIOD_CAPS: Partial<Record<PeriodUnit, number>> = { ms: 1000, s: 60, m: 60, h: 24 };

/** The next unit up, and how many of a unit make one of it, for the refusal's suggestion. */
const UNIT_UP: Partial<Record<PeriodUnit, [PeriodUnit, number]>> = {
  ms: ["s", 1000],
  s: ["m", 60],
  m: ["h", 60],
  h: ["d", 24],
};

/** A count the query gives: a literal one (`limit 5`, `5m`) or a parameter's (`{{n}}m`). */
interface CountSite {
  node: { start: number; end: number };
  what: string;
  /** The count when the query writes it. */
  literal?: number;
  param?: string;
  max?: number;
  /** The period's unit, for a suggestion past its cap. */
  unit?: PeriodUnit;
}

/** Every count of the query: `limit`'s, and a time period's. */
function countSites(commands: readonly Command[]): CountSite[] {
  const out: CountSite[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "period") {
      out.push({
        node: e,
        what: `the period ${e.text} takes`,
        ...(e.param === undefined ? { literal: e.amount } : { param: e.param }),
        ...(PERIOD_CAPS[e.unit] === undefined ? {} : { max: PERIOD_CAPS[e.unit] }),
        unit: e.unit,
      });
    }
    for (const c of children(e)) visit(c);
  };
  for (const c of commands) {
    if (c.kind === "limit") {
      const count = c.count;
      out.push({
        node: typeof count === "number" ? c : count,
        what: `${c.from} takes`,
        ...(typeof count === "number" ? { literal: count } : { param: count.name }),
        max: LIMIT_MAX,
      });
    }
    for (const e of commandExprs(c)) visit(e);
  }
  return out;
}

/** What is wrong with a count (a parameter's once its value is known), or undefined. */
function countProblem(
  site: CountSite,
  typeOf: (name: string) => ParamType | undefined,
  values: Readonly<Record<string, ParamValue>>,
): [InsightsProblem["rule"], string] | undefined {
  const { param, what } = site;
  let n = site.literal;
  if (param !== undefined) {
    const type = typeOf(param);
    if (type !== undefined && type !== "integer" && type !== "number") {
      const a = /^[aeiou]/.test(type) ? "an" : "a";
      return [
        "insights-param",
        `${what} a whole number: {{${param}}} is ${a} ${type} parameter (declare it type: integer)`,
      ];
    }
    if (!Object.hasOwn(values, param)) return;
    const v = values[param];
    n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < 1) {
      return ["insights-param", `${what} a positive whole number: {{${param}}} is ${String(v)}`];
    }
  }
  if (n === undefined || site.max === undefined || n <= site.max) return;
  const given = param === undefined ? "" : ` ({{${param}}} is ${n})`;
  if (site.unit === undefined) {
    return ["insights-invalid", `${what} at most ${site.max} rows in Logs Insights${given}`];
  }
  const { max, unit } = site;
  return [
    "insights-invalid",
    `${what} at most ${max}${unit}${given}: CloudWatch Logs caps a period in ${unit} at ${max} and would use ${max}${unit} instead${unitUp(n, unit)}`,
  ];
}

/** `; write 5m` for 300s, when the period is a whole count of the next unit up. */
function unitUp(n: number, unit: PeriodUnit): string {
  const up = UNIT_UP[unit];
  if (up === undefined) return "";
  const [bigger, per] = up;
  return n % per === 0 ? `; write ${n / per}${bigger}` : `; write it in ${bigger}`;
}

/**
 * The rules CloudWatch Logs sets for a second `stats` (its page on `stats`, "Notes and
 * limitations"): two at most; `sort` and `limit` only after the second; and after the first, a
 * field is one the first defined (its groups and aggregates) or a later command did. The local
 * engine would otherwise answer what the service refuses (a missing name is no value there).
 */
function statsProblems(commands: readonly Command[]): [{ start: number; end: number }, string][] {
  const out: [{ start: number; end: number }, string][] = [];
  const stats = commands.filter((c) => c.kind === "stats");
  if (stats.length > 2) {
    out.push([stats[2]!, "a Logs Insights query has at most two stats commands"]);
  }
  const second = stats[1];
  if (second !== undefined) {
    for (const c of commands.slice(0, commands.indexOf(second))) {
      if (c.kind === "sort" || c.kind === "limit") {
        out.push([
          c,
          `${c.kind === "sort" ? "sort" : c.from} must come after the second stats command, not before it`,
        ]);
      }
    }
  }
  const first = stats[0];
  if (first === undefined) return out;
  const defined = new Set<string>();
  for (const c of commands.slice(commands.indexOf(first))) {
    for (const f of c === first ? [] : commandExprs(c).flatMap(fieldsIn)) {
      if (!defined.has(f.name)) {
        out.push([
          f,
          `after stats, "${f.name}" is no field: a command after the first stats can use only the names it defined (${[...defined].join(", ")}) and those later commands give`,
        ]);
      }
    }
    for (const n of namesOf(c)) defined.add(n);
  }
  return out;
}

const COMPARISONS = new Set(["=", "!=", "<", "<=", ">", ">="]);
const TIME_FIELDS = new Set(["@timestamp", "@ingestionTime"]);
const TIME_FUNCTIONS = new Set(["bin", "datefloor", "dateceil", "fromMillis"]);

/**
 * Comparisons of a time (`@timestamp`, `bin(1h)`, `fromMillis(n)`) with text (`"2024-01-01"`,
 * `{{start}}`), which the service does not support and the local engine would answer, with the
 * time on the left.
 */
function readableTimeComparisons(
  commands: readonly Command[],
  typeOf: (name: string) => ParamType | undefined,
): (Expr & { kind: "binary" })[] {
  const isTime = (e: Expr) =>
    (e.kind === "field" && TIME_FIELDS.has(e.name)) ||
    (e.kind === "call" && TIME_FUNCTIONS.has(e.name));
  const isText = (e: Expr) =>
    e.kind === "string" ||
    (e.kind === "param" && !["integer", "number", "boolean"].includes(typeOf(e.name) ?? ""));
  const out: (Expr & { kind: "binary" })[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "binary" && COMPARISONS.has(e.op)) {
      if (isTime(e.left) && isText(e.right)) out.push(e);
      else if (isTime(e.right) && isText(e.left)) out.push({ ...e, left: e.right, right: e.left });
    }
    for (const c of children(e)) visit(c);
  };
  for (const c of commands) for (const e of commandExprs(c)) visit(e);
  return out;
}

/** The fields `pattern` makes (CWL_QuerySyntax-Pattern, "Pattern Command Output"). */
const PATTERN_OUTPUTS = ["@pattern", "@ratio", "@sampleCount", "@severityLabel"] as const;

/** The names a command gives its output (`parse`'s, and its items' names). */
function namesOf(c: Command): string[] {
  if (c.kind === "parse") return c.pattern.names;
  if (c.kind === "stats") return [...c.items, ...c.by].map((p) => p.name);
  if (c.kind === "fields" || c.kind === "display") return c.items.map((p) => p.name);
  if (c.kind === "unnest") return [c.into];
  if (c.kind === "accum" && c.alias !== undefined) return [c.alias];
  if (c.kind === "pattern") return [...PATTERN_OUTPUTS];
  return [];
}

/** Every field reference of the query. */
function fieldRefs(commands: readonly Command[]): (Expr & { kind: "field" })[] {
  return commands.flatMap((c) => commandExprs(c).flatMap(fieldsIn));
}

/** Every parameter reference of the query's expressions, with its name. */
function paramRefs(commands: readonly Command[]): (Expr & { kind: "param" })[] {
  const inExpr = (e: Expr): (Expr & { kind: "param" })[] =>
    e.kind === "param" ? [e] : children(e).flatMap(inExpr);
  return commands.flatMap((c) => commandExprs(c).flatMap(inExpr));
}

/** The parameter references that are the whole pattern of a `like`, `not like` or `=~`. */
function regexParamRefs(commands: readonly Command[]): (Expr & { kind: "param" })[] {
  const inExpr = (e: Expr): (Expr & { kind: "param" })[] => [
    ...(e.kind === "like" && e.pattern.kind === "param" ? [e.pattern] : []),
    ...children(e).flatMap(inExpr),
  ];
  return commands.flatMap((c) => commandExprs(c).flatMap(inExpr));
}

/**
 * Why a value cannot be a `like {{name}}` pattern: it cannot be a `/.../` literal (core's
 * `insightsRegexValueProblem`), or the literal, read back, is no regular expression the engines
 * run.
 */
function regexValueProblem(value: string): string | undefined {
  const literal = insightsRegexValueProblem(value);
  if (literal !== undefined) return literal;
  const problem = regexProblem(tokenize(insightsRegexLiteral("value", value))[0]!.value);
  return problem === undefined ? undefined : `is not one: ${problem}`;
}

/**
 * Why a string value holding a carriage return is refused in a Logs Insights query (every
 * engine, at run time): CloudWatch Logs documents no escape for one in a string literal (its
 * query syntax pages name none), a raw one sent inside the literal may end the query's line
 * there for the service (its comments are lines that start with #), and the local engine would
 * match the value as given: no literal is known to mean the same on both.
 */
function carriageReturn(name: string): string {
  return `{{${name}}} holds a carriage return (\\r), which no Logs Insights string literal is documented to carry: CloudWatch Logs could read the query otherwise than the local engine; remove it from the value (a value pasted with Windows line ends?)`;
}

/** The field references of an expression. */
function fieldsIn(e: Expr): (Expr & { kind: "field" })[] {
  if (e.kind === "field") return [e];
  // strcontains(str, searchValue, true): the case-insensitive flag is a word, not a field.
  const flag = e.kind === "call" && e.name === "strcontains" ? e.args[2] : undefined;
  return children(e)
    .filter((x) => !(x === flag && x.kind === "field" && /^(true|false)$/.test(x.text)))
    .flatMap(fieldsIn);
}

/**
 * The names the query gives values itself: `parse`'s, and the aliases and computed items of
 * `fields`, `display` and `stats` (`stats count(*) by x` names a column `count(*)`). A field
 * listed as itself (`fields eventNmae`, `by eventNmae`) defines nothing.
 */
export function definedNames(commands: readonly Command[]): Set<string> {
  const names = new Set<string>();
  for (const c of commands) {
    if (c.kind === "parse") for (const n of c.pattern.names) names.add(n);
    if (c.kind === "unnest" || c.kind === "accum" || c.kind === "pattern") {
      for (const n of namesOf(c)) names.add(n);
    }
    if (c.kind === "fields" || c.kind === "display" || c.kind === "stats") {
      const items = c.kind === "stats" ? [...c.items, ...c.by] : c.items;
      for (const p of items)
        if (p.alias !== undefined || p.expr.kind !== "field") names.add(p.name);
    }
  }
  return names;
}

/**
 * The expressions in a condition's place: a filter's, and the operands of `and`, `or` and `not`
 * anywhere.
 */
export function conditions(commands: readonly Command[]): Expr[] {
  const out: Expr[] = [];
  const asCondition = (e: Expr): void => {
    out.push(e);
    visit(e);
  };
  const visit = (e: Expr): void => {
    if (e.kind === "binary" && (e.op === "and" || e.op === "or")) {
      asCondition(e.left);
      asCondition(e.right);
    } else if (e.kind === "not") {
      asCondition(e.operand);
    } else {
      for (const c of children(e)) visit(c);
    }
  };
  for (const c of commands) {
    if (c.kind === "filter") asCondition(c.expr);
    else for (const e of commandExprs(c)) visit(e);
  }
  return out;
}
