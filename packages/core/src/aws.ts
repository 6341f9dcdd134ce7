/**
 * The AWS plumbing the AWS engines (athena, logs) share, with no AWS SDK import: the SDK client
 * settings (endpoint, placeholder credentials for the emulator, the SDK's own retry strategy),
 * the one mapping of service errors to `RunMdError` codes, and a query's cancellation (stop on
 * the service, the error that says so) and polling backoff.
 */
import { abortReason } from "./abort.ts";
import type { ConfigFieldType } from "./engine-registry.ts";
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
 * Sends of one call when the service throttles or fails transiently, the first included: the
 * SDK's standard retry strategy (jittered exponential backoff, 500 ms base for throttling)
 * sends it at most this many times, and nothing else retries it.
 */
export const DEFAULT_AWS_ATTEMPTS = 5;

/** The configuration keys of `AwsClientOptions` an AWS engine's section takes (`athena:`, `logs:`). */
export const AWS_CLIENT_CONFIG = {
  region: "string",
  profile: "string",
  endpoint: "string",
} as const satisfies Record<string, ConfigFieldType>;

/** How an AWS engine reaches its service: the options the athena and logs engines share. */
export interface AwsClientOptions {
  region?: string;
  /** A profile of the shared AWS config files; otherwise the SDK's default credential chain. */
  profile?: string;
  /** Another endpoint, such as the local emulator (`http://127.0.0.1:PORT`). */
  endpoint?: string;
  /**
   * Sends of a throttled or transiently failing call: the SDK's retry strategy, nothing on top
   * (default `DEFAULT_AWS_ATTEMPTS`).
   */
  maxAttempts?: number;
}

/**
 * The settings an AWS engine's SDK client is created with. A loopback endpoint (the emulator)
 * gets placeholder credentials and, without a region, us-east-1. Retries are the SDK's own
 * (`maxAttempts`, standard mode): a call is sent at most `maxAttempts` times, and a request's
 * `abortSignal` ends the backoff between attempts.
 */
export function awsClientConfig(opts: AwsClientOptions): {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: typeof LOOPBACK_CREDENTIALS;
  maxAttempts: number;
} {
  const loopback = opts.endpoint !== undefined && isLoopbackEndpoint(opts.endpoint);
  const region = opts.region ?? (loopback ? "us-east-1" : undefined);
  return {
    ...(region === undefined ? {} : { region }),
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
    // The emulator on this machine gets placeholders, never the real credentials.
    ...(loopback ? { credentials: LOOPBACK_CREDENTIALS } : {}),
    maxAttempts: Math.max(1, opts.maxAttempts ?? DEFAULT_AWS_ATTEMPTS),
  };
}

/** What an SDK client's resolved configuration offers `awsPreflight`. */
interface ResolvableConfig {
  credentials: () => Promise<unknown>;
  region: () => Promise<unknown>;
}

/** Resolves the credentials and the region once, so their problem stops the run once. */
export async function awsPreflight(config: ResolvableConfig, service: AwsErrorService) {
  try {
    await config.credentials();
    await config.region();
  } catch (e) {
    throw awsError(e, service);
  }
}

/** A service as its request errors describe it. */
export interface AwsErrorService extends AwsService {
  /** The endpoint the engine talks to, when it is not AWS's (named when it cannot be reached). */
  endpoint?: string;
  /** Hints by the service's error name (`AccessDeniedException`, ...). */
  hints: Record<string, string>;
  /** The hint of any other failed request. */
  defaultHint: string;
  /** The hint when the service kept throttling after every attempt. */
  throttledHint: string;
}

const THROTTLING = new Set([
  "TooManyRequestsException",
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "SlowDown",
]);
/** Errors a later attempt may not see: the caller may run the step again. */
const TRANSIENT = new Set(["ServiceUnavailableException", "InternalServerException"]);
const NETWORK = /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/i;

function errorName(e: unknown): string {
  return (e as { name?: string } | undefined)?.name ?? "";
}

/** Whether an SDK error says the service throttled the call. */
export function isThrottling(e: unknown): boolean {
  const err = e as { $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING.has(errorName(e)) || err?.$retryable?.throttling === true;
}

/**
 * The one mapping of an AWS SDK error to a `RunMdError`: missing credentials or region
 * (`<code>-credentials`, `<code>-config`), throttling that outlasted the SDK's attempts
 * (`<code>-throttled`), anything else `<code>-request-failed` with the service's hint for it.
 */
export function awsError(e: unknown, service: AwsErrorService): RunMdError {
  if (e instanceof RunMdError) return e;
  const setup = awsSetupError(e, service);
  if (setup) return setup;
  const name = errorName(e);
  const message = e instanceof Error ? e.message : String(e);
  if (isThrottling(e)) {
    return new RunMdError(
      `${service.code}-throttled`,
      `${service.name} kept throttling the request: ${message}`,
      { hint: service.throttledHint, retryable: true, cause: e },
    );
  }
  const what = name && name !== "Error" ? `${name}: ` : "";
  const hint = NETWORK.test(message)
    ? `Could not reach ${service.name}${service.endpoint ? ` at ${service.endpoint}` : ""}: check the network and the region, and ${service.configSection}.endpoint if you use the emulator.`
    : (service.hints[name] ?? service.defaultHint);
  return new RunMdError(
    `${service.code}-request-failed`,
    `${service.name} request failed: ${what}${message}`,
    {
      hint,
      retryable: TRANSIENT.has(name),
      details: {
        errorName: name,
        fault: (e as { $fault?: string }).$fault,
        requestId: (e as { $metadata?: { requestId?: string } }).$metadata?.requestId,
      },
      cause: e,
    },
  );
}

/** How a service's queries are named and stopped, for `queryCancelled`. */
export interface AwsQueryKind {
  /** `Athena query`, `Logs Insights query`. */
  noun: string;
  /** The API operation that stops one: `StopQueryExecution`, `StopQuery`. */
  stopOperation: string;
  /** The AWS CLI command that stops one, before its id. */
  stopCommand: string;
  /** The key of the query's id in the error's details. */
  idKey: string;
}

/**
 * Sends a query's stop (not tied to the step's signal, which has already fired); the error, if
 * it failed, else undefined. `finished` tells the error of a query that ended meanwhile (nothing
 * is left running then).
 */
export async function stopQuery(
  send: () => Promise<unknown>,
  finished: (e: unknown) => boolean = () => false,
): Promise<unknown> {
  try {
    await send();
    return undefined;
  } catch (e) {
    return finished(e) ? undefined : e;
  }
}

/** The `cancelled` error of a query stopped by a timeout or Ctrl-C (`signal`'s reason). */
export function queryCancelled(
  kind: AwsQueryKind,
  id: string | undefined,
  signal: AbortSignal,
  stopError?: unknown,
): RunMdError {
  const reason = abortReason(signal);
  const stop =
    id === undefined
      ? ""
      : stopError === undefined
        ? ` (${kind.stopOperation} sent)`
        : `, but ${kind.stopOperation} failed: ${stopError instanceof Error ? stopError.message : String(stopError)}`;
  return new RunMdError(
    "cancelled",
    `${kind.noun}${id === undefined ? "" : ` ${id}`} cancelled (${reason})${stop}`,
    {
      ...(stopError === undefined ? {} : { hint: `Stop it by hand: ${kind.stopCommand} ${id}` }),
      details: { [kind.idKey]: id, reason },
    },
  );
}

/**
 * The waits between polls of a running query: `first`, then half as long again each time up to
 * `max`, each jittered by ±20% so runs started together do not poll together.
 */
export function pollDelays(first: number, max: number): () => number {
  let delay = Math.max(1, first);
  const cap = Math.max(delay, max);
  return () => {
    const wait = delay * (0.8 + Math.random() * 0.4);
    delay = Math.min(delay * 1.5, cap);
    return wait;
  };
}

/** What to do when the SDK's chain found no credentials (the AWS engines, collect from S3). */
export const AWS_CREDENTIALS_HINT =
  "Pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (run-md never stores credentials).";

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
      { hint: AWS_CREDENTIALS_HINT, cause: e },
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
