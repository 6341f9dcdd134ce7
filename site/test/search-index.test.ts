import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RUN_PAGES, searchablePages } from "../src/integrations/search-index.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-search-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function page(rel: string, html: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await writeFile(path.join(dir, rel), html);
}

describe("the pages given to Pagefind", () => {
  it("are those with a data-pagefind-body element, never a page that only says the words", async () => {
    await page(
      "index.html",
      '<html><body><main data-pagefind-body class="x">a</main></body></html>',
    );
    await page("runbooks/a/index.html", "<html><body><main\ndata-pagefind-body>b</main></body>");
    // A run page: no such element, though its report's rows and titles may hold the text.
    await page(
      "runbooks/a/runs/1/index.html",
      '<html><body><main><td>&lt;main data-pagefind-body&gt;</td><a title="x data-pagefind-body">r</a></main></body></html>',
    );
    await page("runbooks/a/runs/2/index.html", "<main data-pagefind-bodyx>not it</main>");
    await page("favicon.svg", "<svg data-pagefind-body></svg>");
    const pages = await searchablePages(dir);
    expect(pages.map((p) => p.sourcePath)).toEqual(["index.html", "runbooks/a/index.html"]);
    expect(pages[1]?.content).toContain(">b</main>");
  });

  it("leave the run pages out unread", async () => {
    await page("runbooks/a/index.html", "<main data-pagefind-body>a</main>");
    await page("runbooks/a/runs/1/index.html", "<main data-pagefind-body>run</main>");
    await page("runbooks/runs/index.html", "<main data-pagefind-body>not a run page</main>");
    const pages = await searchablePages(dir, RUN_PAGES);
    expect(pages.map((p) => p.sourcePath)).toEqual([
      "runbooks/a/index.html",
      "runbooks/runs/index.html",
    ]);
  });

  it("are every page when none is marked, as Pagefind itself would index them", async () => {
    await page("a/index.html", "<main>a</main>");
    await page("index.html", "<main>b</main>");
    const pages = await searchablePages(dir);
    expect(pages.map((p) => p.sourcePath)).toEqual(["a/index.html", "index.html"]);
  });
});
