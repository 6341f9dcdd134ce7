/**
 * The site under hostile input (issue 10): a runbook title that closes `<title>`, raw HTML and
 * `javascript:` links in prose, log values that are markup, and tags with `/` (hostile-fixture.ts).
 * Reads the HTML of a real site built from that runbook and a report the real `run-md` wrote: the
 * site tests' one shared build (shared-site.ts).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Element, Root } from "hast";
import { select, selectAll } from "hast-util-select";
import { toString as hastToString } from "hast-util-to-string";
import { visit } from "unist-util-visit";
import { beforeAll, describe, expect, it } from "vitest";
import { AGENT, KEY_ID, SPOOF, TAGS, TITLE } from "./hostile-fixture.ts";
import { builtPage, sharedSite, text } from "./shared-site.ts";

let outDir: string;

beforeAll(async () => {
  outDir = (await sharedSite()).outDir;
}, 300_000);

const page = (route: string): Promise<Root> => builtPage(outDir, route);

/** Everything in a page that would run script: event handlers, script URLs, scripts we did not write. */
function liveScript(tree: Root): string[] {
  const found: string[] = [];
  visit(tree, "element", (el: Element) => {
    for (const [name, value] of Object.entries(el.properties)) {
      if (/^on/i.test(name)) found.push(`${el.tagName} ${name}`);
      const v = String(value ?? "").replace(/[\s\u0000-\u001f]/g, "");
      if (/^(href|src|action|formAction)$/i.test(name) && /^javascript:/i.test(v)) {
        found.push(`${el.tagName} ${name}=${v}`);
      }
    }
    if (el.tagName === "script" && /alert\(/.test(hastToString(el))) found.push("script alert");
    if (el.tagName === "iframe") found.push("iframe");
  });
  return found;
}

describe("the site escapes and sanitizes what runbooks and logs put in it", () => {
  it("escapes the runbook title in <title> and shows it as written", async () => {
    const doc = await page("runbooks/hostile");
    expect(hastToString(select("title", doc)!)).toBe(`${TITLE} | run-md runbooks`);
    expect(hastToString(select("h1", doc)!)).toBe(TITLE);
    const runs = await readdir(path.join(outDir, "runbooks/hostile/runs"));
    const run = await page(`runbooks/hostile/runs/${runs[0]}`);
    expect(hastToString(select("title", run)!)).toContain(TITLE);
    for (const route of ["", "runbooks/hostile", `runbooks/hostile/runs/${runs[0]}`]) {
      expect(liveScript(await page(route)), route).toEqual([]);
    }
  });

  it("sanitizes the prose: no raw HTML, no javascript: links, the Markdown itself kept", async () => {
    const doc = await page("runbooks/hostile");
    const prose = select(".rm-document", doc)!;
    expect(liveScript({ type: "root", children: [prose] })).toEqual([]);
    // The only script is expressive-code's own (its copy button), loaded from the site; the
    // image whose src was a javascript: URL is left without one.
    const scripts = selectAll("img, iframe, script", prose).map(
      (e) => `${e.tagName} ${String(e.properties.src ?? "")}`,
    );
    expect(scripts.filter((s) => !/^script \/_astro\/ec\.[\w-]+\.js$/.test(s))).toEqual(["img "]);
    expect(text(select("strong", prose))).toBe("bold");
    expect(select('a[href="https://example.com/docs"]', prose)).toBeDefined();
    expect(text(select("h2#who-called", prose))).toBe("Who called");
  });

  it("shows hostile log values as text", async () => {
    const doc = await page("runbooks/hostile");
    const shown = hastToString(select("[data-step-result=agents]", doc)!);
    expect(shown).toContain(`${AGENT}\\u202egpj.exe`);
    expect(selectAll("img", doc).filter((i) => i.properties.src === "x")).toHaveLength(0);
    // The override shown, not obeyed: nowhere on the page (the cell, the check's message).
    expect(await readFile(path.join(outDir, "runbooks/hostile/index.html"), "utf8")).not.toContain(
      SPOOF,
    );
  });

  it("publishes no access key id when the runs hid them", async () => {
    const runs = await readdir(path.join(outDir, "runbooks/hostile/runs"));
    const json = await readdir(path.join(outDir, "reports/hostile"));
    const texts = [
      await readFile(path.join(outDir, "runbooks/hostile/index.html"), "utf8"),
      await readFile(path.join(outDir, "runbooks/hostile/runs", runs[0]!, "index.html"), "utf8"),
      await readFile(path.join(outDir, "reports/hostile", json[0]!), "utf8"),
    ];
    for (const t of texts) {
      expect(t).not.toContain(KEY_ID);
      expect(t).toContain("AKIA****************");
    }
  });

  it("gives tags with / and other characters pages of their own", async () => {
    const doc = await page("runbooks/hostile");
    const hrefs = selectAll("a.rm-tag", doc).map((a) => String(a.properties.href));
    expect(hrefs).toHaveLength(3);
    expect(new Set(hrefs).size).toBe(3); // ci/cd and ci-cd never share a page
    expect(hrefs).toContain("/tags/ci-cd/");
    for (const [i, tag] of TAGS.entries()) {
      const href = hrefs[i]!;
      expect(href).toMatch(/^\/tags\/[A-Za-z0-9_.-]+\/$/);
      const tagPage = await page(href.slice(1, -1));
      expect(text(select("h1", tagPage))).toBe(`Runbooks tagged ${tag}`);
      expect(selectAll("tr[data-runbook]", tagPage).map((r) => r.properties.dataRunbook)).toEqual([
        "hostile",
      ]);
    }
  });
});
