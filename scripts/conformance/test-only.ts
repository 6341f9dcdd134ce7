/**
 * Trino's lambda tests call `apply(value, lambda)`, a function that exists only in Trino's test
 * harness (it is defined as `lambda(value)`); Athena has no such function and the local engine
 * refuses it, as Athena would. So that those rows still test what they were written for (lambda
 * binding, capture, NULL handling, types), the runner expresses each call through a function
 * Athena has: `element_at(transform(ARRAY[value], lambda), 1)`. The row then runs the usual step
 * path. `invoke()` (a lambda without a parameter) has no such equivalent and stays refused.
 */

/** The index of the quote that closes the SQL string opened at `open` ('' is an escaped quote). */
function stringEnd(sql: string, open: number): number {
  let i = sql.indexOf("'", open + 1);
  while (i !== -1 && sql[i + 1] === "'") i = sql.indexOf("'", i + 2);
  return i;
}

/** The index just past the parenthesis that closes the one opened at `open`, skipping strings. */
function closeOf(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") {
      i = stringEnd(sql, i);
      if (i === -1) return -1;
    } else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i + 1;
  }
  return -1;
}

/** The index of the first comma at depth 0 between `from` and `to`, skipping strings. */
function topComma(sql: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = sql[i];
    if (ch === "'") {
      i = stringEnd(sql, i);
      if (i === -1) return -1;
    } else if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (ch === "," && depth === 0) return i;
  }
  return -1;
}

const APPLY = /\bapply\s*\(/i;

/** `sql` with every `apply(v, f)` (nested ones too) written as `element_at(transform(ARRAY[v], f), 1)`. */
export function expressTestOnlyApply(sql: string): string {
  const m = APPLY.exec(sql);
  if (!m) return sql;
  const open = m.index + m[0].length - 1;
  const close = closeOf(sql, open);
  const comma = close === -1 ? -1 : topComma(sql, open + 1, close - 1);
  if (comma === -1) return sql;
  const value = expressTestOnlyApply(sql.slice(open + 1, comma).trim());
  const lambda = expressTestOnlyApply(sql.slice(comma + 1, close - 1).trim());
  const call = `element_at(transform(ARRAY[${value}], ${lambda}), 1)`;
  return sql.slice(0, m.index) + call + expressTestOnlyApply(sql.slice(close));
}
