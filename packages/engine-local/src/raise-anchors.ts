/**
 * trino_raise(msg, anchor) raises when DuckDB evaluates it: a failing cast whose text takes
 * nothing from the anchor, inside a CASE. When the anchor is constant, the whole call is, and
 * DuckDB's optimizer folds the inner CASE while planning (its CaseSimplification evaluates a
 * constant condition, and does not catch the error), even where the branch holding the call
 * would never run: `contains(split(eventname, ','), 'X')` raised "does not support arrays with
 * elements that are null" for every query, its anchor being the constant 'X'. Each call's anchor
 * is therefore widened to every parameter of the macro overload it is in: the call is constant
 * only when the whole macro call is, and that is folded from the top, branch by branch.
 */

import { closing, topCommas } from "./brackets.ts";

interface Span {
  start: number;
  end: number;
}

/** Whether any overload of a CREATE MACRO statement types a parameter (`(x DOUBLE)`). */
export function hasTypedParameter(sql: string): boolean {
  return overloads(sql).some((o) => o.typed);
}

/** Each overload of a CREATE MACRO statement: its parameter names and its body. */
export function overloads(sql: string): { params: string[]; typed: boolean; body: Span }[] {
  const head = /^\s*CREATE\s+MACRO\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s*/i.exec(sql);
  if (!head) return [];
  const found: { params: string[]; typed: boolean; open: number; bodyStart: number }[] = [];
  let at = head[0].length;
  for (;;) {
    const close = closing(sql, at);
    const as = close < 0 ? null : /^\)\s+AS\s+/i.exec(sql.slice(close));
    if (!as) break;
    const cuts = [at, ...topCommas(sql, at + 1, close), close];
    const texts = cuts
      .slice(1)
      .map((c, k) => sql.slice((cuts[k] as number) + 1, c).trim())
      .filter((p) => p !== "");
    const params = texts.map((p) => p.split(/\s+/)[0] as string);
    found.push({
      params,
      typed: texts.some((p) => /\s/.test(p)),
      open: at,
      bodyStart: close + as[0].length,
    });
    // The next overload starts after a comma at depth 0 followed by "(".
    const next = topCommas(sql, close + as[0].length, sql.length).find((c) =>
      /^,\s*\(/.test(sql.slice(c)),
    );
    if (next === undefined) break;
    at = sql.indexOf("(", next);
  }
  return found.map((o, i) => ({
    params: o.params,
    typed: o.typed,
    body: {
      start: o.bodyStart,
      end: i + 1 < found.length ? (found[i + 1]?.open ?? 0) : sql.length,
    },
  }));
}

/** Whether the keyword `lambda` starts at `i`. */
function isLambdaAt(sql: string, i: number): boolean {
  return sql.startsWith("lambda", i) && /\s/.test(sql[i + 6] ?? "") && !/\w/.test(sql[i - 1] ?? "");
}

/** Whether `at` is inside a lambda's body that starts after `from` (strings skipped). */
function insideLambda(sql: string, from: number, at: number): boolean {
  const open: number[] = [];
  let depth = 0;
  for (let i = from; i < at; i++) {
    const c = sql[i];
    if (c === "'") i = sql.indexOf("'", i + 1);
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      while (open.length > 0 && (open[open.length - 1] as number) > depth) open.pop();
    } else if (c === "l" && isLambdaAt(sql, i)) open.push(depth);
  }
  return open.length > 0;
}

/**
 * The CREATE MACRO statement with each trino_raise's anchor widened to its overload's parameters,
 * and each trino_refuse(msg) given them as its anchor.
 */
export function anchorRaises(sql: string): string {
  const edits: { at: number; text: string }[] = [];
  for (const { params, body } of overloads(sql)) {
    for (const name of ["trino_raise(", "trino_refuse("]) {
      let i = body.start;
      for (;;) {
        i = sql.indexOf(name, i);
        if (i < 0 || i >= body.end) break;
        const open = i + name.length - 1;
        const close = closing(sql, open);
        if (close < 0) break;
        const comma = topCommas(sql, open + 1, close)[0];
        i = open;
        // Inside a lambda a parameter would be captured, and a captured list is copied into each
        // element's call: those anchors stay as they are (a refusal's is then NULL).
        const inLambda = insideLambda(sql, body.start, i);
        const anchor = inLambda || params.length === 0 ? "NULL" : `row(${params.join(", ")})`;
        if (comma === undefined) edits.push({ at: close, text: `, ${anchor}` });
        else if (!inLambda && params.length > 0)
          edits.push(
            { at: comma + 1, text: " row(" },
            { at: close, text: `, ${params.join(", ")})` },
          );
      }
    }
  }
  let out = sql;
  for (const e of edits.sort((a, b) => b.at - a.at))
    out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}
