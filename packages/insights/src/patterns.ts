/**
 * The regular expressions of a Logs Insights query as the local engine's translation hands them
 * to DuckDB (RE2): each `/.../` literal (a `like` or `=~` pattern, a `parse` pattern) read by the
 * lexer, with named groups in RE2's spelling (`toRe2`), and the pattern a `like {{name}}` value
 * becomes. JavaScript's reading (`regexProblem`) finds most refusals with clearer words; `run-md
 * check` and the local engine ask RE2 itself about these for the rest (engine-local `re2.ts`).
 */
import { insightsRegexLiteral } from "@run-md/core";
import { tokenize } from "./lexer.ts";
import { toRe2 } from "./regex.ts";

export interface InsightsRegexLiteral {
  /** 0-based offset and length of the `/.../` literal in the query. */
  offset: number;
  length: number;
  /** The literal as written, between its slashes. */
  written: string;
  /** The pattern DuckDB gets. */
  pattern: string;
}

/** The query's `/regular expression/` literals, in order (a query that does not lex has none). */
export function insightsRegexLiterals(query: string): InsightsRegexLiteral[] {
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(query);
  } catch {
    return [];
  }
  return tokens
    .filter((t) => t.kind === "regex")
    .map((t) => ({
      offset: t.start,
      length: t.end - t.start,
      written: query.slice(t.start + 1, t.end - 1),
      pattern: toRe2(t.value),
    }));
}

/**
 * The pattern DuckDB gets for `like {{name}}` with this value: the `/.../` literal the logs
 * engine is sent (core's `insightsRegexLiteral`, which refuses a value no literal can hold),
 * read back by the lexer, as the translation reads it.
 */
export function insightsParamPattern(name: string, value: string): string {
  return toRe2(tokenize(insightsRegexLiteral(name, value))[0]!.value);
}
