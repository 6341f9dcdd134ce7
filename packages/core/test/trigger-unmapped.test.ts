import { parseRunbook } from "@run-md/core";
import { expect, it } from "vitest";

/*
 * A trigger that gives no value to a parameter without a default starts runs that error
 * (missing-param) when the event comes: `check` warns at the trigger, naming the parameter.
 */

const source = (params: string) =>
  [
    "---", //                                                   1
    "title: Key triage", //                                     2
    "params:", //                                               3
    "  key: { type: string }", //                               4  required
    "  user: { type: string }", //                              5  required
    '  region: { type: string, default: "us-east-1" }', //      6
    "triggers:", //                                             7
    "  - pattern: { source: [aws.guardduty] }", //              8
    `    params: ${params}`, //                                 9
    "  - pattern: { source: [aws.securityhub] }", //            10
    "    params: { key: $.detail.key, user: $.detail.user }", // 11
    "---", //                                                   12
    "",
    "```sql s",
    "SELECT {{key}}, {{user}}, {{region}}",
    "```",
    "",
  ].join("\n");

it("warns at a trigger for each parameter without a default that it does not map", () => {
  const { runbook, diagnostics } = parseRunbook(source("{ key: $.detail.key }"), "x.md");
  expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`)).toEqual([
    "8:5 warning trigger-unmapped-param",
  ]);
  expect(diagnostics[0]?.message).toMatch(
    /^this trigger gives no value to parameter "user", which has no default: every run it starts errors \(missing-param\)/,
  );
  // A warning: the configuration may give the value (params.<id>.user), so the runbook loads.
  expect(runbook).toBeDefined();
});

it("says nothing when every parameter without a default is mapped", () => {
  const { diagnostics } = parseRunbook(
    source("{ key: $.detail.key, user: $.detail.user }"),
    "x.md",
  );
  expect(diagnostics).toEqual([]);
});

it("names a trigger after an invalid one by its own line, never by a number among the valid ones (spec audit)", () => {
  const text = source("{ key: $.detail.key }")
    .replace("  - pattern: { source: [aws.guardduty] }", "  - pattern: 5")
    .replace(
      "    params: { key: $.detail.key, user: $.detail.user }",
      "    params: { key: $.detail.key }",
    );
  const { diagnostics } = parseRunbook(text, "x.md");
  const unmapped = diagnostics.filter((d) => d.rule === "trigger-unmapped-param");
  // The second trigger (line 10) leaves "user" unmapped; the first is invalid (an error of its own).
  expect(unmapped.map((d) => `${d.line}:${d.column}`)).toEqual(["10:5"]);
  expect(unmapped[0]?.message).toMatch(/^this trigger gives no value to parameter "user"/);
  expect(diagnostics.some((d) => d.severity === "error" && d.line === 8)).toBe(true);
});
