import { readFile } from "node:fs/promises";
import path from "node:path";
import { fromHtml } from "hast-util-from-html";
import { selectAll } from "hast-util-select";
import { describe, expect, it } from "vitest";
import { type ReportEntry, readReportIndex } from "../src/lib/reports.ts";
import { historyStripHtml } from "../src/lib/strip.ts";

function entry(slug: string, status: ReportEntry["status"], startedAt: string): ReportEntry {
  return {
    file: `/r/${slug}.json`,
    name: slug,
    slug,
    runId: slug,
    status,
    kind: "full",
    startedAt,
    durationMs: 1500,
    engine: "local",
    failedChecks: status === "failed" ? 1 : 0,
    checks: [],
    stepIds: [],
  };
}

describe("the history strip", () => {
  // Newest first, as a history holds them.
  const entries = [
    entry("r3", "failed", "2026-11-23T02:00:03.000Z"),
    entry("r2", "passed", "2026-11-22T02:00:04.000Z"),
    entry("r1", "errored", "2026-11-21T02:00:05.000Z"),
  ];

  it("links each run oldest first, says its time, status and duration, and outlines the page's own", () => {
    for (const current of ["r2", "r3"]) {
      const links = selectAll("a", fromHtml(historyStripHtml("ua", entries, current)));
      expect(links.map((a) => a.properties.href)).toEqual([
        "/runbooks/ua/runs/r1/",
        "/runbooks/ua/runs/r2/",
        "/runbooks/ua/runs/r3/",
      ]);
      expect(links.map((a) => a.properties.ariaCurrent)).toEqual(
        ["r1", "r2", "r3"].map((s) => (s === current ? "page" : undefined)),
      );
      const outlined = links.filter((a) =>
        (a.properties.className as string[]).includes("rm-strip__run--current"),
      );
      expect(outlined.map((a) => a.properties.href)).toEqual([`/runbooks/ua/runs/${current}/`]);
    }
    const html = historyStripHtml("ua", entries);
    expect(selectAll("[aria-current]", fromHtml(html))).toHaveLength(0);
    expect(selectAll("a", fromHtml(html))[0]?.properties.ariaLabel).toBe(
      "2026-11-21 02:00:05 UTC: errored, 1.50 s",
    );
  });

  it("escapes what it writes and is empty without runs", () => {
    const odd = [entry('x"><script>', "passed", "2026-11-21T02:00:05.000Z")];
    const html = historyStripHtml("ua", odd);
    expect(html).not.toContain("<script>");
    expect(selectAll("script", fromHtml(html))).toHaveLength(0);
    expect(historyStripHtml("ua", [])).toBe("");
  });
});

describe("the history strip's run that passed over steps that warned", () => {
  it("says so in its label and marks its square, as the report file holds it", async () => {
    const reports = path.join(import.meta.dirname, "fixtures/reports");
    const index = await readReportIndex(reports, { limit: 30, runbookIds: ["audit-iam"] });
    const entries = index.histories.get("audit-iam")!.entries;
    const links = selectAll("a", fromHtml(historyStripHtml("audit-iam", entries)));
    const oldestFirst = [...entries].reverse();
    let warned = 0;
    for (const [i, e] of oldestFirst.entries()) {
      // Read apart from the site's code: the report file's steps' warnings.
      const report = JSON.parse(await readFile(e.file, "utf8")) as {
        status: string;
        steps: { warnings?: string[] }[];
      };
      const warns =
        (report.status === "passed" || report.status === "warned") &&
        report.steps.some((s) => (s.warnings ?? []).length > 0);
      if (warns) warned++;
      const link = links[i]!;
      const label = String(link.properties.ariaLabel);
      expect(label.endsWith(", with step warnings"), label).toBe(warns);
      const classes = link.properties.className as string[];
      expect(classes.includes("rm-strip__run--warnings"), label).toBe(warns);
    }
    expect(warned).toBeGreaterThan(0);
    expect(warned).toBeLessThan(entries.length);
  });
});
