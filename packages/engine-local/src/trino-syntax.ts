/**
 * Trino syntax DuckDB's parser rejects, rewritten in the query text before parsing (outside
 * strings, quoted identifiers and comments): `IF(c, x)` and `listagg(...) WITHIN GROUP (...)`.
 */
import { RunMdError } from "@run-md/core";
import { mapCode } from "./rewrite.ts";

/** The text with strings, quoted identifiers and comments blanked (same length). */
function codeOnly(sql: string): string {
  return mapCode(
    sql,
    (code) => code,
    (other) => " ".repeat(other.length),
  );
}

/** The `)` closing the `(` at `open` in code-only text, and the commas directly inside. */
function closing(code: string, open: number): { close: number; commas: number } | undefined {
  let depth = 0;
  let commas = 0;
  for (let i = open; i < code.length; i++) {
    const ch = code[i];
    if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return { close: i, commas };
    else if (ch === "," && depth === 1) commas++;
  }
  return undefined;
}

/** Calls of `name` in code-only text, last first (so that rewriting one keeps the others' offsets). */
function callsOf(code: string, name: string): { start: number; open: number }[] {
  const re = new RegExp(`(?<![\\w.$"])${name}\\s*\\(`, "gi");
  return [...code.matchAll(re)]
    .map((m) => ({ start: m.index ?? 0, open: (m.index ?? 0) + m[0].length - 1 }))
    .reverse();
}

/** Trino's `IF(c, x)` is `IF(c, x, NULL)`; DuckDB's parser wants three arguments. */
export function ifWithoutElse(sql: string): string {
  const code = codeOnly(sql);
  let out = sql;
  for (const call of callsOf(code, "IF")) {
    const c = closing(code, call.open);
    if (c?.commas === 1) out = `${out.slice(0, c.close)}, NULL${out.slice(c.close)}`;
  }
  return out;
}

/**
 * `listagg(x[, sep]) WITHIN GROUP (ORDER BY k)` (Athena engine 3) → `string_agg(x, sep ORDER BY
 * k)`: both skip NULLs and give NULL for no rows; the separator defaults to ''.
 */
export function listaggWithinGroup(sql: string): string {
  const code = codeOnly(sql);
  let out = sql;
  for (const call of callsOf(code, "LISTAGG")) {
    const args = closing(code, call.open);
    if (!args) continue;
    const within = /^\s*WITHIN\s+GROUP\s*\(\s*ORDER\s+BY\b/i.exec(code.slice(args.close + 1));
    if (!within) throw listaggError("listagg needs WITHIN GROUP (ORDER BY ...), as in Trino");
    if (/\bON\s+OVERFLOW\b/i.test(code.slice(call.open, args.close)))
      throw listaggError("listagg ... ON OVERFLOW is not supported locally");
    const groupOpen = args.close + 1 + within[0].lastIndexOf("(");
    const group = closing(code, groupOpen);
    if (!group) continue;
    const keys = out.slice(args.close + 1 + within[0].length, group.close);
    const values = out.slice(call.open + 1, args.close);
    const sep = args.commas === 0 ? ", ''" : "";
    out = `${out.slice(0, call.start)}string_agg(${values}${sep} ORDER BY${keys})${out.slice(group.close + 1)}`;
  }
  return out;
}

function listaggError(message: string): RunMdError {
  return new RunMdError("sql-syntax", message, {
    hint: "Write listagg(x, ',') WITHIN GROUP (ORDER BY x).",
  });
}
