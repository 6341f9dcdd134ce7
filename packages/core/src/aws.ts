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

/** Whether an endpoint URL names this machine (the local emulator), not a remote host. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return /^127(\.\d{1,3}){3}$/.test(host) || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

/**
 * Credentials an AWS engine sends to a loopback endpoint: placeholders, never the real ones
 * from the default chain. The emulator does not check signatures, and a real session token
 * sent over plain HTTP to whatever listens on a local port is a leak.
 */
export const LOOPBACK_CREDENTIALS = {
  accessKeyId: "run-md-local",
  secretAccessKey: "run-md-local",
};

/** A warning for a plain-HTTP endpoint on another host (credentials and results unencrypted). */
export function plainHttpWarning(
  endpoint: string | undefined,
  service: AwsService,
): string | undefined {
  if (endpoint === undefined || isLoopbackEndpoint(endpoint)) return undefined;
  let protocol: string;
  try {
    protocol = new URL(endpoint).protocol;
  } catch {
    return undefined;
  }
  if (protocol !== "http:") return undefined;
  return `${service.configSection}.endpoint ${endpoint} is plain HTTP to another host: requests (signed with your credentials) and results travel unencrypted; use https://`;
}
