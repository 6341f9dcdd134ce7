/**
 * What a run request needs (spec §3): `run` for the runbook as written, `run:params` for other
 * parameter values, another window or a named engine. `checkRunRequest` decides which.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseRunbook } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { checkRunRequest, type RunRequest } from "../src/runs/request.ts";
import { FIXTURES, REPO } from "./helpers.ts";

const file = path.join(FIXTURES, "iam-low.md");
const runbook = parseRunbook(readFileSync(file, "utf8"), file).runbook!;
const now = new Date();

function changes(over: Partial<RunRequest>, configParams: Record<string, unknown> = {}): boolean {
  const req: RunRequest = { runbook: "iam-low", params: {}, window: {}, ...over };
  return checkRunRequest(runbook, req, configParams, now).changesDefaults;
}

describe("a run request against the runbook as written", () => {
  it("needs no run:params with its defaults, given or not, and its own window", () => {
    expect(changes({})).toBe(false);
    expect(changes({ params: { limit: 5, source: "iam.amazonaws.com" } })).toBe(false);
    expect(changes({ window: { since: "7d" } })).toBe(false);
  });

  it("needs run:params for another value, another window or a named engine", () => {
    expect(changes({ params: { limit: 2 } })).toBe(true);
    expect(changes({ window: { since: "1d" } })).toBe(true);
    expect(changes({ window: { since: "7d", to: "2025-01-01T00:00:00Z" } })).toBe(true);
    expect(changes({ window: { from: "2025-01-01T00:00:00Z" } })).toBe(true);
    expect(changes({ engine: "local" })).toBe(true);
  });

  it("refuses since with from (one or the other, spec §4), naming the field", () => {
    expect(() => changes({ window: { since: "1d", from: "2025-01-01T00:00:00Z" } })).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });

  it("takes the configuration's params: as written: a value equal to them is no change", () => {
    expect(changes({}, { limit: 3 })).toBe(false);
    expect(changes({ params: { limit: 3 } }, { limit: 3 })).toBe(false);
    // The runbook's own default is another value than the configuration's.
    expect(changes({ params: { limit: 5 } }, { limit: 3 })).toBe(true);
  });
});

describe("a run request whose value a Logs Insights regular expression cannot hold", () => {
  const kms = path.join(REPO, "runbooks/kms-key-deletion.md");
  const withRegex = parseRunbook(readFileSync(kms, "utf8"), kms).runbook!;
  const request = (params: Record<string, unknown>, configParams: Record<string, unknown> = {}) =>
    checkRunRequest(
      withRegex,
      { runbook: "kms-key-deletion", params, window: {} },
      configParams,
      now,
    );

  it("is a 400 naming the parameter as the request's, before any run", () => {
    expect(() => request({ automation_pattern: "x\\" })).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(
          /^parameter "automation_pattern" \(from params\) is a Logs Insights regular expression in step "key_policy_changes_insights" \(.*kms-key-deletion\.md:\d+\) and ends with a lone backslash/,
        ),
      }),
    );
    // A configured value the request leaves alone is named as the configuration's
    expect(() => request({}, { automation_pattern: "a\nb" })).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringContaining("(from configuration)"),
      }),
    );
    expect(request({ automation_pattern: ":user/mallory$" }).changesDefaults).toBe(true);
  });
});

describe("a run request that leaves a required parameter without a value", () => {
  it("is a 400 whose hint says to send it in the request's params (not the CLI's --param)", () => {
    const source = [
      "---",
      "title: Who",
      "params:",
      "  user: { type: string }",
      "---",
      "",
      "```sql s",
      "SELECT {{user}} AS u",
      "```",
      "",
    ].join("\n");
    const who = parseRunbook(source, "who.md").runbook!;
    expect(() => checkRunRequest(who, { runbook: "who", params: {}, window: {} }, {}, now)).toThrow(
      expect.objectContaining({
        status: 400,
        message: 'parameter "user" is required by runbook who and has no value',
        extra: {
          code: "missing-param",
          field: "params",
          hint: `Send it in the request's params: {"params": {"user": <string>}}.`,
        },
      }),
    );
  });
});
