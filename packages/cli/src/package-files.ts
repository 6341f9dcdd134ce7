/**
 * Files of the run-md package itself. Paths are resolved from this module, which sits one level
 * below the package root both as a source (`src/`) and once bundled (`dist/`).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** run-md's version, from its package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/** What `run-md init` copies, laid out as in the user's folder (made by scripts/build.mjs). */
export function templatesDir(): string {
  return packagePath("dist/templates");
}
