/**
 * A night whose runbooks fail with no notification target at all (no `notify:` section, and
 * RUN_MD_WEBHOOK_URL empty: a repository secret deleted or never set, which a workflow passes as
 * ""): nobody is told, and the job's summary must say so (red-team: it said nothing of
 * notifications, as on a night with nothing to tell). The real nightly job (test/in-process.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nightlyHere } from "./in-process.ts";
import { countingRunbook, quietLogs } from "./nightly-fixture.ts";

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-nobody-"));
  await quietLogs(path.join(work, "logs"), { hours: 30, events: 300, seed: "nightly-nobody-told" });
  for (const [dir, check] of [
    ["failing", "rows == 0"],
    ["passing", "rows == 1"],
  ] as const) {
    await mkdir(path.join(work, dir));
    await writeFile(path.join(work, dir, "night.md"), countingRunbook(check));
  }
  await writeFile(path.join(work, "raw.yaml"), "local:\n  logDir: ./logs\n");
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const nightly = (runbooks: string) =>
  nightlyHere(
    [
      ...[
        "--runbooks",
        path.join(work, runbooks),
        "--reports-dir",
        path.join(work, `${runbooks}-reports`),
      ],
      ...["--config", path.join(work, "raw.yaml"), "--engine", "local", "--no-build"],
    ],
    { env: { RUN_MD_WEBHOOK_URL: "" } },
  );

describe("nightly: no notification target", () => {
  it("a night with a failure says that nobody was told", async () => {
    const night = await nightly("failing");
    expect(night.code, night.stdout + night.stderr).toBe(1);
    const totals = night.stdout.trim().split("\n").at(-1) ?? "";
    expect(totals).toMatch(/^1 runbook: 1 failed · /);
    expect(totals).toContain("nobody told: no notification target (notify: or RUN_MD_WEBHOOK_URL)");
  }, 120_000);

  it("a night with nothing to tell says nothing of it", async () => {
    const night = await nightly("passing");
    expect(night.code, night.stdout + night.stderr).toBe(0);
    expect(night.stdout).not.toContain("nobody told");
  }, 120_000);
});
