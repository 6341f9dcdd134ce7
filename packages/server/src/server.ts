/**
 * `startServer`: checks the token store, opens the audit log, recovers interrupted runs (runs
 * waiting for approval keep waiting), audits the start, then listens. The CLI's `serve` command
 * calls it with the configuration and its engine pool; tests call it directly.
 */

import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { AccessConfig } from "@run-md/access";
import { AuditLog, TokenStore } from "@run-md/access";
import { holdFileLock, RunMdError } from "@run-md/core";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { Auditor, SERVER_ACTOR } from "./audit.ts";
import { Catalog, type QueryProblems } from "./catalog.ts";
import { fastifyTrustProxy, isLoopback, type ServerConfig, trustsAProxy } from "./config.ts";
import { type RowsHook, refuseUnsigned, type ServerContext } from "./context.ts";
import { Governance, type GovernanceOptions } from "./governance/index.ts";
import { Guard } from "./guard.ts";
import { SECURITY_HEADERS } from "./headers.ts";
import { clipped, HttpError } from "./http-error.ts";
import { Identifier, type Identity } from "./identity/identify.ts";
import { OidcSignIn } from "./identity/oidc.ts";
import { RefusalAudit, type RefusalLimits } from "./identity/refusals.ts";
import { SessionStore } from "./identity/sessions.ts";
import { tokenLapsed, tokenStands } from "./identity/token-stands.ts";
import { maskedGrants } from "./masked-grants.ts";
import { apiRoutes } from "./routes/api.ts";
import { approvalRoutes } from "./routes/approvals.ts";
import { authRoutes } from "./routes/auth.ts";
import { eventRoutes } from "./routes/events.ts";
import { maskedPageRoutes } from "./routes/masked-pages.ts";
import { queryRoutes } from "./routes/query.ts";
import { runRoutes } from "./routes/runs.ts";
import { siteRoutes } from "./routes/site.ts";
import { type RunHooks, RunManager, type RunSettings } from "./runs/manager.ts";
import { RunRetention } from "./runs/retention.ts";
import { selectorNearMisses } from "./selectors.ts";

export interface ServerOptions {
  config: ServerConfig;
  access: AccessConfig;
  /** Runbook files or folders to serve. */
  runbooks: string[];
  run: RunSettings;
  /** Hooks that replace governance's (approvals, budgets, masking: spec §6, §8). */
  hooks?: RunHooks & { rowsFor?: RowsHook };
  /** Governance settings: the clock, the approvers' webhooks (governance/index.ts). */
  governance?: GovernanceOptions;
  /** Problems of the runbooks' queries that keep a runbook from being served (catalog.ts). */
  queryProblems?: QueryProblems;
  /** Warnings (unreadable records, runbooks left out); default stderr. */
  warn?: (msg: string) => void;
  /** SSE heartbeat period (default 15 s). */
  heartbeatMs?: number;
  /** How long a client may take to send a whole request (default `REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs?: number;
  /** How many refusals before sign-in are audited one by one (identity/refusals.ts). */
  refusalLimits?: RefusalLimits;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  runs: RunManager;
  /** The audit log in use (another one once a failed log is repaired: audit.ts). */
  readonly audit: AuditLog;
  /**
   * How many runs the start found queued or running (or waiting for approval where the restarted
   * server's rules no longer let them wait: `Approvals.resume`) and marked interrupted; runs
   * waiting for approval otherwise keep waiting.
   */
  interrupted: number;
  close(): Promise<void>;
}

/**
 * How long a client may take to send its whole request, headers and body: far more than 64 KB
 * takes on any line, far less than a connection held open to tie the server up.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** How deep a request's JSON may nest: far more than any request of the API has. */
const MAX_JSON_DEPTH = 32;

/** The deepest nesting of arrays and objects in JSON text that parses (no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** JSON that parses, but holds a key Fastify refuses (prototype poisoning). */
const FORBIDDEN_KEY =
  'the body holds a "__proto__" or "constructor.prototype" key, which is not allowed';

function errorHandler(error: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) return reply.code(error.status).send(error.body());
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own: malformed JSON (400), body too large (413), unsupported media type (415).
    const message =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? "the request body is larger than server.bodyLimit"
        : error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
          ? `the body is not valid JSON: ${error.message}`
          : error.message;
    return reply.code(status).send({ error: message, code: error.code });
  }
  // The client learns nothing of it; the operator does (Fastify's logger is off: it was lost).
  const where = clipped(req.url.split("?")[0] ?? "");
  process.stderr.write(`error ${req.method} ${where}: ${error.stack ?? error.message}\n`);
  return reply.code(500).send({ error: "internal error" });
}

/**
 * A method and path no route serves (`OPTIONS /api/runs`, `DELETE /`): 404 in the errors' shape,
 * not Fastify's own. The site answers every other GET (routes/site.ts).
 */
function notFound(req: FastifyRequest, reply: FastifyReply) {
  const where = clipped(req.url.split("?")[0] ?? "");
  return reply.code(404).send({ error: `no route ${req.method} ${where}`, code: "not-found" });
}

/** Refuses an authentication mode the address or the port cannot support. */
function checkAuth(config: ServerConfig): void {
  if (config.auth.mode === "none" && !isLoopback(config.host)) {
    throw new RunMdError(
      "bad-config",
      `server.auth.mode none is refused on ${config.host}: it binds to loopback only`,
      { hint: "Use --host 127.0.0.1, or server.auth.mode oidc or token." },
    );
  }
  // A proxy in front, or an address others reach it at, serves people who are not the machine's
  // user: behind a proxy on the same host every request comes from loopback, so `none` would
  // make each of them the local user (review).
  const proxied = trustsAProxy(config.trustProxy);
  const remoteUrl =
    config.publicUrl !== undefined &&
    !isLoopback(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, ""));
  if (config.auth.mode === "none" && (proxied || remoteUrl)) {
    throw new RunMdError(
      "bad-config",
      `server.auth.mode none is refused with ${proxied ? "server.trustProxy" : `server.publicUrl ${config.publicUrl}`}: behind a proxy or at a public address, every client would be the local user`,
      { hint: "Use server.auth.mode oidc or token for a server others reach." },
    );
  }
  if (config.auth.mode === "oidc" && config.port === 0 && config.publicUrl === undefined) {
    throw new RunMdError(
      "bad-config",
      "server.auth.mode oidc needs a fixed port or server.publicUrl",
      {
        hint: "The provider redirects to <publicUrl>/auth/callback, which must be known before the start.",
      },
    );
  }
}

/** What the routes share, with governance joined to the run manager through its hooks. */
async function openContext(
  opts: ServerOptions,
  audit: AuditLog,
  publicUrl: () => string,
  warn: (msg: string) => void,
): Promise<{ ctx: ServerContext; gov: Governance }> {
  const { config } = opts;
  const auditor = new Auditor(audit, { warn });
  const catalog = await Catalog.load(opts.runbooks, warn, opts.queryProblems);
  for (const w of selectorNearMisses(opts.access, catalog)) warn(w);
  for (const w of maskedGrants(opts.access)) warn(w);
  const gov = await Governance.open(
    { access: opts.access, config, auditor, catalog, run: opts.run, publicUrl, warn },
    opts.governance,
  );
  const tokens = new TokenStore(config.tokens);
  const hooks = { ...gov.hooks, ...opts.hooks };
  const runs = new RunManager(config.runsDir, config.concurrency, opts.run, auditor, {
    ...hooks,
    beforeStart: async (rec) => {
      await tokenStands(tokens, rec);
      await hooks.beforeStart?.(rec);
    },
    stands: async (rec) => (await tokenLapsed(tokens, rec)) ?? (await hooks.stands?.(rec)),
  });
  gov.attach(runs);
  const sessions = new SessionStore(config.auth.sessionTtlMs);
  const refusals = new RefusalAudit(auditor, opts.refusalLimits);
  const ctx: ServerContext = {
    config,
    catalog,
    guard: new Guard(opts.access, auditor, catalog),
    auditor,
    identifier: new Identifier(config.auth, tokens, sessions, refusals, config.publicUrl, warn),
    refusals,
    sessions,
    runs,
    reportsDir: opts.run.reportsDir,
    rowsFor: opts.hooks?.rowsFor ?? gov.rowsFor,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    ...(config.auth.mode === "oidc"
      ? { oidc: await OidcSignIn.discover(config.auth, `${publicUrl()}/auth/callback`) }
      : {}),
  };
  return { ctx, gov };
}

/**
 * The security headers on every answer (headers.ts). No cache keeps an API answer (/api/me
 * holds the CSRF token, a run its rows, the audit log its entries): `no-store` on every one,
 * errors too, unless its route says otherwise. The event stream writes its own headers, these
 * among them.
 */
function responseHeaders(req: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  if (req.url.startsWith("/api/") && !reply.hasHeader("cache-control")) {
    reply.header("cache-control", "no-store");
  }
}

/** The Fastify app: every request identified first, then the routes. */
async function buildApp(
  ctx: ServerContext,
  gov: Governance,
  opts: ServerOptions,
): Promise<FastifyInstance> {
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    bodyLimit: ctx.config.bodyLimit,
    trustProxy: fastifyTrustProxy(ctx.config.trustProxy),
    logger: false,
    // A request sent by halves is answered 408 and its connection closed once this passes
    // (Node checks at an interval): red-team, 200 anonymous half-sent bodies stayed open for
    // good. The stop closes every connection, not only idle ones: a client that never finished
    // its request kept `close()` (SIGTERM) waiting for it.
    // Given to Node's server too, at its creation: its headers' timeout is then no longer than
    // the request's (set afterwards only, a headers' timeout longer than it kept the check off).
    requestTimeout,
    http: {
      requestTimeout,
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, requestTimeout / 4)),
    },
    forceCloseConnections: true,
  });
  app.decorateRequest("identity", null as unknown as Identity);
  app.addHook("onRequest", async (req) => {
    req.identity = await ctx.identifier.identify(req);
    await refuseUnsigned(ctx, req);
  });
  // An empty JSON body is no body (a client library that always sends the JSON content type can
  // still cancel, which takes none); anything else is Fastify's own parse, its guard against
  // `__proto__` and `constructor.prototype` keys included.
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const text = String(body);
    if (text === "") return done(null, undefined);
    try {
      JSON.parse(text);
    } catch (e) {
      const message = `the body is not valid JSON: ${(e as Error).message}`;
      return done(new HttpError(400, message, { code: "bad-json" }), undefined);
    }
    // No request of the API nests deeper; a body that does (10 KB of `[`) overflowed the stack
    // of what describes it later: a 500 (red-team).
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      const message = `the body nests deeper than ${MAX_JSON_DEPTH} levels`;
      return done(new HttpError(400, message, { code: "bad-json" }), undefined);
    }
    json(req, text, (err, value) =>
      err
        ? done(new HttpError(400, FORBIDDEN_KEY, { code: "bad-json" }), undefined)
        : done(null, value),
    );
  });
  app.addHook("onSend", async (req, reply, payload) => {
    responseHeaders(req, reply);
    return payload;
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFound);
  apiRoutes(app, ctx);
  runRoutes(app, ctx);
  eventRoutes(app, ctx);
  approvalRoutes(app, ctx, gov);
  queryRoutes(app, ctx, gov, opts.run);
  maskedPageRoutes(app, ctx, opts.access);
  authRoutes(app, ctx);
  await siteRoutes(app, ctx);
  return app;
}

/**
 * Starts the server. Before it touches any state, it takes its run records' folder for itself
 * (a second server on the same folder would mark the first one's runs interrupted at its start)
 * and checks that its port is free and its tokens file readable; everything it opened is closed
 * again if the start fails.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config } = opts;
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`warning ${m}\n`));
  checkAuth(config);
  if (opts.access.rules.every((r) => r.allow.length === 0))
    warn(
      "no access rule allows anything (access.rules): every request will be refused (docs/serve.md, Writing rules)",
    );
  const release = await holdRunsDir(config.runsDir);
  try {
    await portIsFree(config.host, config.port);
    await tokensReadable(config);
    return await listening(opts, warn, release);
  } catch (e) {
    await release();
    throw e;
  }
}

/** Takes the run records' folder for this server (`server.lock` in it) until it closes. */
async function holdRunsDir(runsDir: string): Promise<() => Promise<void>> {
  await mkdir(runsDir, { recursive: true });
  return holdFileLock(
    path.join(runsDir, "server.lock"),
    (pid) =>
      new RunMdError("server-running", `another run-md serve (process ${pid}) uses ${runsDir}`, {
        hint: "Stop that server first, or give this one its own server.runsDir.",
      }),
  );
}

/**
 * The tokens file can be read (a missing one holds no tokens): one that cannot, or is no tokens
 * file, stops the start with `tokens-unreadable` or `tokens-invalid` naming it, rather than
 * every request with a token failing once the server listens. `none` mode reads no tokens.
 */
async function tokensReadable(config: ServerConfig): Promise<void> {
  if (config.auth.mode === "none") return;
  await new TokenStore(config.tokens).list();
}

/** Whether the server can listen on `host:port`, found by listening there for a moment. */
async function portIsFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (e) => reject(listenError(e, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A failure to listen, said as a user error: the port taken, not permitted, no such address. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EADDRINUSE: "something else listens there",
    EACCES: "this user may not listen on that port",
    EADDRNOTAVAIL: `${host} is not an address of this machine`,
    ENOTFOUND: `no address is known for the name ${host}`,
    EAI_AGAIN: `the name ${host} could not be looked up now`,
  };
  if (code === undefined || !Object.hasOwn(why, code)) return e;
  return new RunMdError(
    "cannot-listen",
    `cannot listen on ${host}:${port}: ${why[code]} (${code})`,
  );
}

async function listening(
  opts: ServerOptions,
  warn: (m: string) => void,
  release: () => Promise<void>,
): Promise<RunningServer> {
  const { config } = opts;
  const audit = await AuditLog.open(config.audit);
  // Port 0 picks a free port at the start: links (approval requests) name the real one.
  let publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  let opened: Awaited<ReturnType<typeof openContext>> | undefined;
  let app: FastifyInstance | undefined;
  try {
    opened = await openContext(opts, audit, () => publicUrl, warn);
    const { ctx, gov } = opened;
    const interrupted = await ctx.runs.recover(warn, (rec) => gov.approvals.resume(rec));
    await ctx.auditor.record(SERVER_ACTOR, "server.start", undefined, {
      host: config.host,
      port: config.port,
      auth: config.auth.mode,
      runbooks: ctx.catalog.all().length,
      pid: process.pid,
    });
    // Requests that waited past their TTL while no server ran end now, not at the first sweep.
    await gov.approvals.expireDue();
    const retention = keepRuns(ctx, config, warn);
    await retention?.sweep();
    app = await buildApp(ctx, gov, opts);
    // Taken since portIsFree looked, the port fails here: nothing was served.
    const address = await app.listen({ host: config.host, port: config.port }).catch((e) => {
      throw listenError(e, config.host, config.port);
    });
    publicUrl = config.publicUrl ?? address;
    // Logs of ended runs a server before this one kept in their records: to their own files,
    // in the background (a write and a sync each), so the start does not wait for them.
    void ctx.runs.store.split(warn);
    retention?.start();
    return running({ url: address, app, ctx, gov, interrupted, release, retention });
  } catch (e) {
    opened?.gov.close();
    await app?.close();
    await opened?.ctx.refusals.close();
    await (opened?.ctx.auditor ?? audit).close();
    throw e;
  }
}

/** `server.keepRuns`'s removals of ended runs, or undefined when every run is kept. */
function keepRuns(
  ctx: ServerContext,
  config: ServerConfig,
  warn: (m: string) => void,
): RunRetention | undefined {
  if (config.keepRunsMs === undefined) return undefined;
  return new RunRetention(ctx.runs.store, ctx.auditor, { keepMs: config.keepRunsMs, warn });
}

/** The started server, and its stop. */
function running(s: {
  url: string;
  app: FastifyInstance;
  ctx: ServerContext;
  gov: Governance;
  interrupted: number;
  release: () => Promise<void>;
  retention: RunRetention | undefined;
}): RunningServer {
  const { app, ctx, gov } = s;
  let stopping: Promise<void> | undefined;
  return {
    url: s.url,
    app,
    runs: ctx.runs,
    get audit() {
      return ctx.auditor.log;
    },
    interrupted: s.interrupted,
    close() {
      stopping ??= (async () => {
        gov.close();
        await s.retention?.stop();
        // Runs first: a running run is cancelled, and the clients following it receive its
        // `run-end` before the streams close; then the app, whose `preClose` hook ends the
        // streams still open (routes/events.ts), so it does not wait for them. Once only.
        await ctx.runs.shutdown();
        await app.close();
        await ctx.refusals.close();
        await ctx.auditor.close();
        await s.release();
      })();
      return stopping;
    },
  };
}
