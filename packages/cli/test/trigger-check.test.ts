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

describe("run-md check on a trigger that maps no value to a parameter", () => {
  const runbook = [
    "---", //                                          1
    "id: key-triage", //                               2
    "title: Key triage", //                            3
    "params:", //                                      4
    "  key: { type: string }", //                      5
    "  user: { type: string }", //                     6
    "triggers:", //                                    7
    "  - pattern: { source: [aws.guardduty] }", //     8
    "    params: { key: $.detail.key }", //            9
    "---",
    "",
    "```sql s",
    "SELECT {{key}} AS k, {{user}} AS u",
    "```",
    "",
  ].join("\n");

  async function check(params: string): Promise<{ code: number; stdout: string; file: string }> {
    const dir = await mkdtemp(path.join(tmpdir(), "run-md-trigger-unmapped-"));
    const file = path.join(dir, "key-triage.md");
    const config = path.join(dir, "run-md.config.yaml");
    await writeFile(file, runbook);
    await writeFile(config, `runbooksDir: .\nparams:\n${params}\n`);
    const res = await runMd(["check", file, "--config", config], { cwd: dir });
    return { code: res.code ?? 1, stdout: res.stdout, file };
  }

  it("says nothing of a parameter the configuration's params: gives (as run and trigger merge it)", async () => {
    const res = await check("  key-triage:\n    user: alice");
    expect(res.stdout).not.toContain("trigger-unmapped-param");
    expect(res.stdout).toContain("1 runbook checked, no problems");
    expect(res.code).toBe(0);
  });

  it("still warns when the configuration gives it to another runbook only", async () => {
    const res = await check("  key-triage:\n    key: k1\n  other:\n    user: alice");
    expect(res.stdout).toContain(
      `${res.file}:8:5 warning this trigger gives no value to parameter "user", which has no default`,
    );
  });
});
