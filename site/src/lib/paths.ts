/**
 * Paths inside the site, with the configured base (`/run-md/`) in front. Pure, so the browser
 * scripts of the served site (src/scripts/) share them with the pages.
 */

/** A path inside the site, with the configured base in front. */
export function url(p: string): string {
  const base = import.meta.env.BASE_URL.replace(/\/$/, "");
  return `${base}${p.startsWith("/") ? p : `/${p}`}`;
}

export function runbookUrl(id: string): string {
  return url(`/runbooks/${id}/`);
}

export function runUrl(id: string, slug: string): string {
  return url(`/runbooks/${id}/runs/${slug}/`);
}

export function reportJsonUrl(id: string, slug: string): string {
  return url(`/reports/${id}/${slug}.json`);
}

/** The live view of a run of `run-md serve` (one static page, the run in its query). */
export function liveRunUrl(runId: string): string {
  return url(`/run/?id=${encodeURIComponent(runId)}`);
}
