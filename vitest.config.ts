import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./test/sequencer.ts";
import { runTmpDir } from "./test/tmp-dir.ts";

// The caller's own run-md settings (RUN_MD_LOG_DIR, RUN_MD_CONFIG, RUN_MD_REPORTS_DIR, ... as
// docs/configuration.md tells users to set) are not the tests': they reached every worker and every
// CLI a test starts, and with RUN_MD_LOG_DIR set the configuration tests failed (local.logDir was
// the caller's, not "sample"). Kept: what the suite itself reads from its caller (the site builds'
// Node arguments, the run's folder) and, for the opt-in live Athena test
// (packages/engine-athena/test/live.test.ts), its settings when RUN_MD_LIVE_ATHENA=1.
const KEPT = ["RUN_MD_SITE_NODE_ARGS", "RUN_MD_TEST_TMPDIR", "RUN_MD_LIVE_ATHENA"];
for (const k of Object.keys(process.env)) {
  const live = process.env.RUN_MD_LIVE_ATHENA === "1" && k.startsWith("RUN_MD_ATHENA_");
  if (k.startsWith("RUN_MD_") && !KEPT.includes(k) && !live) delete process.env[k];
}

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "site/test/**/*.test.ts"],
    testTimeout: 60_000,
    // Hooks build the site or generate and load data: minutes on a busy machine.
    hookTimeout: 300_000,
    pool: "forks",
    // The workers collect garbage on their own thread: V8's parallel GC helpers (about a sixth of
    // a worker's CPU, by thread) only add work when two workers and their children already keep
    // both cores busy. The DuckDB-heavy files took 5% less CPU (73.4 against 69.9 CPU-s, two
    // pairs of runs: engine-parity, runner-e2e, reference-parity, conformance).
    execArgv: ["--single-threaded-gc"],
    // One module graph per worker instead of one per file: loading DuckDB, the AWS SDK and the
    // parser again for each of 60 files cost more CPU than the tests (a measured 37 s against
    // 15 s for core + insights). Tests restore what they change in process.env.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine,
    // so every file waited for the previous one while most tests wait on a child process (the
    // CLI, Astro, the emulator). Two at least.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The longest files first, by vitest's cache or else test/durations.json (a fresh clone has
    // no cache): the workers then end together.
    sequence: { sequencer: LongestFirstSequencer },
    // Builds the CLI, checks CI's prerequisites and generates the shared sample data, once.
    globalSetup: ["test/global-setup.ts"],
    // The AWS SDK's notice that releases after January 2027 need Node 22 (see packages/cli/bin/run-md.cjs).
    // NO_COLOR: picocolors decides once, when first imported, from this environment; the CLI run
    // in a worker (test/in-process.ts) must print what a spawned one under NO_COLOR=1 prints.
    // RUN_MD_LOCAL_THREADS: one DuckDB thread per local engine (the tests' own, the CLI's, the
    // emulator's). Two workers on two cores already keep both busy, and on the tests' small inputs
    // a second thread per query only adds CPU: 15% less CPU for the DuckDB-heavy files, measured
    // (runner-e2e, engine-, store- and reference-parity, hardening, logs-runbooks: 106.9 against
    // 90.4 CPU-s). The tests that pass `threads: 2` (generator, datasets) keep the parallel paths.
    // DUCKDB_JE_MALLOC_CONF: DuckDB's own jemalloc keeps the pages it freed instead of giving them
    // back after a second; on this paravirtualised VM a page fault is dear, and the tests' many
    // short queries faulted the same pages in again and again: 10% less CPU for the DuckDB-heavy
    // files (engine-, store- and reference-parity, queries-compat: 49.6, 49.4, 46.2 against 43.7,
    // 43.2 CPU-s; page faults 556k against 468k). Memory a worker had stays its own until it ends.
    // TMPDIR: one temporary folder for the run, removed at its end (test/tmp-dir.ts).
    // RUN_MD_SITE_NODE_ARGS: the site's Astro builds (the shared one, the nightly job's) without
    // V8's background threads: 14 instead of 17 s of CPU a build, in about the same time, on two
    // cores the workers already keep busy (the global setup passes it to the shared build).
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      TMPDIR: runTmpDir(),
      NO_COLOR: "1",
      RUN_MD_LOCAL_THREADS: "1",
      RUN_MD_SITE_NODE_ARGS: "--single-threaded",
      DUCKDB_JE_MALLOC_CONF: "dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true",
    },
  },
});
