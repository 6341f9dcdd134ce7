/**
 * Trino's `try(x)` around a function whose unsupported case raises with DuckDB's error(): DuckDB
 * refuses to bind TRY around anything volatile, and error() is, so `try(from_iso8601_timestamp(
 * eventtime))` and `try(CAST(x AS varchar))` failed to bind although no row needed the
 * unsupported case. Inside try, such a call becomes its variant without the error, and the
 * condition of the unsupported case is tested outside the TRY on its argument (itself under a TRY,
 * so that the argument's own errors still give NULL), where it raises as before: try() cannot hide
 * what the local engine cannot answer.
 *
 * Inside a lambda, DuckDB's TRY no longer sees that error() is volatile: it turned the refusal
 * into NULL. A try() whose lambda calls a function that can refuse is refused when rewritten.
 */

import { RunMdError } from "@run-md/core";
import { macrosWhoseBodies } from "./macros.ts";
import { clone, type Node } from "./tree.ts";
import { TRINO_PREFIX } from "./trino.ts";
import {
  BOUND_PREFIX,
  bindFirst,
  callNode,
  columnRef,
  hasAggregate,
  intConst,
  namesColumn,
} from "./trino-ast.ts";

/** Macros whose body, or a macro it calls, refuses with DuckDB's error(). */
const REFUSING = macrosWhoseBodies(/\berror\s*\(/i);

/** Functions with an unsupported case: their variant inside try, and the case's test. */
type Guarded = { inside: string; unsupported: string; raise: string };
const GUARDED: Record<string, Guarded> = {
  trino_from_iso8601_timestamp: {
    inside: "trino_from_iso8601_timestamp_unguarded",
    unsupported: "trino_iso8601_foreign",
    raise: "trino_try_iso8601",
  },
  trino_to_json: {
    inside: "trino_to_json_unguarded",
    unsupported: "trino_json_refused",
    raise: "trino_try_json",
  },
  trino_to_varchar: {
    inside: "trino_to_varchar_unguarded",
    unsupported: "trino_zoned_unseen",
    raise: "trino_try_zoned",
  },
  // These three refuse inside a lambda of their own, which TRY cannot see.
  trino_array_join: {
    inside: "trino_array_join_unguarded",
    unsupported: "trino_array_zoned",
    raise: "trino_try_zoned",
  },
  trino_array_join_dynamic: {
    inside: "trino_array_join_dynamic_unguarded",
    unsupported: "trino_array_zoned",
    raise: "trino_try_zoned",
  },
  trino_format_s: {
    inside: "trino_format_s_unguarded",
    unsupported: "trino_format_s_refusal",
    raise: "trino_try_refusal",
  },
};

/**
 * The refusing macros that may stand in a lambda inside try(). `/` and `%` refuse only in their
 * DECIMAL overload, for a decimal whose scale the query does not show (trino.ts DECIMAL_UNSEEN):
 * refusing every division in such a lambda would refuse `try(transform(a, x -> 10 / x))`.
 */
const LAMBDA_SAFE = new Set(["trino_divide", "trino_modulo"]);

/** The functions try() makes unguarded (a test checks every macro refusing in a lambda is one). */
export const GUARDED_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(GUARDED));

/** The TRY with its guarded calls' refusals moved out and its call arguments bound once. */
export function guardTry(v: Node): Node | undefined {
  if (v.class !== "OPERATOR" || v.type !== "OPERATOR_TRY") return undefined;
  refuseInLambda(v.children, false);
  // The guarded calls first: binding puts calls inside lambdas, which collect does not look into.
  const calls: Node[] = [];
  collect(v.children, calls);
  const guards = calls.map((call) => GUARDED[String(call.function_name)] as Guarded);
  calls.forEach((call, i) => {
    call.function_name = (guards[i] as Guarded).inside;
  });
  // Each test reads its argument as the TRY does, with the guarded calls inside it unguarded.
  const tests = calls.map((call, i) => {
    const arg = clone((call.children as Node[])[0] as Node);
    const read = hasAggregate(arg) ? arg : { ...v, alias: "", children: [unshared(arg)] };
    const g = guards[i] as Guarded;
    return { g, test: callNode(g.unsupported, [read], { alias: "" }) };
  });
  v.children = bindCallArguments(v.children) as Node[];
  let wrapped: Node = { ...v, alias: "" };
  for (const { g, test } of tests) wrapped = callNode(g.raise, [test, wrapped], { alias: "" });
  return { ...wrapped, alias: v.alias };
}

/**
 * `x` in the body of a lambda over one element, where DuckDB's common-subexpression pass does not
 * look: named in the test's TRY and in the TRY itself, x was computed once outside both, and its
 * errors escaped (`try(CAST(CAST(c AS integer) AS json))` raised on 'bad'; found by review).
 */
function unshared(x: Node): Node {
  const none = { alias: "" };
  const lambda: Node = {
    class: "LAMBDA",
    type: "LAMBDA",
    alias: "",
    query_location: 0,
    lhs: columnRef(BOUND_PREFIX),
    expr: x,
  };
  const each = callNode(
    "list_transform",
    [callNode("list_value", [intConst(1)], none), lambda],
    none,
  );
  return callNode("array_extract", [each, intConst(1)], none);
}

function collect(x: unknown, out: Node[]): void {
  if (Array.isArray(x)) {
    for (const y of x) collect(y, out);
    return;
  }
  if (typeof x !== "object" || x === null) return;
  const n = x as Node;
  if (n.class === "LAMBDA" || n.class === "SUBQUERY") return;
  if (n.class === "FUNCTION" && String(n.function_name) in GUARDED && guardedArgs(n)) out.push(n);
  for (const y of Object.values(n)) collect(y, out);
}

/** Whether the call's arguments are those its test reads (array_join's separators aside). */
function guardedArgs(call: Node): boolean {
  const count = (call.children as Node[] | undefined)?.length ?? 0;
  return String(call.function_name).startsWith("trino_array_join") ? count >= 1 : count === 1;
}

/** Refuses a call inside a lambda (`inLambda`) that can raise error(): TRY would hide it. */
function refuseInLambda(x: unknown, inLambda: boolean): void {
  if (Array.isArray(x)) {
    for (const y of x) refuseInLambda(y, inLambda);
    return;
  }
  if (typeof x !== "object" || x === null) return;
  const n = x as Node;
  const name = String(n.function_name ?? "").toLowerCase();
  if (inLambda && n.class === "FUNCTION" && REFUSING.has(name) && !LAMBDA_SAFE.has(name))
    throw new RunMdError(
      "sql-error",
      `try() around a lambda that calls ${trinoName(name)} is not supported locally: inside a lambda, the local engine's own "not supported" would become NULL.`,
      {
        hint: "Call try() inside the lambda (transform(a, x -> try(f(x))) gives NULL per element, not for the whole array), or run the step on Athena.",
      },
    );
  for (const y of Object.values(n)) refuseInLambda(y, inLambda || n.class === "LAMBDA");
}

/** A macro's name as the query wrote it (CAST for the casts). */
function trinoName(macro: string): string {
  const casts: Record<string, string> = {
    trino_to_varchar: "CAST(... AS varchar)",
    trino_to_json: "CAST(... AS json)",
  };
  return casts[macro] ?? macro.replace(/^trino_/, "");
}

/**
 * Inside a TRY, each macro call given another call binds that argument once (trino-ast.ts
 * bindFirst): a macro names its argument several times, and DuckDB's common-subexpression pass
 * moves an expression named twice out of the TRY, where its error escapes (`try(chr(CAST(c AS
 * bigint)))` and `try(json_array_length(json_parse(c)))` raised on 'bad' instead of NULL).
 */
function bindCallArguments(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(bindCallArguments);
  if (typeof x !== "object" || x === null) return x;
  const n = x as Node;
  if (n.class === "LAMBDA" || n.class === "SUBQUERY") return n;
  for (const [k, y] of Object.entries(n)) n[k] = bindCallArguments(y);
  const args = n.children as Node[] | undefined;
  // A call of constants is folded while planning (and raises there, as Trino's does).
  const call = (a: Node) =>
    a.class !== "COLUMN_REF" && a.class !== "CONSTANT" && (namesColumn(a) || hasAggregate(a));
  const name = String(n.function_name).toLowerCase();
  // Not a macro that refuses with error(): in a lambda, TRY no longer sees it is volatile and
  // turned the refusal into NULL (found by review).
  const binds = n.class === "FUNCTION" && name.startsWith(TRINO_PREFIX) && !REFUSING.has(name);
  if (binds && args?.some(call)) return bindFirst(args, String(n.function_name), n);
  return n;
}
