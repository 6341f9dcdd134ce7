/**
 * `npm run bench`: performance targets, one section per function, each printing its figures and
 * whether each target is met. `npm run bench -- local` (or `large-result`, `query`, `collect`, `collect-s3`, `listing`, `sql`, `site`, `cli`, `access`, `serve`, `serve-memory`, `macros`) runs one section.
 * `--help` prints the usage; an unknown section or option is named with it, exit 2 (both ran the
 * whole benchmark, or nothing without a word).
 */
import { parseArgs } from "node:util";
import { benchLocalEngine } from "./bench/local-engine.ts";
import { isUsageError, UsageError, usageFailure } from "./usage.ts";

const sections: Record<string, () => Promise<boolean | undefined>> = {
  local: benchLocalEngine,
  collect: async () => (await import("./bench/collect.ts")).benchCollect(),
  "collect-s3": async () => (await import("./bench/collect.ts")).benchCollectS3(),
  listing: async () => (await import("./bench/listing.ts")).benchListing(),
  cli: async () => (await import("./bench/cli-startup.ts")).benchCliStartup(),
  sql: async () => (await import("./bench/sql-check.ts")).benchSqlCheck(),
  access: async () => (await import("./bench/access.ts")).benchAccess(),
  serve: async () => (await import("./bench/serve.ts")).benchServe(),
  "serve-memory": async () => (await import("./bench/serve-memory.ts")).benchServeMemory(),
  "large-result": async () => (await import("./bench/large-result.ts")).benchLargeResult(),
  query: async () => (await import("./bench/query.ts")).benchQuery(),
  macros: async () => (await import("./bench/trino-macros.ts")).benchTrinoMacros(),
  site: async () => {
    const { benchSiteBuild } = await import("./bench/site-build.ts");
    return benchSiteBuild();
  },
};

const USAGE = `Usage: npm run bench -- [SECTION]...

Runs the performance benchmarks and prints their figures and whether each target is met
(minutes: the local and collect sections first generate a million events into bench-data/).
Exit 1 when a target is missed. Sections (default: all of them, in this order):
  ${Object.keys(sections).join(", ")}

Options:
  -h, --help    this help
`;

/** The sections asked for (empty: all), or the exit code after --help or a mistake. */
function wantedSections(): string[] | number {
  try {
    const { values, positionals } = parseArgs({
      options: { help: { type: "boolean", short: "h", default: false } },
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const unknown = positionals.filter((p) => !(p in sections));
    if (unknown.length > 0) throw new UsageError(`unknown section ${unknown.join(", ")}`);
    return positionals;
  } catch (e) {
    if (isUsageError(e)) return usageFailure(e, USAGE);
    throw e;
  }
}

const wanted = wantedSections();
if (typeof wanted === "number") process.exit(wanted);
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
