/**
 * `run-md collect` in the project `run-md init` writes (local.logDir: sample): the refusal names
 * the configuration's value and why it is no source, not "needs local.logDir" (which is set).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

it("collect in a fresh init's project says local.logDir is the sample data, in which file", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-collect-src-"));
  try {
    expect((await runMdHere(["init"], { cwd: dir })).code).toBe(0);
    const res = await runMdHere(["collect", "--since", "1d", "--store", "store"], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `error run-md collect needs a source: --source DIR, or local.logDir of ${path.join(dir, "run-md.config.yaml")} naming your CloudTrail files (it is sample: the generated sample data, which collect does not read)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
