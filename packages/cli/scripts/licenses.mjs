/**
 * The notices of the third-party packages a bundle contains: their code is in `dist/`, so their
 * licenses (MIT, ISC, Apache-2.0, BSD: each asks for its text to travel with copies) go in a file
 * beside it, `dist/THIRD-PARTY-LICENSES.txt`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The folder of the installed package a bundled file belongs to, or null (a workspace source). */
function packageDir(file) {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const size = parts[at + 1]?.startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + size).join("/");
}

/**
 * The package's license text: its LICENSE, LICENCE or COPYING file, in any case, with any
 * extension or suffix (`LICENSE.md`, `LICENSE-MIT.txt`).
 */
function licenseText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)([-._].*)?$/i.test(f));
  return file ? readFileSync(path.join(dir, file), "utf8").trim() : null;
}

/**
 * One section per bundled package (name, version, license and its text), sorted by name; a
 * package that ships no license file is named with its declared license only.
 * @param {{ inputs: Record<string, unknown> }} metafile esbuild's, paths relative to `root`
 * @param {string} root esbuild's working directory
 */
export function thirdPartyNotices(metafile, root) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDir(input);
    if (dir) dirs.add(path.resolve(root, dir));
  }
  const sections = new Map();
  for (const dir of dirs) {
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    const key = `${pkg.name}@${pkg.version}`;
    if (sections.has(key)) continue;
    const text =
      licenseText(dir) ??
      `(the package ships no license file; its package.json declares ${pkg.license ?? "no license"})`;
    sections.set(key, `${key}\nLicense: ${pkg.license ?? "unknown"}\n\n${text}\n`);
  }
  const sorted = [...sections.entries()].sort(([a], [b]) => a.localeCompare(b));
  const header = "run-md bundles the following packages into dist/. Their licenses follow.\n";
  return [header, ...sorted.map(([, s]) => s)].join(`\n${"-".repeat(78)}\n\n`);
}
