/**
 * `npm run bench`'s command line: --help prints the usage and runs nothing, and a mistyped
 * section or option is named with the usage, exit 2. Before, --help was dropped as an option and
 * the whole benchmark ran (a million events generated, many minutes), and `npm run bench -- lcoal`
 * ran no section and exited 0 without a word.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

function bench(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/bench.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    // A benchmark that started would run for minutes: killed, it fails the test below.
    timeout: 45_000,
    killSignal: "SIGKILL",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run bench's command line", () => {
  it("--help prints the usage with every section, and runs none", () => {
    const r = bench("--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: npm run bench -- \[SECTION\]/);
    for (const section of ["local", "large-result", "query", "listing", "cli", "collect-s3"])
      expect(r.stdout).toContain(section);
  });

  it.each([
    [["lcoal"], "error unknown section lcoal"],
    [["cli", "--quick"], "error Unknown option '--quick'"],
  ])("%j is refused with a message naming it, exit 2", (args, message) => {
    const r = bench(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.slice(0, message.length)).toBe(message);
    expect(r.stderr).toContain("Usage: npm run bench --");
    expect(r.stdout).toBe("");
  });
});
