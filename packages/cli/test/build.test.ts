/**
 * The CLI's build (scripts/build.mjs) gives the same files whichever folder it runs from: the
 * test suite's global setup builds from the repository's root and `npm pack` rebuilds from
 * packages/cli while other tests run `run-md`. With other chunk names, that rebuild removed the
 * chunks a running `run-md` was about to load (a crash, exit 1, no report).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "./check-helpers.ts";

const PKG = path.join(repoRoot, "packages/cli");
const DIST = path.join(PKG, "dist");

/** Every file of dist/ with a digest of its contents. */
function distFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(DIST, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const full = path.join(f.parentPath, f.name);
    files[path.relative(DIST, full)] = createHash("sha256")
      .update(readFileSync(full))
      .digest("hex");
  }
  return files;
}

function buildFrom(cwd: string): Record<string, string> {
  execFileSync(process.execPath, [path.join(PKG, "scripts/build.mjs"), "--quiet"], { cwd });
  return distFiles();
}

it("builds the same files from packages/cli (npm pack) as from the repository's root", () => {
  const fromRoot = buildFrom(repoRoot);
  expect(Object.keys(fromRoot).filter((f) => f.startsWith("chunk-")).length).toBeGreaterThan(3);
  expect(buildFrom(PKG)).toEqual(fromRoot);
});
