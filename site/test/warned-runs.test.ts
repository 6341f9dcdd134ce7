/**
 * A failed check of an `optional` step only warns its run (spec §2: exit 0, no alert, no
 * escalation). The site says so wherever it shows the run: the index, the runbook page's summary
 * and history, the run's page, the heat strip and the diff with the run before; and a run's step
 * warnings, long ones and several, are all on its page, as text. The truth is the report files
 * warned-fixture.ts wrote into the shared build, read here apart from the site's code.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Element, Root } from "hast";
import { select, selectAll } from "hast-util-select";
import { toString as hastToString } from "hast-util-to-string";
import { beforeAll, describe, expect, it } from "vitest";
import { builtPage, type SharedSite, sharedSite, text } from "./shared-site.ts";
import {
  CANCELLED_OPTIONAL_ID,
  CANCELLED_REQUIRED_ID,
  FAILED_AFTER_OPTIONAL_ID,
  WARNED_ID,
} from "./warned-fixture.ts";

let site: SharedSite;
let index: Root;

beforeAll(async () => {
  site = await sharedSite();
  index = await builtPage(site.outDir, "");
}, 600_000);

interface Check {
  check: string;
  status: string;
}
interface Step {
  id: string;
  optional: boolean;
  warnings: string[];
  checks: Check[];
}
interface Report {
  status: string;
  startedAt: string;
  steps: Step[];
}

/** A runbook's report files, oldest first, with their file names (the run pages' slugs). */
async function reports(id: string): Promise<{ slug: string; report: Report }[]> {
  const names = (await readdir(path.join(site.reportsDir, id)))
    .filter((n) => /^\d{4}-.*Z\.json$/.test(n))
    .sort();
  return Promise.all(
    names.map(async (n) => ({
      slug: n.replace(/\.json$/, ""),
      report: JSON.parse(await readFile(path.join(site.reportsDir, id, n), "utf8")) as Report,
    })),
  );
}

/** Whether a check failed in a step that is not optional: what fails a run (spec §2). */
const failsTheRun = (r: Report) =>
  r.steps.some((s) => !s.optional && s.checks.some((c) => c.status === "failed"));
/** The failed checks of optional steps: each only warns its run. */
const optionalFailures = (r: Report) =>
  r.steps.filter((s) => s.optional).flatMap((s) => s.checks.filter((c) => c.status === "failed"));

const escalationOf = async (id: string) =>
  /^escalation: (.*)$/m.exec(await readFile(path.join(site.runbooksDir, `${id}.md`), "utf8"))?.[1];

describe("a cancelled run's summary", () => {
  it("shows the runbook's escalation for a failed required check, not for a failed optional one", async () => {
    const seen: boolean[] = [];
    for (const id of [CANCELLED_OPTIONAL_ID, CANCELLED_REQUIRED_ID]) {
      const { report } = (await reports(id)).at(-1)!;
      expect(report.status, id).toBe("cancelled");
      expect(
        report.steps.some((s) => s.checks.some((c) => c.status === "failed")),
        id,
      ).toBe(true);
      const summary = select("[data-summary]", await builtPage(site.outDir, `runbooks/${id}`));
      const what = select(".rm-summary__escalation", summary);
      expect(what !== undefined, id).toBe(failsTheRun(report));
      if (what) expect(text(what), id).toBe(`What to do: ${await escalationOf(id)}`);
      seen.push(failsTheRun(report));
    }
    // One of each: the test tells the two apart.
    expect(seen).toEqual([false, true]);
  });
});

describe("a run that only warned (an optional step's check failed)", () => {
  it("reads as warned on the index: its status, no failed check, its failed optional check said to only warn, its step warning", async () => {
    const { report } = (await reports(WARNED_ID)).at(-1)!;
    expect([report.status, failsTheRun(report)]).toEqual(["warned", false]);
    const row = select(`tr[data-runbook="${WARNED_ID}"]`, index) as Element;
    expect(row.properties.dataStatus).toBe(report.status);
    expect(text(row)).not.toMatch(/failed check/);
    const listed = selectAll("[data-failing-check]", row);
    expect(listed.map((l) => l.properties.dataFailingCheck)).toEqual(
      optionalFailures(report).map((c) => c.check),
    );
    for (const l of listed) {
      expect(text(select(".rm-failing__symbol", l))).not.toBe("✗");
      expect(text(l)).toContain("failed in an optional step: the run only warns");
    }
    // Nothing failed the run: the steps' warnings are said, as for any other warned run.
    const first = report.steps.find((s) => s.warnings.length > 0)!;
    expect(text(select("[data-warning]", row))).toContain(`${first.id}: ${first.warnings[0]}`);
    // Ranked among the warned, after every failed or errored runbook.
    const rows = selectAll("tr[data-runbook]", index).map((r) => String(r.properties.dataStatus));
    const at = rows.indexOf(report.status);
    expect(rows.slice(at).some((s) => s === "failed" || s === "errored")).toBe(false);
    const warnedPage = await builtPage(site.outDir, `status/${report.status}`);
    expect(select(`tr[data-runbook="${WARNED_ID}"]`, warnedPage)).toBeDefined();
  });

  it("reads as warned on its runbook page's summary, latest run, history and heat strip", async () => {
    const runs = await reports(WARNED_ID);
    const { report } = runs.at(-1)!;
    const page = await builtPage(site.outDir, `runbooks/${WARNED_ID}`);
    const summary = select("[data-summary]", page);
    expect(select(".rm-summary__status [data-status]", summary)?.properties.dataStatus).toBe(
      "warned",
    );
    expect(select(".rm-summary__escalation", summary)).toBeUndefined();
    for (const c of optionalFailures(report)) {
      const item = select(`[data-summary-check="${c.check}"]`, summary);
      expect(text(item)).toContain("failed in an optional step: the run only warns");
    }
    // The heat strip's cell of its day, and its run in the history strip.
    const day = report.startedAt.slice(0, 10);
    const cell = select(`[data-heat="${WARNED_ID}"] [data-day="${day}"]`, index);
    expect(cell?.properties.dataDayStatus).toBe(report.status);
    const strip = selectAll(".rm-strip a", page).map((a) => String(a.properties.ariaLabel));
    expect(strip).toHaveLength(runs.length);
    expect(strip.at(-1)).toMatch(/: warned, /);
  });

  it("reads as warned on its run page and in the diff with the passed run before it", async () => {
    const [before, latest] = (await reports(WARNED_ID)).slice(-2);
    expect([before!.report.status, latest!.report.status]).toEqual(["passed", "warned"]);
    const run = await builtPage(site.outDir, `runbooks/${WARNED_ID}/runs/${latest!.slug}`);
    expect(select(".rm-meta [data-status]", run)?.properties.dataStatus).toBe("warned");
    // Its count of checks says which failed ones only warn it, beside "warned".
    const all = latest!.report.steps.flatMap((s) => s.checks);
    const count = (status: string) => all.filter((c) => c.status === status).length;
    const checks = selectAll(".rm-meta > div", run).find((d) => text(select("dt", d)) === "checks");
    expect(text(select("dd", checks))).toBe(
      `${count("passed")} passed, ${count("failed")} failed (${optionalFailures(latest!.report).length} failed in an optional step: the run only warns)`,
    );
    const diff = select(".rm-diff", run);
    expect(text(diff)).toContain("the run went from ✓ passed to ! warned");
    for (const c of optionalFailures(latest!.report)) {
      const item = selectAll(".rm-diff__list > li", diff).find((li) =>
        text(li).startsWith(`${c.check} in `),
      );
      expect(text(item)).toContain("failed in an optional step: the run only warns");
    }
  });

  it("shows every step warning on its run page, whole and as text", async () => {
    const { slug, report } = (await reports(WARNED_ID)).at(-1)!;
    const run = await builtPage(site.outDir, `runbooks/${WARNED_ID}/runs/${slug}`);
    const withWarnings = report.steps.filter((s) => s.warnings.length > 0);
    expect(withWarnings.flatMap((s) => s.warnings).length).toBeGreaterThan(2);
    for (const s of report.steps) {
      const step = select(`[data-step="${s.id}"] .rm-warnings`, run);
      const shown = selectAll("li", step ?? { type: "root", children: [] }).map((li) =>
        hastToString(li),
      );
      expect(shown, s.id).toEqual(s.warnings);
    }
    // Their markup is text: no element of it made it into the page.
    expect(selectAll(".rm-run script, .rm-run img, .rm-warnings b", run)).toHaveLength(0);
  });
});

describe("a failed run whose optional step's check failed first", () => {
  it("says first, in its summary and on the index, the check that failed it (core failedChecksOf's order)", async () => {
    const { report } = (await reports(FAILED_AFTER_OPTIONAL_ID)).at(-1)!;
    expect(report.status).toBe("failed");
    const failed = report.steps.flatMap((s) =>
      s.checks.filter((c) => c.status === "failed").map((c) => ({ s, c })),
    );
    // In the report, the optional step's comes first.
    expect(failed.map(({ s }) => s.optional)).toEqual([true, false]);
    const summary = select(
      "[data-summary]",
      await builtPage(site.outDir, `runbooks/${FAILED_AFTER_OPTIONAL_ID}`),
    );
    const said = selectAll("[data-summary-check]", summary).map(
      (li) => li.properties.dataSummaryCheck,
    );
    const required = failed.filter(({ s }) => !s.optional).map(({ c }) => c.check);
    const optional = failed.filter(({ s }) => s.optional).map(({ c }) => c.check);
    expect(said).toEqual([...required, ...optional]);
    // The index's "what failed" too, which counts only the check that failed the run.
    const row = select(`tr[data-runbook="${FAILED_AFTER_OPTIONAL_ID}"]`, index);
    const listed = selectAll("[data-failing-check]", row).map((l) => l.properties.dataFailingCheck);
    expect(listed).toEqual([...required, ...optional]);
    expect(text(row)).toContain(
      `${required.length} failed check${required.length === 1 ? "" : "s"}`,
    );
    expect(text(select(".rm-summary__escalation", summary))).toBe(
      `What to do: ${await escalationOf(FAILED_AFTER_OPTIONAL_ID)}`,
    );
  });
});
