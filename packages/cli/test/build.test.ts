/**
 * The CLI's build (scripts/build.mjs) gives the same files whichever folder it runs from: the
 * test suite's global setup builds from the repository's root and `npm pack` rebuilds from
 * packages/cli while other tests run `run-md`. With other chunk names, that rebuild removed the
 * chunks a running `run-md` was about to load (a crash, exit 1, no report).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, inject, it } from "vitest";
import { distDigests } from "../../../test/cli-dist.ts";
import { repoRoot } from "./check-helpers.ts";

const PKG = path.join(repoRoot, "packages/cli");

it("builds the same files from packages/cli (npm pack) as from the repository's root", () => {
  // The global setup's build, from the root, before any test ran.
  const fromRoot = inject("cliDist");
  expect(Object.keys(fromRoot).filter((f) => f.startsWith("chunk-")).length).toBeGreaterThan(3);
  execFileSync(process.execPath, [path.join(PKG, "scripts/build.mjs"), "--quiet"], { cwd: PKG });
  expect(distDigests()).toEqual(fromRoot);
});
