/**
 * The site's search index, built with Pagefind from the pages that ask to be searched.
 *
 * Starlight's own `astro:build:done` hook hands Pagefind the whole output directory. Pagefind
 * indexes only the pages with a `data-pagefind-body` element when any page has one (Starlight's
 * pages do: the index, the runbooks, the docs), but it reads and parses every HTML file to find
 * out: with 100 runbooks of 30 runs that is 3,000 run pages (RunLayout, no such element) read for
 * nothing, the costliest part of the build after the pages themselves. This hook picks the pages
 * by the same rule and gives Pagefind those alone, so the index is the same.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration, AstroIntegrationLogger } from "astro";
import * as pagefind from "pagefind";

/**
 * An element marked `data-pagefind-body`. Text of the pages is escaped (`<` and `>` included), but
 * attribute values keep `<` and `>` raw, as HTML allows: a runbook's tag `<i data-pagefind-body>`
 * (in its row's `data-tags`) matches on the index, tag and status pages. Such a page is only read
 * for nothing: Pagefind parses it and, finding no marked element, leaves it out of the index
 * (red-team review: a build with that tag gave Pagefind 7 pages, and its index the same 3).
 */
const BODY = /<[a-z][^<>]*\sdata-pagefind-body(?=[\s=/>])/i;

const READ_AT_ONCE = 16;

export interface PageFile {
  /** Relative to the output directory, as Pagefind makes the page's URL from it. */
  sourcePath: string;
  content: string;
}

/**
 * The run pages (`runUrl`): RunLayout pages, never marked for search, and 3,000 of them, so not
 * even read (site.test.ts checks that the index holds every marked page of the site).
 */
export const RUN_PAGES = /^runbooks\/[^/]+\/runs\//;

/**
 * The HTML pages of `dir` that Pagefind indexes: those with a `data-pagefind-body` element, or
 * every page when none has one (Pagefind's own rule); pages matching `skip` are left out unread.
 */
export async function searchablePages(dir: string, skip?: RegExp): Promise<PageFile[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith(".html"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((f) => !skip?.test(f))
    .sort();
  const marked: PageFile[] = [];
  // A few files at a time; the plain search rules out most pages before the pattern runs.
  for (let i = 0; i < files.length; i += READ_AT_ONCE) {
    const batch = files.slice(i, i + READ_AT_ONCE);
    const pages = await Promise.all(
      batch.map(async (sourcePath) => ({
        sourcePath,
        content: await readFile(path.join(dir, sourcePath), "utf8"),
      })),
    );
    for (const p of pages) {
      if (p.content.includes("data-pagefind-body") && BODY.test(p.content)) marked.push(p);
    }
  }
  if (marked.length > 0) return marked;
  return Promise.all(
    files.map(async (sourcePath) => ({
      sourcePath,
      content: await readFile(path.join(dir, sourcePath), "utf8"),
    })),
  );
}

function check<T extends { errors: string[] }>(response: T, what: string): T {
  if (response.errors.length > 0) {
    throw new Error(`Pagefind could not ${what}: ${response.errors.join("; ")}`);
  }
  return response;
}

/** Writes `<dir>/pagefind/`, the index Starlight's search box loads. */
export async function writeSearchIndex(
  dir: string,
  logger: AstroIntegrationLogger,
): Promise<number> {
  const started = performance.now();
  const pages = await searchablePages(dir, RUN_PAGES);
  try {
    const { index } = check(await pagefind.createIndex(), "start");
    if (!index) throw new Error("Pagefind returned no index");
    for (const page of pages) check(await index.addHTMLFile(page), `index ${page.sourcePath}`);
    check(await index.writeFiles({ outputPath: path.join(dir, "pagefind") }), "write its files");
  } finally {
    await pagefind.close();
  }
  logger.info(
    `search index of ${pages.length} pages in ${Math.round(performance.now() - started)} ms`,
  );
  return pages.length;
}

/**
 * Starlight with its search index built by `writeSearchIndex` instead of its own hook. Its only
 * `astro:build:done` work is the index (Starlight 0.37); the search box, its translations and
 * its Pagefind options are Starlight's as before.
 */
export function withSearchIndex(starlight: AstroIntegration): AstroIntegration {
  return {
    ...starlight,
    hooks: {
      ...starlight.hooks,
      "astro:build:done": async ({ dir, logger }) => {
        await writeSearchIndex(fileURLToPath(dir), logger.fork("run-md:search"));
      },
    },
  };
}
