/**
 * Every `docs/<page>.md` a message names — the error catalogue's hints, every command's --help,
 * the strings of the built CLI, what `run-md init` writes, the package's README — is a page the
 * npm package ships (`npm pack`'s own list of files): a user who installed run-md from npm has
 * no repository to open docs/ in. And the path a hint prints is one that user can open from
 * their folder.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ERROR_CODES } from "@run-md/core";
import { expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";
import { repoRoot } from "./check-helpers.ts";
import { COMMAND_NAMES } from "../src/main.ts";

const PAGE = /(?<![\w./-])docs\/([\w-]+\.md)/g;
const CLI = path.join(repoRoot, "packages/cli");

function pagesIn(text: string): string[] {
  return [...text.matchAll(PAGE)].map((m) => m[1]!);
}

/** The files `npm pack` puts in the tarball, as it lists them (no build: dist/ is built). */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)(
    "npm",
    ["pack", "--dry-run", "--json", "--ignore-scripts"],
    { cwd: CLI, maxBuffer: 16 << 20 },
  );
  const [{ files }] = JSON.parse(stdout.slice(stdout.indexOf("["))) as [
    { files: { path: string }[] },
  ];
  return new Set(files.map((f) => f.path));
}

it("every docs/ page a message, a --help, init's files or the README names is in the package", async () => {
  const named = new Map<string, Set<string>>();
  const add = (where: string, text: string) => {
    for (const page of pagesIn(text)) named.set(page, (named.get(page) ?? new Set()).add(where));
  };
  for (const [code, info] of Object.entries(ERROR_CODES))
    add(`error ${code}`, `${info.title} ${info.hint}`);
  for (const command of COMMAND_NAMES) {
    const res = await runMdHere([command, "--help"], { cwd: tmpdir() });
    add(`run-md ${command} --help`, res.stdout);
  }
  add("run-md --help", (await runMdHere(["--help"], { cwd: tmpdir() })).stdout);
  const dist = path.join(CLI, "dist");
  for (const e of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    const f = path.relative(dist, path.join(e.parentPath, e.name));
    if (e.isFile() && (f.endsWith(".js") || f.startsWith("templates/")))
      add(`dist/${f}`, readFileSync(path.join(dist, f), "utf8"));
  }
  add("packages/cli/README.md", readFileSync(path.join(CLI, "README.md"), "utf8"));
  expect(named.size).toBeGreaterThan(4);
  const packed = await packedFiles();
  const missing = [...named]
    .filter(([page]) => !packed.has(`dist/docs/${page}`))
    .map(([page, where]) => `docs/${page} (named by ${[...where].slice(0, 3).join(", ")})`);
  expect(missing).toEqual([]);
}, 120_000);

it("a hint naming a docs/ page names a file the user can open from their folder", async () => {
  // A folder outside the repository, as a project that installed run-md is: no docs/ of its own.
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-docs-"));
  try {
    await writeFile(path.join(dir, "run-md.config.yaml"), "reportsDri: reports\n");
    await mkdir(path.join(dir, "runbooks"));
    await copyFile(
      path.join(repoRoot, "runbooks/root-account-usage.md"),
      path.join(dir, "runbooks/root-account-usage.md"),
    );
    const res = await runMdHere(["check"], { cwd: dir });
    expect(res.code).toBe(2);
    const hint = /^hint: .*$/m.exec(res.stderr)?.[0] ?? "";
    const shown = /(\S*docs\/[\w-]+\.md)/.exec(hint)?.[1];
    expect(shown, res.stderr).toBeDefined();
    expect(existsSync(path.resolve(dir, shown!)), shown).toBe(true);
    // In the repository, whose docs/ these are, the hint names its own page.
    const here = await runMdHere(["--help"], { cwd: repoRoot });
    expect(here.stdout).toContain("; docs/serve.md)");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("every relative link of the shipped docs leads to a file the package ships", async () => {
  const packed = await packedFiles();
  const docs = [...packed].filter((f) => /^dist\/docs\/[^/]+\.md$/.test(f));
  expect(docs.length).toBeGreaterThan(5);
  const broken: string[] = [];
  for (const doc of docs) {
    const text = readFileSync(path.join(CLI, doc), "utf8")
      .replace(/^```[\s\S]*?^```$/gm, "")
      .replace(/`[^`\n]*`/g, "");
    for (const m of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
      if (!packed.has(resolved)) broken.push(`${doc}: ${target}`);
    }
  }
  expect(broken).toEqual([]);
}, 120_000);

it("the sample finding docs/automation.md's trigger example reads is shipped, and starts a starter", async () => {
  const doc = readFileSync(path.join(repoRoot, "docs/automation.md"), "utf8");
  const installed = /`node_modules\/run-md\/(dist\/examples\/[\w.-]+\.json)`/.exec(doc)?.[1];
  expect(installed).toBeDefined();
  expect((await packedFiles()).has(installed!)).toBe(true);
  // The documented sed, on the shipped copy, in the project init writes.
  const sed = /^sed -e 's\/(\w+)\/(\w+)\/'/m.exec(doc)!;
  const event = readFileSync(path.join(CLI, installed!), "utf8")
    .replaceAll(sed[1]!, sed[2]!)
    .replaceAll("1970-01-01T00:00:00Z", new Date().toISOString().replace(/\.\d+Z$/, "Z"));
  const dir = await mkdtemp(path.join(tmpdir(), "run-md-finding-"));
  try {
    expect((await runMdHere(["init"], { cwd: dir })).code).toBe(0);
    await writeFile(path.join(dir, "finding.json"), event);
    const res = await runMdHere(["trigger", "finding.json", "--dry-run"], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^▸ runs access-key-lifecycle: its trigger matched/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

it("no message of the installed CLI sends its user to a script of the run-md repository unawares", () => {
  // `npm run <script>` runs a script of the run-md repository, which an installed run-md's user
  // does not have: a message may name one only as the repository's. Comments are left out, and
  // what only the repository runs (the emulator's usage, docs/errors.md's generator).
  const offenders: string[] = [];
  const packages = path.join(repoRoot, "packages");
  for (const pkg of readdirSync(packages)) {
    if (pkg === "aws-emulator") continue;
    const src = path.join(packages, pkg, "src");
    if (!existsSync(src)) continue;
    for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith(".ts") || e.name === "error-docs.ts") continue;
      const file = path.join(e.parentPath, e.name);
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*)/.test(line) || !/\bnpm run [a-z]/.test(line)) return;
          if (!line.includes("run-md repository"))
            offenders.push(`${path.relative(repoRoot, file)}:${i + 1}`);
        });
    }
  }
  expect(offenders).toEqual([]);
});
