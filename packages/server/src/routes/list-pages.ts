/**
 * The site's list pages (the index, tag and status pages) as a caller may see them. They are
 * built once for everyone, with a row for every runbook (title, owner, tags, the latest run's
 * failed checks and their values) and counts of them all; served as built, they told anyone,
 * signed in or not, about runbooks they may not view (found by a red-team review). For a caller
 * who may not view every runbook, the rows of the others and the counts are taken out; for a
 * caller whom masking covers, the failed checks' values and errors (stored results) as well.
 *
 * The markup is the site's own (site/src/components/RunbookTable.astro, the `data-rm-count*`
 * marks of the list pages); site/test/list-pages.test.ts checks this module against a real build.
 */

/** A runbook's row: `<tr data-runbook="<id>" ...>...</tr>` (rows hold no nested rows). */
const ROW = /<tr data-runbook="([^"]*)"[^>]*>[\s\S]*?<\/tr>/g;
/** Counts of every runbook: a paragraph of them, or one count. */
const COUNTS = /<p data-rm-counts[^>]*>[\s\S]*?<\/p>|<span data-rm-count[^>]*>[^<]*<\/span>/g;
/** A failed check's value, a run's error and its steps' warning, inside a row. */
const STORED =
  /<span class="rm-failing__value"[^>]*>[^<]*<\/span>|<div class="(?:rm-failing__error|rm-index__warning)"[^>]*>[^<]*<\/div>/g;

export interface ListView {
  /** Whether the caller may view the runbook of this id. */
  visible: (id: string) => boolean;
  /** Whether masking covers the caller (stored values are then left out). */
  masked: boolean;
}

/** The page without what the caller may not see. */
export function listPageFor(html: string, view: ListView): string {
  return html
    .replace(ROW, (row, id: string) => {
      if (!view.visible(id)) return "";
      return view.masked ? row.replace(STORED, "") : row;
    })
    .replace(COUNTS, "");
}
