/**
 * A recursive-descent parser's place in its tokens, for the parsers of `expect` blocks (core)
 * and Logs Insights (`@run-md/insights`). The last token is the end of the input: reading past it
 * keeps returning it, so a parser needs no bounds checks.
 */
export class TokenCursor<T> {
  /** The index of the next token. */
  protected pos = 0;
  constructor(protected readonly tokens: readonly T[]) {}

  /** The token `offset` places ahead, without moving. */
  protected peek(offset = 0): T {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  /** The next token, moving past it (never past the last). */
  protected next(): T {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }
}
