/**
 * sqlCommentEnd reads comments as Trino's grammar (SqlBase.g4): SIMPLE_COMMENT `--` ~[\r\n]*,
 * BRACKETED_COMMENT `/*` .*? `*\/`. The expected ends are counted by hand from those rules.
 */
import { describe, expect, it } from "vitest";
import { sqlBlockCommentClosed, sqlCommentEnd } from "../src/index.ts";

describe("sqlCommentEnd", () => {
  it.each([
    // [text, at, end]
    ["-- a\nb", 0, 4],
    ["-- a\rb", 0, 4],
    ["-- a\r\nb", 0, 4],
    ["-- a", 0, 4],
    ["x -- a\u2028b", 2, 8], // a line separator does not end it
    ["/* a */b", 0, 7],
    ["/* /* */ b */", 0, 8], // no nesting: the first star-slash ends it
    ["/*/ a */", 0, 8], // the opener's star is not a closer's
    ["/* a", 0, 4], // never closed: to the end
    ["/* -- */ x", 0, 8],
    ["-- /* \n */", 0, 6],
    ["a - - b", 2, -1],
    ["a / * b", 2, -1],
    ["'--'", 0, -1],
  ])("%j from %i ends at %i", (text, at, end) => {
    expect(sqlCommentEnd(text, at)).toBe(end);
  });

  it("tells a closed block comment from one never closed", () => {
    expect(sqlBlockCommentClosed("/* a */", 0)).toBe(true);
    expect(sqlBlockCommentClosed("/*/", 0)).toBe(false);
    expect(sqlBlockCommentClosed("x /* a", 2)).toBe(false);
  });
});
