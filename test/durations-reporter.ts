/**
 * A vitest reporter that writes test/durations.json, the per-file durations the test sequencer
 * (test/sequencer.ts) orders a fresh clone's run by. A file's figure is its import plus all its
 * tests and hooks (`beforeAll` included: a site build, data generation), as vitest measured them;
 * vitest's own cache and its JSON report leave the hooks out, so a file that builds a site in
 * `beforeAll` looked instant and was started last. Refresh after a full run:
 *   npx vitest run --reporter=default --reporter=./test/durations-reporter.ts
 * Files under a second are left out (their order does not matter); figures are rounded to 100 ms.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import { DURATIONS_FILE } from "./sequencer.ts";

const MIN_MS = 1000;

export default class DurationsReporter implements Reporter {
  private readonly rows = new Map<string, number>();

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    const rel = path.relative(module.project.config.root, module.moduleId);
    this.rows.set(rel.split(path.sep).join("/"), d.collectDuration + d.duration);
  }

  onTestRunEnd(): void {
    const rows = [...this.rows]
      .map(([file, ms]) => [file, Math.round(ms / 100) * 100] as const)
      .filter(([, ms]) => ms >= MIN_MS)
      .sort((a, b) => b[1] - a[1]);
    writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
    console.log(`${DURATIONS_FILE.pathname}: ${rows.length} files of ${this.rows.size}`);
  }
}
