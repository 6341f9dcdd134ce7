/**
 * The last pass of rewriteAthena (Athena SQL, dialect=duckdb and Logs Insights steps alike): each
 * call a step makes of a function bounds.ts guards becomes a call of its guard, `lpad(...)` →
 * `runmd_guard_lpad(...)`. Calls the engine's own macros make are not in the tree and keep
 * DuckDB's functions.
 */

import { BOUNDED_FUNCTIONS, GUARD_PREFIX } from "./bounds.ts";
import { clone, type Node } from "./tree.ts";
import { bindArgs, bindFirst, hasAggregate, namesColumn } from "./trino-ast.ts";

/**
 * Renames each call of a guarded function (unqualified or `main.`) to its guard, in place. A table
 * function's own name (`FROM range(3)`, rows made one at a time) is left; its arguments are
 * walked. A call qualified otherwise is left for the sandbox to refuse. Inside DuckDB's TRY (not
 * in a lambda or a subquery of it), a guard's arguments naming a column are bound once
 * (trino-try.ts says why: the guard names them several times, and DuckDB's common-subexpression
 * pass would move them out of the TRY, where their error escapes).
 */
export function guardGrowth(v: unknown, inTry = false): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = guardGrowth(v[i], inTry);
    return v;
  }
  if (typeof v !== "object" || v === null) return v;
  const node = v as Node;
  const deeper = node.class === "LAMBDA" || node.class === "SUBQUERY" ? false : inTry;
  const walk = (k: string) => {
    const below = node.class === "OPERATOR" && node.type === "OPERATOR_TRY" ? true : deeper;
    node[k] = guardGrowth(node[k], below);
  };
  if (node.type === "TABLE_FUNCTION" && typeof node.function === "object" && node.function) {
    for (const k of Object.keys(node)) if (k !== "function") walk(k);
    const fn = node.function as Node;
    fn.children = guardGrowth(fn.children, deeper);
    return node;
  }
  for (const k of Object.keys(node)) walk(k);
  if (node.class !== "FUNCTION" || typeof node.function_name !== "string") return node;
  const name = node.function_name.toLowerCase();
  if (!BOUNDED_FUNCTIONS.has(name) || node.catalog) return node;
  if (node.schema && String(node.schema).toLowerCase() !== "main") return node;
  node.schema = "";
  const args = node.children as Node[];
  if (name === "regexp_replace" && args.length === 4) return guardedWithOptions(node, inTry);
  node.function_name = `${GUARD_PREFIX}${name}`;
  return bound(node, inTry);
}

/**
 * regexp_replace with options (a constant DuckDB needs where the call is): the replacement is
 * guarded, with copies of the call's arguments. When the text holds a guarded call, the arguments
 * are bound once first: copied, a regexp_replace of a regexp_replace doubled at each level, and
 * its guard's own copies multiplied that (bind-expanding.ts).
 */
function guardedWithOptions(node: Node, inTry: boolean): Node {
  const guarded = (args: Node[]): Node => {
    const guard = {
      ...node,
      function_name: `${GUARD_PREFIX}regexp_r`,
      alias: "",
      children: clone(args),
    };
    return { ...node, alias: "", children: [args[0], args[1], bound(guard, inTry), args[3]] };
  };
  const args = node.children as Node[];
  if (!holdsGuard(args[0])) return { ...guarded(args), alias: node.alias };
  return bindArgs(args, (a) => a.class !== "CONSTANT", guarded, node);
}

/** Whether an expression calls a guard (its own regexp_replace with options included). */
function holdsGuard(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(holdsGuard);
  if (typeof v !== "object" || v === null) return false;
  const n = v as Node;
  if (n.class === "FUNCTION" && String(n.function_name).startsWith(GUARD_PREFIX)) return true;
  return Object.values(n).some(holdsGuard);
}

/** The call with its arguments naming a column bound once, inside a TRY; else the call. */
function bound(call: Node, inTry: boolean): Node {
  const args = call.children as Node[];
  if (!inTry || !args.some((a) => namesColumn(a) || hasAggregate(a))) return call;
  return bindFirst(args, String(call.function_name), call);
}
