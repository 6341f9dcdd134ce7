/**
 * The non-JSON protocols the emulator speaks besides Athena and CloudWatch Logs: Amazon SNS
 * (the AWS query protocol: a form-encoded POST, an XML answer) and Amazon S3 PutObject (REST,
 * path-style `PUT /bucket/key`). Enough for run-md's escalations (SNS Publish) and report
 * publishing (S3 PutObject), tested through the real SDK clients.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultConfig, RecordedCall } from "./context.ts";
import { sendNoSuchKey, sendXml, xml } from "./xml.ts";

/** Records a call; the server adds who signed it and keeps the record bounded. */
export type RecordCall = (call: Omit<RecordedCall, "accessKeyId" | "sessionToken">) => void;

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
}

function snsError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(
    res,
    status,
    `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
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

function objectKey(req: IncomingMessage): { bucket?: string; key: string } {
  const url = new URL(req.url ?? "/", "http://s3.local");
  const [, bucket, ...rest] = url.pathname.split("/");
  return { ...(bucket ? { bucket } : {}), key: decodeURIComponent(rest.join("/")) };
}

/** S3 `GET /bucket/key` (path style); `NoSuchKey` when absent. */
export function handleS3Get(
  req: IncomingMessage,
  res: ServerResponse,
  state: { record: RecordCall; objects: Map<string, StoredObject> },
): void {
  const { bucket, key } = objectKey(req);
  state.record({
    target: "S3.GetObject",
    service: "S3",
    op: "GetObject",
    body: { Bucket: bucket, Key: key },
    time: Date.now(),
  });
  const object = state.objects.get(`${bucket}/${key}`);
  if (!object) {
    sendNoSuchKey(res, key);
    return;
  }
  res.writeHead(200, {
    "content-type": object.contentType ?? "application/octet-stream",
    "content-length": object.body.length,
  });
  res.end(object.body);
}

/** S3 `PUT /bucket/key` (path style). */
export function handleS3Put(
  req: IncomingMessage,
  raw: Buffer,
  res: ServerResponse,
  state: { record: RecordCall; objects: Map<string, StoredObject> },
): void {
  const url = new URL(req.url ?? "/", "http://s3.local");
  const [, bucket, ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  state.record({
    target: "S3.PutObject",
    service: "S3",
    op: "PutObject",
    body: { Bucket: bucket, Key: key },
    time: Date.now(),
  });
  if (!bucket || !key) {
    sendXml(
      res,
      400,
      "<Error><Code>InvalidRequest</Code><Message>PUT /bucket/key</Message></Error>",
    );
    return;
  }
  const chunked = String(req.headers["content-encoding"] ?? "").includes("aws-chunked");
  const body = chunked ? dechunk(raw) : raw;
  const contentType = req.headers["content-type"];
  state.objects.set(`${bucket}/${key}`, { body, ...(contentType ? { contentType } : {}) });
  res.writeHead(200, { etag: `"${randomUUID().replace(/-/g, "")}"`, "content-length": 0 });
  res.end();
}
