/**
 * The `server:` section of run-md.config.yaml, validated here (the CLI's schema keeps it a
 * free-form map, as it does `notify:` and `access:`). Every problem names the key path.
 */
import net from "node:net";
import path from "node:path";
import { DEFAULT_AUDIT_FILE, DEFAULT_TOKENS_FILE } from "@run-md/access";
import {
  type ConfigSource,
  isHttpUrl,
  parseBytes,
  parseDuration,
  RunMdError,
  sourceAt,
} from "@run-md/core";

export type AuthMode = "oidc" | "token" | "none";

export interface AuthConfig {
  mode: AuthMode;
  /** OIDC: the provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer?: string;
  clientId?: string;
  /** The name of the environment variable holding the client secret (never the secret). */
  clientSecretEnv?: string;
  /** The ID-token or userinfo claim carrying the user's groups. */
  groupsClaim: string;
  /** Scopes asked for at sign-in. */
  scopes: string[];
  /** `none`: the groups the local user is in. */
  groups: string[];
  /** How long a browser session lasts, in ms (configured as a duration: `8h`). */
  sessionTtlMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Runs executing at once; the rest wait in the queue. */
  concurrency: number;
  auth: AuthConfig;
  /** The API token store (hashes only). */
  tokens: string;
  /** The audit log (JSON lines, hash chained). */
  audit: string;
  /** One `<id>.json` per run: its record and event log. */
  runsDir: string;
  /** The built site served under `/` (pages naming a runbook are checked against `view`). */
  siteDir: string;
  /** The address users reach the server at (OIDC redirect URI base); default `http://host:port`. */
  publicUrl?: string;
  /**
   * Whose `X-Forwarded-*` to trust: false (nobody), a number of proxy hops in front (`true` is
   * one: the load balancer's own entry, never what a client wrote before it), or the proxies'
   * addresses and CIDR ranges.
   */
  trustProxy: boolean | number | string[];
  /** Largest request body, in bytes (413 above). */
  bodyLimit: number;
  /** The daily Athena scan ledger of `access.budgets` (spec §8). */
  budgets: string;
  /** The name of the environment variable holding the key of `hash` masking (spec §8). */
  maskKey?: string;
  /**
   * How long an ended run's record and event log are kept, in ms (configured as a duration:
   * `180d`); undefined keeps every one. The audit log keeps its entries whatever this says.
   */
  keepRunsMs?: number;
}

/** An address (`10.0.1.5`, `::1`) or a CIDR range (`10.0.0.0/16`). */
function isAddressOrRange(text: string): boolean {
  const [address = "", bits, ...more] = text.split("/");
  const family = net.isIP(address);
  if (family === 0 || more.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

function trustProxyOf(v: unknown, fail: Fail): ServerConfig["trustProxy"] {
  const what =
    "must be false, true (one load balancer in front), a number of proxy hops, or a list of the proxies' addresses or CIDR ranges";
  if (typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 1) fail("server.trustProxy", what);
    return v;
  }
  if (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === "string")) {
    const bad = v.find((a) => !isAddressOrRange(a));
    if (bad !== undefined) fail("server.trustProxy", `"${bad}" is not an address or CIDR range`);
    return v as string[];
  }
  return fail("server.trustProxy", what);
}

/**
 * Fastify's `trustProxy`: a number of hops (`true` is one) trusts that many addresses from the
 * socket's end of X-Forwarded-For, so the client's address is what the nearest proxy saw, never
 * one the client wrote in the header itself.
 */
/** Whether the server trusts a proxy in front of it (`server.trustProxy` set to anything). */
export function trustsAProxy(t: ServerConfig["trustProxy"]): boolean {
  return t !== false && !(Array.isArray(t) && t.length === 0);
}

export function fastifyTrustProxy(
  t: ServerConfig["trustProxy"],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (t === false || Array.isArray(t)) return t;
  const hops = t === true ? 1 : t;
  return (_address, hop) => hop < hops;
}

const DAY_MS = 24 * 3600_000;
/** The longest `server.keepRuns`: a hundred years (omit the key to keep every run). */
const KEEP_RUNS_MAX_MS = 36_500 * DAY_MS;

const MODES: readonly AuthMode[] = ["oidc", "token", "none"];
const KEYS = [
  "host",
  "port",
  "concurrency",
  "auth",
  "tokens",
  "audit",
  "runsDir",
  "siteDir",
  "publicUrl",
  "trustProxy",
  "bodyLimit",
  "budgets",
  "maskKey",
  "keepRuns",
];
const AUTH_KEYS = [
  "mode",
  "issuer",
  "clientId",
  "clientSecretEnv",
  "groupsClaim",
  "scopes",
  "groups",
  "sessionTtl",
];

/** The documented defaults (docs/serve.md), paths relative to `base` (the config's folder). */
export function defaultServerConfig(base: string): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 4600,
    concurrency: 2,
    auth: {
      mode: "token",
      groupsClaim: "groups",
      scopes: ["openid", "email", "profile"],
      groups: [],
      sessionTtlMs: 8 * 3600_000,
    },
    tokens: path.join(base, DEFAULT_TOKENS_FILE),
    audit: path.join(base, DEFAULT_AUDIT_FILE),
    runsDir: path.join(base, ".run-md/runs"),
    budgets: path.join(base, ".run-md/budgets.json"),
    siteDir: path.join(base, "site/dist"),
    trustProxy: false,
    // 64KB as the configuration reads it: decimal units, as every size run-md reads.
    bodyLimit: 64_000,
  };
}

type Fail = (key: string, msg: string) => never;

function failer(source: ConfigSource): Fail {
  return (key, msg) => {
    throw new RunMdError("bad-config", `${sourceAt(source, key)}: "${key}" ${msg}`, {
      hint: "See docs/serve.md for the keys of the server: section.",
    });
  };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function str(v: unknown, key: string, fail: Fail): string {
  if (typeof v !== "string" || v === "") fail(key, "must be a non-empty string");
  return v as string;
}

function strList(v: unknown, key: string, fail: Fail): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x !== "")) {
    fail(key, "must be a list of strings");
  }
  return v as string[];
}

function int(v: unknown, key: string, fail: Fail, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(key, `must be an integer from ${min} to ${max}`);
  }
  return v as number;
}

function unknownKeys(m: Record<string, unknown>, known: string[], prefix: string, fail: Fail) {
  for (const k of Object.keys(m)) {
    if (!known.includes(k)) fail(`${prefix}${k}`, `is not a key (expected ${known.join(", ")})`);
  }
}

function parseAuth(raw: unknown, into: AuthConfig, fail: Fail): AuthConfig {
  if (raw === undefined) return into;
  if (!isMap(raw)) fail("server.auth", "must be a mapping");
  const m = raw as Record<string, unknown>;
  unknownKeys(m, AUTH_KEYS, "server.auth.", fail);
  const a: AuthConfig = { ...into };
  if (m.mode !== undefined) {
    if (!MODES.includes(m.mode as AuthMode))
      fail("server.auth.mode", `must be one of ${MODES.join(", ")}`);
    a.mode = m.mode as AuthMode;
  }
  for (const k of ["issuer", "clientId", "clientSecretEnv", "groupsClaim"] as const) {
    if (m[k] !== undefined) a[k] = str(m[k], `server.auth.${k}`, fail);
  }
  if (m.scopes !== undefined) a.scopes = strList(m.scopes, "server.auth.scopes", fail);
  if (m.groups !== undefined) a.groups = strList(m.groups, "server.auth.groups", fail);
  if (m.sessionTtl !== undefined) {
    const ms = parseDuration(str(m.sessionTtl, "server.auth.sessionTtl", fail));
    if (ms === undefined || ms <= 0)
      fail("server.auth.sessionTtl", "must be a duration such as 8h");
    a.sessionTtlMs = ms!;
  }
  if (a.mode === "oidc") {
    for (const k of ["issuer", "clientId"] as const) {
      if (a[k] === undefined) fail(`server.auth.${k}`, "is required when server.auth.mode is oidc");
    }
    if (!isHttpUrl(a.issuer!)) fail("server.auth.issuer", "must be an http(s) URL");
  }
  return a;
}

/**
 * Validates the `server:` section (undefined: all defaults). `source` names the file in
 * messages; relative paths are resolved against `base`.
 */
export function parseServerConfig(raw: unknown, source: ConfigSource, base: string): ServerConfig {
  const fail = failer(source);
  const cfg = defaultServerConfig(base);
  if (raw === undefined || raw === null) return cfg;
  if (!isMap(raw)) fail("server", "must be a mapping");
  const m = raw as Record<string, unknown>;
  unknownKeys(m, KEYS, "server.", fail);
  if (m.host !== undefined) cfg.host = str(m.host, "server.host", fail);
  if (m.port !== undefined) cfg.port = int(m.port, "server.port", fail, 0, 65535);
  if (m.concurrency !== undefined) {
    cfg.concurrency = int(m.concurrency, "server.concurrency", fail, 1, 64);
  }
  if (m.maskKey !== undefined) cfg.maskKey = str(m.maskKey, "server.maskKey", fail);
  if (m.keepRuns !== undefined) {
    const ms = parseDuration(str(m.keepRuns, "server.keepRuns", fail));
    // At most a century: a cut-off before any date JavaScript holds threw at the start.
    if (ms === undefined || ms < DAY_MS || ms > KEEP_RUNS_MAX_MS)
      fail("server.keepRuns", "must be a duration from 1d to 36500d, such as 180d");
    cfg.keepRunsMs = ms!;
  }
  for (const k of ["tokens", "audit", "runsDir", "siteDir", "budgets"] as const) {
    if (m[k] !== undefined) cfg[k] = path.resolve(base, str(m[k], `server.${k}`, fail));
  }
  if (m.publicUrl !== undefined) {
    const u = str(m.publicUrl, "server.publicUrl", fail);
    if (!isHttpUrl(u)) fail("server.publicUrl", "must be an http(s) URL");
    cfg.publicUrl = u.replace(/\/+$/, "");
  }
  if (m.trustProxy !== undefined) cfg.trustProxy = trustProxyOf(m.trustProxy, fail);
  if (m.bodyLimit !== undefined) {
    const bytes = parseBytes(str(m.bodyLimit, "server.bodyLimit", fail));
    if (bytes === undefined || bytes < 1000)
      fail("server.bodyLimit", "must be a size of at least 1KB");
    cfg.bodyLimit = bytes!;
  }
  cfg.auth = parseAuth(m.auth, cfg.auth, fail);
  return cfg;
}

/** 127.0.0.0/8, ::1 and `localhost`: addresses only this machine reaches. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.replace(/^::ffff:/, "");
  return a === "localhost" || a === "::1" || /^127\.\d+\.\d+\.\d+$/.test(a);
}
