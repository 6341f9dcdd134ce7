/**
 * How many copies of each argument a call of one of the engine's macros becomes. DuckDB expands a
 * macro by putting the argument's expression at every mention of its parameter, and a macro the
 * body calls expands in turn: trino_regexp_replace names its text once in DuckDB's call and once in
 * its size guard, whose body names it about ten times more. A call inside a call of the same
 * macro is then copied k^d times (four nested regexp_replace: 17 s and 650 MB to plan a query
 * over 1 MB of events). bind-expanding.ts reads these weights to see where that happens.
 *
 * The weights are read from the macros' text (as DuckDB runs it: raises anchored to every
 * parameter): each mention of a parameter counts once, and a mention inside an argument of a
 * macro call counts as that argument's weight. A lambda parameter of the same name counts too:
 * an estimate too high binds a call a little earlier, never later.
 */

import { closing, topCommas } from "./brackets.ts";
import { macroDefinition } from "./macros.ts";
import { overloads } from "./raise-anchors.ts";

const WEIGHTS = new Map<string, number[]>();

/**
 * The copies a call of the macro `name` makes of each argument (by position), the most any
 * overload makes; undefined when `name` is not one of the engine's macros.
 */
export function argumentWeights(name: string): readonly number[] | undefined {
  const key = name.toLowerCase();
  const known = WEIGHTS.get(key);
  if (known !== undefined) return known;
  const sql = macroDefinition(key);
  if (sql === undefined) return undefined;
  const weights: number[] = [];
  WEIGHTS.set(key, weights); // a macro naming itself (none does) would count its call once
  for (const { params, body } of overloads(sql))
    params.forEach((p, j) => {
      weights[j] = Math.max(weights[j] ?? 1, mentions(sql, body.start, body.end, p.toLowerCase()));
    });
  return weights;
}

/** The copies of parameter `param` that the text between `from` and `to` expands to. */
function mentions(sql: string, from: number, to: number, param: string): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = sql[i] as string;
    if (c === "'") {
      i = stringEnd(sql, i);
      continue;
    }
    if (!/[A-Za-z_]/.test(c) || /[\w.]/.test(sql[i - 1] ?? "")) continue;
    const word = (/^\w+/.exec(sql.slice(i, i + 128)) as RegExpExecArray)[0];
    const open = i + word.length;
    const weights = sql[open] === "(" ? argumentWeights(word) : undefined;
    if (weights !== undefined) {
      const close = closing(sql, open);
      const cuts = [open, ...topCommas(sql, open + 1, close), close];
      for (let j = 0; j + 1 < cuts.length; j++)
        count +=
          (weights[j] ?? 1) * mentions(sql, (cuts[j] as number) + 1, cuts[j + 1] as number, param);
      i = close;
      continue;
    }
    if (word.toLowerCase() === param) count++;
    i = open - 1;
  }
  return count;
}

/** Where the string literal opening at `at` ends ('' is a quote inside it). */
function stringEnd(sql: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const q = sql.indexOf("'", i);
    if (q < 0) return sql.length;
    if (sql[q + 1] !== "'") return q;
    i = q + 2;
  }
}
