/**
 * Every link of the built site resolves: each address a page links, loads or shows (`a`, `link`,
 * `img`, `script`, `source`, `iframe`, `form`) is a file of the build, and each `#fragment` is
 * an id of the page it points to. Reads the site tests' shared build (shared-site.ts): the
 * fixture runbooks, the hostile one, two runbooks of one id, runs, tags with `/`. A link the page
 * hides from every reader (`hidden`, on it or around it: the served site's sign-in) is left out.
 */
import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Element, Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { visitParents } from "unist-util-visit-parents";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedSite } from "./shared-site.ts";

let outDir: string;

beforeAll(async () => {
  outDir = (await sharedSite()).outDir;
}, 600_000);

async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await htmlFiles(p)));
    else if (e.name.endsWith(".html")) out.push(p);
  }
  return out;
}

/** The file an address of the site is served from, as a static server serves it. */
function fileOf(pathname: string): string | undefined {
  const p = path.join(outDir, decodeURIComponent(pathname));
  if (pathname.endsWith("/"))
    return existsSync(path.join(p, "index.html")) ? path.join(p, "index.html") : undefined;
  if (existsSync(p) && statSync(p).isFile()) return p;
  if (existsSync(path.join(p, "index.html"))) return path.join(p, "index.html");
  return undefined;
}

const ATTRIBUTES: Record<string, string[]> = {
  a: ["href"],
  link: ["href"],
  img: ["src"],
  script: ["src"],
  source: ["src"],
  iframe: ["src"],
  form: ["action"],
};

interface Link {
  page: string;
  url: URL;
}

/** The links of a page that a reader meets, resolved against the page's own address. */
function linksOf(tree: Root, route: string): Link[] {
  const out: Link[] = [];
  visitParents(tree, "element", (el: Element, ancestors) => {
    const names = ATTRIBUTES[el.tagName];
    if (!names) return;
    const hidden = [el, ...ancestors].some(
      (n) =>
        n.type === "element" &&
        (n as Element).properties.hidden !== undefined &&
        (n as Element).properties.hidden !== false,
    );
    if (hidden) return;
    for (const name of names) {
      const value = el.properties[name === "action" ? "action" : name];
      if (typeof value !== "string" || value === "") continue;
      const url = new URL(value, `http://site.test${route}`);
      if (url.host !== "site.test") continue; // another site's page
      out.push({ page: route, url });
    }
  });
  return out;
}

describe("the built site's links", () => {
  it("each resolve to a page or file of the build, and each fragment to an id of its page", async () => {
    const files = await htmlFiles(outDir);
    expect(files.length).toBeGreaterThan(20);
    const trees = new Map<string, Root>();
    const ids = new Map<string, Set<string>>();
    for (const f of files) {
      const tree = fromHtml(await readFile(f, "utf8"));
      trees.set(f, tree);
      const set = new Set<string>();
      visitParents(tree, "element", (el: Element) => {
        if (typeof el.properties.id === "string") set.add(el.properties.id);
      });
      ids.set(f, set);
    }
    const broken: string[] = [];
    let checked = 0;
    let fragments = 0;
    for (const [f, tree] of trees) {
      const route = `/${path
        .relative(outDir, f)
        .split(path.sep)
        .join("/")
        .replace(/index\.html$/, "")}`;
      for (const { page, url } of linksOf(tree, route)) {
        checked++;
        const target = fileOf(url.pathname);
        if (!target) {
          broken.push(`${page} → ${url.pathname}${url.hash}: no such file`);
          continue;
        }
        // `#_top` is the browser's own: the top of the page.
        if (url.hash.length > 1 && url.hash !== "#_top" && target.endsWith(".html")) {
          fragments++;
          const id = decodeURIComponent(url.hash.slice(1));
          if (!ids.get(target)?.has(id))
            broken.push(`${page} → ${url.pathname}${url.hash}: no element with that id`);
        }
      }
    }
    expect([...new Set(broken)]).toEqual([]);
    // The checker read links and fragments at all (a page full of them, not a vacuous pass).
    expect(checked).toBeGreaterThan(500);
    expect(fragments).toBeGreaterThan(50);
  });
});
