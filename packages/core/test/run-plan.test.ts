import { describe, expect, it } from "vitest";
import { resolveParams } from "../src/params.ts";
import { parseRunbook } from "../src/parse.ts";
import { chooseEngine } from "../src/run.ts";
import { checkRunInput, runKind } from "../src/run-plan.ts";

const { runbook } = parseRunbook(
  `---
title: Kinds
window: 7d
params:
  pattern: { type: string, default: "%" }
  limit: { type: integer, default: 10 }
---

\`\`\`sql a
SELECT 1 WHERE 'x' LIKE {{pattern}} LIMIT {{limit}}
\`\`\`

\`\`\`logs-insights b
stats count(*) as n
\`\`\`
`,
  "runbooks/kinds.md",
);
const rb = runbook!;

describe("runKind", () => {
  it.each([
    [{}, "full"],
    [{ window: { since: "7d" } }, "full"], // the runbook's own window, written out
    [{ window: { since: "168h" } }, "full"], // the same length
    [{ cliParams: { pattern: "%" } }, "full"], // the default value, given again
    [{ cliParams: { limit: "10" } }, "full"], // the same value as text
    [{ configParams: { pattern: "%admin%" } }, "full"], // the organisation's configured value
    [{ step: "a" }, "investigation"],
    [{ window: { since: "30d" } }, "investigation"],
    [{ window: { from: "2026-11-01" } }, "investigation"],
    [{ cliParams: { pattern: "%mallory%" } }, "investigation"],
    [{ configParams: { pattern: "%admin%" }, cliParams: { pattern: "%" } }, "investigation"],
  ] as const)("%j is %s", (input, kind) => {
    expect(runKind(rb, input)).toBe(kind);
  });
});

describe("checkRunInput", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  it("names the command line's mistakes", () => {
    expect(checkRunInput(rb, { window: { since: "7days" } }, now)?.message).toBe(
      '--since "7days" is not a duration',
    );
    expect(checkRunInput(rb, { step: "nope" }, now)?.message).toBe(
      'runbook kinds has no step "nope"',
    );
    expect(checkRunInput(rb, { cliParams: { limit: "ten" } }, now)?.code).toBe("bad-param");
    expect(checkRunInput(rb, { cliParams: { nope: "1" } }, now)?.code).toBe("bad-param");
    expect(checkRunInput(rb, { step: "a", window: { since: "1h" } }, now)).toBeUndefined();
  });
});

describe("chooseEngine with --engine aws", () => {
  it("puts SQL steps on Athena and Logs Insights steps on CloudWatch Logs", () => {
    expect(rb.steps.map((s) => chooseEngine(s, "aws"))).toEqual(["athena", "logs"]);
    expect(rb.steps.map((s) => chooseEngine(s, "athena"))).toEqual(["athena", "local"]);
  });
});

describe("parameters the command line or the configuration get wrong", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  const required = parseRunbook(
    `---
title: Required
params:
  req: { type: string }
  n: { type: integer, default: 1 }
---

\`\`\`sql a
SELECT {{req}}, {{n}}
\`\`\`
`,
    "runbooks/required.md",
  ).runbook!;

  it("names a bad --param even when a required parameter comes from the command line", () => {
    const bad = checkRunInput(required, { cliParams: { req: "x", n: "abc" } }, now);
    expect([bad?.code, bad?.message]).toEqual([
      "bad-param",
      'parameter "n" (from --param): expected an integer such as 10, got "abc"',
    ]);
    const unknown = checkRunInput(required, { cliParams: { req: "x", nope: "1" } }, now);
    expect([unknown?.code, unknown?.message]).toEqual([
      "bad-param",
      'unknown parameter "nope" for runbook required (runbooks/required.md)',
    ]);
    expect(checkRunInput(required, { cliParams: { req: "x", n: "2" } }, now)).toBeUndefined();
  });

  it("refuses a configured value under a name the runbook does not declare", () => {
    expect(() => resolveParams(rb, { pattern: "%a%", typo: 1 }, {})).toThrow(
      'the configuration sets params.kinds.typo, but runbook kinds (runbooks/kinds.md) declares no parameter "typo"',
    );
  });
});
