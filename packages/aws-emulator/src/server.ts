/**
 * One HTTP server for the AWS JSON protocols (awsJson1_1): `POST /` with
 * `x-amz-target: <Prefix>.<Operation>`. Handler maps plug in by target prefix (`AmazonAthena`,
 * `Logs_20140328`); signatures are not checked. Calls are recorded for tests, within bounds.
 *
 * It listens on 127.0.0.1 only and answers only requests addressed to `127.0.0.1` or `localhost`
 * (a web page cannot reach it through DNS rebinding), reads at most `maxBodyBytes` of a body and
 * keeps the last `maxRecordedCalls` calls, so no client can make it hold unbounded memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExtraTable } from "@run-md/sql";
import { athenaHandlers } from "./athena.ts";
import { type AthenaBackend, localEngineBackend } from "./backend-local.ts";
import { type FaultConfig, type Handler, type RecordedCall, ServiceError } from "./context.ts";
import { logsHandlers } from "./logs.ts";
import { openContext } from "./open-context.ts";
import {
  handleS3Get,
  handleS3Put,
  handleSns,
  type PublishedMessage,
  type RecordCall,
  type StoredObject,
} from "./query.ts";
import { handleS3Dir, type S3DirFaults } from "./s3-dir.ts";
import { tableFromDdl } from "./table-ddl.ts";

export interface EmulatorOptions {
  /** The CloudTrail log directory the local engine reads. */
  logDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** Table names the queries may use for `cloudtrail_logs` (e.g. `security.cloudtrail_org_pp`). */
  tableAliases?: string[];
  /** Extra tables the queries may read next to cloudtrail_logs (`tables.extra`). */
  extraTables?: ExtraTable[];
  /**
   * The `CREATE EXTERNAL TABLE` statement of the table (its TBLPROPERTIES: partition projection)
   * that GetTableMetadata describes, under its own name and `tableAliases`. Without it, any
   * table is described without projection (partitions wherever the files are). The queries'
   * answers do not depend on it.
   */
  tableDdl?: string;
  /**
   * The partitions SHOW PARTITIONS lists for the DDL's table, Hive's names
   * (`region=us-east-1/year=2026/month=11/day=05`); without it, those of the log directory's
   * delivery folders. The queries' answers do not depend on them.
   */
  partitions?: string[];
  faults?: FaultConfig;
  /** Buckets served read-only from directories (ListObjectsV2, GetObject): name → directory. */
  s3Buckets?: Record<string, string>;
  /** Faults of those buckets (mutable through `Emulator.s3Faults`). */
  s3Faults?: S3DirFaults;
  /** Runs Athena queries; default: the local engine over `logDir`. */
  athenaBackend?: AthenaBackend;
  /** Largest request body read (default 1 MiB; Athena's own limit on a query is 256 KiB). */
  maxBodyBytes?: number;
  /** Calls kept in `calls`, the oldest dropped first (default 1,000). */
  maxRecordedCalls?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RECORDED_CALLS = 1000;
/** Bodies larger than this are recorded by their size only. */
export const RECORDED_BODY_BYTES = 64 * 1024;
/** `Host` values the emulator answers: this machine by address or name, any port. */
const LOCAL_HOST = /^(127\.0\.0\.1|localhost)(:\d+)?$/i;

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Every call received, in order (throttled ones included). */
  calls: RecordedCall[];
  /** Mutable: tests change faults between calls. */
  faults: FaultConfig;
  /** Calls of one operation (`StopQueryExecution` or `AmazonAthena.StopQueryExecution`). */
  callsOf(op: string): RecordedCall[];
  /** Messages published to SNS topics (any well-formed topic ARN is accepted). */
  published: PublishedMessage[];
  /** S3 objects put, by `bucket/key`. */
  objects: Map<string, StoredObject>;
  /** Faults of the directory buckets: tests change them between calls. */
  s3Faults: S3DirFaults;
  close(): Promise<void>;
}

const THROTTLE_ERROR: Record<string, { type: string; extra: Record<string, unknown> }> = {
  AmazonAthena: {
    type: "TooManyRequestsException",
    extra: { Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED" },
  },
  Logs_20140328: { type: "ThrottlingException", extra: {} },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": crypto.randomUUID(),
  });
  res.end(text);
}

class BodyTooLarge extends Error {}

/** The body, refusing one over `max` bytes without reading the rest. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > max) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off("data", onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * What a call is recorded with besides its body: who signed it, for which region (the credential
 * scope: `Credential=KEY/20261130/eu-west-1/athena/aws4_request`), and with a session token?
 */
function signer(req: IncomingMessage): {
  accessKeyId?: string;
  signingRegion?: string;
  sessionToken: boolean;
} {
  const auth = String(req.headers.authorization ?? "");
  const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(auth);
  const id = scope?.[1] ?? /Credential=([^/,\s]+)\//.exec(auth)?.[1];
  return {
    ...(id === undefined ? {} : { accessKeyId: id }),
    ...(scope?.[2] === undefined ? {} : { signingRegion: scope[2] }),
    sessionToken: req.headers["x-amz-security-token"] !== undefined,
  };
}

/** What serving a request needs: the recorder, the faults, the stores and the handler maps. */
interface ServerState {
  record(call: RecordedCall): void;
  maxBody: number;
  faults: FaultConfig;
  published: PublishedMessage[];
  objects: Map<string, StoredObject>;
  buckets: Record<string, string>;
  s3Faults: S3DirFaults;
  /** Handler maps by target prefix (`AmazonAthena`, `Logs_20140328`). */
  services: Record<string, Record<string, Handler>>;
}

/** An error answer after which the connection closes. */
function refuse(res: ServerResponse, status: number, type: string, message: string): void {
  res.setHeader("connection", "close");
  send(res, status, { __type: type, Message: message });
}

/** Refuses (403) a request addressed to another host name: true when refused. */
function refusedHost(req: IncomingMessage, res: ServerResponse): boolean {
  const host = String(req.headers.host ?? "");
  if (LOCAL_HOST.test(host)) return false;
  refuse(
    res,
    403,
    "AccessDeniedException",
    `Host "${host}" is not served: the emulator answers only 127.0.0.1 and localhost`,
  );
  return true;
}

/** The body, or undefined once a body over `max` bytes has been answered 413. */
async function bodyWithin(req: IncomingMessage, res: ServerResponse, max: number) {
  try {
    return await readBody(req, max);
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) throw e;
    refuse(res, 413, "RequestEntityTooLargeException", `The request body is over ${max} bytes`);
    res.on("finish", () => lingerThenClose(req));
    return undefined;
  }
}

/**
 * What a refused request may still send, discarded, after its answer (see lingerThenClose): far
 * more than the socket buffers between the client and this side can hold (several MiB on
 * loopback). With 1 MiB, a client whose buffered writes were still arriving got the reset before
 * it had read the 413 (ECONNRESET, seen once in a loaded test run). The time bound is the one
 * that matters, as in web servers' lingering close.
 */
const LINGER_BYTES = 64 * 1024 * 1024;
const LINGER_MS = 2_000;

/**
 * Closes the connection of a request whose body is not read, once its answer is out. Destroying
 * the socket at once would reset the connection while the client is still sending, and a reset
 * can reach the client before the answer does (it then sees ECONNRESET, not the 413): so, as web
 * servers do, this side is closed first and what still arrives is discarded, for at most
 * LINGER_BYTES or LINGER_MS, before the socket is destroyed. The body is still never kept.
 */
function lingerThenClose(req: IncomingMessage): void {
  const socket = req.socket;
  const stop = () => socket.destroy();
  const timer = setTimeout(stop, LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  let discarded = 0;
  req.on("data", (d: Buffer) => {
    discarded += d.length;
    if (discarded > LINGER_BYTES) stop();
  });
  req.resume();
  socket.end();
}

/**
 * S3 (REST) and SNS (query protocol), told apart from the JSON protocols by method and content
 * type: true when the request was one of theirs and is answered. Their handlers record their
 * calls; the record stays bounded.
 */
async function servedOther(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  state: ServerState,
): Promise<boolean> {
  const stores = {
    ...state,
    record: (c: Parameters<RecordCall>[0]) => state.record({ ...c, ...signer(req) }),
  };
  if (req.method === "GET") {
    const dir = { record: stores.record, buckets: state.buckets, faults: state.s3Faults };
    if (!(await handleS3Dir(req, res, dir))) handleS3Get(req, res, stores);
  } else if (req.method === "PUT") {
    handleS3Put(req, raw, res, stores);
  } else if (String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
    handleSns(new URLSearchParams(raw.toString("utf8")), res, stores);
  } else {
    return false;
  }
  return true;
}

/** A JSON protocol target, `<Prefix>.<Operation>`, in its parts. */
interface Target {
  target: string;
  service: string;
  op: string;
}

function parseTarget(req: IncomingMessage): Target {
  const target = String(req.headers["x-amz-target"] ?? "");
  const dot = target.lastIndexOf(".");
  if (dot < 0) return { target, service: "", op: target };
  return { target, service: target.slice(0, dot), op: target.slice(dot + 1) };
}

/**
 * Answers the injected throttling of an operation (keyed by the whole target or the operation),
 * if any is left: true when throttled.
 */
function throttled(res: ServerResponse, faults: FaultConfig, { target, service, op }: Target) {
  const throttle = faults.throttle;
  const key = throttle && (throttle[target] ?? 0) > 0 ? target : op;
  if (!throttle || (throttle[key] ?? 0) <= 0) return false;
  throttle[key] = (throttle[key] ?? 0) - 1;
  const t = THROTTLE_ERROR[service] ?? { type: "ThrottlingException", extra: {} };
  send(res, 400, { __type: t.type, Message: "Rate exceeded", ...t.extra });
  return true;
}

/** Runs a JSON protocol handler: its answer, its ServiceError, or a 500 for anything else. */
async function answer(res: ServerResponse, handler: Handler, body: Record<string, unknown>) {
  try {
    send(res, 200, (await handler(body)) ?? {});
  } catch (e) {
    if (e instanceof ServiceError) {
      send(res, e.status, { __type: e.type, Message: e.message, ...e.extra });
    } else {
      send(res, 500, {
        __type: "InternalServerException",
        Message: e instanceof Error ? e.message : String(e),
      });
    }
  }
}

/** A JSON protocol call (`POST /`, `x-amz-target: <Prefix>.<Operation>`), recorded first. */
async function serveJson(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  state: ServerState,
) {
  const t = parseTarget(req);
  let body: Record<string, unknown>;
  try {
    const text = raw.toString("utf8");
    body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    send(res, 400, { __type: "SerializationException", Message: "The body is not JSON" });
    return;
  }
  const recorded = raw.length > RECORDED_BODY_BYTES ? { notRecordedBytes: raw.length } : body;
  state.record({ ...t, body: recorded, time: Date.now(), ...signer(req) });
  const handler = req.method === "POST" ? state.services[t.service]?.[t.op] : undefined;
  if (!handler) {
    send(res, 400, { __type: "UnknownOperationException", Message: `Unknown ${t.target}` });
    return;
  }
  if (!throttled(res, state.faults, t)) await answer(res, handler, body);
}

async function serve(req: IncomingMessage, res: ServerResponse, state: ServerState) {
  if (refusedHost(req, res)) return;
  const raw = await bodyWithin(req, res, state.maxBody);
  if (raw === undefined) return;
  if (!(await servedOther(req, res, raw, state))) await serveJson(req, res, raw, state);
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const calls: RecordedCall[] = [];
  const maxCalls = opts.maxRecordedCalls ?? DEFAULT_MAX_RECORDED_CALLS;
  const faults: FaultConfig = opts.faults ?? {};
  const validateSql = opts.athenaBackend === undefined;
  const table = opts.tableDdl === undefined ? undefined : tableFromDdl(opts.tableDdl);
  const context = openContext({
    ...opts,
    validateSql,
    faults,
    calls,
    ...(table === undefined ? {} : { table }),
  });
  const athenaBackend = opts.athenaBackend ?? localEngineBackend(context.ctx);
  const state: ServerState = {
    record(call) {
      calls.push(call);
      if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
    },
    maxBody: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    faults,
    published: [],
    objects: new Map(),
    buckets: opts.s3Buckets ?? {},
    s3Faults: opts.s3Faults ?? {},
    services: {
      AmazonAthena: athenaHandlers(context.ctx, async () => athenaBackend),
      Logs_20140328: logsHandlers(context.ctx),
    },
  };
  // A request whose body cannot be read (the client went away) only ends its connection.
  const server = createServer((req, res) => void serve(req, res, state).catch(() => req.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    calls,
    faults,
    callsOf: (name) => calls.filter((c) => c.op === name || c.target === name),
    published: state.published,
    objects: state.objects,
    s3Faults: state.s3Faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await athenaBackend.close();
      await context.close();
    },
  };
}
