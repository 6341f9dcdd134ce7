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
