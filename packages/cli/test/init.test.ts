import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO } from "../../../test/helpers.ts";
import { runMdHere } from "../../../test/in-process.ts";
import { INIT_USAGE } from "../src/commands/init.ts";
import { USAGE } from "../src/main.ts";

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
      "overwrote runbooks/access-key-lifecycle.md",
      "overwrote runbooks/api-usage-by-identity.md",
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

/**
 * Every runbook a file init writes names — an escalation's "run the api-usage-by-identity
 * runbook", a "What to do next" `access-key-lifecycle`, a `runbooks/x.md` path, a Markdown link,
 * a configuration's `params:` key — is one init writes too: a new user's first runbook must not
 * send them to one they do not have. The candidates are read from the files (the repository's
 * runbook library's ids, and any word before "runbook"), not from a list kept here.
 */
it("what init writes names no runbook, file or link it does not write", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-init-"));
  try {
    expect((await runMdHere(["init"], { cwd: dir })).code).toBe(0);
    const written = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
    const installed = new Set(
      written.filter((f) => /^runbooks\/[^/]+\.md$/.test(f)).map((f) => path.basename(f, ".md")),
    );
    expect(installed.size).toBeGreaterThan(1);
    const library = (await readdir(path.join(REPO, "runbooks")))
      .filter((f) => f.endsWith(".md"))
      .map((f) => f.slice(0, -3));
    const dangling: string[] = [];
    for (const file of written) {
      const text = await readFile(path.join(dir, file), "utf8");
      const named = new Set<string>();
      for (const id of library) {
        if (new RegExp(`(?<![\\w./-])${id}(?![\\w-])`).test(text)) named.add(id);
      }
      for (const m of text.matchAll(/`?([a-z0-9]+(?:-[a-z0-9]+)+)`? runbook\b/g)) named.add(m[1]!);
      for (const m of text.matchAll(/\brun-md (?:run )?([a-z0-9]+(?:-[a-z0-9]+)+)\b/g))
        named.add(m[1]!);
      for (const m of text.matchAll(/\brunbooks\/([a-z0-9-]+)\.md\b/g)) named.add(m[1]!);
      for (const id of named) if (!installed.has(id)) dangling.push(`${file}: runbook ${id}`);
      // Links to files beside it (not to the web, not to an anchor of the same page).
      for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.resolve(dir, path.dirname(file), target)))
          dangling.push(`${file}: link ${target}`);
      }
    }
    // The configuration's parameter values are per runbook id.
    const config = parseYaml(await readFile(path.join(dir, "run-md.config.yaml"), "utf8")) as {
      params?: Record<string, unknown>;
    };
    for (const id of Object.keys(config.params ?? {}))
      if (!installed.has(id)) dangling.push(`run-md.config.yaml: params.${id}`);
    expect(dangling).toEqual([]);
    // What the help and the READMEs say init writes is what it wrote.
    const count = ["none", "one", "two", "three", "four", "five", "six"][installed.size];
    for (const [where, text] of [
      ["run-md --help", USAGE],
      ["run-md init --help", INIT_USAGE],
      ["README.md", await readFile(path.join(REPO, "README.md"), "utf8")],
      ["packages/cli/README.md", await readFile(path.join(REPO, "packages/cli/README.md"), "utf8")],
    ] as const) {
      const said = [...text.matchAll(/\b(\w+) starter(?: runbook)?s\b/g)].map((m) => m[1]);
      expect(said.length, where).toBeGreaterThan(0);
      expect(said.map((w) => `${where}: ${w}`)).toEqual(said.map(() => `${where}: ${count}`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
