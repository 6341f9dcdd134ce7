/**
 * What an on-call reader finds on a runbook's page and the index without JavaScript: the latest
 * run's window beside its time, and a run older than its schedule allows marked stale in the
 * HTML itself. Every expectation comes from the fixture files (the runbooks' front matter and
 * the report files), read here apart from the site's code. Reads the site tests' shared build.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Root } from "hast";
import { select, selectAll } from "hast-util-select";
import { beforeAll, describe, expect, it } from "vitest";
import { builtPage, FIXTURES, sharedSite, text } from "./shared-site.ts";

let outDir: string;

beforeAll(async () => {
  outDir = (await sharedSite()).outDir;
}, 600_000);

const page = (route: string): Promise<Root> => builtPage(outDir, route);

/** `2026-11-22T02:00:01.000Z` as a reader sees it: `2026-11-22 02:00:01 UTC`. */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

interface Latest {
  id: string;
  startedAt: string;
  window: { start: string; end: string };
  schedule: string | undefined;
  status: string;
  /** Each step's warnings as `<step id>: <warning>`, in order. */
  warnings: string[];
}

/** Each fixture runbook's newest report file (the runner names them by time), with its schedule. */
async function latestReports(): Promise<Latest[]> {
  const dir = path.join(FIXTURES, "reports");
  const out: Latest[] = [];
  for (const id of (await readdir(dir)).sort()) {
    const files = (await readdir(path.join(dir, id))).filter((f) => /^\d{4}-.*\.json$/.test(f));
    const newest = files.sort().at(-1);
    if (!newest) continue;
    const report = JSON.parse(await readFile(path.join(dir, id, newest), "utf8"));
    const md = await readFile(path.join(FIXTURES, "runbooks", `${id}.md`), "utf8");
    const schedule = /^schedule:\s*(\S+)\s*$/m.exec(md)?.[1];
    out.push({
      id,
      startedAt: report.startedAt,
      window: report.window,
      schedule,
      status: report.status,
      warnings: (report.steps as { id: string; warnings?: string[] }[]).flatMap((st) =>
        (st.warnings ?? []).map((w) => `${st.id}: ${w}`),
      ),
    });
  }
  return out;
}

describe("a runbook page's latest run", () => {
  it("names the window the run read, beside its time, in the summary and under Latest run", async () => {
    const latest = await latestReports();
    expect(latest.length).toBeGreaterThan(2);
    for (const r of latest) {
      const tree = await page(`runbooks/${r.id}`);
      const window = `window ${utc(r.window.start)} → ${utc(r.window.end)}`;
      for (const where of ["[data-summary]", ".rm-latest"]) {
        const shown = text(select(where, tree));
        expect(shown, `${r.id} ${where}`).toContain(utc(r.startedAt));
        expect(shown, `${r.id} ${where}`).toContain(window);
      }
    }
  });
});

describe("a latest run that passed over steps that warned", () => {
  it("says the first warning and how many more in the summary, not only under its step far below", async () => {
    const warned = (await latestReports()).filter(
      (r) => (r.status === "passed" || r.status === "warned") && r.warnings.length > 0,
    );
    expect(warned.map((r) => r.id)).toContain("audit-iam");
    for (const r of warned) {
      const summary = select("[data-summary]", await page(`runbooks/${r.id}`));
      const said = text(select("[data-summary-warning]", summary));
      const more = r.warnings.length - 1;
      expect(said, r.id).toBe(
        `⚠ warning in ${r.warnings[0]}${more > 0 ? ` (and ${more} more)` : ""}`,
      );
    }
  });

  it("says them at the top of the run's own page too, beside its status, not only under each step", async () => {
    const warned = (await latestReports()).filter(
      (r) => (r.status === "passed" || r.status === "warned") && r.warnings.length > 0,
    );
    expect(warned.length).toBeGreaterThan(0);
    for (const r of warned) {
      const summary = select("[data-summary]", await page(`runbooks/${r.id}`));
      const href = selectAll("a", summary)
        .map((a) => String(a.properties.href))
        .find((h) => h.includes("/runs/"));
      expect(href, r.id).toBeTruthy();
      const run = await page(href!.replace(/^\//, "").replace(/\/$/, ""));
      const meta = select(".rm-meta", run);
      const more = r.warnings.length - 1;
      expect(text(select("[data-run-warnings] dt", meta)), r.id).toBe("warnings");
      expect(text(select("[data-run-warnings] dd", meta)), r.id).toBe(
        `⚠ warning in ${r.warnings[0]}${more > 0 ? ` (and ${more} more)` : ""}`,
      );
    }
  });
});

describe("a runbook page's history", () => {
  it("marks each run that passed over steps that warned, in the strip and the table, as its report file holds it", async () => {
    const dir = path.join(FIXTURES, "reports", "audit-iam");
    const tree = await page("runbooks/audit-iam");
    const rows = selectAll("table.rm-history tbody tr", tree);
    expect(rows.length).toBeGreaterThan(1);
    let marked = 0;
    for (const row of rows) {
      const href = String(select("a", row)?.properties.href);
      const name = /\/runs\/([^/]+)\/$/.exec(href)?.[1];
      const report = JSON.parse(await readFile(path.join(dir, `${name}.json`), "utf8")) as {
        status: string;
        steps: { warnings?: string[] }[];
      };
      const warns =
        (report.status === "passed" || report.status === "warned") &&
        report.steps.some((st) => (st.warnings ?? []).length > 0);
      if (warns) marked++;
      expect(text(select("[data-history-warning]", row)), href).toBe(
        warns ? "⚠ with step warnings" : "",
      );
      const square = select(`.rm-strip a[href="${href}"]`, tree);
      expect(String(square?.properties.ariaLabel).endsWith(", with step warnings"), href).toBe(
        warns,
      );
    }
    expect(marked).toBeGreaterThan(0);
  });
});

describe("the index's heat strip", () => {
  it("marks a day whose worst run passed over steps that warned, as the report files hold it", async () => {
    const index = await page("");
    let marked = 0;
    for (const id of await readdir(path.join(FIXTURES, "reports"))) {
      const dir = path.join(FIXTURES, "reports", id);
      // Each day's runs, read apart from the site: the worst status, and whether a run of that
      // status warned in its steps.
      const rank = ["errored", "cancelled", "failed", "warned", "passed"];
      const days = new Map<string, { status: string; warns: boolean }>();
      for (const name of (await readdir(dir)).filter((f) => /^\d{4}-.*\.json$/.test(f))) {
        const r = JSON.parse(await readFile(path.join(dir, name), "utf8")) as {
          status: string;
          kind?: string;
          startedAt: string;
          steps: { warnings?: string[] }[];
        };
        if ((r.kind ?? "full") !== "full") continue;
        const day = r.startedAt.slice(0, 10);
        const warns =
          (r.status === "passed" || r.status === "warned") &&
          r.steps.some((st) => (st.warnings ?? []).length > 0);
        const had = days.get(day);
        if (!had || rank.indexOf(r.status) < rank.indexOf(had.status))
          days.set(day, { status: r.status, warns });
        else if (had.status === r.status) had.warns ||= warns;
      }
      for (const [day, d] of days) {
        const cell = select(`[data-heat="${id}"] [data-day="${day}"]`, index);
        if (!cell) continue; // outside the strip's 30 days
        if (d.warns) marked++;
        expect(
          text(select(".rm-sr-only", cell)).endsWith(", with step warnings"),
          `${id} ${day}`,
        ).toBe(d.warns);
      }
    }
    expect(marked).toBeGreaterThan(0);
  });
});

describe("a latest run older than its schedule allows", () => {
  it("is marked stale in the HTML, in the runbook page's summary, under its latest run and on the index, without JavaScript", async () => {
    const HOUR = 3_600_000;
    // A nightly runbook's run is stale after 48 hours; an hour more for the time since the build.
    const stale = (await latestReports()).filter(
      (r) => r.schedule === "nightly" && Date.now() - Date.parse(r.startedAt) > 49 * HOUR,
    );
    expect(stale.length).toBeGreaterThan(0);
    const index = await page("");
    for (const r of stale) {
      const days = Math.floor((Date.now() - Date.parse(r.startedAt)) / (24 * HOUR));
      const runbook = await page(`runbooks/${r.id}`);
      // The summary first: it is where a notification's reader lands, the answer at the top.
      for (const [where, tree] of [
        ["summary", select("[data-summary]", runbook)],
        ["latest run", select(".rm-latest ~ [data-rm-stale]", runbook)],
        ["index", select(`tr[data-runbook="${r.id}"]`, index)],
      ] as const) {
        const mark = where === "latest run" || !tree ? tree : select("[data-rm-stale]", tree);
        expect(mark, `${r.id} ${where}`).toBeTruthy();
        expect(mark?.properties.hidden, `${r.id} ${where}`).toBeFalsy();
        // The age at the build: the same day count, or one less when the build was just before
        // a day boundary.
        const said =
          /^⚠ stale: the last run was (\d+) days old when the site was built \(schedule: nightly\)$/.exec(
            text(mark),
          );
        expect(said, `${r.id} ${where}: ${text(mark)}`).toBeTruthy();
        expect([days, days - 1]).toContain(Number(said?.[1]));
      }
    }
  });
});

describe("a runbook that cannot run (the parser rejects it)", () => {
  it("is listed on the index above the runbooks whose latest run passed, not at the bottom", async () => {
    // broken-typo.md has an unknown front matter key (scedule:): it can never run, so it never
    // gets a report, and "no run yet" at the bottom of the index would hide it for ever.
    const md = await readFile(path.join(FIXTURES, "runbooks", "broken-typo.md"), "utf8");
    expect(md).toMatch(/^scedule:/m);
    const passed = (await latestReports()).filter((r) => r.status === "passed").map((r) => r.id);
    expect(passed.length).toBeGreaterThan(0);
    const order = selectAll("tr[data-runbook]", await page("")).map((r) =>
      String(r.properties.dataRunbook),
    );
    for (const id of passed)
      expect(order.indexOf("broken-typo"), id).toBeLessThan(order.indexOf(id));
  });
});

describe("the index's day strip", () => {
  it("says its days are UTC's: a run at 23:30 UTC is the next day in Sydney", async () => {
    const head = select(".rm-index__heat-head", await page(""));
    expect(text(head)).toMatch(/^Last 30 days \(UTC\)/);
  });
});
