import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findRunbooks } from "@run-md/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "run-md-files-"));
  for (const file of [
    "runbooks/b.md",
    "runbooks/a.md",
    "runbooks/README.md",
    "runbooks/iam/c.md",
    "runbooks/notes.txt",
    "runbooks/node_modules/x/d.md",
    "other/e.markdown.txt",
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), "---\ntitle: T\n---\n");
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("finding runbooks", () => {
  it("searches a directory recursively for *.md, sorted, without READMEs and node_modules", async () => {
    const dir = path.join(root, "runbooks");
    expect(await findRunbooks([dir])).toEqual([
      path.join(dir, "a.md"),
      path.join(dir, "b.md"),
      path.join(dir, "iam", "c.md"),
    ]);
  });

  it("takes files as given, README included, and drops duplicates", async () => {
    const readme = path.join(root, "runbooks", "README.md");
    const a = path.join(root, "runbooks", "a.md");
    const txt = path.join(root, "other", "e.markdown.txt");
    expect(await findRunbooks([readme, a, path.join(root, "runbooks"), txt])).toEqual(
      [
        readme,
        a,
        path.join(root, "runbooks", "b.md"),
        path.join(root, "runbooks", "iam", "c.md"),
        txt,
      ].sort(),
    );
  });

  it("keeps relative paths relative", async () => {
    const rel = path.relative(process.cwd(), path.join(root, "runbooks", "iam"));
    expect(await findRunbooks([rel])).toEqual([path.join(rel, "c.md")]);
  });

  it("refuses a *.MD file in a folder, naming it: the site and the nightly job take *.md only (review: skipped without a word)", async () => {
    const dir = path.join(root, "upper");
    for (const file of ["x.md", "README.MD", "Y.MD", "team/Notes.Md"]) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), "---\ntitle: T\n---\n");
    }
    const named = [path.join(dir, "Y.MD"), path.join(dir, "team", "Notes.Md")].sort();
    await expect(findRunbooks([dir])).rejects.toMatchObject({
      code: "unreadable-runbooks",
      message: `${named.join(", ")}: a runbook's file name ends in .md, in lower case, and these were not looked at`,
    });
    rmSync(path.join(dir, "Y.MD"));
    rmSync(path.join(dir, "team"), { recursive: true });
    expect(await findRunbooks([dir])).toEqual([path.join(dir, "x.md")]);
  });

  it("a path given without its .md names the file it meant", async () => {
    const dir = mkdtempSync(path.join(root, "no-ext-"));
    writeFileSync(path.join(dir, "audit-iam.md"), "---\ntitle: t\n---\n");
    const typed = path.join(dir, "audit-iam");
    await expect(findRunbooks([typed])).rejects.toMatchObject({
      code: "not-found",
      message: `no such file or directory: ${typed}`,
      hint: `did you mean ${typed}.md?`,
    });
  });

  it("rejects a missing path with a not-found error naming it", async () => {
    const missing = path.join(root, "nope");
    await expect(findRunbooks([missing])).rejects.toMatchObject({
      code: "not-found",
      message: `no such file or directory: ${missing}`,
    });
  });
});
