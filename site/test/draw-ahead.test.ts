/**
 * The pictures a build draws ahead in its second process (lib/draw-ahead.ts) are the pictures
 * the pages would draw: the same SVG for the same key, one for every report with a page, and the
 * pages take each once and draw themselves whatever is missing.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadRunbook, type RunReport } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { DRAW_AHEAD_MIN_PAGES, runPages, startDrawAhead } from "../src/integrations/draw-ahead.ts";
import { ahead, aheadKey, aheadStore } from "../src/lib/ahead.ts";
import { type Drawn, drawAhead } from "../src/lib/draw-ahead.ts";
import { type Picture, runCostPicture, stepCosts, stepPicture } from "../src/lib/pictures.ts";
import { reportIndex } from "../src/lib/report-index.ts";
import { readReportIndex } from "../src/lib/reports.ts";

const siteDir = path.join(import.meta.dirname, "..");
const fixtures = path.join(import.meta.dirname, "fixtures");
const inputs = {
  runbooksDir: path.join(fixtures, "runbooks"),
  reportsDir: path.join(fixtures, "reports"),
  historyLimit: 30,
};

/** The fixture reports of full runs (the ones with a page), read here as plain JSON. */
function fullRunFiles(): Map<string, RunReport> {
  const files = new Map<string, RunReport>();
  for (const id of readdirSync(inputs.reportsDir)) {
    for (const name of readdirSync(path.join(inputs.reportsDir, id))) {
      if (name === "latest.json") continue;
      const file = path.join(inputs.reportsDir, id, name);
      const report = JSON.parse(readFileSync(file, "utf8")) as RunReport;
      // An investigation (`--step`, a changed parameter...) has no page of its own.
      if ((report.kind ?? "full") === "full") {
        files.set(file, report);
      }
    }
  }
  return files;
}

async function drawAll(from = inputs): Promise<Map<string, unknown>> {
  const drawn = new Map<string, unknown>();
  await drawAhead(from, async (batch: Drawn) => {
    for (const [key, picture] of batch) drawn.set(key, picture);
  });
  return drawn;
}

describe("the pictures drawn ahead", () => {
  it("hold each run page's step chart, the same SVG the page draws, a bar per step", async () => {
    const drawn = await drawAll();
    const files = fullRunFiles();
    expect(files.size).toBeGreaterThanOrEqual(8);
    for (const [file, report] of files) {
      const picture = drawn.get(aheadKey.cost(file)) as Picture;
      expect(picture, file).toEqual(runCostPicture(stepCosts(report.steps)));
      const bars = picture.svg.match(/<rect /g) ?? [];
      expect(bars.length, file).toBe(report.steps.length);
      for (const step of report.steps) expect(picture.svg).toContain(`>${step.id}<`);
    }
    const costKeys = [...drawn.keys()].filter((k) => k.startsWith("cost\n"));
    expect(costKeys.length).toBe(files.size);
  });

  it("hold each runbook page's time series of the latest run, as the page draws it", async () => {
    const drawn = await drawAll();
    const latest = path.join(
      inputs.reportsDir,
      "unauthorized-access",
      "2026-11-23T02-00-03.000Z.json",
    );
    const spec = { mark: "bar", x: "hour", y: "calls" } as const;
    const key = aheadKey.step(latest, "denied_per_hour", spec);
    const report = JSON.parse(readFileSync(latest, "utf8")) as RunReport;
    const expected = stepPicture(
      report.steps.find((s) => s.id === "denied_per_hour"),
      spec,
    );
    expect(expected?.svg).toContain("rm-bars");
    expect(drawn.get(key)).toEqual(expected);
  });

  it("hold each check's history over the runs the runbook page shows", async () => {
    const drawn = await drawAll();
    const index = await readReportIndex(inputs.reportsDir, { limit: 30 });
    const entries = index.histories.get("unauthorized-access")!.entries;
    // The step's checks as the parser gives their source: a metric one and a quantified one,
    // which has no picture.
    const check = "max(calls) < 50";
    const sources = [{ source: check }, { source: "no principal like '%:root'" }];
    const pictures = drawn.get(
      aheadKey.checks(entries, "denied_by_principal", sources),
    ) as (Picture & { check: string })[];
    expect(pictures.map((p) => p.check)).toEqual([check]);
    // A point per run, its tooltip the run's value of the check (read from the index here).
    const titles = [...pictures[0]!.svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    const values = entries.map((e) => e.checks.find((c) => c.check === check)?.actual);
    expect(titles.length).toBe(entries.length);
    for (const v of values)
      expect(titles.some((t) => t!.includes(`max(calls) = ${v},`))).toBe(true);
  });
});

describe("the reports index read ahead", () => {
  it("with the part of one runbook not there yet, is the index the pages would read", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-ahead-"));
    try {
      cpSync(inputs.reportsDir, dir, { recursive: true });
      // Unreadable reports in a runbook read ahead and in one that is not: both are listed.
      writeFileSync(path.join(dir, "audit-iam", "2026-11-24T02-00-01.000Z.json"), "{ not json");
      writeFileSync(path.join(dir, "kms-key-deletion", "2026-11-24T02-00-02.000Z.json"), "[]");
      const drawn = await drawAll({ ...inputs, reportsDir: dir });
      const ids = readdirSync(inputs.runbooksDir).map((f) => path.basename(f, ".md"));
      const { results } = aheadStore();
      for (const id of ids) {
        const part = drawn.get(aheadKey.index(id));
        if (id !== "kms-key-deletion" && part !== undefined) results.set(aheadKey.index(id), part);
      }
      expect(results.has(aheadKey.index("audit-iam"))).toBe(true);
      const options = { limit: 30, runbookIds: ids };
      const index = await reportIndex(dir, options);
      const expected = await readReportIndex(dir, options);
      expect(index).toEqual(expected);
      expect(index.problems.map((p) => path.basename(path.dirname(p.file)))).toEqual([
        "audit-iam",
        "kms-key-deletion",
      ]);
      expect(index.histories.get("unauthorized-access")?.entries.length).toBe(3);
      // Each part is taken once.
      for (const id of ids) expect(results.has(aheadKey.index(id))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ahead()", () => {
  it("gives a picture drawn ahead once, and draws what is missing", () => {
    const store = aheadStore();
    const before = { used: store.used, drawnByPages: store.drawnByPages };
    store.results.set("k1", { svg: "<svg/>", caption: "c" });
    store.results.set("k2", null);
    const draw = () => ({ svg: "drawn", caption: "here" });
    expect(ahead("k1", draw)).toEqual({ svg: "<svg/>", caption: "c" });
    expect(ahead("k2", draw)).toBeUndefined();
    expect(ahead("k1", draw)).toEqual({ svg: "drawn", caption: "here" });
    expect(store.used - before.used).toBe(2);
    expect(store.drawnByPages - before.drawnByPages).toBe(1);
  });
});

describe("when a build starts the process", () => {
  it("counts a page per report but latest.json, up to the history limit of each runbook", () => {
    // The fixtures: 12 files, of which 4 are latest.json; no runbook over the limit.
    const reports = readdirSync(inputs.reportsDir).flatMap((id) =>
      readdirSync(path.join(inputs.reportsDir, id)).filter((f) => f !== "latest.json"),
    );
    expect(reports).toHaveLength(8);
    expect(runPages(inputs)).toBe(reports.length);
    expect(runPages({ ...inputs, historyLimit: 1 })).toBe(readdirSync(inputs.reportsDir).length);
    expect(runPages({ ...inputs, reportsDir: path.join(fixtures, "no-such-dir") })).toBe(0);
  });

  it("starts it from DRAW_AHEAD_MIN_PAGES run pages, not for a small site", () => {
    expect(runPages(inputs)).toBeLessThan(DRAW_AHEAD_MIN_PAGES);
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-pages-"));
    try {
      // 40 runbooks of 30 reports each (and a latest.json, which has no page of its own).
      for (let r = 0; r < 40; r++) {
        mkdirSync(path.join(dir, `rb-${r}`));
        for (let i = 0; i <= 30; i++) {
          const name = i === 30 ? "latest.json" : `2026-11-${String(i + 1).padStart(2, "0")}.json`;
          writeFileSync(path.join(dir, `rb-${r}`, name), "{}");
        }
      }
      const big = { ...inputs, reportsDir: dir };
      expect(runPages(big)).toBe(1200);
      expect(runPages({ ...big, historyLimit: 20 })).toBe(800);
      expect(DRAW_AHEAD_MIN_PAGES).toBeGreaterThan(800);
      expect(DRAW_AHEAD_MIN_PAGES).toBeLessThanOrEqual(1200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the process a build starts", () => {
  it("sends everything to its parent as it was made, parsed runbooks included, and ends", async () => {
    const expected = await drawAll();
    const child = startDrawAhead(pathToFileURL(`${siteDir}/`), inputs);
    const received = new Map<string, unknown>();
    child.on("message", (batch: Drawn) => {
      for (const [key, result] of batch) received.set(key, result);
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    expect([...received.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, result] of expected) expect(received.get(key), key).toStrictEqual(result);
    // The content layer's loader gets what the parser says, `undefined` fields and all.
    const files = readdirSync(inputs.runbooksDir).map((f) => path.join(inputs.runbooksDir, f));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const source = readFileSync(file, "utf8");
      expect(received.get(aheadKey.parse(file, source)), file).toStrictEqual(
        await loadRunbook(file),
      );
      // Another text of the same file has another key: the loader would parse it itself.
      expect(received.has(aheadKey.parse(file, `${source}\n`))).toBe(false);
    }
  }, 60_000);
});
