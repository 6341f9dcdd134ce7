import { describe, expect, it } from "vitest";
import { jsonDepth } from "../src/server.ts";

/** The depth of a parsed value, computed on the value (not the text). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe("jsonDepth: how deep a request body nests", () => {
  it("agrees with the depth of the parsed value, brackets inside strings not counted", () => {
    const texts = [
      "1",
      '"[[[{{{"',
      "[]",
      '{"a": [1, {"b": "]]]"}], "c": {}}',
      '["\\"[", ["\\\\", ["x"]]]',
      '{"k\\"{": [[[[["deep"]]]]]}',
      `${"[".repeat(40)}${"]".repeat(40)}`,
    ];
    for (const text of texts)
      expect([text, jsonDepth(text)]).toEqual([text, depthOf(JSON.parse(text))]);
  });
});
