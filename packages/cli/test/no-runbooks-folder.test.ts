/**
 * `check`, `list`, `rules` and `serve` without paths read the configured runbooks folder: where
 * there is none (a new repository before `run-md init`, a runbooksDir not created yet) they say
 * that folder is missing and how to make one. They said "no such file or directory: runbooks"
 * with the hint "give runbook files or folders that hold them, such as runbooks/", the folder
 * that was missing, to someone who had given none.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-no-runbooks-"));
  await mkdir(path.join(dir, "empty"));
  await mkdir(path.join(dir, "configured", "sub"), { recursive: true });
  await writeFile(path.join(dir, "configured", "run-md.config.yaml"), "runbooksDir: playbooks\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HINT =
  "hint: Create it: run-md init writes runbooks/ (four starters) and run-md.config.yaml, run-md new <id> one runbook; or give runbook files or folders.\n";

describe("no runbooks folder where the configuration (or its default) puts it", () => {
  it.each([["check"], ["list"], ["rules", "--format", "cloudformation"], ["serve", "--port", "0"]])(
    "%s says the folder is missing, and that no configuration was found",
    async (...args) => {
      const res = await runMdHere(args, { cwd: path.join(dir, "empty") });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(
        "error no runbooks folder runbooks (runbooksDir: no run-md.config.yaml here or in a folder above, so the default, runbooks/)\n" +
          HINT,
      );
    },
  );

  it("trigger says so too, before it reads the event's runbooks", async () => {
    const event = path.join(dir, "event.json");
    await writeFile(
      event,
      JSON.stringify({ source: "aws.guardduty", "detail-type": "x", detail: {} }),
    );
    const res = await runMdHere(["trigger", event], { cwd: path.join(dir, "empty") });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("error no runbooks folder runbooks (runbooksDir: ");
  });

  it("a runbook id with no runbooks folder says there is none, not to ask list", async () => {
    const res = await runMdHere(["audit-iam"], { cwd: path.join(dir, "empty") });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      "error no runbook with the id audit-iam in runbooks/, and no file or folder of that name\n" +
        "hint: There is no runbooks/ folder (runbooksDir). Create it: run-md init writes runbooks/ (four starters) and run-md.config.yaml, run-md new <id> one runbook; or give runbook files or folders.\n",
    );
  });

  it("names the configuration whose runbooksDir it is, from a folder below it", async () => {
    const res = await runMdHere(["check"], { cwd: path.join(dir, "configured", "sub") });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `error no runbooks folder ../playbooks (runbooksDir of ../run-md.config.yaml)\n${HINT}`,
    );
  });

  it("a path given that does not exist is still named as given", async () => {
    const res = await runMdHere(["check", "nope"], { cwd: path.join(dir, "empty") });
    expect(res.stderr).toBe(
      "error no such file or directory: nope\nhint: give runbook files or folders that hold them, such as runbooks/\n",
    );
  });
});
