/**
 * Copies the report files the pages link to into the built site, once the pages are written
 * (see lib/published.ts). `astro dev` serves them through the `reports/[id]/[file].json` route.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { type PublishedReport, publishedReports } from "../lib/published.ts";

/** Copies each report to `<dir>/reports/<runbook-id>/<slug>.json`. */
export async function copyReports(dir: string, reports: PublishedReport[]): Promise<void> {
  const dirs = new Set(reports.map((r) => path.join(dir, "reports", r.runbookId)));
  for (const d of dirs) await mkdir(d, { recursive: true });
  // A few at a time: the copies are the kernel's work, the files thousands.
  const queue = [...reports];
  const worker = async () => {
    for (let r = queue.pop(); r; r = queue.pop()) {
      await copyFile(r.file, path.join(dir, "reports", r.runbookId, `${r.slug}.json`));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export function reportFiles(): AstroIntegration {
  return {
    name: "run-md:report-files",
    hooks: {
      "astro:build:done": async ({ dir, logger }) => {
        const reports = publishedReports();
        if (!reports) {
          throw new Error(
            "run-md: no page read the site's data in this process, so the report files to publish are unknown",
          );
        }
        const started = performance.now();
        await copyReports(fileURLToPath(dir), reports);
        logger.info(
          `${reports.length} report files copied in ${Math.round(performance.now() - started)} ms`,
        );
      },
    },
  };
}
