/**
 * Trino's lambda tests call `apply(value, lambda)`, a function that exists only in Trino's test
 * harness (it is defined as `lambda(value)`); Athena has no such function and the local engine
 * refuses it, as Athena would. So that those rows still test what they were written for (lambda
 * binding, capture, NULL handling, types), the runner expresses each call through a function
 * Athena has: `element_at(transform(ARRAY[value], lambda), 1)`. The row then runs the usual step
 * path. `invoke()` (a lambda without a parameter) has no such equivalent and stays refused.
 */

import { bracketed } from "../../packages/engine-local/src/brackets.ts";

const APPLY = /\bapply\s*\(/i;

/** `sql` with every `apply(v, f)` (nested ones too) written as `element_at(transform(ARRAY[v], f), 1)`. */
export function expressTestOnlyApply(sql: string): string {
  const m = APPLY.exec(sql);
  if (!m) return sql;
  const open = m.index + m[0].length - 1;
  const span = bracketed(sql, open);
  const comma = span?.commas[0];
  if (span === undefined || comma === undefined) return sql;
  const close = span.close + 1;
  const value = expressTestOnlyApply(sql.slice(open + 1, comma).trim());
  const lambda = expressTestOnlyApply(sql.slice(comma + 1, close - 1).trim());
  const call = `element_at(transform(ARRAY[${value}], ${lambda}), 1)`;
  return sql.slice(0, m.index) + call + expressTestOnlyApply(sql.slice(close));
}
