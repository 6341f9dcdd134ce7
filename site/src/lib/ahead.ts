/**
 * Pictures drawn (and runbooks parsed, reports read) ahead of the pages. Astro renders on one
 * thread, and while that thread starts, renders the runbooks and bundles the pages (a third of a
 * build), the machine's other core has less to do. The build therefore starts a second process
 * (`draw-ahead.ts`, through `integrations/draw-ahead.ts`) that parses the runbooks, reads the
 * reports index and draws the pages' pictures with the same functions the content layer and the
 * pages call; they take a result from here when it is ready and make it themselves when it is not
 * (or in `astro dev`), so a page is the same either way.
 *
 * A result is found by a key made of everything it is made from: the runbook's file, its id (its
 * reports directory), the report files (which do not change during a build), the step, its chart
 * attribute and the checks' text.
 *
 * Both sides run in Astro's build process but load this module apart (the configuration through
 * Vite's loader, the pages from the server bundle), so the pictures are kept on a global.
 */
import { createHash } from "node:crypto";
import type { ChartSpec } from "@run-md/core";
import type { ReportEntry, ReportProblem, RunbookHistory } from "./reports.ts";

/** What the second process reads, in the variable `DRAW_AHEAD_ENV` (JSON). */
export interface DrawAheadInputs {
  runbooksDir: string;
  reportsDir: string;
  historyLimit: number;
}

export const DRAW_AHEAD_ENV = "RUN_MD_DRAW_AHEAD";

/** A runbook's part of the reports index (`readReportIndex` of its id alone). */
export interface IndexPart {
  /** Null when the runbook has no report directory. */
  history: RunbookHistory | null;
  problems: ReportProblem[];
}

export interface AheadStore {
  /** By key: a picture, a list of them, a parsed runbook, an index part; `null` for "nothing". */
  results: Map<string, unknown>;
  /** Pictures the pages took from here, and those they drew themselves. */
  used: number;
  drawnByPages: number;
}

const KEY = Symbol.for("run-md.site.pictures-ahead");
const global = globalThis as { [KEY]?: AheadStore };

export function aheadStore(): AheadStore {
  global[KEY] ??= { results: new Map(), used: 0, drawnByPages: 0 };
  return global[KEY];
}

/** The keys of the results: a runbook's reports index, and a key per function of pictures.ts. */
export const aheadKey = {
  /**
   * `parseRunbook` of a runbook file (absolute path) and its text, for the content layer's
   * loader: a file saved again between the two processes' reads has another key, and the loader
   * parses what it read itself.
   */
  parse: (file: string, source: string) =>
    `parse\n${file}\n${createHash("sha256").update(source).digest("hex")}`,
  /** `readReportIndex` of the runbook's reports: its history and problems. */
  index: (runbookId: string) => `index\n${runbookId}`,
  /** `runCostPicture` of a report's steps (`stepCosts`). */
  cost: (file: string) => `cost\n${file}`,
  /** `stepPicture` of a step of the report in `file`, with the step's `chart` attribute. */
  step: (file: string, stepId: string, spec: ChartSpec | undefined) =>
    `step\n${file}\n${stepId}\n${JSON.stringify(spec ?? null)}`,
  /** `checkPictures` of a step's checks over the history `entries`. */
  checks: (entries: ReportEntry[], stepId: string, checks: { source: string }[]) =>
    `checks\n${stepId}\n${JSON.stringify(checks.map((c) => c.source))}\n${entries.map((e) => e.file).join("\n")}`,
};

/** The result made ahead under `key`, once (each is for one page); undefined when there is none. */
export function takeAhead(key: string): { value: unknown } | undefined {
  const { results } = aheadStore();
  if (!results.has(key)) return undefined;
  // The process sends "nothing" (no picture) as null.
  const value = results.get(key) ?? undefined;
  results.delete(key);
  return { value };
}

/** The picture drawn ahead under `key`, else `draw()`. */
export function ahead<T>(key: string, draw: () => T): T {
  const store = aheadStore();
  const got = takeAhead(key);
  if (got) {
    store.used++;
    return got.value as T;
  }
  store.drawnByPages++;
  return draw();
}
