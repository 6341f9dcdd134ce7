/**
 * What a CI run must have that a laptop may lack. Locally, tests that need `../shared` (the
 * reference data sets and query corpora) or Chromium skip with a printed reason; under `CI=true`
 * a missing one is an error, so CI never passes by skipping what it was meant to check.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED = path.resolve(REPO, "../shared");
/** The parts of ../shared the tests read. */
export const SHARED_PARTS = ["datasets", "reference/queries", "reference/trino-conformance"];

/** `CI` as CI services set it (`true`, `1`); unset, empty, `0` and `false` mean a laptop. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/**
 * The browser the site's tests drive (installed by scripts/install-chromium.sh): Debian's
 * chromium-headless-shell, the same Blink as its chromium without the desktop browser around it
 * (what Playwright itself runs headless tests in). The same pages and axe checks took a measured
 * 27% less CPU in it than in the full chromium run headless (21.4-24.2 against 16.1-17.4 CPU-s).
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? "/usr/bin/chromium-headless-shell";
}

/** Each missing prerequisite, as a sentence naming the path and how to provide it. */
export function missingPrerequisites(shared = SHARED, chromium = chromiumPath()): string[] {
  const missing: string[] = [];
  for (const part of SHARED_PARTS) {
    const dir = path.join(shared, part);
    if (!existsSync(dir)) {
      missing.push(`${dir} is missing: the tests of the reference data and queries need it`);
    }
  }
  if (!existsSync(chromium)) {
    missing.push(`${chromium} is missing: run scripts/install-chromium.sh (npm test's pretest)`);
  }
  return missing;
}

/**
 * Skips the current test with `reason` on a laptop; under CI, fails it. Call from inside a test
 * (`ctx` is the test context).
 */
export function skipOrFail(ctx: { skip: () => void }, reason: string): void {
  if (isCI()) throw new Error(`CI=true: ${reason}`);
  console.warn(`skipping: ${reason}`);
  ctx.skip();
}
