/**
 * The bundled GitHub workflow's "Save the reports history" step, run as written (bash, git, a
 * local bare repository for origin) over the reports of a job that was killed (the OOM killer:
 * the step fails, continue-on-error, and the history is saved after it). What it commits is
 * what the next night's runner checks out: a lock of the killed job among it, freshly written
 * by the checkout on another host, refused every later night's job (exit 2, nothing run, nobody
 * told; red-team).
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDuration } from "@run-md/core";
import { parse } from "yaml";
import { REPO } from "./helpers.ts";
import { nightlyHere } from "./in-process.ts";

interface Step {
  name?: string;
  run?: string;
  "working-directory"?: string;
}

async function saveStep(): Promise<string> {
  const workflow = parse(
    await readFile(path.join(REPO, ".github/workflows/nightly.yml"), "utf8"),
  ) as { jobs: { run: { steps: Step[] } } };
  const step = workflow.jobs.run.steps.find((s) => s.name === "Save the reports history");
  expect(step?.["working-directory"]).toBe("reports");
  // The run id's workflow expression, filled as Actions fills it.
  return (step?.run ?? "").replace(/\$\{\{ github\.run_id \}\}/g, "12345");
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  });

describe("red-team: the nightly workflow's saved history after a killed job", () => {
  it("does not commit the killed job's lock, and the next night's job over the branch runs", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "run-md-nightly-workflow-"));
    const origin = path.join(work, "origin.git");
    git(work, "init", "-q", "--bare", origin);
    const reports = path.join(work, "reports");
    git(work, "init", "-q", "-b", "run-md-reports", reports);
    git(reports, "remote", "add", "origin", origin);
    // A lock an older workflow committed, with the history before.
    await writeFile(path.join(reports, ".nightly.lock"), "99\nfv-az000-1\nold-token\n");
    git(reports, "add", "-A", ".");
    git(reports, "commit", "-q", "-m", "an older night");
    git(reports, "push", "-q", "origin", "HEAD:run-md-reports");
    // What the killed job left: a report, and its lock (another runner's pid and host).
    await mkdir(path.join(reports, "n"));
    await writeFile(path.join(reports, "n", "2026-12-07T05-17-04.338Z.json"), "{}\n");
    await writeFile(path.join(reports, ".nightly.lock"), "4242\nfv-az123-456\nsome-token\n");
    execFileSync("bash", ["-e", "-c", await saveStep()], {
      cwd: reports,
      env: {
        ...process.env,
        REPORTS_BRANCH: "run-md-reports",
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
      },
    });
    const committed = git(origin, "ls-tree", "-r", "--name-only", "run-md-reports");
    expect(committed).toContain("n/2026-12-07T05-17-04.338Z.json");
    expect(committed).not.toContain(".nightly.lock");

    // The next night: a fresh checkout of the branch on another runner, and the job over it.
    const next = path.join(work, "next");
    git(work, "clone", "-q", "-b", "run-md-reports", origin, next);
    const runbooks = path.join(work, "runbooks");
    await mkdir(runbooks);
    await writeFile(
      path.join(runbooks, "n.md"),
      "---\ntitle: N\nschedule: nightly\n---\n\n```sql s\nSELECT 1 AS one\n```\n",
    );
    const night = await nightlyHere([
      ...["--runbooks", runbooks, "--reports-dir", next, "--no-build"],
    ]);
    expect(night.stderr).not.toMatch(/another nightly job/);
    expect(night.code, night.stdout + night.stderr).toBe(0);
  }, 120_000);
});

describe("red-team: the nightly workflow when the runs take too long", () => {
  it("stops the nightly step before the job's limit, so that the steps after it still save what was told", async () => {
    const workflow = parse(
      await readFile(path.join(REPO, ".github/workflows/nightly.yml"), "utf8"),
    ) as {
      jobs: { run: { "timeout-minutes"?: number; steps: (Step & Record<string, unknown>)[] } };
    };
    const job = workflow.jobs.run;
    const steps = job.steps;
    const nightly = steps.findIndex((s) => s.id === "nightly");
    const save = steps.findIndex((s) => s.name === "Save the reports history");
    expect(nightly).toBeGreaterThanOrEqual(0);
    expect(save).toBeGreaterThan(nightly);
    // A timed-out job is cancelled: `!cancelled()` steps would not run.
    expect(steps[save]?.if).toMatch(/^\$\{\{ !cancelled\(\) \}\}$/);
    const stepLimit = steps[nightly]?.["timeout-minutes"];
    expect(typeof stepLimit).toBe("number");
    expect(steps[nightly]?.["continue-on-error"]).toBe(true);
    // Room after it for the job's SIGINT grace, the cache, the push and the upload.
    expect((job["timeout-minutes"] ?? 360) - (stepLimit as number)).toBeGreaterThanOrEqual(10);
    // The job stops its runs itself first, with time left to tell them and build the site.
    const env = steps[nightly]?.env as Record<string, string> | undefined;
    const own = parseDuration(env?.RUN_MD_NIGHTLY_TIME_LIMIT ?? "");
    expect(own).toBeDefined();
    expect((stepLimit as number) * 60_000 - (own as number)).toBeGreaterThanOrEqual(10 * 60_000);
  });
});
