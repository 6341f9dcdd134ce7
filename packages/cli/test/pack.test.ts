/**
 * run-md as a user installs it: `npm pack` of packages/cli, `npm install <tgz>` into an empty
 * folder outside this repository (from the npm cache the workspace install filled), `run-md
 * init`, then the starter runbooks run on the bundled sample data and find its planted incidents.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { RunReport } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { distDigests } from "../../../test/cli-dist.ts";
import { repoRoot } from "./check-helpers.ts";

const exec = promisify(execFile);

/** The environment without npm's own `npm_*` variables (set when vitest runs under `npm test`). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1", CI: "1" };
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith("npm_") && k !== "RUN_MD_SAMPLE_DIR") env[k] = v;
  }
  return env;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd,
      env,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

let work: string;
let project: string;
let installWarnings: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-pack-"));
  project = path.join(work, "project");
  const packed = await run(
    "npm",
    ["pack", "--json", "--pack-destination", work],
    path.join(repoRoot, "packages/cli"),
  );
  expect(packed.code, packed.stderr).toBe(0);
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as [
    { filename: string },
  ];
  await mkdir(project);
  const installed = await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, filename)],
    project,
  );
  expect(installed.code, installed.stderr).toBe(0);
  installWarnings = installed.stderr;
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed run-md in an empty folder", () => {
  // npm pack builds again from packages/cli (prepack) while other tests run `run-md` from the
  // global setup's build, made from the root: with other chunk names, that rebuild removed the
  // chunks a running `run-md` was about to load (a crash, exit 1, no report).
  it("was built by npm pack from packages/cli into the very files the root's build made", () => {
    const fromRoot = inject("cliDist");
    expect(Object.keys(fromRoot).filter((f) => f.startsWith("chunk-")).length).toBeGreaterThan(3);
    expect(distDigests(path.join(project, "node_modules/run-md/dist"))).toEqual(fromRoot);
  });

  it("is JavaScript only: no TypeScript sources, no workspace packages", () => {
    const pkg = path.join(project, "node_modules/run-md");
    expect(existsSync(path.join(pkg, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(pkg, "src"))).toBe(false);
    const shipped = readdirSync(pkg, { recursive: true }).map(String);
    expect(shipped.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(existsSync(path.join(project, "node_modules/@run-md"))).toBe(false);
  });

  it("installs run-md and DuckDB's bindings only, and names each package bundled in it with its license", async () => {
    // Everything but DuckDB's native bindings is in dist/ (scripts/build.mjs). npm lists what it
    // installed, nested packages included, in node_modules/.package-lock.json.
    const lock = JSON.parse(
      await readFile(path.join(project, "node_modules/.package-lock.json"), "utf8"),
    ) as { packages: Record<string, unknown> };
    const installed = Object.keys(lock.packages).map((k) => k.replace(/^node_modules\//, ""));
    // The bindings' platform package: linux-x64, or linux-x64-musl on Alpine.
    const platform = new RegExp(`^@duckdb/node-bindings-${process.platform}-${process.arch}`);
    expect(installed.sort().map((p) => (platform.test(p) ? "(platform)" : p))).toEqual([
      "@duckdb/node-bindings",
      "(platform)",
      "detect-libc",
      "run-md",
    ]);
    const notices = await readFile(
      path.join(project, "node_modules/run-md/dist/THIRD-PARTY-LICENSES.txt"),
      "utf8",
    );
    const cli = JSON.parse(
      await readFile(path.join(repoRoot, "packages/cli/package.json"), "utf8"),
    ) as { devDependencies: Record<string, string> };
    const bundled = Object.keys(cli.devDependencies).filter(
      (d) => !d.startsWith("@run-md/") && d !== "esbuild",
    );
    for (const name of bundled) {
      const version = JSON.parse(
        await readFile(path.join(repoRoot, "node_modules", name, "package.json"), "utf8"),
      ).version as string;
      expect(notices, name).toContain(`\n${name}@${version}\nLicense: `);
    }
    // The license texts themselves, not only the names.
    expect(notices).toContain("Permission is hereby granted, free of charge");
    expect(notices).toContain("Apache License");
  });

  it("ships the JSON Schemas an editor validates the front matter with (docs/writing-runbooks.md)", async () => {
    // A repository that installed run-md has no packages/core: the docs point its editors here.
    for (const name of ["runbook-frontmatter.schema.json", "run-report.schema.json"]) {
      const shipped = path.join(project, "node_modules/run-md/dist/schema", name);
      expect(existsSync(shipped), name).toBe(true);
      expect(await readFile(shipped, "utf8"), name).toBe(
        await readFile(path.join(repoRoot, "packages/core/schema", name), "utf8"),
      );
    }
  });

  it("installs on the declared Node versions without an engine warning", () => {
    // An unlocked install takes each dependency's newest release: one that declares a newer Node
    // than run-md's `engines` makes npm warn EBADENGINE to every user on the older one.
    expect(installWarnings).not.toContain("EBADENGINE");
  });

  it("run-md init scaffolds the runbooks, the configuration and a CI workflow", async () => {
    const res = await run("npx", ["run-md", "init"], project);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    for (const f of [
      "runbooks/audit-iam.md",
      "runbooks/root-account-usage.md",
      "runbooks/api-usage-by-identity.md",
      "runbooks/access-key-lifecycle.md",
      "run-md.config.yaml",
      ".github/workflows/run-md.yml",
    ]) {
      expect(existsSync(path.join(project, f)), f).toBe(true);
      // The starters are the repository's own files, shipped as they are.
      const original = f.startsWith(".github") ? "packages/cli/templates/run-md.yml" : f;
      expect(await readFile(path.join(project, f), "utf8"), f).toBe(
        await readFile(path.join(repoRoot, original), "utf8"),
      );
    }
    expect(await readFile(path.join(project, ".gitignore"), "utf8")).toBe(".run-md/\n");
    const again = await run("npx", ["run-md", "init"], project);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exist; nothing was written");
  });

  it("runs a starter on the sample data and finds its planted incident", async () => {
    const res = await run("npx", ["run-md", "runbooks/root-account-usage.md", "--json"], project);
    expect(res.code, res.stderr).toBe(1);
    const [report] = JSON.parse(res.stdout) as RunReport[];
    const step = report!.steps.find((s) => s.id === "root_activity")!;
    expect(step.checks.find((c) => c.check === "rows == 0")?.status).toBe("failed");
    // The generator plants root console activity from 203.0.113.50.
    expect(JSON.stringify(step.rows)).toContain("203.0.113.50");
    expect(existsSync(path.join(project, ".run-md/sample-data"))).toBe(true);
    expect(existsSync(path.join(project, "reports/root-account-usage/latest.json"))).toBe(true);
  });

  it("from runbooks/, finds the configuration above and writes reports where it says", async () => {
    const res = await run("npx", ["run-md", "audit-iam.md"], path.join(project, "runbooks"));
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/reports\/audit-iam\/.+\.json/);
    const latest = JSON.parse(
      await readFile(path.join(project, "reports/audit-iam/latest.json"), "utf8"),
    ) as RunReport;
    const step = latest.steps.find((s) => s.id === "changes_outside_automation")!;
    expect(step.checks.find((c) => c.check === "rows == 0")?.status).toBe("failed");
    expect(JSON.stringify(step.rows)).toContain("user/mallory");
    expect(existsSync(path.join(project, "runbooks/reports"))).toBe(false);
    expect(existsSync(path.join(project, "runbooks/.run-md"))).toBe(false);
  });

  it("the workflow's collect step fills the store, and the runs then answer from it as from the raw files", async () => {
    // The scaffolded workflow's own scripts, run as GitHub runs them, with the trail's source a
    // folder (the sample data the runs above generated) instead of a bucket.
    const workflow = parseYaml(
      await readFile(path.join(project, ".github/workflows/run-md.yml"), "utf8"),
    ) as { env: Record<string, string>; jobs: { runbooks: { steps: WorkflowStep[] } } };
    expect(workflow.env.RUN_MD_COLLECT_SOURCE).toContain("vars.RUN_MD_COLLECT_SOURCE");
    const step = (name: string) => {
      const found = workflow.jobs.runbooks.steps.find((s) => s.name?.startsWith(name));
      expect(found, name).toBeDefined();
      return found!;
    };
    const collect = step("Collect the trail");
    expect(collect.if).toContain("env.RUN_MD_COLLECT_SOURCE != ''");
    expect(collect.if).toContain("github.event_name == 'schedule'");
    const restore = step("Restore the collected store");
    const save = step("Save the collected store");
    expect([restore.uses, save.uses]).toEqual([
      "actions/cache/restore@v4",
      "actions/cache/save@v4",
    ]);
    expect(restore.with?.path).toBe(".run-md/store");
    expect(save.with?.path).toBe(".run-md/store");
    // Saved whatever the runs find (a failed job saves no cache otherwise), under a key of its
    // own (a re-run included), before the step that may fail the job.
    expect(save.if).toContain("always()");
    expect(save.with?.key).toBe(restore.with?.key);
    expect(save.with?.key).toContain("github.run_attempt");
    const names = workflow.jobs.runbooks.steps.map((s) => s.name);
    expect(names.indexOf(save.name)).toBeLessThan(
      names.indexOf("Run the runbooks (exit 1 when an expectation fails)"),
    );
    const githubEnv = path.join(work, "github-env");
    await writeFile(githubEnv, "");
    const env = {
      ...cleanEnv(),
      RUN_MD_COLLECT_SOURCE: path.join(project, ".run-md/sample-data"),
      GITHUB_ENV: githubEnv,
    };
    const bash = (script: string, extra: NodeJS.ProcessEnv = {}) =>
      run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], project, {
        ...env,
        ...extra,
      });
    const collected = await bash(collect.run!);
    expect(collected.code, collected.stderr).toBe(0);
    const set = Object.fromEntries(
      (await readFile(githubEnv, "utf8"))
        .trim()
        .split("\n")
        .map((l) => l.split("=", 2) as [string, string]),
    );
    expect(set.RUN_MD_STORE).toBe(".run-md/store");
    expect(set.RUN_MD_COLLECT_EXIT).toBe("0");
    const end = set.RUN_MD_WINDOW_END!;
    expect(end).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The run step as written, on a schedule: the starters find their planted incidents (exit 1).
    const ran = await bash(step("Run the runbooks").run!, {
      ...set,
      GITHUB_EVENT_NAME: "schedule",
    });
    expect(ran.code, ran.stderr).toBe(1);
    // On a push the findings only warn (a fresh repository's first push passes); errors still fail.
    const pushed = await bash(step("Run the runbooks").run!, { ...set, GITHUB_EVENT_NAME: "push" });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain("::warning::an expectation failed");
    expect(existsSync(path.join(project, "junit.xml"))).toBe(true);
    // Each starter's report: read from the store, over its own window ending at the collect's
    // end, and the same rows as the raw sample files give over that window.
    const raw = await run("npx", ["run-md", "runbooks/", "--json", "--no-report"], project, {
      ...cleanEnv(),
      RUN_MD_WINDOW_END: end,
    });
    const fromRaws = JSON.parse(raw.stdout) as RunReport[];
    for (const id of ["audit-iam", "root-account-usage"]) {
      const latest = JSON.parse(
        await readFile(path.join(project, "reports", id, "latest.json"), "utf8"),
      ) as RunReport;
      expect(latest.window.end).toBe(end);
      expect(latest.kind).toBe("full");
      const fromRaw = fromRaws.find((r) => r.runbook.id === id);
      expect(fromRaw!.window).toEqual(latest.window);
      for (const [i, s] of latest.steps.entries()) {
        expect(String(s.stats?.storeDays), `${id} ${s.id}`).toMatch(/^\d{4}\/\d\d\/\d\d/);
        expect(fromRaw!.steps[i]!.stats?.storeDays).toBeUndefined();
        expect(s.status, `${id} ${s.id}`).toBe(fromRaw!.steps[i]!.status);
        expect(s.rows, `${id} ${s.id}`).toEqual(fromRaw!.steps[i]!.rows);
        // Its window ends an hour before the collect: the store holds all CloudTrail delivered.
        expect(s.warnings.join("\n"), `${id} ${s.id}`).not.toContain(
          "the store was collected up to",
        );
      }
    }
    // A collect that cannot read an object does not stop the step (the runs go on), and the
    // job's last step fails it.
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
    const bad = path.join(work, "bad-source/AWSLogs/111122223333/CloudTrail/us-east-1", today);
    await mkdir(bad, { recursive: true });
    await writeFile(path.join(bad, "truncated.json.gz"), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    await writeFile(githubEnv, "");
    const partial = await bash(collect.run!, {
      RUN_MD_COLLECT_SOURCE: path.join(work, "bad-source"),
    });
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toContain("truncated.json.gz");
    expect(await readFile(githubEnv, "utf8")).toContain("RUN_MD_COLLECT_EXIT=1\n");
    const last = step("Fail when the collect did not read every object");
    expect(last.if).toContain("always()");
    const failed = await bash(last.run!, { RUN_MD_COLLECT_EXIT: "1" });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("::error::run-md collect exited 1");
    // Three runs of the four starters (schedule, push, the raw files) and two collects.
  }, 240_000);
});

interface WorkflowStep {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
