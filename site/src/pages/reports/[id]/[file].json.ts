import { readFile } from "node:fs/promises";
import type { APIRoute, GetStaticPaths } from "astro";
import { getSiteData, reportFiles } from "../../../lib/data.ts";

/**
 * The report files themselves, next to their pages: `/reports/<runbook-id>/<file>.json`. Served
 * by this route in `astro dev` only: a build copies the files instead (integrations/report-files.ts),
 * thousands of routes costing far more than the copies.
 */
export const getStaticPaths: GetStaticPaths = async () => {
  if (!import.meta.env.DEV) return [];
  return reportFiles((await getSiteData()).runbooks).map((r) => ({
    params: { id: r.runbookId, file: r.slug },
    props: { file: r.file },
  }));
};

export const GET: APIRoute = async ({ props }) =>
  new Response(await readFile((props as { file: string }).file), {
    headers: { "Content-Type": "application/json" },
  });
