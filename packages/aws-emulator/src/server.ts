/**
 * One HTTP server for the AWS JSON protocols (awsJson1_1): `POST /` with
 * `x-amz-target: <Prefix>.<Operation>`. Handler maps plug in by target prefix (`AmazonAthena`,
 * `Logs_20140328`); signatures are not checked. Every call is recorded for tests.
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
import { handleS3Dir, type S3DirFaults } from "./s3-dir.ts";
import {
  handleS3Get,
  handleS3Put,
  handleSns,
  type PublishedMessage,
  type StoredObject,
} from "./query.ts";

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
}

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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const calls: RecordedCall[] = [];
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
      let body: Record<string, unknown> = {};
      const raw = await readBody(req);
      // S3 (REST) and SNS (query protocol) are told apart from the JSON protocols by method
      // and content type.
      if (req.method === "PUT") return handleS3Put(req, raw, res, { calls, objects });
      if (
        req.method === "GET" &&
        (await handleS3Dir(req, res, { calls, buckets, faults: s3Faults }))
      )
        return;
      if (req.method === "GET") return handleS3Get(req, res, { calls, objects });
      if (String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
        return handleSns(new URLSearchParams(raw.toString("utf8")), res, {
          calls,
          faults,
          published,
        });
      }
      try {
        const text = raw.toString("utf8");
        body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        send(res, 400, { __type: "SerializationException", Message: "The body is not JSON" });
        return;
      }
      calls.push({ target, service, op, body, time: Date.now() });
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
