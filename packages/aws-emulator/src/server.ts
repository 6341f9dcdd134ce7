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
import {
  type EmulatorContext,
  type FaultConfig,
  type Handler,
  type RecordedCall,
  ServiceError,
} from "./context.ts";
import { logsHandlers } from "./logs.ts";
import {
  handleS3Get,
  handleS3Put,
  handleSns,
  type PublishedMessage,
  type RecordCall,
  type StoredObject,
} from "./query.ts";
import { handleS3Dir, type S3DirFaults } from "./s3-dir.ts";

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

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const calls: RecordedCall[] = [];
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxCalls = opts.maxRecordedCalls ?? DEFAULT_MAX_RECORDED_CALLS;
  const record = (call: RecordedCall) => {
    calls.push(call);
    if (calls.length > maxCalls) calls.splice(0, calls.length - maxCalls);
  };
  const faults: FaultConfig = opts.faults ?? {};
  const published: PublishedMessage[] = [];
  const objects = new Map<string, StoredObject>();
  const buckets = opts.s3Buckets ?? {};
  const s3Faults: S3DirFaults = opts.s3Faults ?? {};
  let enginePromise: Promise<{ close(): Promise<void> }> | undefined;
  const ctx: EmulatorContext = {
    logDir: opts.logDir,
    tableAliases: opts.tableAliases ?? [],
    extraTables: opts.extraTables ?? [],
    validateSql: opts.athenaBackend === undefined,
    faults,
    calls,
    localEngine() {
      enginePromise ??= import("@run-md/engine-local").then(
        (m) =>
          (
            m as unknown as {
              createLocalEngine(o: {
                logDir: string;
                tableAliases: string[];
                extraTables: ExtraTable[];
              }): unknown;
            }
          ).createLocalEngine({
            logDir: opts.logDir,
            tableAliases: opts.tableAliases ?? [],
            extraTables: opts.extraTables ?? [],
          }) as Promise<{ close(): Promise<void> }>,
      );
      return enginePromise;
    },
  };
  const athenaBackend = opts.athenaBackend ?? localEngineBackend(ctx);
  const services: Record<string, Record<string, Handler>> = {
    AmazonAthena: athenaHandlers(ctx, async () => athenaBackend),
    Logs_20140328: logsHandlers(ctx),
  };

  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const dot = target.lastIndexOf(".");
      const service = dot < 0 ? "" : target.slice(0, dot);
      const op = dot < 0 ? target : target.slice(dot + 1);
      if (!LOCAL_HOST.test(String(req.headers.host ?? ""))) {
        res.setHeader("connection", "close");
        send(res, 403, {
          __type: "AccessDeniedException",
          Message: `Host "${String(req.headers.host ?? "")}" is not served: the emulator answers only 127.0.0.1 and localhost`,
        });
        return;
      }
      let body: Record<string, unknown> = {};
      let raw: Buffer;
      try {
        raw = await readBody(req, maxBody);
      } catch (e) {
        if (!(e instanceof BodyTooLarge)) throw e;
        res.setHeader("connection", "close");
        send(res, 413, {
          __type: "RequestEntityTooLargeException",
          Message: `The request body is over ${maxBody} bytes`,
        });
        // The rest of the body is never read: close the connection once the answer is out.
        res.on("finish", () => req.socket.destroy());
        return;
      }
      // S3 (REST) and SNS (query protocol) are told apart from the JSON protocols by method
      // and content type. Their handlers record their calls; keep the record bounded.
      const state = {
        record: (c: Parameters<RecordCall>[0]) => record({ ...c, ...signer(req) }),
        faults,
        published,
        objects,
      };
      const other =
        req.method === "PUT"
          ? () => handleS3Put(req, raw, res, state)
          : req.method === "GET"
            ? () => handleS3Get(req, res, state)
            : String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")
              ? () => handleSns(new URLSearchParams(raw.toString("utf8")), res, state)
              : undefined;
      if (
        req.method === "GET" &&
        (await handleS3Dir(req, res, { record: state.record, buckets, faults: s3Faults }))
      )
        return;
      if (other) {
        other();
        return;
      }
      const bytes = raw.length;
      try {
        const text = raw.toString("utf8");
        body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        send(res, 400, { __type: "SerializationException", Message: "The body is not JSON" });
        return;
      }
      record({
        target,
        service,
        op,
        body: bytes > RECORDED_BODY_BYTES ? { notRecordedBytes: bytes } : body,
        time: Date.now(),
        ...signer(req),
      });
      const handler = req.method === "POST" ? services[service]?.[op] : undefined;
      if (!handler) {
        send(res, 400, { __type: "UnknownOperationException", Message: `Unknown ${target}` });
        return;
      }
      const throttle = faults.throttle;
      const key = throttle && (throttle[target] ?? 0) > 0 ? target : op;
      if (throttle && (throttle[key] ?? 0) > 0) {
        throttle[key] = (throttle[key] ?? 0) - 1;
        const t = THROTTLE_ERROR[service] ?? { type: "ThrottlingException", extra: {} };
        send(res, 400, { __type: t.type, Message: "Rate exceeded", ...t.extra });
        return;
      }
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
    })();
  });

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
    published,
    objects,
    s3Faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await athenaBackend.close();
      if (enginePromise) await (await enginePromise.catch(() => undefined))?.close();
    },
  };
}
