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
