/**
 * Benchmark: `npm run build` of the site on 100 runbooks with 30 reports each. Call
 * `benchSiteBuild()` from scripts/bench.ts, or run this file alone:
 * `npx tsx scripts/bench/site-build.ts [runbooks] [reports] [--warm]`.
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

export async function benchSiteBuild(
  runbooks = 100,
  reports = 30,
  options: { warm?: boolean } = {},
): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "run-md-bench-site-"));
  try {
    const t = performance.now();
    const inputs = await writeSiteFixtures(work, { runbooks, reports });
    const genMs = performance.now() - t;
    const outDir = path.join(work, "dist");
    const cold = await buildSite({ ...inputs, outDir });
    const { html, bytes } = await countFiles(outDir);
    let line = `site build, ${runbooks} runbooks × ${reports} reports: ${(cold.durationMs / 1000).toFixed(1)} s`;
    if (options.warm) {
      // Again, as each night: the runbooks are unchanged, so the content layer reuses their
      // rendering (the previous output is deleted by Astro within the timing, as in the job).
      const warm = await buildSite({ ...inputs, outDir });
      line += `, ${(warm.durationMs / 1000).toFixed(1)} s again with unchanged runbooks`;
    }
    console.log(
      `${line}; ${html} pages, ${(bytes / 1e6).toFixed(1)} MB (fixtures written in ${(genMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const [runbooks, reports] = args.filter((a) => !a.startsWith("--")).map(Number);
  await benchSiteBuild(runbooks || 100, reports || 30, { warm: args.includes("--warm") });
}
