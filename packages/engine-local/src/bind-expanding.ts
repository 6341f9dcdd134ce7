/**
 * The last pass of rewriteAthena (after guardGrowth): a call of one of the engine's macros whose
 * expansion would be too large has its arguments bound once (trino-ast.ts bindArgs), so that
 * DuckDB copies the lambda's parameter into the macro's body, not the argument's expression.
 *
 * DuckDB expands a macro by copying each argument's expression to every mention of its
 * parameter, so a macro inside a macro multiplies (macro-weights.ts): four nested regexp_replace
 * took 17 s and 650 MB to plan over 1 MB of events, ten passed 16 GB. The size of each call once
 * expanded is estimated bottom-up (each expression node 1, an argument times its weight); a call
 * past EXPANSION_BUDGET is bound. Binding is not free: inside a lambda DuckDB no longer folds a
 * typed macro's `typeof` branches (bind-late.ts), so calls the queries people write (a cast of a
 * JSON value, a date_trunc of a parsed time) stay below the budget and run as before. A call
 * of a macro that uses a lambda (trino_replace) is bound whatever its size when an argument holds
 * a subquery: DuckDB refused it there ("subqueries in lambda expressions are not supported").
 */

import { GUARD_PREFIX } from "./bounds.ts";
import { argumentWeights } from "./macro-weights.ts";
import { LAMBDA_MACROS, SUBQUERY_MACROS } from "./macros.ts";
import type { Node } from "./tree.ts";
import { BOUND_PREFIX, bindArgs, hasAggregate, namesColumn } from "./trino-ast.ts";

/** The largest expansion a call keeps (estimated expression nodes). */
export const EXPANSION_BUDGET = 2_000;

interface Sized {
  node: unknown;
  /** Expression nodes once DuckDB has expanded the macros. */
  size: number;
}

/** Binds, in place, the arguments of each macro call whose expansion passes the budget. */
export function bindExpanding(v: unknown): unknown {
  return sized(v).node;
}

function sized(v: unknown): Sized {
  if (Array.isArray(v)) {
    let size = 0;
    for (let i = 0; i < v.length; i++) {
      const r = sized(v[i]);
      v[i] = r.node;
      size += r.size;
    }
    return { node: v, size };
  }
  if (typeof v !== "object" || v === null) return { node: v, size: 0 };
  const node = v as Node;
  const weights = macroWeights(node);
  let size = typeof node.class === "string" ? 1 : 0;
  for (const k of Object.keys(node)) {
    if (weights && k === "children") continue;
    const r = sized(node[k]);
    node[k] = r.node;
    size += r.size;
  }
  if (!weights) return { node, size };
  const args = node.children as Node[];
  const sizes = args.map((a, j) => {
    const r = sized(a);
    args[j] = r.node as Node;
    return r.size;
  });
  const expanded = (bound: (j: number) => boolean) =>
    args.reduce(
      (n, _a, j) =>
        n + (bound(j) ? (sizes[j] as number) + 1 : (weights[j] ?? 1) * (sizes[j] as number)),
      size,
    );
  const whole = expanded(() => false);
  const name = String(node.function_name).toLowerCase();
  // A subquery argument is bound too, whatever the size, when the macro has a lambda (trino_replace
  // does), where DuckDB refuses a subquery. A macro holding a subquery cannot itself be called in
  // a lambda: left as it is.
  const lambdaSubquery = LAMBDA_MACROS.has(name) && args.some(holdsSubquery);
  const due = whole > EXPANSION_BUDGET || lambdaSubquery;
  if (!due || SUBQUERY_MACROS.has(name)) return { node, size: whole };
  const picked = new Set(args.filter((a, j) => bindable(a, (weights[j] ?? 1) > 1)));
  // Bound only where it gains: an argument copied, or a subquery kept out of the macro's lambda.
  // Else binding changes nothing of the size, and evaluates every argument on each row, where the
  // macro may read one only on some (trino_unless_null: zip_with's lambda on a NULL array).
  const gains = args.some(
    (a, j) => picked.has(a) && ((weights[j] ?? 1) > 1 || (lambdaSubquery && holdsSubquery(a))),
  );
  // An argument reading an enclosing binding's parameter (bindFirst's, trino-try.ts's, a bound
  // call's own) must go in the row: left in the body, it would read this lambda's parameter of
  // the same name. One that cannot (a lambda) leaves the call as it is.
  const enclosing = args.filter((a) => !picked.has(a) && readsBound(a));
  if (!gains || enclosing.some((a) => a.class === "LAMBDA")) return { node, size: whole };
  for (const a of enclosing) picked.add(a);
  const call = { ...node, alias: "" };
  const bound = bindArgs(
    args,
    (a) => picked.has(a),
    (xs) => ({ ...call, children: xs }),
    node,
  );
  return { node: bound, size: expanded((j) => picked.has(args[j] as Node)) + 8 };
}

/** The argument weights of a call of one of the engine's macros (unqualified); else undefined. */
function macroWeights(node: Node): readonly number[] | undefined {
  if (node.class !== "FUNCTION" || typeof node.function_name !== "string") return undefined;
  if (node.catalog || (node.schema && String(node.schema).toLowerCase() !== "main"))
    return undefined;
  const name = node.function_name.toLowerCase();
  if (!name.startsWith("trino_") && !name.startsWith(GUARD_PREFIX)) return undefined;
  return argumentWeights(name);
}

/**
 * Whether an argument goes in the row: every one naming a column or holding an aggregate
 * (bindFirst's rule: a column left in the body cannot be bound in a correlated subquery) or a
 * subquery (none may be in a lambda), and a copied expression that is not a constant. A lambda
 * stays (it is no value).
 */
function bindable(a: Node, copied: boolean): boolean {
  if (a.class === "LAMBDA") return false;
  if (copied && a.class !== "CONSTANT") return true;
  return namesColumn(a) || hasAggregate(a) || holdsSubquery(a);
}

function holdsSubquery(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  if ((v as Node).class === "SUBQUERY") return true;
  return Object.values(v).some(holdsSubquery);
}

/**
 * Whether an expression names an enclosing binding's lambda parameter (trino-ast.ts BOUND_PREFIX),
 * not in the body of a binding of its own (whose parameter that is).
 */
function readsBound(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const n = v as Node;
  if (n.class === "COLUMN_REF") return isBoundParam(n);
  if (n.class === "LAMBDA" && isBoundParam(n.lhs)) return false;
  return Object.values(n).some(readsBound);
}

const isBoundParam = (v: unknown): boolean =>
  (v as Node | undefined)?.class === "COLUMN_REF" &&
  String(((v as Node).column_names as string[])[0])
    .toLowerCase()
    .startsWith(BOUND_PREFIX);
