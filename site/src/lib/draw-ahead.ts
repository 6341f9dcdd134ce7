/**
 * The second process of a site build (see ahead.ts): parses the runbooks and reads the reports
 * as the content layer and the pages will, makes the reports index and draws each page's
 * pictures with the pages' own functions (reports.ts, pictures.ts), and sends it all to the
 * build's process keyed by what it is made from. Started by integrations/draw-ahead.ts with the
 * build's inputs in `RUN_MD_DRAW_AHEAD` (JSON).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { findRunbooks, parseRunbook, type Step } from "@run-md/core";
import { aheadKey, DRAW_AHEAD_ENV, type DrawAheadInputs, type IndexPart } from "./ahead.ts";
import type { StepCost } from "./charts.ts";
import { checkPictures, runCostPicture, stepCosts, stepPicture } from "./pictures.ts";
import { type ReportEntry, readReport, readReportIndex } from "./reports.ts";

export type Drawn = [key: string, picture: unknown][];

type Send = (batch: Drawn) => Promise<void>;

/**
 * Parses each runbook as the content layer's loader will (the same files, in the same order),
 * sends what the parser said for the loader to take, and returns the steps by runbook id.
 */
async function runbookSteps(dir: string, send: Send): Promise<Map<string, Step[]>> {
  const steps = new Map<string, Step[]>();
  // No directory, no runbooks: the loader says so in the build's log.
  if (!existsSync(dir)) return steps;
  for (const file of (await findRunbooks([dir])).map((f) => path.resolve(f)).sort()) {
    const source = await readFile(file, "utf8").catch(() => undefined);
    // Unreadable now: the loader reads it and says why.
    if (source === undefined) continue;
    const parsed = parseRunbook(source, file);
    await send([[aheadKey.parse(file, source), parsed]]);
    const { runbook } = parsed;
    if (runbook && !steps.has(runbook.meta.id)) steps.set(runbook.meta.id, runbook.steps);
  }
  return steps;
}

/** The pictures of a runbook's page: each step's result in the latest run, each check's history. */
async function runbookPictures(entries: ReportEntry[], steps: Step[]): Promise<Drawn> {
  const latest = entries[0];
  const report = latest ? await readReport(latest.file) : undefined;
  const drawn: Drawn = [];
  for (const step of steps) {
    if (latest && report) {
      const result = report.steps.find((s) => s.id === step.id);
      const spec = step.attributes.chart;
      drawn.push([aheadKey.step(latest.file, step.id, spec), stepPicture(result, spec) ?? null]);
    }
    const checks = step.checks.map((c) => ({ source: c.source }));
    drawn.push([
      aheadKey.checks(entries, step.id, checks),
      checkPictures(entries, step.id, checks),
    ]);
  }
  return drawn;
}

/**
 * Reads each runbook's reports index and sends it, a runbook at a time; returns the histories,
 * and what each report's step-time picture is drawn from (so that no report is read twice).
 */
async function indexAhead(
  inputs: DrawAheadInputs,
  ids: Iterable<string>,
  send: Send,
): Promise<{ histories: Map<string, ReportEntry[]>; costs: Map<string, StepCost[]> }> {
  const histories = new Map<string, ReportEntry[]>();
  const costs = new Map<string, StepCost[]>();
  for (const id of ids) {
    const { histories: found, problems } = await readReportIndex(inputs.reportsDir, {
      limit: inputs.historyLimit,
      runbookIds: [id],
      onReport: (file, report) => costs.set(file, stepCosts(report.steps)),
    });
    const history = found.get(id);
    histories.set(id, history?.entries ?? []);
    const part: IndexPart = { history: history ?? null, problems };
    await send([[aheadKey.index(id), part]]);
  }
  return { histories, costs };
}

/**
 * Reads the reports index and draws every picture of the site's pages, sending them a batch at
 * a time in the order the build wants them: the parsed runbooks, the index, the runbook pages,
 * the run pages.
 */
export async function drawAhead(inputs: DrawAheadInputs, send: Send): Promise<void> {
  const steps = await runbookSteps(inputs.runbooksDir, send);
  const { histories, costs } = await indexAhead(inputs, steps.keys(), send);
  for (const [id, stepList] of steps) {
    await send(await runbookPictures(histories.get(id) ?? [], stepList));
  }
  for (const entries of histories.values()) {
    const drawn: Drawn = [];
    for (const { file } of entries) {
      const runCosts = costs.get(file);
      if (runCosts) drawn.push([aheadKey.cost(file), runCostPicture(runCosts) ?? null]);
    }
    await send(drawn);
  }
}

// Started as a process of its own: the pictures go to the parent.
const started = process.env[DRAW_AHEAD_ENV];
if (started && process.send) {
  // The build ended (or failed) before this process did: nobody wants the rest.
  process.on("disconnect", () => process.exit(0));
  const send: Send = (batch) =>
    new Promise((resolve, reject) =>
      process.send!(batch, undefined, {}, (e) => (e ? reject(e) : resolve())),
    );
  drawAhead(JSON.parse(started) as DrawAheadInputs, send).then(
    () => process.disconnect(),
    (e) => {
      console.error(`[run-md:draw-ahead] ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
