/**
 * Trino's `try(x)` around a function whose unsupported case raises with DuckDB's error(): DuckDB
 * refuses to bind TRY around anything volatile, and error() is, so `try(from_iso8601_timestamp(
 * eventtime))` and `try(CAST(x AS varchar))` failed to bind although no row needed the
 * unsupported case. Inside try, such a call
 * becomes its variant without the error, and the condition of the unsupported case is tested
 * outside the TRY, where it raises as before (so try() still cannot hide what the local engine
 * cannot answer). A call inside a lambda or a subquery is left as it is (its argument can name
 * what only exists there).
 */

import { macrosWhoseBodies } from "./macros.ts";
import { clone, type Node } from "./tree.ts";
import { TRINO_PREFIX } from "./trino.ts";
import { bindFirst, callNode, hasAggregate, namesColumn } from "./trino-ast.ts";

/** Macros whose body, or a macro it calls, refuses with DuckDB's error(). */
const REFUSING = macrosWhoseBodies(/\berror\s*\(/i);

/** Functions with an unsupported case: their variant inside try, and the case's test. */
const GUARDED: Record<string, { inside: string; unsupported: string; raise: string }> = {
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
};

/** The TRY with its guarded calls' refusals moved out and its call arguments bound once. */
export function guardTry(v: Node): Node | undefined {
  if (v.class !== "OPERATOR" || v.type !== "OPERATOR_TRY") return undefined;
  // The guarded calls first: binding puts calls inside lambdas, which collect does not look into.
  const calls: Node[] = [];
  collect(v.children, calls);
  const tests = calls.map((call) => {
    const g = GUARDED[String(call.function_name)] as (typeof GUARDED)[string];
    call.function_name = g.inside;
    return {
      g,
      test: callNode(g.unsupported, [clone((call.children as Node[])[0])], { alias: "" }),
    };
  });
  v.children = bindCallArguments(v.children) as Node[];
  let wrapped: Node = { ...v, alias: "" };
  for (const { g, test } of tests) wrapped = callNode(g.raise, [test, wrapped], { alias: "" });
  return { ...wrapped, alias: v.alias };
}

function collect(x: unknown, out: Node[]): void {
  if (Array.isArray(x)) {
    for (const y of x) collect(y, out);
    return;
  }
  if (typeof x !== "object" || x === null) return;
  const n = x as Node;
  if (n.class === "LAMBDA" || n.class === "SUBQUERY") return;
  const args = n.children as Node[] | undefined;
  if (n.class === "FUNCTION" && String(n.function_name) in GUARDED && args?.length === 1)
    out.push(n);
  for (const y of Object.values(n)) collect(y, out);
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
