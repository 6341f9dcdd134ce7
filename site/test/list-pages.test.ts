/**
 * The server's filter of the list pages (packages/server/src/routes/list-pages.ts) on the real
 * build (the site tests' shared build): it finds every runbook's row and every count the site
 * writes, read back with an HTML parser. Fails when the site's markup changes under the filter,
 * which would serve every runbook's row to callers who may view only some, or none.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Root } from "hast";
import { fromHtml } from "hast-util-from-html";
import { selectAll } from "hast-util-select";
import { toString as hastToString } from "hast-util-to-string";
import { beforeAll, describe, expect, it } from "vitest";
import { listPageFor } from "../../packages/server/src/routes/list-pages.ts";
import { sharedSite } from "./shared-site.ts";

let outDir: string;
beforeAll(async () => {
  outDir = (await sharedSite()).outDir;
}, 300_000);

const PAGES = ["index.html", "status/failed/index.html", "tags/iam/index.html"];
const read = (page: string) => readFile(path.join(outDir, page), "utf8");
const rowIds = (tree: Root) =>
  selectAll("tr[data-runbook]", tree).map((r) => String(r.properties.dataRunbook));
const titles = (tree: Root) =>
  selectAll("tr[data-runbook] .rm-index__title", tree).map(hastToString);

describe("the list pages, filtered for a caller", () => {
  it.each(PAGES)(
    "%s: no row, title or count left for a caller who may view nothing",
    async (page) => {
      const html = await read(page);
      const built = fromHtml(html);
      expect(rowIds(built).length).toBeGreaterThan(0);
      expect(selectAll("[data-rm-count], [data-rm-counts]", built).length).toBeGreaterThan(0);
      const filtered = listPageFor(html, { visible: () => false, masked: false });
      const tree = fromHtml(filtered);
      expect(rowIds(tree)).toEqual([]);
      expect(selectAll("[data-rm-count], [data-rm-counts]", tree)).toEqual([]);
      for (const title of titles(built)) expect(filtered).not.toContain(`>${title}<`);
      // Nothing else of a row either: the hostile runbook's tag `a<b></tr>` stands raw in an
      // attribute of its row (hostile-fixture.ts), and its title, links and failed checks, after
      // that `</tr>`, are the row's all the same.
      const leftOfRows = selectAll(
        'a[href^="/runbooks/"], .rm-index__title, .rm-index__id, .rm-tag, .rm-failing',
        tree,
      );
      expect(leftOfRows.map((e) => String(e.properties.href ?? e.properties.className))).toEqual(
        [],
      );
      expect(hastToString(tree)).not.toContain("hostile");
    },
  );

  it.each(PAGES)("%s: only the rows a caller may view", async (page) => {
    const html = await read(page);
    const all = rowIds(fromHtml(html));
    const keep = new Set(all.filter((_, i) => i % 2 === 0));
    const tree = fromHtml(listPageFor(html, { visible: (id) => keep.has(id), masked: false }));
    expect(rowIds(tree)).toEqual(all.filter((id) => keep.has(id)));
    const linked = selectAll('a[href^="/runbooks/"]', tree).map(
      (a) => String(a.properties.href).split("/")[2]!,
    );
    expect(linked.filter((id) => !keep.has(id))).toEqual([]);
  });

  it("leaves out the failed checks' stored values for a caller whom masking covers", async () => {
    const html = await read("index.html");
    const values = (tree: Root) =>
      selectAll(".rm-failing__value, .rm-failing__error, .rm-index__warning", tree).map(
        hastToString,
      );
    expect(values(fromHtml(html))).toContain("(max(calls) = 62, expected < 50)");
    // A passed run's warning (a day without logs) is a stored result too.
    const warning = selectAll('tr[data-runbook="audit-iam"] [data-warning]', fromHtml(html));
    expect(warning.map(hastToString)).toEqual([
      expect.stringMatching(/^⚠ warning in new_access_keys: .*2026-11-21 \(UTC\) has no log file/),
    ]);
    const tree = fromHtml(listPageFor(html, { visible: () => true, masked: true }));
    expect(values(tree)).toEqual([]);
    // The rows and what is not a stored value stay.
    expect(rowIds(tree)).toEqual(rowIds(fromHtml(html)));
    expect(selectAll(".rm-failing__label", tree).length).toBeGreaterThan(0);
    // The stale marks are no stored value: a masked caller still sees an old green as stale.
    const stale = selectAll("[data-rm-stale]", fromHtml(html)).length;
    expect(stale).toBeGreaterThan(0);
    expect(selectAll("[data-rm-stale]", tree)).toHaveLength(stale);
    // Each with the age its schedule allows (core staleAfterMs): two days for a nightly one.
    const nightly = selectAll('[data-rm-stale][data-rm-schedule="nightly"]', tree);
    expect(nightly.length).toBeGreaterThan(0);
    for (const m of nightly) expect(m.properties.dataRmStaleAfter).toBe(String(48 * 3_600_000));
  });
});
