/** Setup errors the AWS engines share: no credentials, no region. */
import { RunMdError } from "./errors.ts";

/** The AWS service an engine talks to, as its setup errors name it. */
export interface AwsService {
  /** Prefix of the error codes: `athena` gives `athena-credentials` and `athena-config`. */
  code: string;
  /** The service in messages: `Athena`, `CloudWatch Logs`. */
  name: string;
  /** Its section of run-md.config.yaml: `athena`, `logs`. */
  configSection: string;
}

/**
 * The user error behind an AWS SDK error that says the credentials or the region are missing;
 * `undefined` for any other error.
 */
export function awsSetupError(e: unknown, service: AwsService): RunMdError | undefined {
  const name = (e as { name?: string } | undefined)?.name ?? "";
  const message = e instanceof Error ? e.message : String(e);
  if (name === "CredentialsProviderError" || /credential/i.test(message)) {
    return new RunMdError(
      `${service.code}-credentials`,
      `no AWS credentials for ${service.name}: ${message}`,
      {
        hint: "Pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (run-md never stores credentials).",
        cause: e,
      },
    );
  }
  if (/region is missing/i.test(message)) {
    return new RunMdError(`${service.code}-config`, `no AWS region for ${service.name}`, {
      hint: `Pass --region, set ${service.configSection}.region in run-md.config.yaml, or set AWS_REGION.`,
      cause: e,
    });
  }
  return undefined;
}
