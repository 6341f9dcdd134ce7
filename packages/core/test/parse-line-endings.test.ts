import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";

const fixtures = path.join(import.meta.dirname, "fixtures");
const files = (kind: string) =>
  readdirSync(path.join(fixtures, kind))
    .filter((f) => f.endsWith(".md"))
    .map((f) => [kind, f] as const);

/** The parse result, without the hash of the file's bytes (which differ by their line endings). */
function parsed(source: string) {
  const { runbook, diagnostics, steps } = parseRunbook(source, "x.md");
  return { runbook: runbook && { ...runbook, sourceHash: "" }, diagnostics, steps };
}

describe("line endings", () => {
  it.each([...files("valid"), ...files("broken")])(
    "reads %s/%s with CRLF and with lone CR line endings exactly as with LF",
    (kind, name) => {
      const lf = readFileSync(path.join(fixtures, kind, name), "utf8");
      expect(lf).not.toContain("\r");
      const want = parsed(lf);
      expect(parsed(lf.replace(/\n/g, "\r\n"))).toEqual(want);
      expect(parsed(lf.replace(/\n/g, "\r"))).toEqual(want);
    },
  );

  const windows = [
    "---",
    "title: Who called GetPasswordData",
    "severity: high",
    "params:",
    "  api:",
    "    type: string",
    "    default: GetPasswordData",
    "---",
    "",
    "```sql calls timeout=5m",
    "SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{api}}",
    "```",
    "",
    "```expect",
    "every n == 0     # nobody calls it",
    "rows == 1",
    "```",
    "",
  ].join("\r\n");

  it("keeps no carriage return in the last front matter value, an attribute or a check", () => {
    const { runbook, diagnostics } = parseRunbook(windows, "w.md");
    expect(diagnostics).toEqual([]);
    expect(runbook!.meta.params.api!.default).toBe("GetPasswordData");
    expect(runbook!.meta.severity).toBe("high");
    const [step] = runbook!.steps;
    expect(step!.attributes.timeoutMs).toBe(300_000);
    expect(step!.query).toBe("SELECT count(*) AS n FROM cloudtrail_logs WHERE eventname = {{api}}");
    expect(step!.checks.map((c) => [c.source, c.label, c.position.line])).toEqual([
      ["every n == 0", "nobody calls it", 15],
      ["rows == 1", undefined, 16],
    ]);
  });

  it("reports a CRLF file's problems on the lines and columns of its LF copy", () => {
    const broken = windows
      .replace("severity: high", "severity: high\r\nscedule: nightly")
      .replace("rows == 1", "rows = 1");
    const at = (s: string) =>
      parseRunbook(s, "w.md").diagnostics.map((d) => `${d.line}:${d.column} ${d.rule}`);
    expect(at(broken)).toEqual(["4:1 unknown-key", "17:6 expect-syntax"]);
    expect(at(broken.replace(/\r\n/g, "\n"))).toEqual(at(broken));
  });
});
