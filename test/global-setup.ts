/**
 * Vitest global setup, once per `vitest run`:
 * - makes a folder for what test files build once and share within this run (`inject("runDir")`),
 *   inside the run's temporary folder (test/tmp-dir.ts; both removed at the end), and starts there the site tests' one Astro build
 *   (site/test/shared-site.ts) when the run includes one of them, not waiting for it;
 * - builds the CLI bundle (packages/cli/dist), so every test that runs the real `run-md` binary
 *   runs the current sources, compiled once (two seconds) rather than through a TypeScript
 *   loader in each spawned process; its files' digests go to `inject("cliDist")`;
 * - meanwhile generates the sample data the end-to-end tests share (test/sample-data.ts);
 * - under `CI=true`, fails the run when `../shared` or Chromium is missing, rather than letting
 *   the tests that need them skip (test/ci-prerequisites.ts).
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { isCI, missingPrerequisites, REPO } from "./ci-prerequisites.ts";
import { distDigests } from "./cli-dist.ts";
import "./run-dir.ts"; // the type of inject("runDir")
import { SHARED_SITE_READERS } from "../site/test/shared-site-readers.ts";
import { prepareSampleData } from "./sample-data.ts";
import { removeRunTmpDir, runTmpDir } from "./tmp-dir.ts";

export default async function setup(project: TestProject): Promise<() => void> {
  if (isCI()) {
    const missing = missingPrerequisites();
    if (missing.length > 0) {
      throw new Error(
        `CI=true and a prerequisite of the tests is missing:\n- ${missing.join("\n- ")}`,
      );
    }
  }
  // Vitest's `env` reaches the workers, not this process: the shared site's build, started here,
  // gets the site builds' Node arguments from it too.
  const siteArgs = project.config.env?.RUN_MD_SITE_NODE_ARGS;
  if (siteArgs !== undefined) process.env.RUN_MD_SITE_NODE_ARGS ??= String(siteArgs);
  const runDir = mkdtempSync(path.join(runTmpDir(), "run-"));
  project.provide("runDir", runDir);
  // The site's build (Astro) and the CLI's (esbuild) are processes of their own: both run while
  // this process generates the sample data.
  const siteBuild = (await readsSharedSite(project)) ? startSharedSite(runDir) : undefined;
  try {
    const [, sampleData] = await Promise.all([buildCli(), prepareSampleData()]);
    project.provide("sampleData", sampleData);
    project.provide("cliDist", distDigests());
  } catch (e) {
    await siteBuild; // no build left running when the run stops here
    removeRunTmpDir();
    throw e;
  }
  return async () => {
    await siteBuild;
    removeRunTmpDir();
  };
}

/**
 * `packages/cli/scripts/build.mjs --quiet`, from the repository's root (the pack test's `npm pack`
 * builds again from packages/cli, and the test compares); its output (an error) goes to the run's
 * output.
 */
function buildCli(): Promise<void> {
  const script = path.join(REPO, "packages/cli/scripts/build.mjs");
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [script, "--quiet"], { cwd: REPO }, (error) =>
      error ? reject(new Error(`the CLI build failed: ${error.message}`)) : resolve(),
    );
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  });
}

/** Whether this run includes a test file that reads the shared site build. */
async function readsSharedSite(project: TestProject): Promise<boolean> {
  // The command line's file filters (vitest keeps them on its instance); none: every file.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((f) => SHARED_SITE_READERS.includes(path.relative(REPO, f)));
}

/**
 * The shared site's Astro build (site/test/shared-site.ts), started now and not awaited: it
 * runs beside the first files' tests rather than keeping a worker waiting for it. A failure is
 * recorded in the run's folder, where the files that read the site find and report it.
 */
async function startSharedSite(runDir: string): Promise<void> {
  const { sharedSite } = await import("../site/test/shared-site.ts");
  await sharedSite(runDir).catch(() => undefined);
}
