/**
 * `check` and `list` without paths read the runbooks folder from the configuration: when it has
 * a mistake they say that mistake (file:line:col and the key), rather than looking in runbooks/
 * as if no configuration were there (check said only "no such file or directory: runbooks";
 * list listed runbooks/ and exited 0, whatever runbooksDir said).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

let dir: string;
const RUNBOOK = `---
title: Quiet
---

\`\`\`sql quiet
SELECT count(*) AS n FROM cloudtrail_logs
\`\`\`
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-broken-config-"));
  await writeFile(
    path.join(dir, "run-md.config.yaml"),
    "runbooksDir: playbooks\nreportsDri: reports\n",
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MISTAKE = 'run-md.config.yaml:2:1 unknown configuration key "reportsDri"';

describe("a configuration with a mistake, no paths given", () => {
  it("check names the mistake, not a runbooks/ folder the configuration does not name", async () => {
    const res = await runMdHere(["check"], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(MISTAKE);
    expect(res.stderr).not.toContain("no such file or directory: runbooks");
  });

  it("list names the mistake and exits 2, not a listing of runbooks/", async () => {
    await mkdir(path.join(dir, "runbooks"), { recursive: true });
    await writeFile(path.join(dir, "runbooks", "quiet.md"), RUNBOOK);
    const res = await runMdHere(["list"], { cwd: dir });
    expect(res.stderr).toContain(MISTAKE);
    expect(res.code).toBe(2);
    expect(res.stdout).not.toContain("quiet");
    // Given the files, list needs no configuration.
    const given = await runMdHere(["list", "runbooks/quiet.md"], { cwd: dir });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain("quiet");
  });
});

it("list takes --config as check does, and lists the folder that configuration names", async () => {
  await mkdir(path.join(dir, "playbooks"), { recursive: true });
  await writeFile(path.join(dir, "playbooks", "other.md"), RUNBOOK.replace("Quiet", "Other"));
  await writeFile(path.join(dir, "good.yaml"), "runbooksDir: playbooks\n");
  const res = await runMdHere(["list", "--config", "good.yaml"], { cwd: dir });
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toContain("Other");
  expect(res.stdout).not.toContain("Quiet");
});
