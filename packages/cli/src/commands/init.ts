/**
 * `run-md init`: scaffolds run-md in the user's repository — four starter runbooks, the
 * configuration file and a CI workflow — from the templates shipped in the package.
 */
import { existsSync } from "node:fs";
import { appendFile, cp, mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pc from "picocolors";
import { parseCommandArgs } from "../args.ts";
import { templatesDir } from "../package-files.ts";
import { shellWord } from "../words.ts";

export const INIT_USAGE = `Usage: run-md init [dir] [options]

Scaffolds run-md in a folder (default: the current one): runbooks/ with four starter runbooks,
run-md.config.yaml and a GitHub Actions workflow (.github/workflows/run-md.yml) that checks and
runs the runbooks. Adds .run-md/ (the generated sample data) to .gitignore. Writes nothing when
one of these files exists already, unless --force.

Options:
  --force       overwrite existing files
  -h, --help    this help
`;

/** The starter the next step runs, as the README's quick start does. */
const FIRST_RUNBOOK = "runbooks/audit-iam.md";

/** Files below `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Makes sure `.gitignore` in `root` lists `entry`, creating the file if needed. */
async function ignore(root: string, entry: string): Promise<boolean> {
  const file = path.join(root, ".gitignore");
  const text = existsSync(file) ? await readFile(file, "utf8") : "";
  if (text.split(/\r?\n/).some((line) => line.trim() === entry)) return false;
  await appendFile(file, `${text === "" || text.endsWith("\n") ? "" : "\n"}${entry}\n`);
  return true;
}

export async function initCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, "run-md init", INIT_USAGE, { force: { type: "boolean" } });
  if (typeof args === "number") return args;
  const { values, positionals } = args;
  if (positionals.length > 1) {
    process.stderr.write(`error run-md init takes one folder, not ${positionals.length}\n`);
    return 2;
  }
  const root = path.resolve(positionals[0] ?? ".");
  const source = templatesDir();
  const files = await filesUnder(source);
  const existing = files.filter((f) => existsSync(path.join(root, f)));
  if (existing.length > 0 && !values.force) {
    process.stderr.write(
      `error ${existing.map((f) => path.join(root, f)).join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written\nhint: run-md init --force overwrites them\n`,
    );
    return 2;
  }
  for (const f of files) {
    await mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await cp(path.join(source, f), path.join(root, f));
    const done = existing.includes(f) ? pc.yellow("overwrote") : pc.green("created");
    process.stdout.write(`${done} ${path.join(positionals[0] ?? "", f)}\n`);
  }
  const shown = positionals[0] ?? "";
  if (await ignore(root, ".run-md/"))
    process.stdout.write(`${pc.green("updated")} ${path.join(shown, ".gitignore")}\n`);
  // The README's first runbook, whose name sorts after the runbooks it sends the on-call to.
  const starter = files.includes(FIRST_RUNBOOK)
    ? FIRST_RUNBOOK
    : (files.find((f) => f.startsWith("runbooks/")) ?? "runbooks/");
  // The starter runs from the folder init wrote (its configuration is found there), not from here.
  const cd = root === process.cwd() ? "" : `cd ${shellWord(shown)} && `;
  process.stdout.write(
    `\nNext: ${cd}npx run-md ${starter}   (runs on generated sample data; set local.logDir or the athena section of run-md.config.yaml for yours)\n`,
  );
  return 0;
}
