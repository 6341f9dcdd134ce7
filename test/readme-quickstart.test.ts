/**
 * The README's quick start, typed as it says (after `run-md init`, in a new project) on the
 * sample data: each line of the output it shows is one the command prints, in that order. What
 * changes from run to run is compared by its shape only (times, durations, sizes, counts, the
 * report's name); lines the README shortens with `...` are compared up to there, and the result
 * tables (cut to the terminal's width) are left out.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { REPO } from "./helpers.ts";
import { runMdHere } from "./in-process.ts";

const { incidents } = inject("sampleData");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-quickstart-"));
  expect((await runMdHere(["init"], { cwd: dir })).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The README's "Quick start" section: its command and the output it shows. */
function quickStart(): { command: string[]; shown: string[] } {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Quick start\n"));
  const fences = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)];
  const bash = fences.find((f) => f[1] === "bash")![2]!.trim();
  const text = fences.find((f) => f[1] === "text")![2]!;
  expect(bash).toMatch(/^npx run-md /);
  return { command: bash.replace(/^npx run-md /, "").split(/\s+/), shown: text.split("\n") };
}

/** A line with what differs between runs replaced by its kind. */
function shape(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT\d\d[-:]\d\d[-:]\d\d(\.\d+)?Z/g, "<time>")
    .replace(/\d+(\.\d+)?(ms|s)\b/g, "<duration>")
    .replace(/\d+(\.\d+)? (B|KB|MB|GB) scanned/g, "<size> scanned")
    .replace(/\d+/g, "<n>")
    .trimEnd();
}

it("the quick start's output is what its command prints", async () => {
  const { command, shown } = quickStart();
  const res = await runMdHere(command, { cwd: dir, env: { RUN_MD_SAMPLE_DIR: incidents } });
  expect(res.code, res.stderr).toBe(1);
  const printed = res.stdout.split("\n").map(shape);
  const compared = shown.filter(
    (l) => l.trim() !== "" && l.trim() !== "..." && !/^\s*[┌│├└]/.test(l),
  );
  expect(compared.length).toBeGreaterThan(10);
  let at = 0;
  const missing: string[] = [];
  for (const line of compared) {
    const cut = /\s*(\.\.\.|…)\)?$/.exec(line);
    const want = shape(cut ? line.slice(0, cut.index) : line);
    const found = printed.findIndex((p, i) => i >= at && (cut ? p.startsWith(want) : p === want));
    if (found === -1) missing.push(line);
    else at = found + 1;
  }
  expect(missing, res.stdout).toEqual([]);
});
