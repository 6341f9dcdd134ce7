import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, errorCodeInfo, RunMdError, renderErrorDocs } from "@run-md/core";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function sources(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(path.join(ROOT, "packages"))) {
    const src = path.join(ROOT, "packages", pkg, "src");
    try {
      for (const f of readdirSync(src, { recursive: true, encoding: "utf8" }))
        if (f.endsWith(".ts")) files.push(path.join(src, f));
    } catch {
      // A package without src/.
    }
  }
  return files;
}

// A code computed from an expression: each expression the sources use, with the codes it can take.
const COMPUTED: Record<string, string[]> = {
  "`${service.code}-credentials`": ["athena-credentials", "logs-credentials"],
  "`${service.code}-config`": ["athena-config", "logs-config"],
  "`${service.code}-throttled`": ["athena-throttled", "logs-throttled"],
  "`${service.code}-request-failed`": ["athena-request-failed", "logs-request-failed"],
  // The local engine's child process's error, raised again in the caller (engine-local
  // isolated-wire.ts): the child raised it first, under a code this test reads there.
  "w.code": [],
};

/** Every code `new RunMdError(code, ...)` and the report-level `code: "..."` errors can carry. */
function usedCodes(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of sources()) {
    const text = readFileSync(file, "utf8");
    const where = path.relative(ROOT, file);
    for (const m of text.matchAll(/new RunMdError\(\s*([^,]+),/g)) {
      const arg = m[1]!.trim();
      const literal = /^"([^"]+)"$/.exec(arg);
      const codes = literal
        ? [literal[1]!]
        : (COMPUTED[arg] ??
          [...arg.matchAll(/\? "([^"]+)" : "([^"]+)"/g)].flatMap((x) => [x[1]!, x[2]!]));
      if (codes.length === 0 && !(arg in COMPUTED))
        throw new Error(`${where}: a RunMdError code this test cannot read: ${arg}`);
      for (const c of codes) used.set(c, where);
    }
    // Errors that are not RunMdError instances but reach reports with a code.
    if (/core\/src\/run\.ts$|insights\/src\/errors\.ts$/.test(file))
      for (const m of text.matchAll(/\bcode: "([a-z0-9-]+)"/g)) used.set(m[1]!, where);
  }
  return used;
}

describe("the error catalogue", () => {
  it("has every code the sources raise", () => {
    const used = usedCodes();
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter(([code]) => errorCodeInfo(code) === undefined);
    expect(missing.map(([code, where]) => `${code} (${where})`)).toEqual([]);
  });

  it("raises no retired code", () => {
    const used = usedCodes();
    const retired = Object.values(ERROR_CODES).flatMap((e: { replaces?: string[] }) =>
      (e.replaces ?? []).map((r) => r.split(" ")[0]!),
    );
    expect(retired).toEqual(expect.arrayContaining(["param-missing", "not-read-only"]));
    expect(retired.filter((code) => used.has(code))).toEqual([]);
    for (const code of retired) expect(errorCodeInfo(code)).toBeUndefined();
  });

  it("gives every code a title and a hint", () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(entry.title.length, code).toBeGreaterThan(3);
      expect(entry.hint.length, code).toBeGreaterThan(10);
    }
    expect(errorCodeInfo("toString")).toBeUndefined();
    expect(new RunMdError("sql-refused", "x").code).toBe("sql-refused");
  });

  it("docs/errors.md is generated from it and up to date (npm run docs:errors)", () => {
    const committed = readFileSync(path.join(ROOT, "docs/errors.md"), "utf8");
    expect(committed).toBe(renderErrorDocs());
    for (const code of Object.keys(ERROR_CODES)) expect(committed).toContain(`| \`${code}\` |`);
  });
});
