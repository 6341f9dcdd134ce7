/**
 * `npm run conformance`'s command line (README): --help prints the usage; a mistake is named with
 * it, exit 2. Before, --help was an unknown option without the usage, a --family or --function
 * that selects no row printed "0 / 0 rows pass (0.0%)" and exited 0, and a --concurrency that is
 * no number crashed ("Cannot read properties of undefined (reading 'verdict')").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-conformance-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// One row of the corpus's shape (../shared/reference/trino-conformance/cases.tsv).
const cases = path.join(dir, "cases.tsv");
writeFileSync(
  cases,
  [
    "id\tsource_file\tsource_line\tsql_expression\texpected_kind\texpected_type\texpected_value\tfunction",
    "trino-a71c1d1843c0\tcore/trino-main/src/test/java/io/trino/operator/scalar/TestStringFunctions.java\t99\tchr(65)\tvalue\tvarchar(1)\tA\tchr",
    "",
  ].join("\n"),
);

function conformance(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/conformance.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run conformance's command line", () => {
  it("--help prints the usage with every option", () => {
    const r = conformance("--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: npm run conformance -- <cases.tsv>/);
    for (const flag of ["--failures", "--family", "--function", "--concurrency", "--json"])
      expect(r.stdout).toContain(`  ${flag} `);
  });

  it.each([
    [[cases, "--family", "nope"], "error --family nope selects no row (the families: "],
    [[cases, "--function", "chrr"], "error --function chrr selects no row (the functions: chr)"],
    [
      [cases, "--concurrency", "abc"],
      "error --concurrency: expected a whole number above 0, got abc",
    ],
    [[cases, "--famly", "x"], "error Unknown option '--famly'"],
    [[], "error the cases file is required"],
  ])("%j is refused with a message naming it and the usage, exit 2", (args, message) => {
    const r = conformance(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.slice(0, message.length)).toBe(message);
    expect(r.stderr).toContain("Usage: npm run conformance --");
    expect(r.stdout).toBe("");
  });

  it("runs the rows a --function selects", () => {
    const r = conformance(cases, "--function", "chr");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Trino conformance: 1 / 1 rows pass");
  });
});
