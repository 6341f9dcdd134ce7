import { RunMdError } from "@run-md/core";

/** 1-based line and column of a 0-based offset in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A query that is not valid Logs Insights, or that the local translation cannot run. `line` and
 * `column` are 1-based and relative to the query text; the message does not repeat them, so a
 * caller can add the block's own offset.
 */
export class InsightsSyntaxError extends RunMdError {
  readonly line: number;
  readonly column: number;
  /** 0-based offset into the query text, and the length of the offending token (at least 1). */
  readonly offset: number;
  readonly length: number;

  constructor(
    query: string,
    offset: number,
    length: number,
    message: string,
    options: { hint?: string; code?: string } = {},
  ) {
    const { line, column } = positionAt(query, offset);
    super(options.code ?? "insights-syntax", message, {
      hint:
        options.hint ??
        "See the Logs Insights query syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html",
      details: { line, column, offset, length },
    });
    this.name = "InsightsSyntaxError";
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.length = Math.max(1, length);
  }
}

/** A valid query that uses something the local translation does not implement. */
export class InsightsUnsupportedError extends InsightsSyntaxError {
  constructor(query: string, offset: number, length: number, message: string, hint?: string) {
    super(query, offset, length, message, {
      code: "insights-unsupported",
      hint:
        hint ??
        "The local engine translates the Logs Insights subset CloudTrail runbooks use; run this step with --engine logs, or rewrite it.",
    });
    this.name = "InsightsUnsupportedError";
  }
}

/** How a refusal raised while the translation's SQL runs says where its call is in the query. */
const REFUSAL_AT = / \[run-md insights refusal at (\d+)\+(\d+)\]/;

/**
 * The text of a refusal the translation's SQL raises while it runs (`error(...)`: a value the
 * function cannot take, known only from the data), with the place of `node` in the query, so
 * that `insightsRefusal` can report it there.
 */
export function refusalText(node: { start: number; end: number }, message: string): string {
  return `${message} [run-md insights refusal at ${node.start}+${node.end - node.start}]`;
}

/**
 * The refusal an error of the translation's SQL carries (`refusalText`), as an
 * `InsightsUnsupportedError` at its place in `query` (the text given to `translateInsights`);
 * undefined for any other error. The engine's and DuckDB's wording around it is dropped.
 */
export function insightsRefusal(
  query: string,
  error: unknown,
): InsightsUnsupportedError | undefined {
  const text = error instanceof Error ? error.message : String(error);
  const at = REFUSAL_AT.exec(text);
  if (!at) return undefined;
  const before = text.slice(0, at.index);
  const cut = before.lastIndexOf("Error: ");
  const message = cut < 0 ? before : before.slice(cut + "Error: ".length);
  return new InsightsUnsupportedError(query, Number(at[1]), Number(at[2]), message.trim());
}

/** What to do about a query nested too deeply (the parser's bounds and the stack's). */
export const TOO_DEEP_HINT =
  'Write a long list of alternatives as `field in ["a", "b", ...]` or one regular expression (`field like /a|b/`), and remove needless parentheses.';

/**
 * `run` with JavaScript's stack overflow (a query nested thousands deep: parentheses, NOTs, calls,
 * ORs) turned into a syntax error that says so; before, the step failed with "Maximum call stack
 * size exceeded", which names nothing in the query (found by a red-team review).
 */
export function withinStack<T>(query: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
    throw new InsightsSyntaxError(
      query,
      0,
      1,
      "the query nests too deeply to be read: thousands of parentheses, nested calls, NOTs or ORs",
      {
        hint: TOO_DEEP_HINT,
      },
    );
  }
}
