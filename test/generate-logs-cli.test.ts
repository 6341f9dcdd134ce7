/**
 * scripts/generate-logs.ts, the command docs/engines.md gives for generating any amount of
 * CloudTrail logs: --help prints its usage, and a mistyped or malformed option is named with
 * the usage and exit 2 (it was a parseArgs stack trace, or NaN dates reaching the generator).
 * `npm run sample-data` likewise (it took --help or a mistyped option for nothing and generated).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

const out = mkdtempSync(path.join(tmpdir(), "run-md-generate-logs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function script(name: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", `scripts/${name}`, ...args], {
    cwd: REPO,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const generate = (...args: string[]) => script("generate-logs.ts", args);

describe("scripts/generate-logs.ts", () => {
  it("--help prints the usage, with every option the docs use", () => {
    const r = generate("--help");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npx tsx scripts\/generate-logs.ts --out DIR/);
    for (const flag of ["--out", "--days", "--events-per-day", "--incidents"])
      expect(r.stdout).toContain(`  ${flag} `);
  });

  it.each([
    [["--out", out, "--dayz", "3"], "error Unknown option '--dayz'"],
    [["--days", "3"], "error --out is required"],
    [["--out", out, "--days", "abc"], 'error --days: expected a whole number above 0, got "abc"'],
    [
      ["--out", out, "--end", "yesterday"],
      'error --end: expected an ISO-8601 time, got "yesterday"',
    ],
  ])("%j is refused with a message naming it, exit 2, nothing written", (args, message) => {
    const r = generate(...args);
    expect(r.stderr.split("\n")[0]).toBe(message);
    expect(r.stderr).toContain("Usage: npx tsx scripts/generate-logs.ts");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe("scripts/generate-sample-data.ts (npm run sample-data)", () => {
  it("--help prints the usage", () => {
    const r = script("generate-sample-data.ts", ["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run sample-data -- \[DIR\] \[--no-incidents\]/);
  });

  it.each([
    [[out, "--no-incidentz"], "error Unknown option '--no-incidentz'"],
    [[out, path.join(out, "b")], "error one folder at most, got 2"],
  ])("%j is refused with a message naming it, exit 2, nothing written", (args, message) => {
    const r = script("generate-sample-data.ts", args);
    expect(r.stderr.slice(0, message.length)).toBe(message);
    expect(r.stderr).toContain("Usage: npm run sample-data");
    expect(r.code).toBe(2);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
