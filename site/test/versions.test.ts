/**
 * A run of an earlier version of its runbook is never shown as the current file's answer: the
 * index and the runbook page's summary say the runbook changed since the run, and a runbook that
 * has errors now (it cannot run) ranks with the errored ones whatever its last run said. The
 * truth is the files themselves: each runbook file's sha256 against the `sourceHash` its newest
 * report records, computed here. Reads the site tests' shared build.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Element, Root } from "hast";
import { select, selectAll } from "hast-util-select";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BROKEN_ID,
  CANCELLED_ID,
  EDITED_ID,
  ESCALATION_THEN,
  SAMPLE_ID,
} from "./changed-fixture.ts";
import { builtPage, type SharedSite, sharedSite, text } from "./shared-site.ts";

let site: SharedSite;
let index: Root;

beforeAll(async () => {
  site = await sharedSite();
  index = await builtPage(site.outDir, "");
}, 600_000);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Whether `<id>.md`'s bytes differ from what its newest report ran; undefined without either. */
async function changedSinceRun(id: string): Promise<boolean | undefined> {
  let source: Buffer;
  let names: string[];
  try {
    source = await readFile(path.join(site.runbooksDir, `${id}.md`));
    names = await readdir(path.join(site.reportsDir, id));
  } catch {
    return undefined;
  }
  const newest = names
    .filter((n) => /^\d{4}-\d{2}-\d{2}T.*Z\.json$/.test(n))
    .sort()
    .at(-1);
  if (!newest) return undefined;
  const report = JSON.parse(await readFile(path.join(site.reportsDir, id, newest), "utf8"));
  return report.runbook.sourceHash !== sha256(source);
}

const row = (id: string) => select(`tr[data-runbook="${id}"]`, index) as Element | undefined;

describe("a run of an earlier version of its runbook", () => {
  it("is said so on the index, and only there where the file changed since", async () => {
    expect(await changedSinceRun(EDITED_ID)).toBe(true);
    expect(await changedSinceRun(BROKEN_ID)).toBe(true);
    let unchanged = 0;
    for (const tr of selectAll("tr[data-runbook]", index)) {
      const id = String(tr.properties.dataRunbook);
      const changed = await changedSinceRun(id);
      if (changed === undefined) continue;
      const note = select("[data-version-note]", tr);
      if (changed) expect(text(note), id).toMatch(/earlier version of the runbook/);
      else {
        expect(note, id).toBeUndefined();
        unchanged++;
      }
    }
    expect(unchanged).toBeGreaterThan(2);
  });

  it("is said so in the runbook page's summary, above what the run found", async () => {
    const page = await builtPage(site.outDir, `runbooks/${EDITED_ID}`);
    const summary = select("[data-summary]", page);
    expect(text(select("[data-summary-version]", summary ?? undefined))).toMatch(
      /earlier version of the runbook/,
    );
    const kms = await builtPage(site.outDir, "runbooks/kms-key-deletion");
    expect(await changedSinceRun("kms-key-deletion")).toBe(false);
    expect(select("[data-summary-version]", kms)).toBeUndefined();
  });

  it("never says to do what only the run's copy of the runbook said (its escalation)", async () => {
    const source = await readFile(path.join(site.runbooksDir, `${EDITED_ID}.md`), "utf8");
    expect(source).not.toContain("escalation");
    const page = await builtPage(site.outDir, `runbooks/${EDITED_ID}`);
    // The run failed: a summary says what to do when the runbook says it.
    expect(select("[data-summary]", page)?.properties.className).toContain("rm-summary--failed");
    expect(text(page)).not.toContain(ESCALATION_THEN);
  });

  it("of a runbook that has errors now: says it cannot run, and ranks with the errored ones", async () => {
    // Its last run passed: ranked by that, it sat among the passes, and /status/passed/ kept it.
    // A cancelled run that failed checks ranks with the failed ones (warned-fixture.ts has one).
    const order = selectAll("tr[data-runbook]", index).map((r) => ({
      id: String(r.properties.dataRunbook),
      status: String(r.properties.dataStatus),
      invalid: select(".rm-invalid", r) !== undefined,
      failedChecks: /\b\d+ failed checks?\b/.test(text(r)),
    }));
    const at = order.findIndex((r) => r.id === BROKEN_ID);
    const calm = new Set(["warned", "cancelled", "passed", "none"]);
    const firstCalmValid = order.findIndex(
      (r) => calm.has(r.status) && !r.invalid && !r.failedChecks,
    );
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(firstCalmValid);
    expect(text(select("[data-version-note]", row(BROKEN_ID)))).toMatch(
      /has errors now and cannot run/,
    );
    const page = await builtPage(site.outDir, `runbooks/${BROKEN_ID}`);
    expect(text(select("[data-summary-version]", page))).toMatch(/has errors now and cannot run/);
  });
});

describe("a run over the bundled sample data (local.logDir: sample)", () => {
  it("says so on the index, in the runbook page's summary and on the run's page", async () => {
    const names = await readdir(path.join(site.reportsDir, SAMPLE_ID));
    const name = names.find((n) => n.endsWith("Z.json"))!;
    const report = JSON.parse(await readFile(path.join(site.reportsDir, SAMPLE_ID, name), "utf8"));
    expect(report.sampleData).toBe(true);
    expect(await changedSinceRun(SAMPLE_ID)).toBe(false);
    const said = /read the bundled sample data \(local\.logDir: sample\), not your CloudTrail logs/;
    expect(text(select("[data-sample-note]", row(SAMPLE_ID)))).toMatch(said);
    const page = await builtPage(site.outDir, `runbooks/${SAMPLE_ID}`);
    expect(text(select("[data-summary] [data-sample-note]", page))).toMatch(said);
    const run = await builtPage(
      site.outDir,
      `runbooks/${SAMPLE_ID}/runs/${name.replace(/\.json$/, "")}`,
    );
    expect(text(select("[data-sample-note]", run))).toMatch(said);
    // A run over the logs says nothing of it.
    expect(select("[data-sample-note]", row("unauthorized-access"))).toBeUndefined();
  });
});

describe("a check of a step the run was cancelled before", () => {
  it("says it was not judged, not that it is not in the run", async () => {
    const names = await readdir(path.join(site.reportsDir, CANCELLED_ID));
    const name = names.find((n) => n.endsWith("Z.json"))!;
    const report = JSON.parse(
      await readFile(path.join(site.reportsDir, CANCELLED_ID, name), "utf8"),
    ) as { steps: { id: string; status: string; checks: unknown[] }[] };
    const second = report.steps.find((s) => s.id === "second")!;
    expect([second.status, second.checks.length]).toEqual(["cancelled", 0]);
    const source = await readFile(path.join(site.runbooksDir, `${CANCELLED_ID}.md`), "utf8");
    expect(source).toMatch(/```sql second\n[^`]*```\n\n```expect\nrows == 1/);
    const page = await builtPage(site.outDir, `runbooks/${CANCELLED_ID}`);
    const cell = select("[data-expect=second] [data-no-outcome]", page);
    expect(text(cell)).toBe("not judged: the run was cancelled before this step finished");
  });
});
