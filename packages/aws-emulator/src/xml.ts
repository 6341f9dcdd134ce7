/**
 * What the emulator's XML protocols share (SNS's query protocol, S3's REST): escaping text into
 * XML, sending an XML answer, and S3's path-style addresses and error bodies.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** An XML answer; S3 says `application/xml`, SNS `text/xml`. */
export function sendXml(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "application/xml",
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(body);
}

/** A path-style S3 request (`/bucket/key`): its URL, bucket ("" for none) and decoded key. */
export function s3Address(req: IncomingMessage): { url: URL; bucket: string; key: string } {
  const url = new URL(req.url ?? "/", "http://s3.local");
  const [, bucket = "", ...rest] = url.pathname.split("/");
  return { url, bucket, key: decodeURIComponent(rest.join("/")) };
}

/** An S3 error answer: `<Error><Code>…</Code><Message>…</Message>…</Error>`. */
export function sendS3Error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  key?: string,
): void {
  const keyXml = key === undefined ? "" : `<Key>${xml(key)}</Key>`;
  sendXml(
    res,
    status,
    `<Error><Code>${code}</Code><Message>${xml(message)}</Message>${keyXml}</Error>`,
  );
}

export function sendNoSuchKey(res: ServerResponse, key: string): void {
  sendS3Error(res, 404, "NoSuchKey", "The specified key does not exist.", key);
}
