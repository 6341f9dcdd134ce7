import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TestSpecification, Vitest } from "vitest/node";
import { REPO } from "./helpers.ts";
import LongestFirstSequencer, { DURATIONS_FILE } from "./sequencer.ts";

const committed = JSON.parse(readFileSync(DURATIONS_FILE, "utf8")) as Record<string, number>;

/** The part of vitest's context the sequencer reads: the root and the cache of the last run. */
function sequencer(cached: Record<string, number>) {
  const ctx = {
    config: { root: REPO },
    cache: {
      getFileTestResults: (key: string) => {
        const ms = cached[key.replace(/^:/, "")];
        return ms === undefined ? undefined : { duration: ms, failed: false };
      },
    },
  } as unknown as Vitest;
  return new LongestFirstSequencer(ctx);
}

const spec = (rel: string) =>
  ({ moduleId: path.join(REPO, rel), project: { name: "" } }) as unknown as TestSpecification;

const order = async (s: LongestFirstSequencer, files: string[]) =>
  (await s.sort(files.map(spec))).map((f) => path.relative(REPO, f.moduleId));

describe("the test sequencer", () => {
  const [longest, second] = Object.entries(committed).sort((a, b) => b[1] - a[1]);

  it("starts the files test/durations.json says are longest first, in a fresh clone", async () => {
    const files = ["packages/sql/test/tables.test.ts", second![0], longest![0]];
    expect(await order(sequencer({}), files)).toEqual([
      longest![0],
      second![0],
      "packages/sql/test/tables.test.ts",
    ]);
  });

  it("prefers the committed durations (hooks included) to vitest's cache; a file neither knows of comes last", async () => {
    const files = ["a/unknown.test.ts", longest![0], second![0], "b/unknown.test.ts"];
    // The cache says the second is longer and the longest is short (its beforeAll left out).
    const s = sequencer({
      [second![0]]: longest![1] + 1,
      [longest![0]]: 1,
      "b/unknown.test.ts": 5,
    });
    expect(await order(s, files)).toEqual([
      longest![0],
      second![0],
      "b/unknown.test.ts",
      "a/unknown.test.ts",
    ]);
  });
});
