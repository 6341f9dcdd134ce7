/**
 * `run-md new` given a file name or a path instead of an id (`new vpc-watch.md`, `new
 * runbooks/vpc-watch`), as a new user types it after `run-md runbooks/audit-iam.md`: refused,
 * with what to type instead, and nothing written.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-new-id-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, "run-md.config.yaml"), "runbooksDir: books\n");

it.each([
  ["vpc-watch.md", "hint: give the id without .md: run-md new vpc-watch"],
  [
    "books/vpc-watch",
    "hint: give the id, and the folder with --dir: run-md new vpc-watch --dir books",
  ],
  [
    "books/vpc-watch.md",
    "hint: give the id, and the folder with --dir: run-md new vpc-watch --dir books",
  ],
  ["VPC Watch", 'hint: an id such as vpc-watch ("_" and "-" between words)'],
])("new %j says what to type instead", async (id, hint) => {
  const res = await runMdHere(["new", id], { cwd: dir });
  expect(res.code).toBe(2);
  expect(res.stderr).toContain(`error runbook id "${id}" may hold only letters, digits`);
  expect(res.stderr).toContain(hint);
  expect(readdirSync(dir)).toEqual(["run-md.config.yaml"]);
});
