/**
 * `npm run bench`: performance targets, one section per function, each printing its figures and
 * whether each target is met. `npm run bench -- local` (or `large-result`, `query`, `collect`, `collect-s3`, `listing`, `sql`, `site`, `cli`, `access`, `serve`) runs one section.
 */
import { benchLocalEngine } from "./bench/local-engine.ts";

const sections: Record<string, () => Promise<boolean | undefined>> = {
  local: benchLocalEngine,
  collect: async () => (await import("./bench/collect.ts")).benchCollect(),
  "collect-s3": async () => (await import("./bench/collect.ts")).benchCollectS3(),
  listing: async () => (await import("./bench/listing.ts")).benchListing(),
  cli: async () => (await import("./bench/cli-startup.ts")).benchCliStartup(),
  sql: async () => (await import("./bench/sql-check.ts")).benchSqlCheck(),
  access: async () => (await import("./bench/access.ts")).benchAccess(),
  serve: async () => (await import("./bench/serve.ts")).benchServe(),
  "large-result": async () => (await import("./bench/large-result.ts")).benchLargeResult(),
  query: async () => (await import("./bench/query.ts")).benchQuery(),
  site: async () => {
    const { benchSiteBuild } = await import("./bench/site-build.ts");
    return benchSiteBuild();
  },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
let failed = false;
for (const [name, fn] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  try {
    const ok = await fn();
    if (ok === false) failed = true;
  } catch (e) {
    failed = true;
    console.error(`bench section ${name} failed: ${(e as Error).stack ?? e}`);
  }
  console.log("");
}
process.exitCode = failed ? 1 : 0;
