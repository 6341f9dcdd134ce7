/**
 * Builds the site (site/) from a runbooks and a reports directory into an output directory, in a
 * child process. Used by the nightly job, the site's tests and the benchmark.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const siteDir = path.join(repoRoot, "site");

export interface SiteBuildOptions {
  runbooksDir: string;
  reportsDir: string;
  /** Default: site/dist. */
  outDir?: string;
  /** The content layer's cache; default: `<outDir>-cache` (or Astro's own for site/dist). */
  cacheDir?: string;
  /** Public URL of the site (`https://org.github.io/run-md`), for canonical links and the sitemap. */
  siteUrl?: string;
  /** Base path when the site is not served at the root (`/run-md`). */
  base?: string;
  /** Runs per runbook that get a page. */
  historyLimit?: number;
  /** Echo Astro's output while it builds. */
  echo?: boolean;
  signal?: AbortSignal;
}

export interface SiteBuildResult {
  outDir: string;
  durationMs: number;
  /** Astro's output (stdout and stderr). */
  log: string;
}

export class SiteBuildError extends Error {
  readonly log: string;
  constructor(message: string, log: string) {
    super(message);
    this.name = "SiteBuildError";
    this.log = log;
  }
}

/**
 * Arguments for the Node process that builds the site, from `RUN_MD_SITE_NODE_ARGS` (white
 * space between them): V8's flags that NODE_OPTIONS refuses, such as `--single-threaded` (no
 * background compiling and collecting: on two busy cores a build took 14 instead of 17 s of CPU,
 * in about the same time). Each must be an option (`--...`); anything else is refused, naming the
 * variable.
 */
export function siteNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const args = (env.RUN_MD_SITE_NODE_ARGS ?? "").split(/\s+/).filter((a) => a !== "");
  const bad = args.find((a) => !/^--[a-z0-9-]+(=\S+)?$/i.test(a));
  if (bad !== undefined) {
    throw new Error(
      `RUN_MD_SITE_NODE_ARGS: ${JSON.stringify(bad)} is not a Node option (expected --name or --name=value)`,
    );
  }
  return args;
}

function astroBin(): string {
  const require = createRequire(path.join(siteDir, "package.json"));
  return path.join(path.dirname(require.resolve("astro/package.json")), "astro.js");
}

export async function buildSite(options: SiteBuildOptions): Promise<SiteBuildResult> {
  const nodeArgs = siteNodeArgs();
  const outDir = path.resolve(options.outDir ?? path.join(siteDir, "dist"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ASTRO_TELEMETRY_DISABLED: "1",
    RUN_MD_RUNBOOKS_DIR: path.resolve(options.runbooksDir),
    RUN_MD_REPORTS_DIR: path.resolve(options.reportsDir),
    RUN_MD_SITE_OUT_DIR: outDir,
  };
  delete env.INIT_CWD;
  // Vite reads these from the environment (vitest sets them in its workers): they would
  // override the base path and mode the site's configuration gives.
  for (const name of ["BASE_URL", "MODE", "DEV", "PROD", "SSR", "SITE", "ASSETS_PREFIX"]) {
    delete env[name];
  }
  // A build is a production build, also under vitest (NODE_ENV=test): Vite derives
  // `import.meta.env.DEV` from NODE_ENV, and the pages read their data once only in production.
  env.NODE_ENV = "production";
  if (options.cacheDir) env.RUN_MD_SITE_CACHE_DIR = path.resolve(options.cacheDir);
  if (options.siteUrl) env.RUN_MD_SITE_URL = options.siteUrl;
  if (options.base) env.RUN_MD_SITE_BASE = options.base;
  if (options.historyLimit) env.RUN_MD_SITE_HISTORY = String(options.historyLimit);
  // When the output directory is outside the working directory, Astro prerenders in
  // `<cwd>/.astro` (where the packages resolve) and copies the result over. From site/ that
  // folder would be site/.astro, Astro's own: run such builds from a folder of their own.
  const inside = !path.relative(siteDir, outDir).startsWith("..");
  // site/node_modules exists only when npm did not hoist every package to the root.
  if (!inside) await mkdir(path.join(siteDir, "node_modules"), { recursive: true });
  const cwd = inside
    ? siteDir
    : await mkdtemp(path.join(siteDir, "node_modules", ".run-md-build-"));
  const started = performance.now();
  const chunks: string[] = [];
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeArgs, astroBin(), "build", "--root", siteDir], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const collect = (stream: NodeJS.WritableStream) => (b: Buffer) => {
        chunks.push(b.toString());
        if (options.echo) stream.write(b);
      };
      child.stdout.on("data", collect(process.stdout));
      child.stderr.on("data", collect(process.stderr));
      child.on("error", reject);
      child.on("close", resolve);
    });
  } finally {
    if (!inside) await rm(cwd, { recursive: true, force: true });
  }
  const log = chunks.join("");
  const durationMs = performance.now() - started;
  if (code !== 0) {
    const tail = log.trim().split("\n").slice(-30).join("\n");
    throw new SiteBuildError(`the site build failed (exit ${code}):\n${tail}`, log);
  }
  return { outDir, durationMs, log };
}
