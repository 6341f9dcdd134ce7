/**
 * The pages' Content-Security-Policy, carried by every page as a `<meta>` (GitHub Pages sends no
 * headers of ours; `run-md serve` adds its own header beside it). Script runs only from the
 * site's own files and from the inline scripts written in the site's and Starlight's components
 * (`<script is:inline>`), each allowed by its hash: a value of a report or a runbook that
 * reached a page as markup (an `onerror=` attribute, a `<script>` element, written by the build
 * or by the live view in the browser) does not run. Styles are left alone: the highlighted code
 * and the charts are styled by attributes, and a style cannot run script.
 *
 * The hashes are read from the components' sources when the site is built, never from the pages
 * made (which hold data): Astro writes an inline script's text unchanged, so the hash of the
 * source's text is the hash of the page's.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const INLINE_SCRIPT = /<script\b[^>]*\bis:inline\b[^>]*>([\s\S]*?)<\/script>/g;

/** The `sha256-...` source of a script's text, as a policy names it. */
export function scriptHash(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

function astroFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".astro"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The hashes of every `<script is:inline>` of the `.astro` files under `dirs`, sorted. */
export function inlineScriptHashes(dirs: readonly string[]): string[] {
  const hashes = new Set<string>();
  for (const file of dirs.flatMap(astroFiles)) {
    for (const m of readFileSync(file, "utf8").matchAll(INLINE_SCRIPT)) {
      hashes.add(scriptHash(m[1] ?? ""));
    }
  }
  return [...hashes].sort();
}

/**
 * The policy: scripts of the site's origin and the hashed inline ones; WebAssembly compiled by
 * those scripts (Pagefind's search); no plugins; no `<base>` elsewhere.
 */
export function scriptPolicy(hashes: readonly string[]): string {
  const sources = ["'self'", "'wasm-unsafe-eval'", ...hashes.map((h) => `'${h}'`)];
  return `script-src ${sources.join(" ")}; object-src 'none'; base-uri 'self'`;
}
