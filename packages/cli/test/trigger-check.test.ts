import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";

describe("run-md check on triggers:", () => {
  it("reports a bad pattern, a bad JSON path and an undeclared parameter, file:line:col, exit 2", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-trigger-check-"));
    const file = path.join(dir, "bad-trigger.md");
    await writeFile(
      file,
      [
        "---",
        "title: Bad trigger",
        "params:",
        "  key: { type: string }",
        "triggers:",
        "  - pattern:",
        "      source: [aws.guardduty]",
        '      detail: { severity: [{ numeric: [">", "high"] }] }',
        "    params:",
        "      key: detail.key",
        "      user: $.detail.user",
        "---",
        "",
        "```sql s",
        "SELECT {{key}} AS k",
        "```",
        "",
      ].join("\n"),
    );
    const res = await runMd(["check", file]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain(
      `${file}:8:39 error invalid event pattern: "numeric" takes ["=", n], [">", n], ["<=", n] or a range such as [">", 0, "<=", 5]; the string "high" is not a number [invalid-pattern]`,
    );
    expect(res.stdout).toContain(
      `${file}:10:12 error parameter "key": a JSON path starts with "$", such as $.detail.id [invalid-json-path]`,
    );
    expect(res.stdout).toContain(`${file}:11:7 error trigger parameter "user" is not declared`);
  });
});
