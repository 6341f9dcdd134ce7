/**
 * Publishing where a Lambda function or a container cannot keep files: each report (and the
 * runbook's latest.json) to S3 under the reports layout the site reads, and the alert state file
 * fetched before and stored after notifying, so "alert on change" survives between invocations.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { LATEST } from "@run-md/core";

export interface S3Target {
  bucket: string;
  /** Key prefix, such as `reports/` (default: none). */
  prefix: string;
  region?: string;
  /** A local endpoint (tests: the emulator); path-style addressing then. */
  endpoint?: string;
}

export function s3Client(target: S3Target): S3Client {
  return new S3Client({
    ...(target.region ? { region: target.region } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
  });
}

/** `reports/<runbook-id>/<file>.json` and `reports/<runbook-id>/latest.json`; returns the keys. */
export async function publishReport(
  client: S3Client,
  target: S3Target,
  reportFile: string,
): Promise<string[]> {
  const body = await readFile(reportFile);
  const dir = `${target.prefix}${path.basename(path.dirname(reportFile))}/`;
  const keys = [`${dir}${path.basename(reportFile)}`, `${dir}${LATEST}`];
  for (const key of keys) await putJson(client, target, key, body);
  return keys;
}

/** Copies the state object to `file` (nothing when it does not exist yet). */
export async function fetchState(
  client: S3Client,
  target: S3Target,
  key: string,
  file: string,
): Promise<void> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    await writeFile(file, await res.Body!.transformToString());
  } catch (e) {
    if (!(e instanceof NoSuchKey) && (e as Error).name !== "NoSuchKey") throw e;
  }
}

export async function storeState(
  client: S3Client,
  target: S3Target,
  key: string,
  file: string,
): Promise<void> {
  await putJson(client, target, key, await readFile(file));
}

function putJson(client: S3Client, target: S3Target, key: string, body: Buffer) {
  return client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      Body: body,
      ContentType: "application/json",
    }),
  );
}
