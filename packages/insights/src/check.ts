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
 *   parameter that is not a number (or, when the value is known, not a positive whole number).
 */
import { checkRecordPath, type ParamType, type ParamValue } from "@run-md/core";
import type { Command, Expr, InsightsQuery } from "./ast.ts";
import { InsightsSyntaxError, positionAt } from "./errors.ts";
import { parseInsights } from "./parser.ts";

export interface InsightsProblem {
  rule: "insights-field" | "insights-param";
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

  // A count from a parameter (`limit {{n}}`, `bin({{h}}h)`): a whole number, positive once known.
  for (const [node, name, what] of wholeNumberParams(ast.commands)) {
    const type = typeOf(name);
    if (type !== undefined && type !== "integer" && type !== "number") {
      add(
        "insights-param",
        node,
        `${what} a whole number: {{${name}}} is ${/^[aeiou]/.test(type) ? "an" : "a"} ${type} parameter (declare it type: integer)`,
      );
      continue;
    }
    const values = opts.values ?? {};
    if (!Object.hasOwn(values, name)) continue;
    const v = values[name];
    const n =
      typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < 1) {
      add("insights-param", node, `${what} a positive whole number: {{${name}}} is ${String(v)}`);
    }
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
  const out: [FieldRef, string, InsightsProblem["severity"]][] = [];
  for (const e of fieldRefs(commands)) {
    if (defined.has(e.name) || defined.has(e.name.split(".")[0]!)) continue;
    const service = serviceFieldProblem(e.name);
    if (service) out.push([e, service, "error"]);
    if (e.name.startsWith("@")) continue;
    const problem = checkRecordPath(e.name.split("."));
    if (problem === undefined) continue;
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
    hint:
      first.rule === "insights-field"
        ? "Write the field as CloudTrail spells it (field names are case-sensitive); `run-md check` lists every such field with its place in the runbook."
        : "`run-md check` lists every such parameter with its place in the runbook.",
  });
}

/** The children of an expression. */
function children(e: Expr): Expr[] {
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
function commandExprs(c: Command): Expr[] {
  switch (c.kind) {
    case "fields":
    case "display":
      return c.items.map((i) => i.expr);
    case "filter":
      return [c.expr];
    case "stats":
      return [...c.items, ...c.by].map((i) => i.expr);
    case "sort":
      return c.keys.map((k) => k.expr);
    case "dedup":
    case "unmask":
      return c.fields;
    case "parse":
      return [c.source];
    case "limit":
      return [];
  }
}

/** The parameters that give a count: `limit {{n}}`'s, and a `{{h}}h` period's. */
function wholeNumberParams(commands: readonly Command[]): [Expr, string, string][] {
  const out: [Expr, string, string][] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "period" && e.param !== undefined)
      out.push([e, e.param, `the period ${e.text} takes`]);
    for (const c of children(e)) visit(c);
  };
  for (const c of commands) {
    if (c.kind === "limit" && typeof c.count !== "number")
      out.push([c.count, c.count.name, `${c.from} takes`]);
    for (const e of commandExprs(c)) visit(e);
  }
  return out;
}

/** Every field reference of the query. */
function fieldRefs(commands: readonly Command[]): (Expr & { kind: "field" })[] {
  const out: (Expr & { kind: "field" })[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === "field") out.push(e);
    for (const c of children(e)) visit(c);
  };
  for (const c of commands) for (const e of commandExprs(c)) visit(e);
  return out;
}

/**
 * The names the query gives values itself: `parse`'s, and the aliases and computed items of
 * `fields`, `display` and `stats` (`stats count(*) by x` names a column `count(*)`). A field
 * listed as itself (`fields eventNmae`, `by eventNmae`) defines nothing.
 */
function definedNames(commands: readonly Command[]): Set<string> {
  const names = new Set<string>();
  for (const c of commands) {
    if (c.kind === "parse") for (const n of c.pattern.names) names.add(n);
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
function conditions(commands: readonly Command[]): Expr[] {
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
