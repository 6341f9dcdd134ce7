/**
 * The report files a build publishes next to its pages (`/reports/<runbook-id>/<slug>.json`),
 * handed from the pages' data (data.ts) to the step that copies them when the pages are written
 * (integrations/report-files.ts): a copy costs a fraction of an Astro route per file, and a site
 * of 100 runbooks has 3,000 of them. Both sides run in Astro's build process but load this
 * module apart (the configuration through Vite's loader, the pages from the server bundle), so
 * the list is kept on a global.
 */

export interface PublishedReport {
  runbookId: string;
  /** The file name in the URL (`reportSlug`), without `.json`. */
  slug: string;
  /** The report file, as read. */
  file: string;
}

const KEY = Symbol.for("run-md.site.published-reports");
const store = globalThis as { [KEY]?: PublishedReport[] };

export function publishReports(reports: PublishedReport[]): void {
  store[KEY] = reports;
}

/** What the pages' data listed, or undefined when no page read it (in this process). */
export function publishedReports(): PublishedReport[] | undefined {
  return store[KEY];
}
