import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";

const dir = path.join(import.meta.dirname, "fixtures", "valid");

describe("parsing damaged runbooks", () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith(".md")))(
    "never throws on cut-off or holed copies of %s, and every diagnostic points into the file",
    (name) => {
      const source = readFileSync(path.join(dir, name), "utf8");
      const problems: string[] = [];
      let parses = 0;
      for (let i = 0; i <= source.length; i += 29) {
        for (const variant of [
          source.slice(0, i),
          source.slice(i),
          source.slice(0, i) + source.slice(i + 7),
        ]) {
          const { runbook, diagnostics } = parseRunbook(variant, "x.md");
          const lines = variant.split("\n").length;
          for (const d of diagnostics) {
            if (d.line < 1 || d.line > lines || d.column < 1)
              problems.push(`${i}: ${JSON.stringify(d)}`);
          }
          // Either a runbook, or at least one error saying why not.
          if (runbook === undefined && !diagnostics.some((d) => d.severity === "error")) {
            problems.push(`${i}: neither a runbook nor an error`);
          }
          parses++;
        }
      }
      expect(problems).toEqual([]);
      expect(parses).toBeGreaterThan(3 * Math.floor(source.length / 29));
    },
  );
});
