import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

it("init --force says which files it overwrote and which it created", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-init-"));
  try {
    expect((await runMdHere(["init"], { cwd: dir })).code).toBe(0);
    await rm(path.join(dir, "runbooks", "audit-iam.md"));
    const res = await runMdHere(["init", "--force"], { cwd: dir });
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n").filter((l) => /^(created|overwrote) /.test(l));
    expect(lines.sort()).toEqual([
      "created runbooks/audit-iam.md",
      "overwrote .github/workflows/run-md.yml",
      "overwrote run-md.config.yaml",
      "overwrote runbooks/root-account-usage.md",
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("init <dir> names the files it wrote there, .gitignore included, and its next step runs there", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-init-"));
  try {
    const res = await runMdHere(["init", "proj"], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`updated ${path.join("proj", ".gitignore")}\n`);
    expect(existsSync(path.join(dir, ".gitignore"))).toBe(false);
    const next = /^Next: (.*?) {3}\(/m.exec(res.stdout)?.[1];
    expect(next).toBe("cd proj && npx run-md runbooks/audit-iam.md");
    // The starter is there, beside the configuration the run finds: not in the current folder.
    expect(existsSync(path.join(dir, "proj", "runbooks", "audit-iam.md"))).toBe(true);
    expect(existsSync(path.join(dir, "proj", "run-md.config.yaml"))).toBe(true);
    expect(existsSync(path.join(dir, "runbooks"))).toBe(false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
