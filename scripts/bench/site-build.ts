/**
 * Benchmark: `npm run build` of the site on 100 runbooks with 30 reports each. Call
 * `benchSiteBuild()` from scripts/bench.ts, or run this file alone:
 * `npx tsx scripts/bench/site-build.ts [runbooks] [reports]`.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildSite } from "../nightly/build-site.ts";
import { writeSiteFixtures } from "./site-fixtures.ts";

async function countFiles(dir: string): Promise<{ html: number; bytes: number }> {
  let html = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    bytes += (await stat(file)).size;
    if (e.name.endsWith(".html")) html++;
  }
  return { html, bytes };
}

export async function benchSiteBuild(runbooks = 100, reports = 30): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "run-md-bench-site-"));
  try {
    let t = performance.now();
    const inputs = await writeSiteFixtures(work, { runbooks, reports });
    const genMs = performance.now() - t;
    const outDir = path.join(work, "dist");
    const cold = await buildSite({ ...inputs, outDir });
    const { html, bytes } = await countFiles(outDir);
    // Second build: runbooks unchanged, so the content layer reuses their rendering.
    t = performance.now();
    const warm = await buildSite({ ...inputs, outDir });
    console.log(
      `site build, ${runbooks} runbooks × ${reports} reports: ${(cold.durationMs / 1000).toFixed(1)} s cold, ${(warm.durationMs / 1000).toFixed(1)} s with unchanged runbooks; ${html} pages, ${(bytes / 1e6).toFixed(1)} MB (fixtures written in ${(genMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [runbooks, reports] = process.argv.slice(2).map(Number);
  await benchSiteBuild(runbooks || 100, reports || 30);
}
