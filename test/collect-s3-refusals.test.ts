import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Emulator, startEmulator } from "@run-md/aws-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMdHere as runMd } from "./in-process.ts";

/*
 * `run-md collect --source s3://...` when the bucket cannot be listed: a mistyped bucket, one the
 * credentials may not read, no credentials at all. Each is the user's to fix, so each is a clear
 * `error` line naming the source with a hint, exit 2, never an internal error with a stack.
 */

let base: string;
let emulator: Emulator;
let denied: Server;

const emulatorCredentials = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDLOCALEMULATOR",
  AWS_SECRET_ACCESS_KEY: "local-emulator-secret",
};

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "run-md-collect-refusals-"));
  emulator = await startEmulator({ logDir: base, s3Buckets: { trail: base } });
  // S3's answer to credentials without s3:ListBucket on the bucket.
  denied = createServer((_req, res) => {
    res.writeHead(403, { "content-type": "application/xml" });
    res.end("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  });
  await new Promise<void>((resolve) => denied.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await emulator?.close();
  await new Promise((resolve) => denied?.close(resolve));
  await rm(base, { recursive: true, force: true });
});

function collect(source: string, store: string, env: Record<string, string>) {
  return runMd(["collect", "--source", source, "--store", store, "--since", "7d"], { env });
}

/** No internal error, no stack frame: the message is for the user. */
function expectUserError(stderr: string): void {
  expect(stderr).not.toMatch(/internal error/);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("collect from an S3 bucket that cannot be listed", () => {
  it("names a bucket that does not exist, exit 2", async () => {
    const res = await collect("s3://no-such-bucket", path.join(base, "store-a"), {
      RUN_MD_S3_ENDPOINT: emulator.endpoint,
      ...emulatorCredentials,
    });
    expectUserError(res.stderr);
    expect(res.stderr).toMatch(
      /^error S3 refused to list s3:\/\/no-such-bucket: NoSuchBucket \(The specified bucket does not exist\)$/m,
    );
    expect(res.stderr).toMatch(/^hint: Check the bucket's name in --source/m);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
  });

  it("says which permissions the credentials lack when S3 answers AccessDenied, exit 2", async () => {
    const res = await collect("s3://my-trail/logs", path.join(base, "store-b"), {
      RUN_MD_S3_ENDPOINT: `http://127.0.0.1:${(denied.address() as AddressInfo).port}`,
      ...emulatorCredentials,
    });
    expectUserError(res.stderr);
    expect(res.stderr).toMatch(/^error S3 refused to list s3:\/\/my-trail\/logs: AccessDenied/m);
    expect(res.stderr).toMatch(/^hint: .*s3:ListBucket and s3:GetObject on the bucket/m);
    expect(res.code).toBe(2);
  });

  it("says that no credentials were found (and how to give them), exit 2", async () => {
    const none = path.join(base, "no-such-aws-file");
    const store = path.join(base, "store-c");
    const res = await collect("s3://trail", store, {
      // Not this machine (a local endpoint gets placeholder credentials, below); TEST-NET-1,
      // never reached: the credentials are looked for before anything is sent.
      RUN_MD_S3_ENDPOINT: "http://192.0.2.1:9",
      AWS_REGION: "us-east-1",
      // Nothing in the SDK's default chain: no variables, no files, no instance metadata.
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expectUserError(res.stderr);
    expect(res.stderr).toMatch(/^error no AWS credentials to read s3:\/\/trail: /m);
    expect(res.stderr).toMatch(/^hint: Pass --profile, or set AWS_PROFILE/m);
    expect(res.code).toBe(2);
    // Nothing was collected: no manifest in the store.
    expect(await readdir(store).catch(() => [])).not.toContain("manifest.json");
  });
});

describe("collect from the emulator on this machine", () => {
  it("signs with placeholder credentials, never the real ones of the chain", async () => {
    const before = emulator.callsOf("ListObjectsV2").length;
    const res = await collect("s3://trail", path.join(base, "store-d"), {
      RUN_MD_S3_ENDPOINT: emulator.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAREALKEYOFTHEUSER",
      AWS_SECRET_ACCESS_KEY: "real-secret",
      AWS_SESSION_TOKEN: "real-session-token",
    });
    // The bucket (an empty folder) has no AWSLogs/: refused, after listing it.
    expect(res.code).toBe(2);
    const calls = emulator.callsOf("ListObjectsV2").slice(before) as unknown as {
      accessKeyId?: string;
      sessionToken: boolean;
    }[];
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(c.accessKeyId).toBe("run-md-local");
      expect(c.sessionToken).toBe(false);
    }
  });
});
