import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TestSpecification, Vitest } from "vitest/node";
import { SHARED_SITE_READERS } from "../site/test/shared-site-readers.ts";
import { REPO } from "./helpers.ts";
import LongestFirstSequencer, {
  afterSiteBuild,
  DURATIONS_FILE,
  SITE_BUILD_LEAD_MS,
} from "./sequencer.ts";

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
  const [longest, second] = Object.entries(committed)
    .filter(([f]) => !SHARED_SITE_READERS.includes(f))
    .sort((a, b) => b[1] - a[1]);

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

  it("starts the readers of the shared site once a minute of other work has started, while it builds", async () => {
    const sorted = await order(sequencer({}), Object.keys(committed));
    const first = sorted.findIndex((f) => SHARED_SITE_READERS.includes(f));
    expect(first).toBeGreaterThan(0);
    const before = sorted.slice(0, first).reduce((t, f) => t + committed[f]!, 0);
    expect(before).toBeGreaterThanOrEqual(SITE_BUILD_LEAD_MS);
    expect(sorted[0]).toBe(longest![0]);
    expect([...sorted].sort()).toEqual(Object.keys(committed).sort());
  });

  it("moves only the readers, keeping the others' order and their own", () => {
    const w: Record<string, number> = { r1: 90_000, a: 40_000, r2: 50_000, b: 30_000, c: 2, d: 1 };
    const moved = afterSiteBuild(
      ["r1", "a", "r2", "b", "c", "d"],
      (f) => f.startsWith("r"),
      (f) => w[f]!,
    );
    expect(moved).toEqual(["a", "b", "r1", "r2", "c", "d"]);
    // Less work than the lead in all: the readers come last.
    expect(
      afterSiteBuild(
        ["r1", "c", "d"],
        (f) => f.startsWith("r"),
        (f) => w[f]!,
      ),
    ).toEqual(["c", "d", "r1"]);
  });
});
