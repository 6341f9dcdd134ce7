/**
 * Starts the process that parses the runbooks, reads the reports index and draws the pages'
 * pictures ahead of them (lib/draw-ahead.ts) as soon as a build starts, and keeps what it sends
 * for the content layer and the pages (lib/ahead.ts). It runs on the other
 * core while Astro's thread loads, renders the runbooks and bundles; whatever it has not drawn
 * when a page wants it, the page draws itself. Only `astro build` starts it, and only for a site
 * of DRAW_AHEAD_MIN_PAGES run pages or more: below, starting it costs more than it saves.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AstroIntegration } from "astro";
import { aheadStore, DRAW_AHEAD_ENV, type DrawAheadInputs } from "../lib/ahead.ts";

/** Starts lib/draw-ahead.ts of the site at `root`; what it sends arrives as "message" events. */
export function startDrawAhead(root: URL, inputs: DrawAheadInputs): ChildProcess {
  const entry = fileURLToPath(new URL("src/lib/draw-ahead.ts", root));
  // The process runs the site's TypeScript as it is, through tsx's loader.
  const tsx = pathToFileURL(createRequire(new URL("package.json", root)).resolve("tsx")).href;
  const env: NodeJS.ProcessEnv = { ...process.env, [DRAW_AHEAD_ENV]: JSON.stringify(inputs) };
  // The benchmark's CPU sampler (scripts/bench/cpu-sampler.mjs) is loaded into every process
  // through NODE_OPTIONS: this one's samples go to a file of their own.
  if (env.RUN_MD_BENCH_CPU_LOG) env.RUN_MD_BENCH_CPU_LOG += ".draw-ahead";
  return fork(entry, [], {
    execArgv: ["--import", tsx],
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Structured clone, not JSON: a parsed runbook arrives exactly as the parser made it
    // (`undefined` fields included).
    serialization: "advanced",
  });
}

/**
 * Run pages from which the second process pays for itself. Starting it costs about 3.5 s of CPU
 * (tsx, the parser, the chart code): a build of the site's test fixtures (8 run pages) took
 * 19-20 s of CPU with it and 16 s without, and 1-2 s longer. At 3,000 run pages it saves Astro's thread
 * 7-9 s of CPU and the build 1-3 s (docs/site.md, "The second core"); about 2.7 ms a page.
 */
export const DRAW_AHEAD_MIN_PAGES = 1000;

/**
 * The run pages a build makes, at most: each runbook's report files but latest.json, up to
 * `historyLimit` of them (an investigation's report, which has no page, is counted too).
 */
export function runPages(inputs: DrawAheadInputs): number {
  const list = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  let pages = 0;
  for (const runbook of list(inputs.reportsDir)) {
    if (!runbook.isDirectory()) continue;
    const reports = list(path.join(inputs.reportsDir, runbook.name)).filter(
      (f) => f.isFile() && f.name.endsWith(".json") && f.name !== "latest.json",
    );
    pages += Math.min(reports.length, inputs.historyLimit);
  }
  return pages;
}

export function drawAhead(inputs: DrawAheadInputs): AstroIntegration {
  let child: ChildProcess | undefined;
  let exited: string | undefined;
  const startedAt = performance.now();
  return {
    name: "run-md:draw-ahead",
    hooks: {
      "astro:config:setup": ({ command, config, logger }) => {
        if (command !== "build") return;
        const store = aheadStore();
        const { results } = store;
        // Another build earlier in this process (a programmatic build) left its results here.
        results.clear();
        store.used = 0;
        store.drawnByPages = 0;
        const pages = runPages(inputs);
        if (pages < DRAW_AHEAD_MIN_PAGES) {
          logger.info(
            `${pages} run pages: the pages draw their own pictures (a second process pays for itself from ${DRAW_AHEAD_MIN_PAGES})`,
          );
          return;
        }
        try {
          child = startDrawAhead(config.root, inputs);
        } catch (e) {
          // The pages draw everything themselves: slower, the same site.
          logger.warn(`the pictures are not drawn ahead: ${(e as Error).message}`);
          return;
        }
        child.on("message", (batch: [string, unknown][]) => {
          for (const [key, result] of batch) results.set(key, result);
        });
        // A spawn that fails after fork() returned: the pages draw everything themselves.
        child.on("error", (e) => logger.warn(`the pictures are not drawn ahead: ${e.message}`));
        child.on("exit", (code, signal) => {
          const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
          exited = `${code === 0 ? "finished" : `ended (${signal ?? `exit ${code}`})`} ${seconds} s after the start`;
        });
      },
      "astro:build:done": ({ logger }) => {
        if (!child) return;
        if (exited === undefined) child.kill();
        const { used, drawnByPages } = aheadStore();
        logger.info(
          `${used} pictures drawn ahead and used, ${drawnByPages} drawn by the pages; the process ${exited ?? "was still drawing"}`,
        );
      },
    },
  };
}
