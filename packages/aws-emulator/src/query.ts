/**
 * The non-JSON protocols the emulator speaks besides Athena and CloudWatch Logs: Amazon SNS
 * (the AWS query protocol: a form-encoded POST, an XML answer) and Amazon S3 PutObject (REST,
 * path-style `PUT /bucket/key`). Enough for run-md's escalations (SNS Publish) and report
 * publishing (S3 PutObject), tested through the real SDK clients.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultConfig, RecordedCall } from "./context.ts";
import { s3Address, sendNoSuchKey, sendS3Error, sendXml, xml } from "./xml.ts";

/** Records a call; the server adds who signed it and keeps the record bounded. */
export type RecordCall = (call: Omit<RecordedCall, "accessKeyId" | "sessionToken">) => void;

/** The record of an S3 call. */
export function s3Call(op: string, body: Record<string, unknown>): Parameters<RecordCall>[0] {
  return { target: `S3.${op}`, service: "S3", op, body, time: Date.now() };
}

const SNS_NS = "https://sns.amazonaws.com/doc/2010-03-31/";
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

export interface PublishedMessage {
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
}

export interface StoredObject {
  body: Buffer;
  contentType?: string;
  /** Set when the object is put (a fresh one each time, as S3's changes with the content). */
  etag?: string;
}

function snsError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    status,
    `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    "text/xml",
  );
}

/** Why a Publish is refused, as SNS says it: [HTTP status, code, message]. */
function publishProblem(params: URLSearchParams): [number, string, string] | undefined {
  const subject = params.get("Subject");
  if (params.get("Action") !== "Publish")
    return [400, "InvalidAction", `Unknown action ${params.get("Action")}`];
  if (!TOPIC_ARN.test(params.get("TopicArn") ?? ""))
    return [400, "InvalidParameter", "Invalid parameter: TopicArn"];
  if (!params.get("Message")) return [400, "InvalidParameter", "Invalid parameter: Empty message"];
  if (subject !== null && (subject.length > 100 || /[^\x20-\x7e]/.test(subject))) {
    return [400, "InvalidParameter", "Invalid parameter: Subject"];
  }
  return undefined;
}

/** SNS query protocol: `Action=Publish&TopicArn=...&Message=...`. */
export function handleSns(
  params: URLSearchParams,
  res: ServerResponse,
  state: { record: RecordCall; faults: FaultConfig; published: PublishedMessage[] },
): void {
  const action = params.get("Action") ?? "";
  state.record({
    target: `SNS.${action}`,
    service: "SNS",
    op: action,
    body: Object.fromEntries(params),
    time: Date.now(),
  });
  const throttle = state.faults.throttle;
  const throttled = throttle !== undefined && (throttle[action] ?? 0) > 0;
  if (throttled) throttle[action] = (throttle[action] ?? 0) - 1;
  const problem: [number, string, string] | undefined = throttled
    ? [400, "Throttling", "Rate exceeded"]
    : publishProblem(params);
  if (problem) {
    snsError(res, ...problem);
    return;
  }
  const subject = params.get("Subject");
  const published: PublishedMessage = {
    MessageId: randomUUID(),
    TopicArn: params.get("TopicArn")!,
    Message: params.get("Message")!,
    ...(subject ? { Subject: subject } : {}),
  };
  state.published.push(published);
  sendXml(
    res,
    200,
    `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>${published.MessageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    "text/xml",
  );
}

/** Undoes `Content-Encoding: aws-chunked` (the SDK's streaming uploads with trailing checksums). */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < raw.length) {
    const eol = raw.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = Number.parseInt(raw.subarray(i, eol).toString().split(";")[0]!, 16);
    if (!(size > 0)) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The objects put, by `bucket/key`, and the call recorder. */
interface ObjectStore {
  record: RecordCall;
  objects: Map<string, StoredObject>;
}

/** The bucket and key of a path-style object request, its call recorded. */
function objectCall(req: IncomingMessage, op: string, state: ObjectStore) {
  const { bucket, key } = s3Address(req);
  state.record(s3Call(op, { Bucket: bucket, Key: key }));
  return { bucket, key };
}

/**
 * S3 `GET /bucket/key` (path style); `NoSuchKey` when absent. A listing (`GET /bucket?...`) of a
 * bucket not served from a directory answers `NoSuchBucket`, as S3 does for a mistyped name.
 */
export function handleS3Get(req: IncomingMessage, res: ServerResponse, state: ObjectStore): void {
  if (s3Address(req).key === "") {
    objectCall(req, "ListObjectsV2", state);
    sendS3Error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
    return;
  }
  const { bucket, key } = objectCall(req, "GetObject", state);
  const object = state.objects.get(`${bucket}/${key}`);
  if (!object) {
    sendNoSuchKey(res, key);
    return;
  }
  res.writeHead(200, {
    "content-type": object.contentType ?? "application/octet-stream",
    "content-length": object.body.length,
    ...(object.etag ? { etag: object.etag } : {}),
  });
  res.end(object.body);
}

/** S3 `PUT /bucket/key` (path style). */
export function handleS3Put(
  req: IncomingMessage,
  raw: Buffer,
  res: ServerResponse,
  state: ObjectStore,
): void {
  const { bucket, key } = objectCall(req, "PutObject", state);
  if (!bucket || !key) {
    sendS3Error(res, 400, "InvalidRequest", "PUT /bucket/key");
    return;
  }
  const chunked = String(req.headers["content-encoding"] ?? "").includes("aws-chunked");
  const body = chunked ? dechunk(raw) : raw;
  const contentType = req.headers["content-type"];
  const current = state.objects.get(`${bucket}/${key}`);
  if (!conditionHolds(req, res, current, key)) return;
  const etag = `"${randomUUID().replace(/-/g, "")}"`;
  state.objects.set(`${bucket}/${key}`, { body, etag, ...(contentType ? { contentType } : {}) });
  res.writeHead(200, { etag, "content-length": 0 });
  res.end();
}

/**
 * S3's conditional writes: `If-None-Match: *` puts only a new key, `If-Match: <etag>` only over
 * that version (412 PreconditionFailed otherwise; 404 NoSuchKey when the key is gone). Answers
 * the request and returns false when the condition does not hold.
 */
function conditionHolds(
  req: IncomingMessage,
  res: ServerResponse,
  current: StoredObject | undefined,
  key: string,
): boolean {
  const ifNoneMatch = req.headers["if-none-match"];
  const ifMatch = req.headers["if-match"];
  if (ifMatch !== undefined && current === undefined) {
    sendNoSuchKey(res, key);
    return false;
  }
  if ((ifNoneMatch === "*" && current) || (ifMatch !== undefined && ifMatch !== current?.etag)) {
    const message = "At least one of the pre-conditions you specified did not hold";
    sendS3Error(res, 412, "PreconditionFailed", message);
    return false;
  }
  return true;
}
