/**
 * A real server for the tests: `startServer` on 127.0.0.1:0 over a temporary folder (audit log,
 * tokens, runs, reports), running runbooks on the real local engine over the shared sample data.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AuditEntry, parseAccessConfig, TokenStore } from "@run-md/access";
import { type Engine, RunMdError } from "@run-md/core";
import { createLocalEngine } from "@run-md/engine-local";
import { afterAll, beforeAll, expect, inject } from "vitest";
import {
  type AuthConfig,
  type GovernanceOptions,
  parseServerConfig,
  type RunningServer,
  type RunSettings,
  type ServerConfig,
  type ServerOptions,
  startServer,
} from "../src/index.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

export interface TestServerOptions {
  /** The `access:` section as YAML would give it. */
  access?: unknown;
  auth?: Partial<AuthConfig>;
  server?: Partial<ServerConfig>;
  runbooks?: string[];
  /** Tokens made before the start: name → groups (and an optional expiry). */
  tokens?: Record<string, { groups: string[]; expiresAt?: Date; user?: string }>;
  logDir?: string;
  /** Reuse a folder (a restart); default a new temporary one. */
  dir?: string;
  heartbeatMs?: number;
  /** How long a client may take to send a whole request (ServerOptions). */
  requestTimeoutMs?: number;
  /** Governance (approvals' clock and webhooks): see src/governance/index.ts. */
  governance?: GovernanceOptions;
  /** Engines besides the local one (an Athena engine on the emulator), by name. */
  engines?: Record<string, Engine>;
  /** More run settings (maxScanBytes, configEngines). */
  run?: Partial<RunSettings>;
  hooks?: ServerOptions["hooks"];
  /** Where the server's warnings go (default: nowhere). */
  warn?: (msg: string) => void;
  refusalLimits?: ServerOptions["refusalLimits"];
}

export interface TestServer {
  url: string;
  dir: string;
  server: RunningServer;
  config: ServerConfig;
  tokens: Record<string, string>;
  tokenStore: TokenStore;
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** The local engine, opened once per server (as the CLI's pool does), one DuckDB thread. */
function enginePool(logDir: string, others: Record<string, Engine> = {}) {
  let engine: Promise<Engine> | undefined;
  return {
    get(name: string): Promise<Engine> {
      if (Object.hasOwn(others, name)) return Promise.resolve(others[name]!);
      if (name !== "local") throw new RunMdError("unknown-engine", `no engine "${name}" in tests`);
      engine ??= createLocalEngine({ logDir, threads: 1 });
      return engine;
    },
    async close() {
      if (engine) await (await engine).close();
    },
  };
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dir = o.dir ?? (await mkdtemp(path.join(tmpdir(), "run-md-server-")));
  const config = parseServerConfig({ port: 0 }, "test", dir);
  Object.assign(config, o.server ?? {});
  config.auth = { ...config.auth, ...o.auth };
  const tokenStore = new TokenStore(config.tokens);
  const tokens: Record<string, string> = {};
  for (const [name, t] of Object.entries(o.tokens ?? {})) {
    tokens[name] = (await tokenStore.create({ name, ...t })).token;
  }
  const pool = enginePool(o.logDir ?? inject("sampleData").incidents, o.engines);
  const server = await startServer({
    config,
    access: parseAccessConfig(o.access, "test"),
    runbooks: o.runbooks ?? [path.join(REPO, "runbooks")],
    run: {
      getEngine: (n) => pool.get(n),
      reportsDir: path.join(dir, "reports"),
      toolVersion: "test",
      ...o.run,
    },
    ...(o.governance === undefined ? {} : { governance: o.governance }),
    warn: o.warn ?? (() => {}),
    ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
    ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
    ...(o.hooks === undefined ? {} : { hooks: o.hooks }),
    ...(o.refusalLimits === undefined ? {} : { refusalLimits: o.refusalLimits }),
  });
  return {
    url: server.url,
    dir,
    server,
    config,
    tokens,
    tokenStore,
    audit: () => server.audit.read({ limit: 10_000 }),
    async close() {
      await server.close();
      await pool.close();
      if (o.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A test file's server, once its `beforeAll` has started it; `ops` is the token of that name. */
export type FileServer = TestServer & { readonly ops: string };

/**
 * A fixture server of `runbooksDir` for two callers who may run with their own parameters:
 * `ops`, and `con`, for whom `sourceipaddress` is masked (redact).
 */
export function maskedParamsServer(runbooksDir: string): FileServer {
  return fixtureServer({
    runbooks: [runbooksDir],
    access: {
      rules: [{ groups: ["ops", "con"], allow: ["view", "run", "run:params"] }],
      masking: [{ groups: ["con"], columns: ["sourceipaddress"], strategy: "redact" }],
    },
    tokens: {
      ops: { groups: ["ops"], user: "ops@example.com" },
      con: { groups: ["con"], user: "con@example.com" },
    },
  });
}

/**
 * The server most API test files share: the fixture runbooks and a token `ops`
 * (ops@example.com, group ops), with `options` adding to or replacing these (a function is
 * called at the start, after the file's own earlier `beforeAll`). Started before the file's
 * tests and closed after them; the object returned is filled in by the start, so the tests use
 * it as the server itself.
 */
export function fixtureServer(
  options: TestServerOptions | (() => TestServerOptions) = {},
): FileServer {
  let started: TestServer | undefined;
  const server = {
    get ops(): string {
      return started!.tokens.ops!;
    },
  } as FileServer;
  beforeAll(async () => {
    const o = typeof options === "function" ? options() : options;
    const tokens = { ops: { groups: ["ops"], user: "ops@example.com" } };
    started = await startTestServer({ runbooks: [FIXTURES], tokens, ...o });
    Object.assign(server, started);
  });
  afterAll(async () => started?.close());
  return server;
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: an answer as parsed JSON
  body: any;
}

/** What a request sends: its own headers, and the token as a bearer token. */
interface Sent {
  token?: string;
  headers?: Record<string, string>;
}

function withToken(o: Sent): Record<string, string> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  return headers;
}

/** One HTTP request; `token` sends a bearer token, `body` JSON (a string is sent as is). */
export async function call(
  url: string,
  o: Sent & { method?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers = withToken(o);
  if (o.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(url, {
    method: o.method ?? (o.body === undefined ? "GET" : "POST"),
    headers,
    redirect: "manual",
    ...(o.body === undefined
      ? {}
      : { body: typeof o.body === "string" ? o.body : JSON.stringify(o.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json")) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

export interface SseEvent {
  id?: number;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: an event as parsed JSON
  data: any;
}

/**
 * Reads a run's event stream until it ends (after `run-end`) or `stopAfter` events came; keeps
 * heartbeat comments apart. `lastEventId` resumes as a reconnecting EventSource would.
 */
export async function readEvents(
  url: string,
  o: Sent & { lastEventId?: number; stopAfter?: number } = {},
): Promise<{ events: SseEvent[]; comments: string[]; contentType: string | null }> {
  const headers = withToken(o);
  if (o.lastEventId !== undefined) headers["last-event-id"] = String(o.lastEventId);
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        parseBlock(block, events, comments);
        cut = buffer.indexOf("\n\n");
      }
      if (o.stopAfter !== undefined && events.length >= o.stopAfter) break;
    }
  } finally {
    controller.abort();
  }
  return { events, comments, contentType: res.headers.get("content-type") };
}

function parseBlock(block: string, events: SseEvent[], comments: string[]): void {
  const ev: SseEvent = { event: "message", data: undefined };
  let data: string | undefined;
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) comments.push(line.slice(1).trim());
    else if (line.startsWith("id: ")) ev.id = Number(line.slice(4));
    else if (line.startsWith("event: ")) ev.event = line.slice(7);
    else if (line.startsWith("data: ")) data = line.slice(6);
  }
  if (data !== undefined) {
    ev.data = JSON.parse(data);
    events.push(ev);
  }
}

/** Polls a run until it leaves queued/running (bounded). */
export async function waitForEnd(
  t: TestServer,
  id: string,
  token: string,
  ms = 60_000,
  // biome-ignore lint/suspicious/noExplicitAny: a run as parsed JSON
): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await call(`${t.url}/api/runs/${id}`, { token });
    if (!["queued", "running", "pending-approval"].includes(r.body.status)) return r.body;
    if (Date.now() > until) throw new Error(`run ${id} still ${r.body.status} after ${ms} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Waits until `fn` gives a value (a condition, never a fixed sleep): that value, or it times out. */
export async function until<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a webhook receiver was sent. */
export interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A webhook receiver on loopback for a file's tests (the approvers' messages), answering 204:
 * started before them and closed after them. Call it before `fixtureServer`: its hooks then run
 * around the server's (closed after it).
 */
export function webhookReceiver(): { received: Received[]; url: () => string } {
  const received: Received[] = [];
  let hook: Server | undefined;
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ body, headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook!.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await new Promise((r) => hook?.close(r));
  });
  return { received, url: () => `http://127.0.0.1:${(hook!.address() as { port: number }).port}` };
}

/** The tokens of the masking tests: `ops` runs with parameters, `con` only views. */
export const OPS_AND_CON = {
  ops: { groups: ["ops"], user: "ops@example.com" },
  con: { groups: ["con"], user: "con@example.com" },
};

/** The `access:` of the masking tests: `ops` runs with parameters, `con` views under `masking`. */
export function opsAndMaskedCon(masking: unknown[]): unknown {
  return {
    rules: [
      { groups: ["ops"], allow: ["view", "run", "run:params"] },
      { groups: ["con"], allow: ["view"] },
    ],
    masking,
  };
}

/** Asks for a run as the token `ops` and waits for its end; its id. */
export async function runAsOps(t: TestServer, body: Record<string, unknown>): Promise<string> {
  const r = await call(`${t.url}/api/runs`, { token: t.tokens.ops!, body });
  expect(r.status).toBe(202);
  await waitForEnd(t, r.body.id, t.tokens.ops!);
  return r.body.id;
}
