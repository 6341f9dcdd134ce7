/**
 * Files of the run-md package itself. Paths are resolved from this module, which sits one level
 * below the package root both as a source (`src/`) and once bundled (`dist/`).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
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

/** The user docs shipped with the package (dist/docs/, copied from the repository's docs/). */
export function docsDir(): string {
  return packagePath("dist/docs");
}

/**
 * A message or help text with each `docs/<page>.md` it names made a path the user can open from
 * the working folder: kept when that folder has it (the run-md repository, whose docs/ these
 * are), else the copy shipped in the package (`node_modules/run-md/dist/docs/<page>.md` in a
 * repository that installed run-md). Only pages the package ships are rewritten.
 */
export function docRefs(text: string): string {
  if (!text.includes("docs/")) return text;
  return text.replace(/(?<![\w./-])docs\/([\w-]+\.md)/g, (whole, page: string) => {
    if (existsSync(path.resolve(whole))) return whole;
    const shipped = path.join(docsDir(), page);
    return existsSync(shipped) ? path.relative(process.cwd(), shipped) : whole;
  });
}
