/**
 * What in a query only CloudWatch Logs runs: functions the local translation does not have
 * (calls.ts), the fields of the event's delivery the files do not hold (`@log`, `@logStream`,
 * `@ingestionTime`), a map's or list's access (`list[index]`, ``map.`key` ``), a stats command's
 * `offset` and the commands of `SERVICE_ONLY_COMMANDS` (`unnest`, `pattern`, `accum`, ...). The `logs` engine sends
 * such a query; the local engine refuses it at its first such place (`insights-unsupported`), and
 * `run-md check` reports every place (cli lint.ts, rule `insights-service-only`).
 */
import { type Command, type Expr, type InsightsQuery, SERVICE_ONLY_COMMANDS } from "./ast.ts";
import {
  ambiguousPower,
  binOffset,
  CONDITION_FUNCTIONS,
  DELIVERY_FIELDS,
  deliveryField,
  powerGrouping,
  serviceOnlyCommand,
  serviceOnlyFunction,
  structureAccess,
  translatesLocally,
  valueAsCondition,
} from "./calls.ts";
import { children, commandExprs, conditions, definedNames } from "./check.ts";
import { positionAt } from "./errors.ts";
import { parseInsights } from "./parser.ts";

export interface ServiceOnlyUse {
  message: string;
  /** 0-based offset and length in the query; `line` and `column` 1-based. */
  offset: number;
  length: number;
  line: number;
  column: number;
}

/**
 * Every place of the query the local engine refuses and CloudWatch Logs runs, in order. With the
 * parameters' `types`, a boolean parameter in a filter's place is left to check's `insights-param`,
 * which says what to write.
 */
export function serviceOnlyUses(
  query: string | InsightsQuery,
  opts: { types?: Readonly<Record<string, string | undefined>> } = {},
): ServiceOnlyUse[] {
  const ast = typeof query === "string" ? parseInsights(query) : query;
  const out: ServiceOnlyUse[] = [];
  const add = (e: { start: number; end: number }, message: string) =>
    out.push({
      message,
      offset: e.start,
      length: Math.max(1, e.end - e.start),
      ...positionAt(ast.source, e.start),
    });
  const visit = (e: Expr): void => {
    if (e.kind === "call" && !translatesLocally(e.name)) add(e, serviceOnlyFunction(e.name));
    if (ambiguousPower(e)) add(e, powerGrouping(e.text));
    if (e.kind === "field" && /[[`]/.test(e.name)) add(e, structureAccess(e.name));
    if (e.kind === "field" && Object.hasOwn(DELIVERY_FIELDS, e.name) && !defined.has(e.name))
      add(e, deliveryField(e.name as keyof typeof DELIVERY_FIELDS));
    if (e.kind === "call" && (e.name === "if" || e.name === "case")) {
      for (const [i, a] of e.args.entries())
        if (i % 2 === 0 && i + 1 < e.args.length && !mayBeCondition(a, conditionNames))
          add(a, valueAsCondition(a.text));
    }
    for (const c of children(e)) visit(c);
  };
  // A name the query gives (`parse ... as @logStream`) is the query's own; one it gives only
  // values (a parse group, an aggregate, `fields strlen(x) as w`) is a value where a condition goes.
  const defined = definedNames(ast.commands);
  const values = valueNames(ast.commands, defined);
  const conditionNames = new Set([...defined].filter((n) => !values.has(n)));
  const commands: readonly string[] = SERVICE_ONLY_COMMANDS;
  const types = opts.types ?? {};
  const saidByCheck = (e: Expr) =>
    e.kind === "param" && Object.hasOwn(types, e.name) && types[e.name] === "boolean";
  const notConditions = new Set(
    conditions(ast.commands).filter((e) => !mayBeCondition(e, conditionNames) && !saidByCheck(e)),
  );
  for (const c of ast.commands) {
    for (const e of conditionsOf(c, notConditions)) add(e, valueAsCondition(e.text));
    if (commands.includes(c.kind)) {
      // The command's word: the whole command is what the local engine refuses.
      add(c, serviceOnlyCommand(c.kind as (typeof SERVICE_ONLY_COMMANDS)[number]));
    }
    for (const e of commandExprs(c)) visit(e);
    if (c.kind === "stats" && c.offset !== undefined) add(c.offset, binOffset());
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * The names the query gives that are values wherever it gives them: a parse group's text, and a
 * `fields`, `display` or `stats` item that is no condition (`strlen(x) as w`, `count(*) as n`).
 * A name also given a condition (or by a command only the service runs) is not one: the
 * translation judges it by its last definition.
 */
function valueNames(commands: readonly Command[], given: ReadonlySet<string>): Set<string> {
  const allValues = new Map<string, boolean>();
  const mark = (name: string, value: boolean) =>
    allValues.set(name, (allValues.get(name) ?? true) && value);
  for (const c of commands) {
    if (c.kind === "parse") for (const n of c.pattern.names) mark(n, true);
    if (c.kind === "fields" || c.kind === "display" || c.kind === "stats") {
      const items = c.kind === "stats" ? [...c.items, ...c.by] : c.items;
      for (const p of items)
        if (p.alias !== undefined || p.expr.kind !== "field")
          mark(p.name, !mayBeCondition(p.expr, given));
    }
  }
  for (const n of given) if (!allValues.has(n)) allValues.set(n, false);
  return new Set([...allValues].filter(([, v]) => v).map(([n]) => n));
}

/** The members of `set` inside command `c`, in order. */
function conditionsOf(c: Command, set: ReadonlySet<Expr>): Expr[] {
  const out: Expr[] = [];
  const walk = (e: Expr): void => {
    if (set.has(e)) out.push(e);
    for (const x of children(e)) walk(x);
  };
  for (const e of commandExprs(c)) walk(e);
  return out;
}

/**
 * Whether an expression in a condition's place may be one: a comparison, `like`, `in`, `not`,
 * `and`/`or`, a function that returns true or false, `if`/`case`/`coalesce` of such values, or a
 * name the query defines that is not a value wherever it does (`valueNames`; else its kind is the
 * translation's to judge). A field of the event,
 * a literal, a parameter (the translation gets its value: `filter {{who}}` is `filter "x"`),
 * arithmetic and the other functions the local engine translates are values, which it refuses
 * there (calls.ts `valueAsCondition`).
 */
function mayBeCondition(e: Expr, defined: ReadonlySet<string>): boolean {
  switch (e.kind) {
    case "like":
    case "in":
    case "not":
      return true;
    case "binary":
      return !["+", "-", "*", "/", "%", "^"].includes(e.op);
    case "field":
      return defined.has(e.name);
    case "call": {
      if (!translatesLocally(e.name) || CONDITION_FUNCTIONS.has(e.name)) return true;
      const values =
        e.name === "coalesce"
          ? e.args
          : e.name === "if" || e.name === "case"
            ? e.args.filter((_, i) => i % 2 === 1 || i === e.args.length - 1)
            : undefined;
      return values?.every((v) => mayBeCondition(v, defined)) ?? false;
    }
    default:
      return false;
  }
}
