/**
 * RE2's own verdict on the patterns the local engine hands DuckDB, asked before anything runs:
 * JavaScript's reading of a pattern (`@run-md/insights` `regexProblem`) misses what only RE2
 * refuses (`[\b]`, `[a-\d]`, `\Q\E*`, a pattern past RE2's program size such as `\pL{500}`), which
 * otherwise failed the step mid-run. Each pattern is compiled by DuckDB's `regexp_matches` on a
 * private in-memory DuckDB that reads no file, created on first use (one per process, shared
 * with `duckdbStepProblem`); verdicts are kept per pattern.
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Dialect } from "@run-md/core";
import { regexValueProblem } from "./local-patterns.ts";

let checker: Promise<DuckDBConnection> | undefined;

/** The private in-memory DuckDB's connection (no file access), created on first use. */
export function checkerConnection(): Promise<DuckDBConnection> {
  checker ??= DuckDBInstance.create(":memory:", { enable_external_access: "false" }).then((db) =>
    db.connect(),
  );
  return checker;
}

const verdicts = new Map<string, string | undefined>();
/** Verdicts kept at most (a server asked about many values forgets them all past it). */
const KEPT = 1024;

/** What RE2 says of `pattern` (`invalid escape sequence: \b`), or undefined when it compiles. */
export async function re2Problem(pattern: string): Promise<string | undefined> {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  const conn = await checkerConnection();
  let problem: string | undefined;
  try {
    await conn.run("SELECT regexp_matches('', $1)", [pattern]);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // RE2's refusals are DuckDB's Invalid Input errors; anything else is no verdict.
    if (!message.startsWith("Invalid Input Error: ")) throw e;
    problem = message.slice("Invalid Input Error: ".length);
  }
  if (verdicts.size >= KEPT) verdicts.clear();
  verdicts.set(pattern, problem);
  return problem;
}

/**
 * Why RE2 refuses a parameter's value where a step uses it as a regular expression, or
 * undefined (local-patterns.ts `regexValueProblem`, asking RE2 here).
 */
export function re2ValueProblem(
  value: string,
  dialect: Dialect,
  name = "value",
): Promise<string | undefined> {
  return regexValueProblem(value, dialect, name, re2Problem);
}
