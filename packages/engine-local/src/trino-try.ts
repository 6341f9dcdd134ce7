/**
 * Trino's `try(x)` as DuckDB's TRY, each macro call given another call bound once. What the local
 * engine cannot answer is refused by trino_refuse (trino.ts), which DuckDB's TRY cannot hide: it
 * notes the refusal for the engine before it raises, in a lambda too.
 */

import { clone, type Node } from "./tree.ts";
import { TRINO_PREFIX } from "./trino.ts";
import { bindFirst, hasAggregate, namesColumn } from "./trino-ast.ts";

/** The TRY with its call arguments bound once; undefined for another node. */
export function guardTry(v: Node): Node | undefined {
  if (v.class !== "OPERATOR" || v.type !== "OPERATOR_TRY") return undefined;
  return { ...v, children: bindCallArguments(clone(v.children)) as Node[] };
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
  const binds = n.class === "FUNCTION" && String(n.function_name).startsWith(TRINO_PREFIX);
  if (binds && args?.some(call)) return bindFirst(args, String(n.function_name), n);
  return n;
}
