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

  it("requires --format cloudformation", async () => {
    const res = await runMd(["rules", "--format", "terraform"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('error unknown format "terraform": use --format cloudformation\n');
  });
});
