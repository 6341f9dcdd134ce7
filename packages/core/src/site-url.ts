/**
 * Addresses of the published site's pages, known in one place: the site builds its pages at
 * these paths, the CLI prints a run's page after the run, and the nightly job's notifications
 * link to it.
 */

/** A report file's name (without `.json`) made safe as a URL path segment. */
export function reportSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-");
}

function base(siteUrl: string): string {
  return siteUrl.replace(/\/+$/, "");
}

/** The page of a runbook: `<site>/runbooks/<id>/`. */
export function runbookPageUrl(siteUrl: string, runbookId: string): string {
  return `${base(siteUrl)}/runbooks/${encodeURIComponent(runbookId)}/`;
}

/**
 * The permanent page of one run, named after its report file
 * (`reports/<id>/2026-11-24T10-00-00.123Z.json` → `<site>/runbooks/<id>/runs/2026-11-24T10-00-00.123Z/`).
 */
export function runPageUrl(siteUrl: string, runbookId: string, reportFile: string): string {
  return `${runbookPageUrl(siteUrl, runbookId)}runs/${reportSlug(reportName(reportFile))}/`;
}

/** A report file's name without its folder and `.json`: what the site names its pages after. */
function reportName(reportFile: string): string {
  return reportFile.replace(/^.*[\\/]/, "").replace(/\.json$/i, "");
}

/**
 * Where the site publishes a stored report: a full run's page (`runPageUrl`), or for an
 * investigation (`--step`, another window, a changed parameter: `reportKind`), which the site
 * lists apart without a page of its own, its JSON (`<site>/reports/<id>/<file>.json`).
 */
export function reportUrl(
  siteUrl: string,
  runbookId: string,
  reportFile: string,
  full: boolean,
): string {
  if (full) return runPageUrl(siteUrl, runbookId, reportFile);
  const slug = reportSlug(reportName(reportFile));
  return `${base(siteUrl)}/reports/${encodeURIComponent(runbookId)}/${slug}.json`;
}
