import { fromHtml } from "hast-util-from-html";
import { selectAll } from "hast-util-select";
import { describe, expect, it } from "vitest";
import type { ReportEntry } from "../src/lib/reports.ts";
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
