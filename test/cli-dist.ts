/**
 * The files of the CLI's build (packages/cli/dist) with a digest of each: what the global setup
 * built from the repository's root (`inject("cliDist")`, taken before any test runs), for the
 * pack test, whose `npm pack` builds again from packages/cli, to compare.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "./ci-prerequisites.ts";

declare module "vitest" {
  export interface ProvidedContext {
    cliDist: Record<string, string>;
  }
}

export const CLI_DIST = path.join(REPO, "packages/cli/dist");

/**
 * Every file of `dir` (relative path) with the SHA-256 of its contents, but the `.tmp` files of a
 * build writing at the same time (scripts/build.mjs renames them into place).
 */
export function distDigests(dir: string = CLI_DIST): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile() || f.name.endsWith(".tmp")) continue;
    const full = path.join(f.parentPath, f.name);
    files[path.relative(dir, full)] = createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return files;
}
