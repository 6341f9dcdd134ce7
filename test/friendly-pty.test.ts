/**
 * An errored run on a real pseudo-terminal (util-linux `script`), as a person sees it with the
 * live spinner: the summary says why it errored, and no escalation is printed (the tool failed,
 * not an expectation). A mistyped option on a terminal gets its suggestion too.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BIN, REPO } from "./helpers.ts";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;
const { clean } = inject("sampleData");
let dir: string;
let book: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "run-md-friendly-pty-"));
  book = path.join(dir, "typo.md");
  await writeFile(
    book,
    "---\ntitle: Typo\nescalation: Page the on-call.\n---\n\n```sql typo\nSELECT no_such_column FROM cloudtrail_logs\n```\n\n```expect\nrows == 0\n```\n",
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** `run-md args` on a 120-column pseudo-terminal, colour off so the text can be matched. */
function onPty(args: string[]): Promise<{ code: number | null; out: string }> {
  const command = `stty cols 120 rows 40; exec ${quote(process.execPath)} ${[BIN, ...args].map(quote).join(" ")}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", NO_COLOR: "1" };
  for (const k of ["CI", "FORCE_COLOR", "GITHUB_ACTIONS"]) delete env[k];
  const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], { cwd: REPO, env });
  let out = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

describe.skipIf(!HAS_SCRIPT)("run-md on a terminal", () => {
  it("an errored run says why, with no escalation", async () => {
    const { code, out } = await onPty([book, "--log-dir", clean, "--no-report"]);
    expect(code).toBe(2);
    const summary = out.split(/\r?\n/).find((l) => l.includes("errored typo:")) ?? "";
    expect(summary).toMatch(/step typo: .*no_such_column/);
    expect(summary).not.toContain("no expectations");
    expect(out).not.toContain("Escalation");
  }, 60_000);

  it("a mistyped option gets its suggestion", async () => {
    const { code, out } = await onPty([book, "--sinse", "7d"]);
    expect(code).toBe(2);
    expect(out).toContain("did you mean --since?");
  }, 30_000);
});
