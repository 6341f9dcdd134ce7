/**
 * The site's list pages (the index, tag and status pages) as a caller may see them. They are
 * built once for everyone, with a row for every runbook (title, owner, tags, the latest run's
 * failed checks and their values) and counts of them all; served as built, they told anyone,
 * signed in or not, about runbooks they may not view (found by a red-team review). For a caller
 * who may not view every runbook, the rows of the others and the counts are taken out; for a
 * caller whom masking covers, the failed checks' values and errors (stored results) as well.
 *
 * The page is read with an HTML parser (parse5), which finds each element where a browser finds
 * it, and the elements are cut out of the page as written. Patterns over the markup did not do:
 * the site writes runbooks' tags and checks raw in attributes (`<` and `>` unescaped, as HTML
 * allows), so a tag `a></tr>` ended a pattern's row early and served the rest of it, title and
 * failed checks, to callers who may not view it (red-team review).
 *
 * The markup is the site's own (site/src/components/RunbookTable.astro, the `data-rm-count*`
 * marks of the list pages); site/test/list-pages.test.ts checks this module against a real build.
 */
import { setNewest } from "@run-md/core";
import { type DefaultTreeAdapterTypes, parse } from "parse5";

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

export interface ListView {
  /** Whether the caller may view the runbook of this id. */
  visible: (id: string) => boolean;
  /** Whether masking covers the caller (stored values are then left out). */
  masked: boolean;
}

const attr = (el: Element, name: string): string | undefined =>
  el.attrs.find((a) => a.name === name)?.value;

const hasClass = (el: Element, cls: string): boolean =>
  (attr(el, "class") ?? "").split(/\s+/).includes(cls);

/** Counts of every runbook: a paragraph of them, or one count. */
const isCount = (el: Element): boolean =>
  (el.tagName === "p" && attr(el, "data-rm-counts") !== undefined) ||
  (el.tagName === "span" && attr(el, "data-rm-count") !== undefined);

/** A failed check's value, a run's error and its steps' warning, inside a row. */
const isStored = (el: Element): boolean =>
  (el.tagName === "span" && hasClass(el, "rm-failing__value")) ||
  (el.tagName === "div" &&
    (hasClass(el, "rm-failing__error") || hasClass(el, "rm-index__warning")));

type Range = [start: number, end: number];

/** Where a page's rows, their stored values and its counts stand (offsets into its text). */
interface Plan {
  rows: { id: string; at: Range; stored: Range[] }[];
  counts: Range[];
}

function placeOf(el: Element): Range {
  const at = el.sourceCodeLocation;
  // Every element of a parsed page has its place; without one, serve nothing rather than all.
  if (at?.startOffset === undefined || at.endOffset === undefined) {
    throw new Error(`a list page's <${el.tagName}> has no place in the page`);
  }
  return [at.startOffset, at.endOffset];
}

function planOf(html: string): Plan {
  const plan: Plan = { rows: [], counts: [] };
  const walk = (node: Node, row: Plan["rows"][number] | undefined): void => {
    const children =
      "content" in node ? node.content.childNodes : "childNodes" in node ? node.childNodes : [];
    for (const child of children) {
      if (!("tagName" in child)) continue;
      const id =
        row === undefined && child.tagName === "tr" ? attr(child, "data-runbook") : undefined;
      if (id !== undefined) {
        const found = { id, at: placeOf(child), stored: [] };
        plan.rows.push(found);
        walk(child, found);
      } else if (isCount(child)) plan.counts.push(placeOf(child));
      else if (row !== undefined && isStored(child)) row.stored.push(placeOf(child));
      else walk(child, row);
    }
  };
  walk(parse(html, { sourceCodeLocationInfo: true }), undefined);
  return plan;
}

/**
 * The plans of the pages filtered last, by their text: parsing the index of 200 runbooks takes
 * over half a second, and each caller who may not view every runbook asks for it.
 */
const plans = new Map<string, Plan>();
const PLANS = 16;

function cachedPlan(html: string): Plan {
  const plan = plans.get(html) ?? planOf(html);
  setNewest(plans, html, plan, PLANS);
  return plan;
}

/** The page without what the caller may not see. */
export function listPageFor(html: string, view: ListView): string {
  const plan = cachedPlan(html);
  const cuts: Range[] = [...plan.counts];
  for (const row of plan.rows) {
    if (!view.visible(row.id)) cuts.push(row.at);
    else if (view.masked) cuts.push(...row.stored);
  }
  cuts.sort((a, b) => a[0] - b[0]);
  let out = "";
  let from = 0;
  for (const [start, end] of cuts) {
    out += html.slice(from, start);
    from = Math.max(from, end);
  }
  return out + html.slice(from);
}
