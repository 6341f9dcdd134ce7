// @ts-check
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import starlight from "@astrojs/starlight";
import { defineConfig } from "astro/config";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import { drawAhead } from "./src/integrations/draw-ahead.ts";
import { reportFiles } from "./src/integrations/report-files.ts";
import { withSearchIndex } from "./src/integrations/search-index.ts";
import { inlineScriptHashes, scriptPolicy } from "./src/lib/script-policy.ts";

const siteDir = path.dirname(fileURLToPath(import.meta.url));
// `npm run build -w @run-md/site` runs in site/; relative paths mean the caller's directory.
const callerDir = process.env.INIT_CWD || process.cwd();
/** @param {string} p */
const fromCaller = (p) => path.resolve(callerDir, p);

// Every input comes from the environment so that tests, the benchmark and the nightly job can
// build the same site from other runbooks and reports (see docs/site.md).
const outDir = process.env.RUN_MD_SITE_OUT_DIR
  ? fromCaller(process.env.RUN_MD_SITE_OUT_DIR)
  : path.join(siteDir, "dist");
// The content layer caches the rendered runbooks here; keep one per output directory so that
// builds of different inputs running side by side never share a cache file.
const cacheDir = process.env.RUN_MD_SITE_CACHE_DIR
  ? fromCaller(process.env.RUN_MD_SITE_CACHE_DIR)
  : process.env.RUN_MD_SITE_OUT_DIR
    ? `${outDir}-cache`
    : path.join(siteDir, "node_modules", ".astro");

const repoRoot = path.resolve(siteDir, "..");
// Starlight's own base styles, for the run pages that are plain pages (see RunLayout.astro).
const starlightStyles = path.dirname(
  createRequire(import.meta.url).resolve("@astrojs/starlight/style/markdown.css"),
);
// The pages' script policy: the inline scripts of Starlight's components and ours, by hash
// (see src/lib/script-policy.ts).
const contentSecurityPolicy = scriptPolicy(
  inlineScriptHashes([path.dirname(starlightStyles), path.join(siteDir, "src")]),
);
const runbooksDir = process.env.RUN_MD_RUNBOOKS_DIR
  ? fromCaller(process.env.RUN_MD_RUNBOOKS_DIR)
  : path.join(repoRoot, "runbooks");
const reportsDir = process.env.RUN_MD_REPORTS_DIR
  ? fromCaller(process.env.RUN_MD_REPORTS_DIR)
  : path.join(repoRoot, "reports");
// A folder named by the environment must be there: a mistyped RUN_MD_REPORTS_DIR built a site
// whose every runbook said "no run yet", without a word. (The defaults may be absent: a fresh
// clone has no reports/.)
for (const [variable, dir, what] of /** @type {const} */ ([
  ["RUN_MD_RUNBOOKS_DIR", runbooksDir, "runbooks"],
  ["RUN_MD_REPORTS_DIR", reportsDir, "reports"],
])) {
  if (process.env[variable] && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(
      `${variable} names ${dir}, which is not a folder: point it at the ${what} folder`,
    );
  }
}
// How many of each runbook's most recent reports get a page (and a place in its history strip).
const historyLimit = Number.parseInt(process.env.RUN_MD_SITE_HISTORY || "30", 10);
if (!Number.isInteger(historyLimit) || historyLimit < 1) {
  throw new Error(
    `RUN_MD_SITE_HISTORY must be a positive integer, got "${process.env.RUN_MD_SITE_HISTORY}"`,
  );
}

// RUN_MD_SITE_URL is where the site is published, path included
// (https://org.github.io/run-md): its origin is Astro's `site`, its path the `base`, unless
// RUN_MD_SITE_BASE says otherwise.
const siteUrl = process.env.RUN_MD_SITE_URL ? new URL(process.env.RUN_MD_SITE_URL) : undefined;
const base =
  process.env.RUN_MD_SITE_BASE ||
  (siteUrl && siteUrl.pathname !== "/" ? siteUrl.pathname.replace(/\/+$/, "") : undefined);

// Runbook prose is sanitized like GitHub sanitizes a README (rehype-sanitize's default schema):
// raw HTML is dropped, links and images keep only http(s)/mailto/relative URLs (no
// `javascript:`), and ids get a `user-content-` prefix. The site is served to logged-in users,
// so a runbook must not be able to run script in their session. The plugin runs before
// Starlight's own (expressive-code, heading links), which add trusted markup afterwards.
/** @type {import("rehype-sanitize").Options} */
const sanitizeSchema = defaultSchema;

export default defineConfig({
  site: siteUrl?.origin,
  markdown: { rehypePlugins: [[rehypeSanitize, sanitizeSchema]] },
  base,
  outDir,
  cacheDir,
  trailingSlash: "always",
  // Pages render a few at a time, so that one page's file reads and writes overlap another's
  // work (a site of 100 runbooks has 3,000 run pages and as many report files).
  build: { concurrency: 4 },
  vite: {
    resolve: { alias: { "rm-starlight-style": starlightStyles } },
    // The inputs, resolved once here, reach the loader and the pages as compile-time constants.
    define: {
      __RUN_MD_INPUTS__: JSON.stringify({ runbooksDir, reportsDir, historyLimit }),
      __RUN_MD_CSP__: JSON.stringify(contentSecurityPolicy),
    },
    // Astro's bundled scripts are files, never inlined into a page: the policy allows the site's
    // files, and inline scripts only by the hashes of the components' own.
    build: { assetsInlineLimit: 0 },
  },
  integrations: [
    // The runbooks parsed, the reports index read and the pages' pictures drawn by a second
    // process while Astro's thread is busy (see src/lib/ahead.ts); first, to start first.
    drawAhead({ runbooksDir, reportsDir, historyLimit }),
    // Starlight, with its search index made from the pages it searches only (see search-index.ts).
    withSearchIndex(
      starlight({
        title: "run-md runbooks",
        description: "CloudTrail query runbooks and what their last runs found.",
        lastUpdated: false,
        pagination: false,
        sidebar: [
          { label: "All runbooks", link: "/" },
          {
            label: "By latest status",
            items: [
              { label: "Failed", link: "/status/failed/" },
              { label: "Errored", link: "/status/errored/" },
              { label: "Unreadable", link: "/status/unreadable/" },
              { label: "Warned", link: "/status/warned/" },
              { label: "Passed", link: "/status/passed/" },
              { label: "Cancelled", link: "/status/cancelled/" },
              { label: "No run yet", link: "/status/none/" },
            ],
          },
          { label: "Reading this site", link: "/about/" },
        ],
        customCss: ["./src/styles/run-md.css"],
        routeMiddleware: "./src/routeData.ts",
        // The links of a site served by `run-md serve` (hidden on the static site), and the
        // pages' script policy first in their <head> (src/lib/script-policy.ts).
        components: {
          SocialIcons: "./src/components/StarlightSocialIcons.astro",
          Head: "./src/components/StarlightHead.astro",
        },
        // Fences of runbooks that are shown as written (a runbook the parser rejects).
        expressiveCode: {
          shiki: {
            langAlias: { expect: "txt", "logs-insights": "sql", insights: "sql", athena: "sql" },
          },
        },
      }),
    ),
    // The report files, copied next to the pages once they are written (see report-files.ts).
    reportFiles(),
  ],
});
