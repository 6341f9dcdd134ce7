/**
 * Builds the site (site/) from a runbooks and a reports directory into an output directory, in a
 * child process. Used by the nightly job, the site's tests and the benchmark.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, realpath, rename, rm } from "node:fs/promises";
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

/** Node options that make it do something else than run the build (print, check, evaluate). */
const NOT_FOR_A_BUILD = new Set([
  "check",
  "completion-bash",
  "eval",
  "help",
  "interactive",
  "print",
  "run",
  "test",
  "v8-options",
  "version",
  "watch",
  "watch-path",
]);

/**
 * Arguments for the Node process that builds the site, from `RUN_MD_SITE_NODE_ARGS` (white
 * space between them): V8's flags that NODE_OPTIONS refuses, such as `--single-threaded` (no
 * background compiling and collecting: on two busy cores a build took 14 instead of 17 s of CPU,
 * in about the same time). Each must be an option (`--name` or `--name=value`), and not one that
 * stops Node from running the build (`--version`, `--check`, `--eval`...); anything else is
 * refused, naming the variable. Whether Node knows the options is `checkSiteNodeArgs`'s business.
 */
export function siteNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const args = (env.RUN_MD_SITE_NODE_ARGS ?? "").split(/\s+/).filter((a) => a !== "");
  for (const a of args) {
    const m = /^--([a-z0-9_-]+)(=\S+)?$/i.exec(a);
    if (!m) {
      throw new Error(
        `RUN_MD_SITE_NODE_ARGS: ${JSON.stringify(a)} is not a Node option (expected --name or --name=value)`,
      );
    }
    if (NOT_FOR_A_BUILD.has(m[1]!.toLowerCase().replaceAll("_", "-"))) {
      throw new Error(`RUN_MD_SITE_NODE_ARGS: ${a} would stop Node from running the site's build`);
    }
  }
  return args;
}

/**
 * Refuses `RUN_MD_SITE_NODE_ARGS` when this Node does not take its options (a typo such as
 * `--single-thread`): checked by starting Node with them once, before a nightly runs anything,
 * rather than when the site is built at its end.
 */
export async function checkSiteNodeArgs(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const args = siteNodeArgs(env);
  if (args.length === 0) return;
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...args, "-e", ""], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0) {
    const reason = stderr.trim().split("\n")[0] || `exit ${code}`;
    throw new Error(`RUN_MD_SITE_NODE_ARGS: Node refuses ${args.join(" ")}: ${reason}`);
  }
}

function astroBin(): string {
  const require = createRequire(path.join(siteDir, "package.json"));
  return path.join(path.dirname(require.resolve("astro/package.json")), "astro.js");
}

/**
 * Builds the site into a folder beside `outDir`, then puts it in `outDir`'s place: Astro empties
 * its output folder first, so a build in place left a published folder empty or half-written for
 * the seconds of the build, and empty for good after a crash (review). A failed build leaves the
 * previous site as it was.
 */
export async function buildSite(options: SiteBuildOptions): Promise<SiteBuildResult> {
  const outDir = path.resolve(options.outDir ?? path.join(siteDir, "dist"));
  // A link to the published folder is followed: the folder it names is the one replaced
  // (review: the link itself was replaced by a folder, and the served one kept the old site).
  const target = await publishedFolder(outDir);
  const next = `${target}.next-${process.pid}`;
  await rm(next, { recursive: true, force: true });
  try {
    // The cache stays the published folder's (`<outDir>-cache`), not the staging one's.
    const result = await buildInto(next, { cacheDir: `${outDir}-cache`, ...options });
    await putInPlace(next, target);
    return { ...result, outDir };
  } finally {
    await rm(next, { recursive: true, force: true });
  }
}

/** The folder a build replaces: `outDir`, or the folder it links to. */
export async function publishedFolder(outDir: string): Promise<string> {
  return existsSync(outDir) ? await realpath(outDir) : outDir;
}

/**
 * The folder `next` in `target`'s place: one rename when it can (the previous site kept aside
 * until then, and put back when the second rename fails); a folder that cannot be renamed (a
 * mount point) gets its entries replaced one by one instead.
 */
export async function putInPlace(next: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}`;
  await rm(old, { recursive: true, force: true });
  const had = existsSync(target);
  if (had) {
    try {
      await rename(target, old);
    } catch {
      for (const e of await readdir(target)) await rm(path.join(target, e), { recursive: true });
      for (const e of await readdir(next)) await rename(path.join(next, e), path.join(target, e));
      return;
    }
  }
  try {
    await rename(next, target);
  } catch (e) {
    if (had) await rename(old, target);
    throw e;
  }
  if (had) await rm(old, { recursive: true, force: true });
}

async function buildInto(outDir: string, options: SiteBuildOptions): Promise<SiteBuildResult> {
  const nodeArgs = siteNodeArgs();
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
  // An exit 0 is not a site (a Node option may have had Node do something else).
  if (!existsSync(path.join(outDir, "index.html"))) {
    throw new SiteBuildError(`the site build ended without writing ${outDir}/index.html`, log);
  }
  return { outDir, durationMs, log };
}
