/**
 * "Commands work from any folder of the repository" (README): from a subfolder, the commands that
 * default to the runbooks folder take the configured one (runbooksDir, next to
 * run-md.config.yaml), not a `runbooks/` under the working folder.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runMdHere } from "./in-process.ts";

const REPO = path.resolve(import.meta.dirname, "..");
let docs: string;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), "run-md-subfolder-"));
  writeFileSync(path.join(root, "run-md.config.yaml"), "runbooksDir: playbooks\n");
  mkdirSync(path.join(root, "playbooks"));
  cpSync(path.join(REPO, "runbooks/audit-iam.md"), path.join(root, "playbooks/audit-iam.md"));
  docs = path.join(root, "docs");
  mkdirSync(docs);
  const event = {
    version: "0",
    id: "1",
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.iam",
    account: "111122223333",
    time: "2026-12-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { eventName: "CreateUser" },
  };
  writeFileSync(path.join(docs, "event.json"), JSON.stringify(event));
});

describe("from a subfolder of the repository", () => {
  it("list and check read the configured runbooks folder", async () => {
    const list = await runMdHere(["list", "--json"], { cwd: docs });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((r: { id: string }) => r.id)).toEqual(["audit-iam"]);
    const check = await runMdHere(["check"], { cwd: docs });
    expect([check.code, check.stdout]).toEqual([0, expect.stringContaining("1 runbook checked")]);
  });

  it("rules and trigger read it too", async () => {
    const rules = await runMdHere(["rules", "--format", "cloudformation"], { cwd: docs });
    expect(rules.code).toBe(0);
    const trigger = await runMdHere(["trigger", "event.json", "--dry-run"], { cwd: docs });
    expect(trigger.code).toBe(0);
    expect(`${trigger.stdout}${trigger.stderr}`).toContain("skips audit-iam: it has no triggers");
  });
});
