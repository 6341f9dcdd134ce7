// A runbook that does not load never silences the others (the 3 am false silence): `run-md
// trigger` runs the valid runbooks the event matched, reports the broken ones with their
// file:line:column problems, gives an errored report to each broken one the event may have been
// for, and exits 2.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { loadEachRunbook } from "../packages/cli/src/automation/load-each.ts";
import type { RunReport } from "../packages/core/src/report.ts";
import { REPO } from "./helpers.ts";
import { runMdHere as runMd } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";

// biome-ignore lint/suspicious/noExplicitAny: events and reports as parsed JSON
type Json = Record<string, any>;

/** A GuardDuty finding's triggers, with a SQL syntax error in its step (line 15). */
const KEY_TRIAGE = `---
title: Key triage
id: key-triage
severity: high
escalation: Page the security on-call.
triggers:
  - pattern:
      source: [aws.guardduty]
      detail-type: [GuardDuty Finding]
---

# Key triage

\`\`\`sql recent_calls
SELEC eventname FROM cloudtrail
\`\`\`
`;

/** Security Hub's triggers, with an unknown attribute on its step (line 8): not for GuardDuty. */
const OTHER_BROKEN = `---
title: Broken other
triggers:
  - pattern:
      source: [aws.securityhub]
---

\`\`\`sql s engien=athena
SELECT 1 AS one
\`\`\`
`;

/**
 * A trigger the parser drops (no pattern) beside one for Security Hub: the dropped one may have
 * been for this event, so nobody can say it was not.
 */
const HALF_READ = `---
title: Half read
triggers:
  - pattern:
      source: [aws.securityhub]
  - params: { key: "$.detail.id" }
---

\`\`\`sql s
SELECT 1 AS one
\`\`\`
`;

/** `trigger:` for `triggers:`: an unknown key, and triggers meant. */
const MISSPELLED = `---
title: Misspelled
severity: high
trigger:
  - pattern:
      source: [aws.guardduty]
---

\`\`\`sql s
SELECT 1 AS one
\`\`\`
`;

/** Front matter below a blank line: gray-matter does not take it, but triggers are meant. */
const LATE_FRONT = `
---
title: Late front matter
triggers:
  - pattern:
      source: [aws.guardduty]
---

\`\`\`sql s
SELECT 1 AS one
\`\`\`
`;

/** Notes kept beside the runbooks: no front matter, so no trigger; a problem, not a page. */
const NOTES = "# Notes\n\nHow we triage keys.\n";

/** Front matter that is not YAML (line 2): nobody can say which events it is for. */
const UNREADABLE = "---\ntitle: [unclosed\n---\n\n```sql s\nSELECT 1 AS one\n```\n";

const logDir = inject("sampleData").incidents;
const now = sampleWindow(logDir).end;
let dir: string;
let eventFile: string;

beforeAll(async () => {
  const work = await mkdtemp(path.join(tmpdir(), "run-md-trigger-broken-"));
  dir = path.join(work, "runbooks");
  await mkdir(dir);
  await copyFile(
    path.join(REPO, "runbooks/access-key-lifecycle.md"),
    path.join(dir, "access-key-lifecycle.md"),
  );
  await writeFile(path.join(dir, "key-triage.md"), KEY_TRIAGE);
  await writeFile(path.join(dir, "other-broken.md"), OTHER_BROKEN);
  await writeFile(path.join(dir, "unreadable.md"), UNREADABLE);
  await writeFile(path.join(dir, "half-read.md"), HALF_READ);
  await writeFile(path.join(dir, "notes.md"), NOTES);
  await writeFile(path.join(dir, "misspelled.md"), MISSPELLED);
  await writeFile(path.join(dir, "late-front.md"), LATE_FRONT);
  const event = JSON.parse(
    readFileSync(
      path.join(REPO, "packages/core/test/fixtures/events/guardduty-iam-finding.json"),
      "utf8",
    ),
  ) as Json;
  event.detail.resource.accessKeyDetails.accessKeyId = "AKIAEXAMPLEMALLORY01";
  event.time = now.toISOString();
  eventFile = path.join(work, "finding.json");
  await writeFile(eventFile, JSON.stringify(event));
});

async function trigger(extra: string[]) {
  const reports = await mkdtemp(path.join(tmpdir(), "run-md-trigger-broken-reports-"));
  const args = ["trigger", eventFile, "--runbooks", dir, "--log-dir", logDir];
  const res = await runMd([...args, "--reports-dir", reports, ...extra]);
  return { ...res, reports };
}

/** The one report written for a runbook id. */
function storedReport(reports: string, id: string): RunReport {
  const files = readdirSync(path.join(reports, id)).filter(
    (f) => f.endsWith(".json") && f !== "latest.json",
  );
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(path.join(reports, id, files[0]!), "utf8")) as RunReport;
}

describe("run-md trigger with runbooks that do not load beside valid ones", () => {
  it("runs the valid runbook, reports the broken ones file:line:column, exits 2", async () => {
    const res = await trigger(["--json"]);
    expect(res.code).toBe(2);
    const triage = path.join(dir, "key-triage.md");
    const other = path.join(dir, "other-broken.md");
    expect(res.stderr).toContain(
      `${triage}:15:1 error syntax error at "SELEC" (did you mean "SELECT"?) [sql-syntax]`,
    );
    expect(res.stderr).toContain(`${other}:8:10 error unknown attribute "engien"`);
    expect(res.stderr).toContain(`${path.join(dir, "unreadable.md")}:2:`);

    // The valid runbook ran on the planted incident and wrote its report.
    const lifecycle = storedReport(res.reports, "access-key-lifecycle");
    expect(lifecycle.status).toBe("failed");
    expect(lifecycle.steps.length).toBeGreaterThan(0);

    // The broken runbook the event is for: an errored report that says why it did not run.
    const report = storedReport(res.reports, "key-triage");
    expect(report.status).toBe("errored");
    expect(report.runbook).toMatchObject({
      title: "Key triage",
      severity: "high",
      escalation: "Page the security on-call.",
    });
    expect(report.error!.code).toBe("bad-runbook");
    // The event's window, as the run it would have been: an investigation.
    expect(report.kind).toBe("investigation");
    expect(report.window.source).toBe("the event's trigger");
    expect(Date.parse(report.window.end)).toBeGreaterThan(Date.parse(report.window.start));
    expect(report.error!.message).toContain(`${triage}:15:1 syntax error at "SELEC"`);
    // One whose front matter cannot be read is escalated too, and so is one with a trigger the
    // parser dropped; the one for Security Hub is not, nor notes without front matter.
    const unreadable = storedReport(res.reports, "unreadable");
    expect(unreadable.status).toBe("errored");
    // Its severity cannot be read either: escalated as critical, never a quiet medium.
    expect(unreadable.runbook.severity).toBe("critical");
    expect(storedReport(res.reports, "half-read").status).toBe("errored");
    // Triggers meant but not read: a misspelled key, front matter below a blank line.
    expect(storedReport(res.reports, "misspelled").status).toBe("errored");
    expect(storedReport(res.reports, "late-front").status).toBe("errored");
    expect(existsSync(path.join(res.reports, "other-broken"))).toBe(false);
    expect(existsSync(path.join(res.reports, "notes"))).toBe(false);
    expect(res.stderr).toContain(`${path.join(dir, "notes.md")}:1:1 error missing front matter`);

    const out = JSON.parse(res.stdout) as Json;
    expect(out.matched.map((m: Json) => [m.runbook, m.status])).toEqual([
      ["access-key-lifecycle", "failed"],
      ["half-read", "errored"],
      ["key-triage", "errored"],
      ["late-front", "errored"],
      ["misspelled", "errored"],
      ["unreadable", "errored"],
    ]);
    const entry = (id: string) => out.matched.find((m: Json) => m.runbook === id);
    expect(entry("key-triage")).toMatchObject({ reason: "its trigger matched", file: triage });
    expect(entry("key-triage").problems).toEqual([
      `${triage}:15:1 error syntax error at "SELEC" (did you mean "SELECT"?) [sql-syntax]`,
    ]);
    for (const id of ["half-read", "unreadable", "misspelled", "late-front"])
      expect(entry(id).reason, id).toBe("its triggers cannot be read");
    const skipped = out.skipped.find((s: Json) => s.runbook === "other-broken");
    expect(skipped).toMatchObject({ file: other });
    expect(skipped.reason).toContain('which does not match ["aws.securityhub"]');
    expect(skipped.problems).toEqual([expect.stringContaining(`${other}:8:10 error`)]);
    expect(out.reports.map((r: RunReport) => r.runbook.id)).toEqual([
      "access-key-lifecycle",
      "half-read",
      "key-triage",
      "late-front",
      "misspelled",
      "unreadable",
    ]);
  }, 120_000);

  it("--dry-run says the same without running or writing anything", async () => {
    const res = await trigger(["--dry-run"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain("▸ runs access-key-lifecycle: its trigger matched");
    expect(res.stdout).toContain(
      `✗ cannot run key-triage: ${path.join(dir, "key-triage.md")} does not load (1 problem) and its trigger matched`,
    );
    expect(res.stdout).toContain(
      `✗ cannot run unreadable: ${path.join(dir, "unreadable.md")} does not load (1 problem) and its triggers cannot be read`,
    );
    expect(res.stdout).toMatch(/· skips other-broken: .*aws\.securityhub.* \(and .* does not load/);
    expect(res.stderr).toContain(`${path.join(dir, "key-triage.md")}:15:1 error syntax error`);
    expect(readdirSync(res.reports)).toEqual([]);
  });

  it("masks the event's access key ids in the reasons it prints, when the configuration hides them", async () => {
    // A runbook for another key: the reason it was skipped quotes the event's key.
    const masked = path.join(path.dirname(dir), "masked");
    await mkdir(masked, { recursive: true });
    await writeFile(
      path.join(masked, "other-key.md"),
      "---\ntitle: Other key\ntriggers:\n  - pattern:\n      detail:\n        resource:\n" +
        "          accessKeyDetails:\n            accessKeyId: [AKIAOTHERKEY00000000]\n---\n\n" +
        "```sql s\nSELECT 1 AS one\n```\n",
    );
    await writeFile(path.join(masked, "broken.md"), KEY_TRIAGE.replace("Key triage", "Broken"));
    const config = path.join(path.dirname(dir), "hide.yaml");
    await writeFile(config, "mask:\n  accessKeyIds: hide\n");
    for (const extra of [["--dry-run"], ["--json"]]) {
      const args = ["trigger", eventFile, "--runbooks", masked, "--log-dir", logDir];
      const res = await runMd([...args, "--config", config, "--no-report", ...extra]);
      expect(res.code).toBe(2);
      expect(res.stdout + res.stderr).toContain("other-key");
      expect(res.stdout + res.stderr).not.toContain("AKIAEXAMPLEMALLORY01");
    }
  });
});

describe("run-md trigger with two runbooks of one id", () => {
  it("runs neither (their reports and alert would be one), escalates both, runs the others", async () => {
    const same = path.join(path.dirname(dir), "same-id");
    await mkdir(same);
    const book = (title: string) =>
      `---\ntitle: ${title}\nid: same\nseverity: high\ntriggers:\n  - pattern:\n      source: [aws.guardduty]\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;
    await writeFile(path.join(same, "a.md"), book("A"));
    await writeFile(path.join(same, "b.md"), book("B"));
    await copyFile(
      path.join(REPO, "runbooks/access-key-lifecycle.md"),
      path.join(same, "access-key-lifecycle.md"),
    );
    const reports = await mkdtemp(path.join(tmpdir(), "run-md-trigger-same-id-"));
    const res = await runMd([
      "trigger",
      eventFile,
      "--runbooks",
      same,
      "--log-dir",
      logDir,
      "--reports-dir",
      reports,
      "--json",
    ]);
    expect(res.code).toBe(2);
    const [a, b] = [path.join(same, "a.md"), path.join(same, "b.md")];
    expect(res.stderr).toContain(`${a}:1:1 error duplicate runbook id "same" (also ${b})`);
    expect(res.stderr).toContain(`${b}:1:1 error duplicate runbook id "same" (also ${a})`);
    const out = JSON.parse(res.stdout) as Json;
    // In file order: a.md, access-key-lifecycle.md, b.md.
    expect(out.matched.map((m: Json) => [m.runbook, m.status])).toEqual([
      ["same", "errored"],
      ["access-key-lifecycle", "failed"],
      ["same", "errored"],
    ]);
    const stored = readdirSync(path.join(reports, "same")).filter(
      (f) => f.endsWith(".json") && f !== "latest.json",
    );
    for (const f of stored) {
      const r = JSON.parse(readFileSync(path.join(reports, "same", f), "utf8")) as RunReport;
      expect(r.status).toBe("errored");
      expect(r.steps).toEqual([]);
      expect(r.error!.message).toMatch(
        /^\S+\.md shares its id with another runbook, so it did not run \(1 problem\): \S+\.md:1:1 duplicate runbook id "same"/,
      );
      expect(r.error!.hint).toContain("run-md check on the whole runbooks folder");
    }
    expect(stored).toHaveLength(2);
  }, 120_000);
});

describe("red-team: the severity of a runbook that does not load", () => {
  it("a severity that is no severity (`Critical`) is escalated as critical, not the default medium", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "run-md-bad-severity-"));
    const file = path.join(folder, "kms-keys.md");
    await writeFile(file, KEY_TRIAGE.replace("severity: high", "severity: Critical"));
    await writeFile(path.join(folder, "no-severity.md"), KEY_TRIAGE.replace(/severity.*\n/, ""));
    const loaded = await loadEachRunbook([folder]);
    expect(loaded.map((l) => [path.basename(l.file), l.runbook.meta.severity])).toEqual([
      ["kms-keys.md", "critical"], // a pager's minSeverity: high must not drop it
      ["no-severity.md", "medium"], // none named: the format's default
    ]);
    expect(loaded[0]!.problems.map((d) => d.message).join("\n")).toContain(
      'invalid severity "Critical"',
    );
  });
});
