/**
 * A Logs Insights step that uses what only CloudWatch Logs runs (CWL_QuerySyntax-operations-
 * functions: jsonParse, a list's index), run on the local engine: the step errors, naming the
 * function and its place in the runbook (file:line:column), and the runbook's other steps run.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMdHere } from "../../../test/in-process.ts";

const dir = mkdtempSync(path.join(tmpdir(), "run-md-service-only-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lines 1-4 are the front matter, 5 is blank, 6 the fence: the query's line 2 is the file's 8.
const RUNBOOK = [
  "---",
  "title: Service-only",
  "id: service-only",
  "---",
  "",
  "```logs-insights policies",
  'filter eventName = "PutRolePolicy"',
  "| fields jsonParse(requestParameters.policyDocument) as doc",
  "```",
  "",
  "```logs-insights plain allow_empty",
  'filter startsWith(eventName, "Get") | stats count(*) as n',
  "```",
  "",
].join("\n");

describe("a step that only CloudWatch Logs runs, on the local engine", () => {
  it("errors with the function and its file:line:column; the other steps run", async () => {
    const file = path.join(dir, "service-only.md");
    writeFileSync(file, RUNBOOK);
    const res = await runMdHere(
      [
        "run",
        file,
        "--since",
        "1h",
        "--json",
        "--log-dir",
        "sample",
        "--reports-dir",
        path.join(dir, "reports"),
      ],
      { cwd: dir },
    );
    expect(res.code, res.stderr).toBe(2);
    const [report] = JSON.parse(res.stdout) as Array<{
      steps: Array<{ id: string; status: string; error?: { code: string; message: string } }>;
    }>;
    const byId = Object.fromEntries(report!.steps.map((s) => [s.id, s]));
    expect(byId.policies).toMatchObject({
      status: "errored",
      error: {
        code: "insights-unsupported",
        message: `${file}:8:10: jsonParse() is not supported by the local engine (CloudWatch Logs runs it: use --engine logs)`,
      },
    });
    expect(byId.plain?.status).toBe("passed");
  });
});
