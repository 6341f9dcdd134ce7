/**
 * docs/automation.md §2's `run-md trigger` output, typed as its "To try it on the bundled sample
 * data" says (AWS's sample finding with the planted attacker's key and the time of now, in this
 * repository, whose configuration reads the bundled sample data): each line the doc shows is one
 * the command prints, in that order. What changes from run to run is compared by its shape only
 * (times, durations, counts); a line the doc shortens with `...` is compared up to there.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { REPO } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";
import { sampleWindow } from "./sample-data.ts";

const { incidents } = inject("sampleData");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-trigger-doc-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The `text` block after `npx run-md trigger finding.json` in docs/automation.md §2. */
function shownOutput(): string[] {
  const doc = readFileSync(path.join(REPO, "docs/automation.md"), "utf8");
  const section = doc.slice(doc.indexOf("\n## 2. `run-md trigger`\n"));
  const text = /^```text\n([\s\S]*?)^```$/m.exec(section)![1]!;
  return text.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "...");
}

/** A line with what differs between runs replaced by its kind. */
function shape(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT\d\d[-:]\d\d[-:]\d\d(\.\d+)?Z/g, "<time>")
    .replace(/\d+(\.\d+)?(ms|s)\b/g, "<duration>")
    .replace(/\d+/g, "<n>")
    .trimEnd();
}

it("the trigger's output on the bundled sample data is what docs/automation.md §2 shows", async () => {
  // The doc's sed: the planted key for AWS's placeholder, now for the sample's 1970 time (the
  // sample data ends now; the shared copy's end stands for it).
  const now = sampleWindow(incidents)
    .end.toISOString()
    .replace(/\.\d{3}Z$/, "Z");
  const sample = readFileSync(
    path.join(REPO, "packages/core/test/fixtures/events/guardduty-iam-finding.json"),
    "utf8",
  );
  const event = path.join(dir, "finding.json");
  await writeFile(
    event,
    sample
      .replaceAll("GeneratedFindingAccessKeyId", "AKIAEXAMPLEMALLORY01")
      .replaceAll("1970-01-01T00:00:00Z", now),
  );
  // The reports go to a folder of the test's, named as the doc's reports/ in what is compared.
  const reports = path.join(dir, "reports");
  const res = await runMdHere(["trigger", event, "--reports-dir", reports], {
    cwd: REPO,
    env: { RUN_MD_SAMPLE_DIR: incidents },
  });
  expect(res.code, res.stderr).toBe(1);
  const printed = res.stdout
    .replaceAll(path.relative(REPO, reports), "reports")
    .split("\n")
    .map(shape);
  let at = 0;
  const missing: string[] = [];
  for (const line of shownOutput()) {
    const cut = line.indexOf("...");
    const want = shape(cut === -1 ? line : line.slice(0, cut));
    const found = printed.findIndex(
      (p, i) => i >= at && (cut === -1 ? p === want : p.startsWith(want)),
    );
    if (found === -1) missing.push(line);
    else at = found + 1;
  }
  expect(missing, res.stdout).toEqual([]);
});
