/**
 * A vitest reporter that writes test/durations.json, the per-file durations the test sequencer
 * (test/sequencer.ts) orders a fresh clone's run by. A file's figure is its import plus all its
 * tests and hooks (`beforeAll` included: a site build, data generation), as vitest measured them;
 * vitest's own cache and its JSON report leave the hooks out, so a file that builds a site in
 * `beforeAll` looked instant and was started last. Refresh after a full run:
 *   npx vitest run --reporter=default --reporter=./test/durations-reporter.ts
 * A run of some files updates theirs and keeps the others'. Files under a second are left out
 * (their order does not matter); figures are rounded to 100 ms.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule, TestRunEndReason } from "vitest/node";
import { DURATIONS_FILE } from "./sequencer.ts";

const MIN_MS = 1000;

export default class DurationsReporter implements Reporter {
  private readonly rows = new Map<string, number>();

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    const rel = path.relative(module.project.config.root, module.moduleId);
    this.rows.set(rel.split(path.sep).join("/"), d.collectDuration + d.duration);
  }

  /**
   * Updates the files this run measured and keeps the others' figures (a run of a few files
   * refreshes those); an interrupted run writes nothing.
   */
  onTestRunEnd(
    _modules: ReadonlyArray<TestModule>,
    _errors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    if (reason === "interrupted") return;
    const merged = new Map(
      Object.entries(JSON.parse(readFileSync(DURATIONS_FILE, "utf8")) as Record<string, number>),
    );
    for (const [file, ms] of this.rows) {
      const rounded = Math.round(ms / 100) * 100;
      if (rounded >= MIN_MS) merged.set(file, rounded);
      else merged.delete(file);
    }
    const rows = [...merged].sort((a, b) => b[1] - a[1]);
    writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
    console.log(
      `${DURATIONS_FILE.pathname}: ${this.rows.size} files measured, ${rows.length} listed`,
    );
  }
}
