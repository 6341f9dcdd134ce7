import { describe, expect, it } from "vitest";
import { awsSetupError } from "../src/index.ts";

const athena = { code: "athena", name: "Athena", configSection: "athena" };
const logs = { code: "logs", name: "CloudWatch Logs", configSection: "logs" };

function sdkError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe("awsSetupError", () => {
  it("names missing credentials for the service, with how to give them", () => {
    const cause = sdkError(
      "CredentialsProviderError",
      "Could not load credentials from any providers",
    );
    const e = awsSetupError(cause, logs);
    expect(e).toMatchObject({
      code: "logs-credentials",
      message:
        "no AWS credentials for CloudWatch Logs: Could not load credentials from any providers",
      hint: "Pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (run-md never stores credentials).",
      exitCode: 2,
    });
    expect(e?.cause).toBe(cause);
    expect(
      awsSetupError(sdkError("Error", "The security token credential is invalid"), athena)?.code,
    ).toBe("athena-credentials");
  });

  it("names a missing region with the service's configuration section", () => {
    expect(awsSetupError(sdkError("Error", "Region is missing"), athena)).toMatchObject({
      code: "athena-config",
      message: "no AWS region for Athena",
      hint: "Pass --region, set athena.region in run-md.config.yaml, or set AWS_REGION.",
    });
  });

  it("leaves every other error to the engine", () => {
    expect(awsSetupError(sdkError("ThrottlingException", "Rate exceeded"), athena)).toBeUndefined();
    expect(awsSetupError("socket hang up", logs)).toBeUndefined();
    expect(awsSetupError(undefined, logs)).toBeUndefined();
  });
});
