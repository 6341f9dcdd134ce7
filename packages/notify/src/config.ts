import { createHash } from "node:crypto";
/**
 * The `notify:` section of run-md.config.yaml: targets chosen by severity and outcome, the
 * reminder cadence, retries. Secrets (webhook URLs, routing keys, tokens) are best given as
 * `...Env: VARIABLE_NAME`, read from the environment at load time and never written anywhere.
 */
import {
  type ConfigSource,
  isHttpUrl,
  parseDuration,
  RunMdError,
  type Severity,
  sourceAt,
} from "@run-md/core";
import { OUTCOMES, type Outcome } from "./model.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";

export const TARGET_TYPES = ["slack", "pagerduty", "teams", "sns", "github", "webhook"] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
const SEVERITY_ORDER: readonly Severity[] = ["info", "low", "medium", "high", "critical"];

export interface TargetBase {
  type: TargetType | "unusable";
  /** A name for messages (default: the type). */
  name: string;
  /**
   * Which target this is from one run to the next, in the alert state (`untold`): its type, name,
   * where it sends and as whom (addresses and keys, or the variables holding them), hashed; the
   * name when unset. Two targets of one type and name are two; a target whose variable is set
   * again is the same one; one whose literal address or key changed is another.
   */
  id?: string;
  /** Alerts for runbooks at least this severe (default info: all). */
  minSeverity: Severity;
  /** Which outcomes (default: failed, errored, recovered, reminder). */
  on: Outcome[];
}

export type TargetConfig =
  | (TargetBase & { type: "slack"; url: string })
  | (TargetBase & { type: "teams"; url: string })
  | (TargetBase & { type: "pagerduty"; url: string; routingKey: string })
  | (TargetBase & { type: "sns"; topicArn: string; region?: string; endpoint?: string })
  | (TargetBase & { type: "github"; apiUrl: string; repo: string; token: string; labels: string[] })
  | (TargetBase & { type: "webhook"; url: string; secret: string })
  /**
   * A target the configuration names but that cannot be used (its secret's variable is not set,
   * say): every delivery to it fails with `reason`, so an alert it should have had is not
   * remembered as told (a PagerDuty resolve is sent again once it is fixed, not lost).
   */
  | (TargetBase & { type: "unusable"; reason: string });

export interface NotifyConfig {
  targets: TargetConfig[];
  /** Remind about a runbook still failing after this long (undefined: never). */
  reminderMs?: number;
  /** The site's base URL (the configuration's `site.url`), for links to each run's page. */
  siteUrl?: string;
  retry: RetryPolicy;
  /**
   * `notify.digest`: past this many new incidents in one notify, a target that sends each alert
   * apart (PagerDuty, GitHub) gets one digest naming them all (undefined: `off`, each apart).
   */
  digest?: number;
}

/** `notify.digest`'s default: a sixth runbook failing at once is a storm, paged once. */
export const DEFAULT_DIGEST = 5;

export const PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
export const GITHUB_API = "https://api.github.com";

type Raw = Record<string, unknown>;

/** `TargetBase.id` of a target as the configuration writes it (secrets are never in it). */
export function targetIdOf(raw: Raw): string {
  // Where it sends and as whom (a literal key is only hashed): two PagerDuty services of one URL
  // are two targets (review: they shared an id, and one's failure re-paged the other).
  const where = [
    "url",
    "urlEnv",
    "topicArn",
    "repo",
    "apiUrl",
    "routingKey",
    "routingKeyEnv",
    "token",
    "tokenEnv",
    "secret",
    "secretEnv",
  ].map((k) => raw[k] ?? null);
  const text = JSON.stringify([raw.type ?? null, raw.name ?? null, ...where]);
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * `parseNotifyConfig`'s `env` when the environment is the sender's, not this process's
 * (`run-md check`): a `...Env` variable's name is checked, its value neither read nor required.
 */
export const SENDERS_ENV: unique symbol = Symbol("the sender's environment");

/**
 * Every mistake of a `notify:` section that shows before anything is sent (`run-md check`, in
 * CI): `parseNotifyConfig`'s own, each naming the file, line and key, without the values the
 * sender reads from its environment (`SENDERS_ENV`). Nothing is sent, nothing is resolved.
 */
export function notifyConfigMistakes(raw: unknown, source: ConfigSource): Error[] {
  const mistakes: Error[] = [];
  parseNotifyConfig(raw, source, SENDERS_ENV, (e) => mistakes.push(e));
  return mistakes;
}

/**
 * Reads `notify:`; every mistake names the file and the key (`notify.targets[2].url`). With
 * `onMistake` (when the runs are done and someone must be told), a mistake is handed to it
 * instead of thrown: a target that is wrong (its secret's variable not set, say) is kept as
 * unusable and the other targets still get their messages, and a wrong key of the section
 * (`reminders:`, `retry.attempts: 0`) leaves that setting at its default: one typo must not
 * silence every target (red-team).
 */
export function parseNotifyConfig(
  raw: unknown,
  source: ConfigSource,
  env: Env = process.env,
  onMistake?: (error: Error) => void,
): NotifyConfig {
  const fail = (key: string, message: string): never => {
    throw new RunMdError("bad-config", `${sourceAt(source, key)}: ${key} ${message}`, {
      hint: "See docs/automation.md for the notify: section.",
    });
  };
  // Runs one part of the parse; its mistake is thrown, or handed on and returned.
  const lenient = (part: () => void): Error | undefined => {
    try {
      part();
      return undefined;
    } catch (e) {
      if (!onMistake) throw e;
      onMistake(e as Error);
      return e as Error;
    }
  };
  const config: NotifyConfig = { targets: [], retry: { ...DEFAULT_RETRY }, digest: DEFAULT_DIGEST };
  let root: Raw = {};
  lenient(() => {
    root = mapping(raw ?? {}, "notify", fail);
  });
  for (const key of Object.keys(root)) {
    lenient(() =>
      known({ [key]: root[key] }, ["targets", "reminder", "retry", "digest"], "notify", fail),
    );
  }
  lenient(() => {
    const d = root.digest;
    if (d === undefined) return;
    if (d === "off" || d === false) delete config.digest;
    else if (typeof d === "number" && Number.isInteger(d) && d >= 1) config.digest = d;
    else fail("notify.digest", "must be a whole number of at least 1, or off");
  });
  lenient(() => {
    if (root.reminder === undefined) return;
    const ms = typeof root.reminder === "string" ? parseDuration(root.reminder) : undefined;
    config.reminderMs = ms ?? fail("notify.reminder", "must be a duration such as 24h");
  });
  lenient(() => parseRetry(root.retry, config.retry, fail, lenient));
  const targets = root.targets ?? [];
  if (lenient(() => Array.isArray(targets) || fail("notify.targets", "must be a list"))) {
    return config;
  }
  for (const [i, t] of (targets as unknown[]).entries()) {
    const where = `notify.targets[${i}]`;
    const mistake = lenient(() => {
      config.targets.push(parseTarget(mapping(t, where, fail), where, env, fail));
    });
    if (mistake) config.targets.push(unusable(t, i, mistake));
  }
  return config;
}

function mapping(v: unknown, key: string, fail: Fail): Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Raw)
    : fail(key, "must be a mapping");
}

/** `notify.retry`: each key that is wrong keeps its default. */
function parseRetry(
  raw: unknown,
  retry: RetryPolicy,
  fail: Fail,
  lenient: (part: () => void) => Error | undefined,
): void {
  if (raw === undefined) return;
  const o = mapping(raw, "notify.retry", fail);
  const keys = ["attempts", "backoffMs", "timeoutMs"] as const;
  for (const key of Object.keys(o)) {
    lenient(() => known({ [key]: o[key] }, [...keys], "notify.retry", fail));
  }
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    lenient(() => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < (k === "attempts" ? 1 : 0)) {
        fail(
          `notify.retry.${k}`,
          k === "attempts" ? "must be a whole number of at least 1" : "must be a whole number",
        );
      }
      retry[k] = v as number;
    });
  }
}

type Fail = (key: string, message: string) => never;
/** The environment `...Env` variables are read from, or `SENDERS_ENV`: not this one. */
type Env = NodeJS.ProcessEnv | typeof SENDERS_ENV;

function known(o: Raw, keys: string[], where: string, fail: Fail): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k))
      fail(`${where}.${k}`, `is not a known key (expected ${keys.join(", ")})`);
  }
}

function str(v: unknown, key: string, fail: Fail): string {
  return typeof v === "string" && v.trim() !== ""
    ? v.trim()
    : fail(key, "must be a non-empty string");
}

/** An address (`url`, `apiUrl`, `endpoint`); never echoed, a webhook's URL is its secret. */
function httpUrl(v: unknown, key: string, fail: Fail): string {
  const value = str(v, key, fail);
  return isHttpUrl(value)
    ? value
    : fail(key, "must be an http(s) URL such as https://hooks.example.com/run-md");
}

/**
 * `name` or `nameEnv` (the name of an environment variable holding the value; with
 * `SENDERS_ENV`, `$VARIABLE`, unread). `url`: the value is an address (`httpUrl`), whichever
 * gives it.
 */
function secret(t: Raw, name: string, where: string, env: Env, fail: Fail, url = false): string {
  if (t[name] !== undefined) {
    return url
      ? httpUrl(t[name], `${where}.${name}`, fail)
      : str(t[name], `${where}.${name}`, fail);
  }
  const key = `${where}.${name}Env`;
  if (t[`${name}Env`] === undefined) return fail(where, `needs "${name}" or "${name}Env"`);
  const variable = str(t[`${name}Env`], key, fail);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    fail(key, "must be the name of an environment variable (letters, digits, _), not its value");
  }
  if (env === SENDERS_ENV) return `$${variable}`;
  const value = env[variable]?.trim();
  if (!value) return fail(key, `names ${variable}, which is not set`);
  if (url && !isHttpUrl(value)) fail(key, `names ${variable}, whose value is not an http(s) URL`);
  return value;
}

const TARGET_KEYS: Record<TargetType, string[]> = {
  slack: ["url", "urlEnv"],
  teams: ["url", "urlEnv"],
  pagerduty: ["url", "routingKey", "routingKeyEnv"],
  sns: ["topicArn", "region", "endpoint"],
  github: ["apiUrl", "repo", "token", "tokenEnv", "labels"],
  webhook: ["url", "urlEnv", "secret", "secretEnv"],
};

function parseTarget(t: Raw, where: string, env: Env, fail: Fail): TargetConfig {
  const type = t.type as TargetType;
  if (!(TARGET_TYPES as readonly unknown[]).includes(type)) {
    fail(`${where}.type`, `must be one of ${TARGET_TYPES.join(", ")}`);
  }
  known(t, ["type", "name", "minSeverity", "on", ...TARGET_KEYS[type]], where, fail);
  const minSeverity = (t.minSeverity ?? "info") as Severity;
  if (!SEVERITY_ORDER.includes(minSeverity)) {
    fail(`${where}.minSeverity`, `must be one of ${SEVERITY_ORDER.join(", ")}`);
  }
  const on = (t.on ?? [...OUTCOMES]) as Outcome[];
  if (!Array.isArray(on) || on.some((o) => !(OUTCOMES as readonly string[]).includes(o))) {
    fail(`${where}.on`, `must be a list of ${OUTCOMES.join(", ")}`);
  }
  const base = {
    id: targetIdOf(t),
    name: t.name === undefined ? type : str(t.name, `${where}.name`, fail),
    minSeverity,
    on,
  };
  switch (type) {
    case "slack":
      return { ...base, type, url: secret(t, "url", where, env, fail, true) };
    case "teams":
      return { ...base, type, url: secret(t, "url", where, env, fail, true) };
    case "pagerduty":
      return {
        ...base,
        type,
        url: t.url === undefined ? PAGERDUTY_URL : httpUrl(t.url, `${where}.url`, fail),
        routingKey: secret(t, "routingKey", where, env, fail),
      };
    case "sns":
      return snsTarget(t, base, where, fail);
    case "github":
      return githubTarget(t, base, where, env, fail);
    default:
      return {
        ...base,
        type: "webhook",
        url: secret(t, "url", where, env, fail, true),
        secret: secret(t, "secret", where, env, fail),
      };
  }
}

type Base = Omit<TargetBase, "type">;

function snsTarget(t: Raw, base: Base, where: string, fail: Fail): TargetConfig {
  const topicArn = str(t.topicArn, `${where}.topicArn`, fail);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(topicArn)) {
    fail(
      `${where}.topicArn`,
      "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts",
    );
  }
  return {
    ...base,
    type: "sns",
    topicArn,
    ...(t.region === undefined ? {} : { region: str(t.region, `${where}.region`, fail) }),
    ...(t.endpoint === undefined
      ? {}
      : { endpoint: httpUrl(t.endpoint, `${where}.endpoint`, fail) }),
  };
}

function githubTarget(t: Raw, base: Base, where: string, env: Env, fail: Fail): TargetConfig {
  const repo = str(t.repo, `${where}.repo`, fail);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) fail(`${where}.repo`, "must be owner/name");
  const labels = t.labels ?? ["run-md"];
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string")) {
    fail(`${where}.labels`, "must be a list of strings");
  }
  return {
    ...base,
    type: "github",
    apiUrl: t.apiUrl === undefined ? GITHUB_API : httpUrl(t.apiUrl, `${where}.apiUrl`, fail),
    repo,
    token: secret(t, "token", where, env, fail),
    labels: labels as string[],
  };
}

/** A target that failed to read: it wants every alert (nobody can tell which it would not). */
function unusable(t: unknown, i: number, e: Error): TargetConfig {
  const raw = (typeof t === "object" && t !== null ? t : {}) as Raw;
  const named =
    typeof raw.name === "string" && raw.name.trim() !== "" ? raw.name.trim() : undefined;
  const type = typeof raw.type === "string" ? raw.type : "target";
  return {
    type: "unusable",
    id: targetIdOf(raw),
    name: named ?? `${type} (notify.targets[${i}])`,
    minSeverity: "info",
    on: [...OUTCOMES],
    reason: e.message,
  };
}

/** A severity's place from `info` (0) to `critical` (4). */
export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

/** Whether a target wants an alert of this severity and outcome. */
export function wants(target: TargetBase, severity: Severity, outcome: Outcome): boolean {
  return severityRank(severity) >= severityRank(target.minSeverity) && target.on.includes(outcome);
}
