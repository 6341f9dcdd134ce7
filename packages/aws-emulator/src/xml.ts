/** XML answers of the emulator's S3 and SNS protocols. */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

/** Text escaped for an XML element or attribute. */
export function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "text/xml",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(body);
}

/** S3's 404 for a key that is not there. */
export function sendNoSuchKey(res: ServerResponse, key: string): void {
  sendXml(
    res,
    404,
    `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xml(key)}</Key></Error>`,
  );
}
