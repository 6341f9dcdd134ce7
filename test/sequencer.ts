/**
 * The order in which vitest hands test files to its workers: the longest first, so the two
 * workers end together instead of one starting a minute-long file (a browser test, the CLI on a
 * week of data) when the other has nothing left. Vitest's own sequencer orders by the last run's
 * durations only when its cache has them, which a fresh clone (CI) has not; it then falls back
 * to file size, a poor guess here (the one-test conformance file takes 25 s).
 *
 * A file's weight: the duration measured in a full run and committed in test/durations.json
 * (hooks included; test/durations-reporter.ts refreshes it), else its duration in vitest's cache
 * (which leaves out `beforeAll`: a file building a site there looks instant), else 0 (files under
 * a second are left out of durations.json).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { SHARED_SITE_READERS } from "../site/test/shared-site-readers.ts";

export const DURATIONS_FILE = new URL("./durations.json", import.meta.url);

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed = JSON.parse(readFileSync(DURATIONS_FILE, "utf8")) as Record<string, number>;
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): number => {
      const rel = relative(root, spec);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${rel}`);
      return committed[rel] ?? cached?.duration ?? 0;
    };
    const weights = new Map(files.map((f) => [f, weight(f)]));
    // Array.prototype.sort is stable: files of equal weight keep vitest's order.
    const sorted = [...files].sort((a, b) => weights.get(b)! - weights.get(a)!);
    const isReader = (f: TestSpecification) => SHARED_SITE_READERS.includes(relative(root, f));
    return afterSiteBuild(sorted, isReader, (f) => weights.get(f)!);
  }
}

/**
 * The committed weight of work (ms, summed over files) that runs before the first file reading
 * the shared site build: about the build's time (17 s alone, more beside two workers) on each of
 * the two workers. Started first, the readers kept both workers waiting for it while one core
 * built and the other idled.
 */
export const SITE_BUILD_LEAD_MS = 60_000;

/**
 * `sorted` with each reader of the shared site moved after the first files whose weights add up
 * to SITE_BUILD_LEAD_MS (the others keep their order).
 */
export function afterSiteBuild<T>(
  sorted: T[],
  isReader: (f: T) => boolean,
  weight: (f: T) => number,
): T[] {
  const readers = sorted.filter(isReader);
  const rest = sorted.filter((f) => !isReader(f));
  let lead = 0;
  let at = 0;
  while (at < rest.length && lead < SITE_BUILD_LEAD_MS) lead += weight(rest[at++]!);
  return [...rest.slice(0, at), ...readers, ...rest.slice(at)];
}

function relative(root: string, spec: TestSpecification): string {
  return path.relative(root, spec.moduleId).split(path.sep).join("/");
}
