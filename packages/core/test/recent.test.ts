import { describe, expect, it } from "vitest";
import { setNewest } from "../src/index.ts";

describe("setNewest", () => {
  it("keeps the newest entries up to the limit, a key set again counting as new", () => {
    const m = new Map<string, number>();
    for (const [k, v] of [
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ] as const)
      setNewest(m, k, v, 3);
    setNewest(m, "a", 10, 3); // a is now the newest
    setNewest(m, "d", 4, 3); // b, the oldest, goes
    expect([...m]).toEqual([
      ["c", 3],
      ["a", 10],
      ["d", 4],
    ]);
    setNewest(m, "e", 5, 1);
    expect([...m]).toEqual([["e", 5]]);
  });
});
