/**
 * What in a query only CloudWatch Logs runs: functions the local translation does not have
 * (calls.ts), the fields of the event's delivery the files do not hold (`@log`, `@logStream`,
 * `@ingestionTime`), a map's or list's access (`list[index]`, ``map.`key` ``), a stats command's
 * `offset` and the commands of `SERVICE_ONLY_COMMANDS` (`unnest`, `pattern`, `accum`, ...). The `logs` engine sends
 * such a query; the local engine refuses it at its first such place (`insights-unsupported`), and
 * `run-md check` reports every place (cli lint.ts, rule `insights-service-only`).
 */
import { type Expr, type InsightsQuery, SERVICE_ONLY_COMMANDS } from "./ast.ts";
import {
  binOffset,
  DELIVERY_FIELDS,
  deliveryField,
  serviceOnlyCommand,
  serviceOnlyFunction,
  structureAccess,
  translatesLocally,
} from "./calls.ts";
import { children, commandExprs, definedNames } from "./check.ts";
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

/** Every place of the query the local engine refuses and CloudWatch Logs runs, in order. */
export function serviceOnlyUses(query: string | InsightsQuery): ServiceOnlyUse[] {
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
    if (e.kind === "field" && /[[`]/.test(e.name)) add(e, structureAccess(e.name));
    if (e.kind === "field" && Object.hasOwn(DELIVERY_FIELDS, e.name) && !defined.has(e.name))
      add(e, deliveryField(e.name as keyof typeof DELIVERY_FIELDS));
    for (const c of children(e)) visit(c);
  };
  // A name the query gives (`parse ... as @logStream`) is the query's own.
  const defined = definedNames(ast.commands);
  const commands: readonly string[] = SERVICE_ONLY_COMMANDS;
  for (const c of ast.commands) {
    if (commands.includes(c.kind)) {
      // The command's word: the whole command is what the local engine refuses.
      add(c, serviceOnlyCommand(c.kind as (typeof SERVICE_ONLY_COMMANDS)[number]));
    }
    for (const e of commandExprs(c)) visit(e);
    if (c.kind === "stats" && c.offset !== undefined) add(c.offset, binOffset());
  }
  return out;
}
