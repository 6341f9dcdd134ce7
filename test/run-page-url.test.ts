import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere as runMd } from "./in-process.ts";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-md-run-page-"));
  await mkdir(path.join(work, "logs"));
  await writeFile(
    path.join(work, "tiny.md"),
    "---\ntitle: Tiny\n---\n\n```sql events allow_empty\nSELECT count(*) AS n FROM cloudtrail_logs\n```\n\n```expect\nrows == 1\n```\n",
  );
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the run's page on the site", () => {
  it("is printed after the run when the site's URL is configured, named after the report file", async () => {
    const reports = path.join(work, "reports");
    const env = { RUN_MD_LOG_DIR: path.join(work, "logs"), RUN_MD_REPORTS_DIR: reports };
    const withUrl = await runMd(["tiny.md"], {
      cwd: work,
      env: { ...env, RUN_MD_SITE_URL: "https://sec.example.com/runbooks/" },
    });
    expect(withUrl.code, withUrl.stderr).toBe(0);
    const files = (await readdir(path.join(reports, "tiny"))).filter(
      (f) => f.endsWith(".json") && f !== "latest.json",
    );
    expect(files).toHaveLength(1);
    const stem = files[0]!.replace(/\.json$/, "");
    expect(withUrl.stdout).toContain(
      `run page: https://sec.example.com/runbooks/runbooks/tiny/runs/${stem}/\n`,
    );
    const without = await runMd(["tiny.md"], { cwd: work, env: { ...env, RUN_MD_SITE_URL: "" } });
    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).not.toContain("run page:");
    expect(existsSync(path.join(reports, "tiny", "latest.json"))).toBe(true);
  }, 60_000);

  it("an investigation, which the site lists without a page, is given its report's address", async () => {
    const reports = path.join(work, "reports-investigation");
    const res = await runMd(["tiny.md", "--since", "2d"], {
      cwd: work,
      env: {
        RUN_MD_LOG_DIR: path.join(work, "logs"),
        RUN_MD_REPORTS_DIR: reports,
        RUN_MD_SITE_URL: "https://sec.example.com/",
      },
    });
    expect(res.code, res.stderr).toBe(0);
    const [file] = (await readdir(path.join(reports, "tiny"))).filter((f) => f.endsWith(".json"));
    expect(res.stdout).toContain(`report: https://sec.example.com/reports/tiny/${file}\n`);
    expect(res.stdout).not.toContain("run page:");
  }, 60_000);
});
