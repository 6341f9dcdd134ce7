/** A latest run older than its schedule allows is marked stale, against the reader's clock. */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { isStale, markStale } from "../src/lib/stale.ts";

const HOUR = 3_600_000;
const now = Date.parse("2026-12-02T06:00:00Z");
const ago = (h: number) => new Date(now - h * HOUR).toISOString();

describe("stale latest runs", () => {
  it("a run older than its schedule's limit; never without one (manual)", () => {
    expect(isStale(ago(30), 48 * HOUR, now)).toBe(false);
    expect(isStale(ago(49), 48 * HOUR, now)).toBe(true);
    expect(isStale(ago(90 * 24), undefined, now)).toBe(false);
    expect(isStale("not a time", 48 * HOUR, now)).toBe(false);
  });

  it("shows the index's hidden marks of stale runs, with their age, and only those", () => {
    const mark = (hours: number, schedule: string, limit: number | string) =>
      `<div data-rm-stale data-rm-run-time="${ago(hours)}" data-rm-schedule="${schedule}" data-rm-stale-after="${limit}" hidden></div>`;
    const { document } = parseHTML(
      `<table><tr><td>${mark(5 * 24, "nightly", 48 * HOUR)}</td></tr>` +
        `<tr><td>${mark(3, "nightly", 48 * HOUR)}</td></tr>` +
        `<tr><td>${mark(5 * 24, "0 6 * * 1-5", 108 * HOUR)}</td></tr>` +
        `<tr><td>${mark(90 * 24, "manual", "")}</td></tr></table>`,
    );
    markStale(document, now);
    const [old, fresh, cron, manual] = [
      ...document.querySelectorAll<HTMLElement>("[data-rm-stale]"),
    ];
    expect(old!.hidden).toBe(false);
    expect(old!.textContent).toBe("⚠ stale: the last run is 5 days old (schedule: nightly)");
    expect(fresh!.hidden).toBe(true);
    expect(fresh!.textContent).toBe("");
    expect(cron!.hidden).toBe(false);
    expect(cron!.textContent).toBe("⚠ stale: the last run is 5 days old (schedule: 0 6 * * 1-5)");
    expect(manual!.hidden).toBe(true);
  });
});
