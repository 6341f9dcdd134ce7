import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { matchPattern, validatePattern } from "@run-md/core";
import { describe, expect, it } from "vitest";
import { runMdHere as runMd } from "../../../test/in-process.ts";

describe("run-md rules --format cloudformation", () => {
  it("emits one EventBridge rule and one Lambda permission per trigger of the bundled runbooks", async () => {
    const res = await runMd(["rules", "--format", "cloudformation"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const template = JSON.parse(res.stdout);
    expect(template.AWSTemplateFormatVersion).toBe("2010-09-09");
    expect(template.Parameters.RunMdFunctionArn.Type).toBe("String");
    expect(Object.keys(template.Resources).sort()).toEqual([
      "AccessKeyActivityTrigger1Permission",
      "AccessKeyActivityTrigger1Rule",
      "AccessKeyLifecycleTrigger1Permission",
      "AccessKeyLifecycleTrigger1Rule",
    ]);
    const rule = template.Resources.AccessKeyActivityTrigger1Rule;
    expect(rule.Type).toBe("AWS::Events::Rule");
    expect(rule.Properties.State).toBe("ENABLED");
    expect(rule.Properties.Targets).toEqual([{ Id: "run-md", Arn: { Ref: "RunMdFunctionArn" } }]);
    expect(rule.Properties.EventPattern.source).toEqual(["aws.guardduty"]);
    expect(validatePattern(rule.Properties.EventPattern)).toEqual([]);
    // The rule's pattern is the runbook's: it matches an access-key finding and nothing else.
    const finding = {
      source: "aws.guardduty",
      "detail-type": "GuardDuty Finding",
      detail: {
        type: "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
        severity: 5,
        resource: { resourceType: "AccessKey" },
      },
    };
    expect(matchPattern(rule.Properties.EventPattern, finding).matched).toBe(true);
    expect(
      matchPattern(rule.Properties.EventPattern, { ...finding, source: "aws.securityhub" }).matched,
    ).toBe(false);
    expect(template.Resources.AccessKeyActivityTrigger1Permission).toEqual({
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { Ref: "RunMdFunctionArn" },
        Principal: "events.amazonaws.com",
        SourceArn: { "Fn::GetAtt": ["AccessKeyActivityTrigger1Rule", "Arn"] },
      },
    });
  });

  it("refuses two runbooks whose ids make one CloudFormation name (one rule would be lost)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "run-md-rules-"));
    try {
      const book = (id: string, source: string) =>
        `---\ntitle: ${id}\nid: ${id}\ntriggers:\n  - pattern:\n      source: [${source}]\n---\n\n\`\`\`sql s\nSELECT 1 AS one\n\`\`\`\n`;
      writeFileSync(path.join(dir, "a.md"), book("root-login", "aws.signin"));
      writeFileSync(path.join(dir, "b.md"), book("root_login", "aws.iam"));
      const res = await runMd(["rules", "--format", "cloudformation", dir]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toContain(
        `the runbooks "root-login" (${dir}/a.md) and "root_login" (${dir}/b.md) make one CloudFormation name, RootLogin`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("requires --format cloudformation", async () => {
    const res = await runMd(["rules", "--format", "terraform"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('error unknown format "terraform": use --format cloudformation\n');
  });
});
