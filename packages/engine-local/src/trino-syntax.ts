/**
 * Trino syntax DuckDB's parser rejects, rewritten in the query text before parsing (outside
 * strings, quoted identifiers and comments): `IF(c, x)`, `listagg(...) WITHIN GROUP (...)`,
 * `VALUES` rows written without parentheses, and `CAST('text' AS JSON)` (which DuckDB's parser
 * cannot tell from the literal `JSON 'text'`).
 */
import { RunMdError, sqlCommentEnd, sqlQuotedEnd } from "@run-md/core";
import { decodeUnicodeString } from "@run-md/sql";
import { bracketed, CLOSE, OPEN } from "./brackets.ts";
import { mapCode } from "./rewrite.ts";

/** The text with strings, quoted identifiers and comments blanked (same length). */
function codeOnly(sql: string): string {
  return mapCode(
    sql,
    (code) => code,
    (other) => " ".repeat(other.length),
  );
}

/** One call of `name` in the text: where it starts, its `(`, its `)` and top-level commas. */
interface Call {
  start: number;
  open: number;
  close: number;
  commas: number[];
}

/**
 * Rewrites calls of `name` one at a time, scanning the text again after each (so that nested
 * calls see the offsets the previous rewrite left): `rewrite` returns the new text, or undefined
 * to leave that call as it is.
 */
function rewriteCalls(
  sql: string,
  name: string,
  rewrite: (text: string, code: string, call: Call) => string | undefined,
): string {
  const re = new RegExp(`(?<![\\w.$"])${name}\\s*\\(`, "gi");
  // Most queries have no such call: no text to blank and scan then.
  if (!re.test(sql)) return sql;
  re.lastIndex = 0; // matchAll starts where the test left it
  let out = sql;
  const done = new Set<number>();
  for (let guard = 0; guard < 10_000; guard++) {
    const code = codeOnly(out);
    let changed = false;
    for (const m of code.matchAll(re)) {
      const start = m.index ?? 0;
      if (done.has(start)) continue;
      const open = start + m[0].length - 1;
      const c = bracketed(code, open);
      const next = c ? rewrite(out, code, { start, open, ...c }) : undefined;
      if (next === undefined) {
        done.add(start);
        continue;
      }
      out = next;
      done.clear();
      changed = true;
      break;
    }
    if (!changed) return out;
  }
  return out;
}

/** Trino's `IF(c, x)` is `IF(c, x, NULL)`; DuckDB's parser wants three arguments. */
export function ifWithoutElse(sql: string): string {
  return rewriteCalls(sql, "IF", (text, _code, c) =>
    c.commas.length === 1 ? `${text.slice(0, c.close)}, NULL${text.slice(c.close)}` : undefined,
  );
}

const STRING_TO_JSON = /^\s*('(?:[^']|'')*')\s+AS\s+JSON\s*$/i;

/**
 * `CAST('text' AS JSON)` (and TRY_CAST) → `to_json('text')`: in Trino a cast of varchar to JSON
 * makes a JSON string (`CAST('[1]' AS JSON)` is JSON '"[1]"'; json_parse reads the text), while
 * the literal `JSON '[1]'` is the array. DuckDB parses both as one cast of a constant, which the
 * AST pass takes for the literal; a cast of anything else than a constant is typed there.
 */
export function stringCastToJson(sql: string): string {
  let out = sql;
  for (const name of ["CAST", "TRY_CAST"]) {
    out = rewriteCalls(out, name, (text, _code, c) => {
      const m = STRING_TO_JSON.exec(text.slice(c.open + 1, c.close));
      if (!m) return undefined;
      return `${text.slice(0, c.start)}to_json(${m[1]})${text.slice(c.close + 1)}`;
    });
  }
  return out;
}

/**
 * `listagg(x[, sep]) WITHIN GROUP (ORDER BY k)` (Athena engine 3) → `string_agg(x, sep ORDER BY
 * k)`: both skip NULLs and give NULL for no rows; the separator defaults to ''. x must be text,
 * as Trino's signature says (trino_listagg_value).
 */
export function listaggWithinGroup(sql: string): string {
  return rewriteCalls(sql, "LISTAGG", (text, code, c) => {
    const within = /^\s*WITHIN\s+GROUP\s*\(\s*ORDER\s+BY\b/i.exec(code.slice(c.close + 1));
    if (!within) throw listaggError("listagg needs WITHIN GROUP (ORDER BY ...), as in Trino");
    if (/\bON\s+OVERFLOW\b/i.test(code.slice(c.open, c.close)))
      throw listaggError("listagg ... ON OVERFLOW is not supported locally");
    const group = bracketed(code, c.close + 1 + within[0].lastIndexOf("("));
    if (!group) return undefined;
    const keys = text.slice(c.close + 1 + within[0].length, group.close);
    const valueEnd = c.commas[0] ?? c.close;
    const [, distinct = "", value = ""] =
      /^(\s*DISTINCT\s)?([\s\S]*)$/i.exec(text.slice(c.open + 1, valueEnd)) ?? [];
    const sep = c.commas.length === 0 ? ", ''" : text.slice(valueEnd, c.close);
    // DuckDB wants a DISTINCT aggregate's ORDER BY among its arguments: the value as written.
    const checked = distinct ? value : `trino_listagg_value(${value})`;
    const call = `string_agg(${distinct}${checked}${sep} ORDER BY${keys})`;
    return `${text.slice(0, c.start)}${call}${text.slice(group.close + 1)}`;
  });
}

function listaggError(message: string): RunMdError {
  return new RunMdError("sql-syntax", message, {
    hint: "Write listagg(x, ',') WITHIN GROUP (ORDER BY x).",
  });
}

/** Where a VALUES list ends at its own depth (after its last row). */
const VALUES_END = /^(?:ORDER|LIMIT|OFFSET|FETCH|UNION|EXCEPT|INTERSECT|WINDOW)\b/i;

/**
 * Trino's `VALUES 1, 2` and `VALUES ROW(1, 'a')` (each row one expression, or a ROW) are
 * DuckDB's `VALUES (1), (2)` and `VALUES (1, 'a')`; a row written `(a, b)` stays as it is.
 */
export function valuesRows(sql: string): string {
  const re = /(?<![\w.$"])VALUES\b/gi;
  if (!re.test(sql)) return sql;
  re.lastIndex = 0;
  // Strings kept as a non-blank run, so that an item that is a string is not trimmed away.
  const code = mapCode(
    sql,
    (c) => c,
    (other) => (/^['"]/.test(other) ? "_" : " ").repeat(other.length),
  );
  // Edits at points (a parenthesis inserted, ROW removed), so that a VALUES list inside another
  // one's row keeps both lists' edits: applied from the last point to the first.
  const edits: Edit[] = [];
  for (const m of code.matchAll(re)) {
    for (const found of valuesItems(code, (m.index ?? 0) + m[0].length)) {
      const item = rowInside(code, found, edits);
      const row = /^ROW\s*(?=\()/i.exec(code.slice(item.start, item.end));
      const whole = (from: number) => bracketed(code, item.start + from)?.close === item.end - 1;
      if (row && whole(row[0].length))
        edits.push({ at: item.start, remove: row[0].length, insert: "" });
      else if (!(code[item.start] === "(" && whole(0))) {
        edits.push({ at: item.start, remove: 0, insert: "(" });
        edits.push({ at: item.end, remove: 0, insert: ")" });
      }
    }
  }
  let out = sql;
  for (const e of edits.sort((a, b) => b.at - a.at))
    out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

/**
 * A row in parentheses that only wrap a row (`((1, 'a'))`, `(ROW(1, 'a'))`) is that row to
 * Trino, whose parser drops parentheses: they are removed, and the row inside is returned.
 */
function rowInside(code: string, item: Span, edits: Edit[]): Span {
  // Peel parentheses that wrap one group; then the innermost must be a row for them to go.
  const peeled: Span[] = [];
  let at = item;
  while (code[at.start] === "(" && bracketed(code, at.start)?.close === at.end - 1) {
    const text = code.slice(at.start + 1, at.end - 1);
    const lead = text.length - text.trimStart().length;
    const inner = { start: at.start + 1 + lead, end: at.start + 1 + text.trimEnd().length };
    const row = /^(ROW\s*)?\(/i.exec(code.slice(inner.start, inner.end));
    const open = inner.start + (row?.[0].length ?? 1) - 1;
    if (!row || bracketed(code, open)?.close !== inner.end - 1) break;
    peeled.push(at);
    at = inner;
  }
  const row = /^ROW\s*\(/i.test(code.slice(at.start, at.end));
  // A row: ROW(...) or a group of several values (`((SELECT ...))` is one value, no row).
  const isRow =
    row || (code[at.start] === "(" && (bracketed(code, at.start)?.commas.length ?? 0) > 0);
  if (peeled.length === 0 || !isRow) return item;
  for (const p of peeled)
    edits.push({ at: p.start, remove: 1, insert: "" }, { at: p.end - 1, remove: 1, insert: "" });
  return at;
}

interface Span {
  start: number;
  end: number;
}

/** The rows of the VALUES list starting at `from`: each one's start and end, trimmed. */
function valuesItems(code: string, from: number): { start: number; end: number }[] {
  const items: { start: number; end: number }[] = [];
  let start = from;
  const push = (end: number) => {
    const text = code.slice(start, end);
    const lead = text.length - text.trimStart().length;
    if (text.trim() !== "") items.push({ start: start + lead, end: start + text.trimEnd().length });
    start = end + 1;
  };
  let depth = 0;
  let i = from;
  for (; i < code.length; i++) {
    const ch = code[i] as string;
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch) && depth-- === 0) break;
    else if (depth > 0) continue;
    else if (ch === ",") push(i);
    else if (ch === ";" || (!/\w/.test(code[i - 1] ?? " ") && VALUES_END.test(code.slice(i))))
      break;
  }
  push(i);
  return items;
}

/**
 * Trino's Unicode string literals (`U&'\0041'`, `U&'#0041' UESCAPE '#'`) as the plain literals
 * they stand for (`'A'`, a quote doubled): DuckDB's parser fails on them ("unicode_to_utf8 NOT
 * IMPLEMENTED"), Athena reads them. Decoded by the check's decoder (@run-md/sql), which refused
 * what Trino refuses before this runs; one it cannot decode, or whose text holds a NUL (which no
 * DuckDB literal holds), is left as written, for DuckDB to refuse.
 */
export function unicodeStrings(sql: string): string {
  if (!/u&'/i.test(sql)) return sql;
  let out = "";
  let i = 0;
  let from = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const comment = sqlCommentEnd(sql, i);
    if (ch === "'" || ch === '"') i = sqlQuotedEnd(sql, i);
    else if (comment >= 0) i = comment;
    else if (
      (ch === "u" || ch === "U") &&
      sql[i + 1] === "&" &&
      sql[i + 2] === "'" &&
      !/[\w$]/.test(sql[i - 1] ?? " ")
    ) {
      const end = sqlQuotedEnd(sql, i + 2);
      const body = sql.slice(i + 3, end - 1);
      const uescape = /^\s+uescape\s*'((?:[^']|'')*)'/i.exec(sql.slice(end));
      const decoded = decodeUnicodeString(body, uescape?.[1]);
      const stop = end + (uescape?.[0].length ?? 0);
      if ("text" in decoded && !decoded.text.includes("\0")) {
        out += `${sql.slice(from, i)}'${decoded.text.replaceAll("'", "''")}'`;
        from = stop;
      }
      i = stop;
    } else i++;
  }
  return out + sql.slice(from);
}
