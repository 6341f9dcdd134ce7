import { readFile } from "node:fs/promises";
import type { APIRoute, GetStaticPaths } from "astro";
import { getSiteData } from "../../../lib/data.ts";

/** The report files themselves, next to their pages: `/reports/<runbook-id>/<file>.json`. */
export const getStaticPaths: GetStaticPaths = async () => {
  const { runbooks } = await getSiteData();
  return runbooks.flatMap((view) =>
    // Full runs have pages; investigations are listed on the runbook page with their JSON.
    [...view.history.entries, ...view.history.investigations].map((entry) => ({
      params: { id: view.doc.id, file: entry.slug },
      props: { file: entry.file },
    })),
  );
};

export const GET: APIRoute = async ({ props }) =>
  new Response(await readFile((props as { file: string }).file), {
    headers: { "Content-Type": "application/json" },
  });
